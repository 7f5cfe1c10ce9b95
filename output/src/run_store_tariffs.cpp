// The tariff path of a run file (/tariffs, see run_store.hpp): written by RunFile at every step,
// read back and exported as CSV by RunReader.
#include "h5.hpp"
#include "run_file.hpp"
#include "run_reader.hpp"

#include "tradesim/output/run_store.hpp"

#include <fmt/format.h>

#include <iterator>
#include <stdexcept>

namespace tradesim::output {

namespace detail {

void RunFile::create_tariffs() {
    // One step per chunk like /flows, but compressed: almost every entry is 0 (no tariff
    // change from the baseline), which deflate stores in a fraction of its size: 37 KiB instead
    // of 6.2 MiB for us_china_trade_war.toml (41 economies, 48 steps).
    tariffs_ = file_.create_extendible<double>("tariffs", {countries_n_, countries_n_, sectors_n_},
                                               1, h5::Compress::deflate);
}

void RunFile::write_tariffs(const models::StepView& view) {
    const std::size_t flow_count = countries_n_ * countries_n_ * sectors_n_;
    // Writers without a policy state (counterfactual files, tests) store no tariff change.
    buffer_.assign(flow_count, 0.0);
    if (view.policy != nullptr) {
        const std::vector<double>& tariff = view.policy->tariff;
        if (tariff.size() != flow_count) {
            throw std::logic_error(
                fmt::format("RunWriter: step {} has {} tariffs, expected {} ({})", view.step,
                            tariff.size(), flow_count, path_));
        }
        // Percent points, as scenario files and events give tariffs.
        for (std::size_t f = 0; f < flow_count; ++f) {
            buffer_[f] = tariff[f] * 100.0;
        }
    }
    tariffs_.append<double>(buffer_, 1);
}

void write_tariff_csv(const RunReader& run, int first, int last, std::ostream& out) {
    const std::vector<std::string> dates = run.dates();
    const std::vector<std::string> countries = run.countries();
    const std::vector<std::string> sectors = run.sectors();
    const std::size_t n = countries.size(), k_n = sectors.size();

    write_csv_header(out, {"step", "date", "exporter", "importer", "sector", "tariff_pct"});
    for (int s = first; s < last; ++s) {
        const std::vector<double> values = run.tariff_values(s);
        const std::string prefix =
            fmt::format("{},{},", s, csv_field(dates[static_cast<std::size_t>(s)]));
        fmt::memory_buffer buf;
        for (std::size_t i = 0; i < n; ++i) {
            for (std::size_t j = 0; j < n; ++j) {
                for (std::size_t k = 0; k < k_n; ++k) {
                    // Tariffs change on a few pair-sectors only: the rest would be all zeros.
                    const double v = values[(i * n + j) * k_n + k];
                    if (v == 0.0) {
                        continue;
                    }
                    fmt::format_to(std::back_inserter(buf), "{}{},{},{},{}\n", prefix,
                                   csv_field(countries[i]), csv_field(countries[j]),
                                   csv_field(sectors[k]), v);
                }
            }
        }
        out.write(buf.data(), static_cast<std::streamsize>(buf.size()));
    }
}

} // namespace detail

// ---- RunReader --------------------------------------------------------------------------

bool RunReader::has_tariffs() const {
    return impl_->has_tariffs();
}

std::vector<double> RunReader::tariff_values(int step) const {
    impl_->require_tariffs();
    impl_->check_step(step);
    return impl_->file.open_dataset("tariffs").read_rows<double>(static_cast<hsize_t>(step), 1);
}

} // namespace tradesim::output
