// The friction tables of a run file (/friction, see run_store.hpp): written by RunFile at every
// step of a run with friction on, read back and exported as CSV by RunReader.
#include "h5.hpp"
#include "run_file.hpp"
#include "run_reader.hpp"

#include "tradesim/models/friction.hpp"
#include "tradesim/output/run_store.hpp"

#include <fmt/format.h>

#include <iterator>
#include <stdexcept>

namespace tradesim::output {

namespace detail {

namespace {

// Every table is one step per chunk, so that one step reads one chunk, and compressed: most
// entries are exact zeros (pair-sectors not watched, indicators that did not move) and levels
// are 0-3, which shuffle + deflate store in a fraction of their size.
constexpr h5::Compress friction_compression = h5::Compress::deflate;

std::vector<std::string> names(const auto& list) {
    return {list.begin(), list.end()};
}

std::string attribute_key(const char* what, const std::string& indicator) {
    return fmt::format("{}_{}", what, indicator);
}

} // namespace

void RunFile::create_friction(const models::StepView& view) {
    const std::size_t n = countries_n_, k_n = sectors_n_;
    const std::size_t flow_count = n * n * k_n;
    const models::FrictionTables& t = *view.friction;
    if (t.watched.size() != flow_count) {
        throw std::logic_error(fmt::format("RunWriter: step {} watches {} pair-sectors, expected "
                                           "{} ({})",
                                           view.step, t.watched.size(), flow_count, path_));
    }
    const auto& indicators = models::indicator_names();
    metadata_.write_strings("indicator_names", names(indicators));

    h5::Group group = file_.create_group("friction");
    // A writer made without the scenario's parameters (none today) still writes the tables.
    if (friction_params_) {
        const models::FrictionParams& p = *friction_params_;
        group.write_int_attribute("window_months", p.window_months);
        group.write_double_attribute("min_flow_bn", p.min_flow);
        group.write_double_attribute("cap_pct", p.cap_pct);
        group.write_double_attribute("watch", p.watch);
        group.write_double_attribute("warning", p.warning);
        group.write_double_attribute("alert", p.alert);
        group.write_double_attribute("hysteresis", p.hysteresis);
        // Scalar attributes, one per indicator: every attribute of a run file is a scalar, and
        // h5py shows them by name.
        for (std::size_t m = 0; m < models::indicator_count; ++m) {
            group.write_double_attribute(attribute_key("weight", indicators[m]), p.weight[m]);
            group.write_double_attribute(attribute_key("full", indicators[m]), p.full[m]);
        }
    }

    // Written once as [exporter][importer][sector]: an extendible dataset of N rows, one chunk.
    h5::Dataset watched =
        group.create_extendible<std::int32_t>("watched", {n, k_n}, n, friction_compression);
    const std::vector<std::int32_t> watched_values(t.watched.begin(), t.watched.end());
    watched.append<std::int32_t>(watched_values, n);

    FrictionDatasets d;
    d.watched = t.watched;
    d.index = group.create_extendible<double>("index", {n, n, k_n}, 1, friction_compression);
    d.level = group.create_extendible<std::int32_t>("level", {n, n, k_n}, 1, friction_compression);
    d.indicators = group.create_extendible<double>(
        "indicators", {n, n, k_n, models::indicator_count}, 1, friction_compression);
    friction_ = std::move(d);
}

void RunFile::write_friction(const models::StepView& view) {
    if (!optional_group(view.friction != nullptr, friction_.has_value(), "friction tables",
                        view.step)) {
        return;
    }
    if (!friction_) {
        create_friction(view);
    }
    FrictionDatasets& d = *friction_;
    const models::FrictionTables& t = *view.friction;
    // watched is in the file once: a step whose set differs would be misread.
    if (t.watched != d.watched) {
        throw std::logic_error(fmt::format("RunWriter: step {} watches other pair-sectors than "
                                           "the first step ({})",
                                           view.step, path_));
    }
    const std::size_t flow_count = d.watched.size();
    const auto check = [&](std::size_t size, const std::string& what) {
        if (size != flow_count) {
            throw std::logic_error(fmt::format("RunWriter: step {} has {} values of friction {}, "
                                               "expected {} ({})",
                                               view.step, size, what, flow_count, path_));
        }
    };
    check(t.index.size(), "index");
    check(t.level.size(), "level");
    for (std::size_t m = 0; m < models::indicator_count; ++m) {
        check(t.indicator[m].size(), models::indicator_names()[m]);
    }

    d.index.append<double>(t.index, 1);
    d.levels.assign(t.level.begin(), t.level.end());
    d.level.append<std::int32_t>(d.levels, 1);
    // The tables hold one vector per indicator; the file holds a flow's indicators side by
    // side, so that one step's row reads as a table.
    constexpr std::size_t m_n = models::indicator_count;
    buffer_.resize(flow_count * m_n);
    for (std::size_t f = 0; f < flow_count; ++f) {
        for (std::size_t m = 0; m < m_n; ++m) {
            buffer_[f * m_n + m] = t.indicator[m][f];
        }
    }
    d.indicators.append<double>(buffer_, 1);
}

void write_friction_csv(const RunReader& run, int first, int last, std::ostream& out) {
    const std::vector<std::string> dates = run.dates();
    const std::vector<std::string> countries = run.countries();
    const std::vector<std::string> sectors = run.sectors();
    const std::vector<std::string> indicators = run.indicator_names();
    const std::size_t n = countries.size(), k_n = sectors.size();

    std::vector<std::string> header{"step",   "date",  "exporter", "importer",
                                    "sector", "index", "level"};
    header.insert(header.end(), indicators.begin(), indicators.end());
    write_csv_header(out, header);
    for (int s = first; s < last; ++s) {
        const models::FrictionTables t = run.friction_tables(s);
        const std::string prefix =
            fmt::format("{},{},", s, csv_field(dates[static_cast<std::size_t>(s)]));
        fmt::memory_buffer buf;
        for (std::size_t i = 0; i < n; ++i) {
            for (std::size_t j = 0; j < n; ++j) {
                for (std::size_t k = 0; k < k_n; ++k) {
                    // Most pair-sectors show no friction at most steps: their rows would be
                    // all zeros.
                    const std::size_t f = (i * n + j) * k_n + k;
                    if (t.watched[f] == 0 || !(t.index[f] > 0 || t.level[f] > 0)) {
                        continue;
                    }
                    fmt::format_to(std::back_inserter(buf), "{}{},{},{},{},{}", prefix,
                                   csv_field(countries[i]), csv_field(countries[j]),
                                   csv_field(sectors[k]), t.index[f],
                                   models::to_string(static_cast<models::Level>(t.level[f])));
                    for (std::size_t m = 0; m < indicators.size(); ++m) {
                        fmt::format_to(std::back_inserter(buf), ",{}", t.indicator[m][f]);
                    }
                    buf.push_back('\n');
                }
            }
        }
        out.write(buf.data(), static_cast<std::streamsize>(buf.size()));
    }
}

} // namespace detail

// ---- RunReader --------------------------------------------------------------------------

bool RunReader::has_friction() const {
    return impl_->has_friction();
}

std::vector<std::string> RunReader::indicator_names() const {
    return impl_->has_friction() ? impl_->strings("metadata/indicator_names")
                                 : std::vector<std::string>{};
}

std::string RunReader::friction_attribute(const std::string& name) const {
    if (!impl_->has_friction()) {
        return "";
    }
    return impl_->file.open_group("friction").read_attribute(name).value_or("");
}

models::FrictionTables RunReader::friction_tables(int step) const {
    impl_->require_friction();
    impl_->check_step(step);
    const h5::File& f = impl_->file;
    const auto row = [&](const char* name) {
        return f.open_dataset(fmt::format("friction/{}", name))
            .read_rows<double>(static_cast<hsize_t>(step), 1);
    };
    const auto bytes = [](const std::vector<std::int32_t>& values) {
        return std::vector<std::uint8_t>(values.begin(), values.end());
    };
    models::FrictionTables t;
    t.index = row("index");
    t.level = bytes(
        f.open_dataset("friction/level").read_rows<std::int32_t>(static_cast<hsize_t>(step), 1));
    t.watched = bytes(f.open_dataset("friction/watched").read<std::int32_t>());
    const std::vector<double> indicators = row("indicators");
    const std::size_t m_n = models::indicator_count;
    const std::size_t flow_count = t.index.size();
    if (indicators.size() != flow_count * m_n || t.level.size() != flow_count ||
        t.watched.size() != flow_count) {
        throw sim::IoError(
            fmt::format("{}: the friction tables of step {} differ in size", impl_->path, step));
    }
    for (std::size_t m = 0; m < m_n; ++m) {
        t.indicator[m].resize(flow_count);
        for (std::size_t i = 0; i < flow_count; ++i) {
            t.indicator[m][i] = indicators[i * m_n + m];
        }
    }
    return t;
}

} // namespace tradesim::output
