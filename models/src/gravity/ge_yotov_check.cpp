// Input checks of solve_yotov: every problem is listed, not only the first.

#include "gravity/detail/ge_yotov.hpp"

#include "tradesim/sim/error.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <limits>
#include <map>
#include <string>
#include <utility>

namespace tradesim::models::gravity::detail::yotov {

namespace {

[[noreturn]] void fail(const std::vector<std::string>& errors) {
    throw sim::InputError(fmt::format("{}", fmt::join(errors, "\n")));
}

} // namespace

// Everything solve_yotov needs to hold before it starts: sizes, codes, values, and positive
// output and expenditure for every country (multilateral resistances divide by them).
void check(const YotovProblem& p) {
    std::vector<std::string> errors;
    const std::size_t n = p.countries.size();
    const std::size_t rows = p.flows.size();
    if (n == 0 || rows == 0) {
        errors.push_back("yotov: error: no countries or no flows");
    }
    if (p.exporter.size() != rows || p.importer.size() != rows) {
        errors.push_back(fmt::format("yotov: error: {} flows but {} exporter and {} importer codes",
                                     rows, p.exporter.size(), p.importer.size()));
    }
    if (p.costs.size() != p.cost_names.size() || p.counterfactual.size() != p.costs.size()) {
        errors.push_back(fmt::format("yotov: error: {} trade-cost names, {} baseline and {} "
                                     "counterfactual columns (they must match)",
                                     p.cost_names.size(), p.costs.size(), p.counterfactual.size()));
    }
    for (std::size_t k = 0; k < std::min(p.costs.size(), p.counterfactual.size()); ++k) {
        if (p.costs[k].size() != rows || p.counterfactual[k].size() != rows) {
            errors.push_back(fmt::format("yotov: error: trade cost {} has {} baseline and {} "
                                         "counterfactual values for {} flows",
                                         k + 1, p.costs[k].size(), p.counterfactual[k].size(),
                                         rows));
        }
    }
    if (!(p.sigma > 1.0) || !std::isfinite(p.sigma)) {
        errors.push_back(
            fmt::format("yotov: error: sigma must be finite and > 1, not {}", p.sigma));
    }
    if (p.reference < 0 || index(p.reference) >= n) {
        errors.push_back(fmt::format("yotov: error: reference country {} is not in 0..{}",
                                     p.reference, n == 0 ? 0 : n - 1));
    }
    if (!errors.empty()) {
        fail(errors);
    }

    std::map<std::pair<std::int32_t, std::int32_t>, std::size_t> seen;
    Vec y(n, 0.0), e(n, 0.0);
    std::size_t bad = 0;
    const auto row_error = [&](std::string message) {
        if (++bad <= max_listed) {
            errors.push_back(std::move(message));
        }
    };
    for (std::size_t r = 0; r < rows; ++r) {
        const auto i = p.exporter[r];
        const auto j = p.importer[r];
        if (i < 0 || index(i) >= n || j < 0 || index(j) >= n) {
            row_error(fmt::format("yotov: row {}: error: country codes {} and {} are not in 0..{}",
                                  r + 1, i, j, n - 1));
            continue;
        }
        const auto [at, fresh] = seen.emplace(std::pair{i, j}, r);
        if (!fresh) {
            row_error(fmt::format("yotov: row {}: error: pair {} -> {} is also row {}", r + 1,
                                  p.countries[index(i)], p.countries[index(j)], at->second + 1));
        }
        if (!(p.flows[r] >= 0.0) || !std::isfinite(p.flows[r])) {
            row_error(fmt::format("yotov: row {}: error: flow {} -> {} is {} (must be finite and "
                                  ">= 0)",
                                  r + 1, p.countries[index(i)], p.countries[index(j)], p.flows[r]));
        } else {
            y[index(i)] += p.flows[r];
            e[index(j)] += p.flows[r];
        }
        for (std::size_t k = 0; k < p.costs.size(); ++k) {
            if (!std::isfinite(p.costs[k][r]) || !std::isfinite(p.counterfactual[k][r])) {
                row_error(fmt::format("yotov: row {}: error: trade cost {} is not finite ({} "
                                      "baseline, {} counterfactual)",
                                      r + 1, p.cost_names[k], p.costs[k][r],
                                      p.counterfactual[k][r]));
            }
        }
    }
    if (bad > max_listed) {
        errors.push_back(
            fmt::format("yotov: ... and {} more problems with rows", bad - max_listed));
    }
    for (std::size_t c = 0; c < n && errors.empty(); ++c) {
        if (!(y[c] > 0.0) || !(e[c] > 0.0)) {
            errors.push_back(fmt::format("yotov: error: country {} has output {} and expenditure "
                                         "{}; both must be positive (domestic flows included)",
                                         p.countries[c], y[c], e[c]));
        }
    }
    if (!errors.empty()) {
        fail(errors);
    }
}

// Whether z = a_i + b_j on every row, i.e. the regressor is absorbed by the fixed effects (a
// border dummy without domestic flows). fit_ppml misses this case: its collinearity test is
// relative to the partialled-out column, which is then all rounding error.
bool absorbed(const std::vector<double>& z, const YotovProblem& p) {
    const std::size_t n = p.countries.size();
    double scale = 0.0;
    for (double v : z) {
        scale = std::max(scale, std::abs(v));
    }
    Vec a(n, 0.0), b(n, 0.0), sum(n), count(n);
    double last = std::numeric_limits<double>::infinity();
    // Alternating projections on the two effects; the residual falls to 0 when absorbed
    // and stalls above it otherwise.
    for (int sweep = 0; sweep < 1000; ++sweep) {
        for (int side = 0; side < 2; ++side) {
            std::fill(sum.begin(), sum.end(), 0.0);
            std::fill(count.begin(), count.end(), 0.0);
            for (std::size_t r = 0; r < z.size(); ++r) {
                const auto i = index(p.exporter[r]);
                const auto j = index(p.importer[r]);
                sum[side == 0 ? i : j] += z[r] - (side == 0 ? b[j] : a[i]);
                count[side == 0 ? i : j] += 1.0;
            }
            Vec& target = side == 0 ? a : b;
            for (std::size_t c = 0; c < n; ++c) {
                target[c] = count[c] > 0.0 ? sum[c] / count[c] : 0.0;
            }
        }
        double worst = 0.0;
        for (std::size_t r = 0; r < z.size(); ++r) {
            worst =
                std::max(worst, std::abs(z[r] - a[index(p.exporter[r])] - b[index(p.importer[r])]));
        }
        if (worst <= 1e-9 * (1.0 + scale)) {
            return true;
        }
        if (worst > (1.0 - 1e-6) * last) {
            return false;
        }
        last = worst;
    }
    return false;
}

} // namespace tradesim::models::gravity::detail::yotov
