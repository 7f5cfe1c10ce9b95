// The summary `tradesim calibrate` prints (history/calibrate.hpp).

#include "tradesim/history/calibrate.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace tradesim::history {

std::string format_calibration(const CalibrateResult& r) {
    std::string t = fmt::format("calibrated world of {}: {} countries, {} sector(s) ({})\n", r.year,
                                r.countries.size(), r.sectors.size(), fmt::join(r.sectors, ", "));
    t += fmt::format("flows: {} non-zero, total {:.6g} bn USD, of which international {:.6g} bn "
                     "USD\n",
                     r.flow_rows, r.total_usd / 1e9, r.international_usd / 1e9);
    t += fmt::format("PPML: {}\n  {} observations of {} pairs ({} missing), pseudo-R2 {:.4f}\n",
                     r.formula, r.fit.observations, r.pairs, r.dropped_missing, r.fit.pseudo_r2);
    for (std::size_t k = 0; k < r.fit.names.size(); ++k) {
        t += fmt::format("  {:<10} {:>11.6g} (robust SE {:.4g})\n", r.fit.names[k],
                         r.fit.coefficients[k], r.fit.std_errors[k]);
    }
    for (const auto& reg : r.regressors) {
        if (!reg.used) {
            t += fmt::format("  {:<10} {}\n", reg.term, reg.source);
        }
    }
    for (const auto& note : r.notes) {
        t += fmt::format("note: {}\n", note);
    }
    if (!r.dropped_countries.empty()) {
        t += fmt::format("dropped {} countries:\n", r.dropped_countries.size());
        for (const auto& d : r.dropped_countries) {
            t += fmt::format("  {}\n", d);
        }
    }
    t += fmt::format("wrote {}\n", r.directory);
    for (const auto& f : r.files) {
        t += fmt::format("  {}\n", f);
    }
    return t;
}

} // namespace tradesim::history
