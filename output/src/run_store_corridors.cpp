// The corridor tables of a run file (/corridors, see run_store.hpp): written by RunFile at every
// step of a run whose world has a transport network, exported as CSV by RunReader.
#include "h5.hpp"
#include "run_file.hpp"

#include "tradesim/models/corridors.hpp"
#include "tradesim/models/network.hpp"
#include "tradesim/output/run_store.hpp"

#include <fmt/format.h>

#include <iterator>
#include <stdexcept>

namespace tradesim::output::detail {

namespace {

// Both tables are compressed. Pairs hold many exact zeros (the diagonal, modes a pair does not
// use) and small counts of routes: on the 41-economy world (229 links, 24 steps) shuffle +
// deflate stores them in 61 % of their size (2.26 MB to 1.39 MB) and the links in 75 %, a file
// 16 % smaller, for 2 ms a step of writing in a run of 0.6 s a step (README, "Result files").
constexpr h5::Compress links_compression = h5::Compress::deflate;
constexpr h5::Compress pairs_compression = h5::Compress::deflate;
// The assignment series is two numbers a step: 64 steps a chunk, like the series in /steps.
constexpr hsize_t assignment_chunk_rows = 64;
// The route table grows by about 3,000 rows a step on the default world.
constexpr hsize_t route_chunk_rows = 4096;
constexpr hsize_t path_chunk_rows = 256;

std::vector<std::string> names(const auto& list) {
    return {list.begin(), list.end()};
}

} // namespace

void RunFile::create_corridors(const models::StepView& view) {
    const models::Corridors& c = *view.corridors;
    const std::size_t links_n = c.link_ids().size();
    if (c.link_modes().size() != links_n) {
        throw std::logic_error(fmt::format("RunWriter: step {} has {} link ids but {} link modes "
                                           "({})",
                                           view.step, links_n, c.link_modes().size(), path_));
    }
    metadata_.write_strings("link_ids", c.link_ids());
    metadata_.write_strings("link_modes", c.link_modes());
    metadata_.write_strings("link_variables", names(link_variables));
    metadata_.write_strings("link_units", names(link_units));
    metadata_.write_strings("pair_variables", names(pair_variables));
    metadata_.write_strings("pair_units", names(pair_units));

    h5::Group group = file_.create_group("corridors");
    const models::CorridorCalibration& cal = c.calibration();
    group.write_double_attribute("rail_constant", cal.rail_constant);
    group.write_double_attribute("rail_share_target", cal.rail_share_target);
    group.write_double_attribute("rail_share", cal.rail_share);
    group.write_uint_attribute("capacities_raised", cal.capacities_raised);
    group.write_uint_attribute("links", cal.links);
    CorridorDatasets d;
    d.links_n = links_n;
    d.links = group.create_extendible<double>("links", {links_n, link_variables.size()}, 1,
                                              links_compression);
    d.pairs = group.create_extendible<double>(
        "pairs", {countries_n_, countries_n_, pair_variables.size()}, 1, pairs_compression);
    d.assignment = group.create_extendible<double>("assignment", {2}, assignment_chunk_rows,
                                                   h5::Compress::deflate);
    d.paths = group.create_extendible_strings("paths", path_chunk_rows);
    d.route_keys = group.create_extendible<std::int32_t>("route_keys", {route_key_columns},
                                                         route_chunk_rows, h5::Compress::deflate);
    d.route_values = group.create_extendible<double>("route_values", {route_value_columns},
                                                     route_chunk_rows, h5::Compress::deflate);
    corridors_ = std::move(d);
}

void RunFile::write_corridors(const models::StepView& view) {
    if (!optional_group(view.corridors != nullptr, corridors_.has_value(), "corridor tables",
                        view.step)) {
        return;
    }
    if (!corridors_) {
        create_corridors(view);
    }
    CorridorDatasets& d = *corridors_;
    const models::CorridorTables& t = view.corridors->tables();
    const std::size_t l_n = d.links_n;
    const std::size_t pairs_n = countries_n_ * countries_n_;
    const auto check = [&](const std::vector<double>& values, std::size_t expected,
                           const char* what) {
        if (values.size() != expected) {
            throw std::logic_error(fmt::format("RunWriter: step {} has {} values of {}, "
                                               "expected {} ({})",
                                               view.step, values.size(), what, expected, path_));
        }
    };
    const std::vector<double>* links[] = {&t.link_teu,  &t.link_value, &t.link_utilisation,
                                          &t.link_cost, &t.link_days,  &t.link_open};
    for (std::size_t v = 0; v < link_variables.size(); ++v) {
        check(*links[v], l_n, link_variables[v]);
    }
    check(t.mode_share, pairs_n * models::mode_count, "mode_share");
    check(t.pair_days, pairs_n, "pair_days");
    check(t.pair_cost, pairs_n, "pair_cost");
    check(t.pair_routes, pairs_n, "pair_routes");

    // The tables hold one vector per variable; the file holds the variables of a link (or pair)
    // side by side, so that one step's row reads as a table.
    const std::size_t lv = link_variables.size();
    buffer_.resize(l_n * lv);
    for (std::size_t l = 0; l < l_n; ++l) {
        for (std::size_t v = 0; v < lv; ++v) {
            buffer_[l * lv + v] = (*links[v])[l];
        }
    }
    d.links.append<double>(buffer_, 1);

    static_assert(pair_variables.size() == models::mode_count + 3);
    const std::size_t pv = pair_variables.size();
    buffer_.resize(pairs_n * pv);
    for (std::size_t p = 0; p < pairs_n; ++p) {
        double* row = &buffer_[p * pv];
        for (std::size_t m = 0; m < models::mode_count; ++m) {
            row[m] = t.mode_share[p * models::mode_count + m];
        }
        row[4] = t.pair_days[p];
        row[5] = t.pair_cost[p];
        row[6] = t.pair_routes[p];
    }
    d.pairs.append<double>(buffer_, 1);

    // Routes: the paths met since the last step, then this step's rows.
    const std::vector<std::string>& paths = view.corridors->route_paths();
    if (paths.size() > d.paths_written) {
        d.paths.append_strings(
            {paths.begin() + static_cast<std::ptrdiff_t>(d.paths_written), paths.end()});
        d.paths_written = paths.size();
    }
    const std::size_t rows = t.route_pair.size();
    for (const auto* column : {&t.route_share, &t.route_teu, &t.route_value, &t.route_days}) {
        check(*column, rows, "route values");
    }
    if (t.route_path.size() != rows || t.route_mode.size() != rows) {
        throw std::logic_error(fmt::format("RunWriter: step {} has route columns of unequal "
                                           "length ({})",
                                           view.step, path_));
    }
    if (rows > 0) {
        std::vector<std::int32_t> keys(rows * route_key_columns);
        buffer_.resize(rows * route_value_columns);
        for (std::size_t r = 0; r < rows; ++r) {
            std::int32_t* key = &keys[r * route_key_columns];
            key[0] = view.step;
            key[1] = static_cast<std::int32_t>(t.route_pair[r] / countries_n_);
            key[2] = static_cast<std::int32_t>(t.route_pair[r] % countries_n_);
            key[3] = static_cast<std::int32_t>(t.route_path[r]);
            key[4] = t.route_mode[r];
            double* value = &buffer_[r * route_value_columns];
            value[0] = t.route_share[r];
            value[1] = t.route_teu[r];
            value[2] = t.route_value[r];
            value[3] = t.route_days[r];
        }
        d.route_keys.append<std::int32_t>(keys, rows);
        d.route_values.append<double>(buffer_, rows);
    }

    // Last: a step whose assignment row is in the file has all its corridor rows there.
    const double assignment[2] = {static_cast<double>(t.iterations), t.residual};
    d.assignment.append<double>(assignment, 1);
}

void write_corridor_csv(const RunReader& run, const std::string& table, int first, int last,
                        std::ostream& out) {
    const std::vector<std::string> dates = run.dates();
    if (table == "corridors") {
        std::vector<std::string> header{"step", "date", "link", "mode"};
        header.insert(header.end(), link_variables.begin(), link_variables.end());
        write_csv_header(out, header);
        const std::vector<std::string> ids = run.link_ids();
        const std::vector<std::string> modes = run.link_modes();
        const std::size_t lv = link_variables.size();
        for (int s = first; s < last; ++s) {
            const std::vector<double> values = run.link_values(s);
            const std::string prefix =
                fmt::format("{},{},", s, csv_field(dates[static_cast<std::size_t>(s)]));
            fmt::memory_buffer buf;
            for (std::size_t l = 0; l < ids.size(); ++l) {
                fmt::format_to(std::back_inserter(buf), "{}{},{}", prefix, csv_field(ids[l]),
                               csv_field(modes[l]));
                for (std::size_t v = 0; v < lv; ++v) {
                    fmt::format_to(std::back_inserter(buf), ",{}", values[l * lv + v]);
                }
                buf.push_back('\n');
            }
            out.write(buf.data(), static_cast<std::streamsize>(buf.size()));
        }
        return;
    }

    if (table == "paths") {
        write_csv_header(out, {"step", "date", "exporter", "importer", "path", "mode", "share",
                               "teu", "value", "days"});
        const std::vector<std::string> codes = run.countries();
        fmt::memory_buffer buf;
        for (const RunReader::RouteRow& r : run.route_rows(first, last)) {
            fmt::format_to(std::back_inserter(buf), "{},{},{},{},{},{},{},{},{},{}\n", r.step,
                           csv_field(dates[static_cast<std::size_t>(r.step)]),
                           csv_field(codes.at(static_cast<std::size_t>(r.exporter))),
                           csv_field(codes.at(static_cast<std::size_t>(r.importer))),
                           csv_field(r.path), r.mode, r.share, r.teu, r.value, r.days);
        }
        out.write(buf.data(), static_cast<std::streamsize>(buf.size()));
        return;
    }

    std::vector<std::string> header{"step", "date", "exporter", "importer"};
    header.insert(header.end(), pair_variables.begin(), pair_variables.end());
    write_csv_header(out, header);
    const std::vector<std::string> codes = run.countries();
    const std::size_t n = codes.size();
    const std::size_t pv = pair_variables.size();
    for (int s = first; s < last; ++s) {
        const std::vector<double> values = run.pair_values(s);
        const std::string prefix =
            fmt::format("{},{},", s, csv_field(dates[static_cast<std::size_t>(s)]));
        fmt::memory_buffer buf;
        for (std::size_t i = 0; i < n; ++i) {
            for (std::size_t j = 0; j < n; ++j) {
                // Goods do not travel the network within an economy: the diagonal is all zeros.
                if (i == j) {
                    continue;
                }
                fmt::format_to(std::back_inserter(buf), "{}{},{}", prefix, csv_field(codes[i]),
                               csv_field(codes[j]));
                for (std::size_t v = 0; v < pv; ++v) {
                    fmt::format_to(std::back_inserter(buf), ",{}", values[(i * n + j) * pv + v]);
                }
                buf.push_back('\n');
            }
        }
        out.write(buf.data(), static_cast<std::streamsize>(buf.size()));
    }
}

} // namespace tradesim::output::detail
