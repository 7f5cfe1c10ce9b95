#include "tradesim/output/compare.hpp"

#include "tradesim/sim/diagnostics.hpp"
#include "tradesim/sim/error.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <numeric>

namespace tradesim::output {

std::string compare_runs(const RunReader& base, const RunReader& other,
                         const CompareOptions& options) {
    const auto countries = base.countries();
    if (countries != other.countries()) {
        throw sim::InputError("compare: the two runs have different countries; compare runs "
                              "of the same world");
    }
    const auto variables = base.country_variables();
    const auto it = std::find(variables.begin(), variables.end(), options.variable);
    if (it == variables.end() || other.country_variables() != variables) {
        throw sim::UsageError(fmt::format(
            "compare: unknown variable \"{}\"{} (known: {})", options.variable,
            sim::did_you_mean(options.variable, variables), fmt::join(variables, ", ")));
    }
    const int common = std::min(base.steps(), other.steps());
    const int step = options.step < 0 ? common - 1 : options.step;
    if (step < 0 || step >= common) {
        throw sim::UsageError(fmt::format("compare: step {} is not in both runs (they share "
                                          "steps 0 to {})",
                                          step, common - 1));
    }
    const auto v = static_cast<std::size_t>(it - variables.begin());
    const std::size_t nv = variables.size();
    const auto a = base.country_values(step);
    const auto b = other.country_values(step);
    std::vector<std::size_t> order(countries.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    const auto diff = [&](std::size_t c) { return b[c * nv + v] - a[c * nv + v]; };
    // Largest absolute difference first; ties keep country order.
    std::stable_sort(order.begin(), order.end(), [&](std::size_t x, std::size_t y) {
        return std::abs(diff(x)) > std::abs(diff(y));
    });
    if (options.top > 0) {
        order.resize(std::min(order.size(), static_cast<std::size_t>(options.top)));
    }
    const auto dates = base.dates();
    std::string out =
        fmt::format("{} at step {} ({}): {} -> {}\n", options.variable, step,
                    dates.at(static_cast<std::size_t>(step)), base.attribute("scenario_name"),
                    other.attribute("scenario_name"));
    out += fmt::format("  {:<8} {:>16} {:>16} {:>14} {:>9}\n", "country", "base", "other",
                       "difference", "%");
    for (std::size_t c : order) {
        // Round-off residue (a baseline welfare change of 1e-14, say) prints as zero and
        // has no meaningful percentage change.
        const auto tidy = [](double value) { return std::abs(value) < 1e-9 ? 0.0 : value; };
        const double x = tidy(a[c * nv + v]);
        const double y = tidy(b[c * nv + v]);
        const std::string pct = x != 0.0 ? fmt::format("{:+.2f}", (y / x - 1.0) * 100.0) : "n/a";
        out += fmt::format("  {:<8} {:>16.4f} {:>16.4f} {:>+14.4f} {:>9}\n", countries[c], x, y,
                           y - x, pct);
    }
    return out;
}

} // namespace tradesim::output
