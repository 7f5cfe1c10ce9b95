// The firm tables of a run file (/firms, see run_store.hpp): written by RunFile at every step
// of a run with [firms], exported as CSV by RunReader.
#include "h5.hpp"
#include "run_file.hpp"

#include "tradesim/output/run_store.hpp"

#include <fmt/format.h>

#include <array>
#include <iterator>
#include <stdexcept>

namespace tradesim::output::detail {

namespace {

// Compression of the firm_pair_datasets. Firm counts, entries and exits are small integers,
// mostly zero off the home markets: shuffle + deflate stores them in 1/5 to 1/100 of their
// size at no measurable cost. Sales per firm are like flows: deflate saves 10-15 % of them and
// made a 41-country run 13 % slower, so they stay uncompressed (README, "Result files").
constexpr std::array<h5::Compress, 4> pair_compression{h5::Compress::deflate, h5::Compress::deflate,
                                                       h5::Compress::deflate, h5::Compress::none};

} // namespace

void RunFile::create_firms(const models::StepView& view) {
    if (view.firm_population == nullptr) {
        throw std::logic_error(fmt::format(
            "RunWriter: step {} has firm tables but no firm population ({})", view.step, path_));
    }
    const sim::ColumnTable& table = view.firms->countries;
    FirmDatasets d;
    std::vector<std::string> units;
    for (std::size_t v = 0; v < table.columns(); ++v) {
        d.variables.push_back(table.info(v).name);
        units.push_back(table.info(v).unit);
    }
    metadata_.write_strings("firm_country_variables", d.variables);
    metadata_.write_strings("firm_country_units", units);

    h5::Group group = file_.create_group("firms");
    const models::FirmCalibration& c = view.firm_population->calibration();
    group.write_uint_attribute("firms", c.firms);
    group.write_uint_attribute("country_sectors", c.country_sectors);
    group.write_double_attribute("export_cost_scale", c.export_cost_scale);
    group.write_double_attribute("export_share", c.export_share);
    group.write_int_attribute("burn_in_steps", c.burn_in_steps);

    d.countries = group.create_extendible<double>("countries", {countries_n_, d.variables.size()},
                                                  1, h5::Compress::deflate);
    const std::vector<hsize_t> pair_shape{countries_n_, countries_n_, sectors_n_};
    h5::Dataset* pairs[] = {&d.serving, &d.entries, &d.exits, &d.sales_per_firm};
    for (std::size_t p = 0; p < firm_pair_datasets.size(); ++p) {
        *pairs[p] = group.create_extendible<double>(firm_pair_datasets[p], pair_shape, 1,
                                                    pair_compression[p]);
    }
    firms_ = std::move(d);
}

void RunFile::write_firms(const models::StepView& view) {
    if (!optional_group(view.firms != nullptr, firms_.has_value(), "firm tables", view.step)) {
        return;
    }
    if (!firms_) {
        create_firms(view);
    }
    FirmDatasets& d = *firms_;
    append_table(d.countries, view.firms->countries, d.variables, "firm country");

    const models::FirmTables& t = *view.firms;
    const std::vector<double>* values[] = {&t.firms_serving, &t.entries, &t.exits,
                                           &t.sales_per_firm};
    h5::Dataset* pairs[] = {&d.serving, &d.entries, &d.exits, &d.sales_per_firm};
    const std::size_t count = countries_n_ * countries_n_ * sectors_n_;
    for (std::size_t p = 0; p < firm_pair_datasets.size(); ++p) {
        if (values[p]->size() != count) {
            throw std::logic_error(fmt::format("RunWriter: step {} has {} values of firms/{}, "
                                               "expected {} ({})",
                                               view.step, values[p]->size(), firm_pair_datasets[p],
                                               count, path_));
        }
    }
    for (std::size_t p = 0; p < firm_pair_datasets.size(); ++p) {
        pairs[p]->append<double>(*values[p], 1);
    }
}

void write_firm_csv(const RunReader& run, const std::string& table, int first, int last,
                    std::ostream& out) {
    const std::vector<std::string> codes = run.countries();
    const std::vector<std::string> dates = run.dates();
    if (table == "firms") {
        std::vector<std::string> header{"step", "date", "country"};
        for (const std::string& v : run.firm_country_variables()) {
            header.push_back(v);
        }
        write_csv_header(out, header);
        for (int s = first; s < last; ++s) {
            write_country_rows(out, s, dates[static_cast<std::size_t>(s)], codes,
                               run.firm_country_values(s));
        }
        return;
    }

    write_csv_header(out, {"step", "date", "exporter", "importer", "sector", "firms", "entries",
                           "exits", "sales_per_firm"});
    const std::vector<std::string> sectors = run.sectors();
    const std::size_t n = codes.size();
    const std::size_t k_n = sectors.size();
    for (int s = first; s < last; ++s) {
        const std::vector<double> serving = run.firm_pair_values("serving", s);
        const std::vector<double> entries = run.firm_pair_values("entries", s);
        const std::vector<double> exits = run.firm_pair_values("exits", s);
        const std::vector<double> sales = run.firm_pair_values("sales_per_firm", s);
        const std::string prefix =
            fmt::format("{},{},", s, csv_field(dates[static_cast<std::size_t>(s)]));
        fmt::memory_buffer buf;
        for (std::size_t i = 0; i < n; ++i) {
            for (std::size_t j = 0; j < n; ++j) {
                for (std::size_t k = 0; k < k_n; ++k) {
                    const std::size_t f = (i * n + j) * k_n + k;
                    // Most pairs never see a firm: leaving them out keeps the table small.
                    if (serving[f] == 0 && entries[f] == 0 && exits[f] == 0) {
                        continue;
                    }
                    fmt::format_to(std::back_inserter(buf), "{}{},{},{},{},{},{},{}\n", prefix,
                                   csv_field(codes[i]), csv_field(codes[j]), csv_field(sectors[k]),
                                   serving[f], entries[f], exits[f], sales[f]);
                }
            }
        }
        out.write(buf.data(), static_cast<std::streamsize>(buf.size()));
    }
}

} // namespace tradesim::output::detail
