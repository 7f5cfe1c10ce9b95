#include "tradesim/history/backtest.hpp"

#include "backtest_detail.hpp"

#include "tradesim/sim/error.hpp"
#include "tradesim/sim/parallel.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>

namespace tradesim::history {

namespace {

struct Ipf {
    std::vector<double> flows;
    int iterations = 0;
    double misfit = 0;
};

// X_ij = K_ij a_i c_j with rows summing to y and columns to e (Yotov et al. 2016, ch. 2:
// the multilateral resistances given outputs and expenditures). Each a_i and c_j is one
// serial sum written by one worker, so the result does not depend on the thread count.
Ipf fit_margins(const std::vector<double>& kernel, const std::vector<double>& y,
                const std::vector<double>& e, double tolerance, int max_iterations) {
    const std::size_t n = y.size();
    std::vector<double> a(n, 1.0), c(n, 1.0), row(n, 0.0);
    Ipf out;
    for (out.iterations = 1; out.iterations <= max_iterations; ++out.iterations) {
        sim::parallel_for(n, 16, [&](std::size_t begin, std::size_t end) {
            for (std::size_t i = begin; i < end; ++i) {
                double s = 0.0;
                for (std::size_t j = 0; j < n; ++j) {
                    s += kernel[i * n + j] * c[j];
                }
                a[i] = s > 0.0 ? y[i] / s : 0.0;
            }
        });
        sim::parallel_for(n, 16, [&](std::size_t begin, std::size_t end) {
            for (std::size_t j = begin; j < end; ++j) {
                double s = 0.0;
                for (std::size_t i = 0; i < n; ++i) {
                    s += kernel[i * n + j] * a[i];
                }
                c[j] = s > 0.0 ? e[j] / s : 0.0;
            }
        });
        // Columns fit exactly after the column step: the row sums measure what is left.
        sim::parallel_for(n, 16, [&](std::size_t begin, std::size_t end) {
            for (std::size_t i = begin; i < end; ++i) {
                double s = 0.0;
                for (std::size_t j = 0; j < n; ++j) {
                    s += kernel[i * n + j] * c[j];
                }
                row[i] = y[i] > 0.0 ? std::abs(a[i] * s - y[i]) / y[i] : 0.0;
            }
        });
        out.misfit = *std::max_element(row.begin(), row.end());
        if (out.misfit < tolerance) {
            break;
        }
    }
    out.iterations = std::min(out.iterations, max_iterations);
    out.flows.resize(n * n);
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t j = 0; j < n; ++j) {
            out.flows[i * n + j] = kernel[i * n + j] * a[i] * c[j];
        }
    }
    return out;
}

std::size_t year_index(const models::TradePanel& panel, int year, const char* option) {
    const int y = panel.find_year(year);
    if (y < 0) {
        throw sim::UsageError(fmt::format("backtest: error: {} {} is not a year of the panel "
                                          "(years: {})",
                                          option, year, fmt::join(panel.years, ", ")));
    }
    return static_cast<std::size_t>(y);
}

// Growth of GDP per country; countries without GDP in both years get the GDP-weighted mean
// growth of the others (1 when no country has both).
void output_growth(const models::TradePanel& panel, std::size_t y0, std::size_t y1,
                   BacktestResult& r) {
    const std::size_t n = panel.country_count();
    r.growth.assign(n, 1.0);
    r.growth_imputed.assign(n, 1);
    const models::PanelVariable* gdp = panel.country_variable("gdp_usd");
    double sum0 = 0, sum1 = 0;
    for (std::size_t i = 0; gdp != nullptr && i < n; ++i) {
        const double g0 = gdp->values[panel.country_index(y0, i)];
        const double g1 = gdp->values[panel.country_index(y1, i)];
        if (g0 > 0.0 && g1 > 0.0) {
            r.growth[i] = g1 / g0;
            r.growth_imputed[i] = 0;
            sum0 += g0;
            sum1 += g1;
        }
    }
    if (sum0 > 0.0) {
        r.world_growth = sum1 / sum0;
        r.has_uniform = true;
    }
    for (std::size_t i = 0; i < n; ++i) {
        if (r.growth_imputed[i] != 0) {
            r.growth[i] = r.has_uniform ? r.world_growth : 1.0;
        }
    }
    if (!r.has_uniform) {
        r.notes.push_back("the panel has no gdp_usd for both years: outputs are held fixed "
                          "and there is no uniform-growth prediction (the growth of total "
                          "trade would peek at the observed year)");
    }
}

// Counts (and notes) the countries that trade in Y0 and got the imputed growth.
void note_imputed(BacktestResult& r) {
    std::size_t trading = 0;
    for (std::size_t i = 0; i < r.countries.size(); ++i) {
        if (r.output0[i] > 0.0 || r.expenditure0[i] > 0.0) {
            ++trading;
            r.imputed_growth += r.growth_imputed[i];
        }
    }
    if (r.has_uniform && r.imputed_growth > 0) {
        r.notes.push_back(fmt::format(
            "{} of the {} countries trading in {} have no gdp_usd in both {} and {}: they grow "
            "at the GDP-weighted mean of the others, {:.4f}",
            r.imputed_growth, trading, r.from, r.from, r.to, r.world_growth));
    }
}

// Log partial effects of agreements, tariffs and the scenario on international pairs.
std::vector<double> partial_effects(const models::TradePanel& panel, std::size_t y0, std::size_t y1,
                                    const BacktestOptions& options, BacktestResult& r) {
    const std::size_t n = panel.country_count();
    std::vector<double> partial(n * n, 0.0);
    if (const auto* rta = panel.pair_variable("rta")) {
        r.has_rta = true;
        if (std::isnan(options.rta_effect)) {
            r.rta = detail::estimate_rta(panel, y0, r.notes);
        } else {
            r.rta.beta = options.rta_effect;
            r.rta.method = "given (--rta-effect)";
        }
        for (std::size_t i = 0; i < n; ++i) {
            for (std::size_t j = 0; j < n; ++j) {
                const double a0 = detail::in_force(rta->values[panel.pair_index(y0, i, j)]);
                const double a1 = detail::in_force(rta->values[panel.pair_index(y1, i, j)]);
                if (i != j && !std::isnan(a0) && !std::isnan(a1) && a0 != a1) {
                    partial[i * n + j] += r.rta.beta * (a1 - a0);
                    ++r.rta_changes;
                }
            }
        }
    } else {
        r.notes.push_back("the panel has no pair variable rta: agreements are not modelled");
    }
    if (const auto* tariff = panel.pair_variable("tariff")) {
        r.has_tariff = true;
        for (std::size_t i = 0; i < n; ++i) {
            for (std::size_t j = 0; j < n; ++j) {
                const double t0 = tariff->values[panel.pair_index(y0, i, j)];
                const double t1 = tariff->values[panel.pair_index(y1, i, j)];
                if (i != j && !std::isnan(t0) && !std::isnan(t1)) {
                    partial[i * n + j] +=
                        -options.theta * std::log((1.0 + t1 / 100.0) / (1.0 + t0 / 100.0));
                }
            }
        }
    }
    if (!options.scenario_partial.empty()) {
        if (options.scenario_partial.size() != n * n) {
            throw std::invalid_argument("run_backtest: scenario_partial has the wrong size");
        }
        r.has_scenario = true;
        for (std::size_t p = 0; p < n * n; ++p) {
            partial[p] += options.scenario_partial[p];
        }
    }
    return partial;
}

// Domestic sales where the data has none: GDP - exports, a proxy of the part of output sold
// at home (value added understates gross output, so this errs low; 0 when exports exceed GDP).
void domestic_proxy(const models::TradePanel& panel, std::size_t y, std::vector<double>& x) {
    const std::size_t n = panel.country_count();
    const models::PanelVariable* gdp = panel.country_variable("gdp_usd");
    for (std::size_t i = 0; gdp != nullptr && i < n; ++i) {
        const double g = gdp->values[panel.country_index(y, i)];
        double exports = 0;
        for (std::size_t j = 0; j < n; ++j) {
            exports += j == i ? 0.0 : x[i * n + j];
        }
        x[i * n + i] = g > 0.0 ? std::max(g - exports, 0.0) : 0.0;
    }
}

ScopeMetrics scope_metrics(const BacktestResult& r, std::string scope,
                           const std::vector<unsigned char>& mask) {
    ScopeMetrics s;
    s.scope = std::move(scope);
    s.model = compute_metrics(r.observed0, r.observed1, r.model, mask);
    s.no_change = compute_metrics(r.observed0, r.observed1, r.no_change, mask);
    if (r.has_uniform) {
        s.uniform = compute_metrics(r.observed0, r.observed1, r.uniform, mask);
    }
    for (std::size_t p = 0; p < mask.size(); ++p) {
        s.observed_trade += mask[p] != 0 ? r.observed1[p] : 0.0;
    }
    return s;
}

void all_metrics(BacktestResult& r) {
    const std::size_t n = r.countries.size();
    r.overall = scope_metrics(r, "all", r.evaluated);
    std::vector<unsigned char> mask(n * n);
    for (std::size_t c = 0; c < n; ++c) {
        std::size_t pairs = 0;
        for (std::size_t p = 0; p < n * n; ++p) {
            mask[p] = r.evaluated[p] != 0 && (p / n == c || p % n == c) ? 1 : 0;
            pairs += mask[p];
        }
        if (pairs > 0) {
            r.per_country.push_back(scope_metrics(r, r.countries[c], mask));
        }
    }
    const auto& bri = belt_and_road_partners();
    const auto china = std::find(r.countries.begin(), r.countries.end(), "CHN");
    std::fill(mask.begin(), mask.end(), 0);
    if (china != r.countries.end()) {
        const auto c = static_cast<std::size_t>(china - r.countries.begin());
        for (std::size_t o = 0; o < n; ++o) {
            if (std::binary_search(bri.begin(), bri.end(), r.countries[o])) {
                mask[c * n + o] = r.evaluated[c * n + o];
                mask[o * n + c] = r.evaluated[o * n + c];
            }
        }
    } else {
        r.notes.push_back("CHN is not in the panel: no China-BRI metrics");
    }
    r.china_bri = scope_metrics(r, "CHN-BRI", mask);
}

} // namespace

BacktestResult run_backtest(const models::TradePanel& panel, const BacktestOptions& options) {
    panel.check();
    const std::size_t y0 = year_index(panel, options.from, "--from");
    const std::size_t y1 = year_index(panel, options.to, "--to");
    if (options.to <= options.from) {
        throw sim::UsageError(fmt::format("backtest: error: --to {} must come after --from {}",
                                          options.to, options.from));
    }
    const std::size_t n = panel.country_count();
    BacktestResult r;
    r.countries = panel.countries;
    r.from = options.from;
    r.to = options.to;
    r.observed0 = panel.pair_totals(y0);
    r.observed1 = panel.pair_totals(y1);

    bool domestic = false;
    for (std::size_t i = 0; i < n; ++i) {
        domestic = domestic || r.observed0[i * n + i] > 0.0;
    }
    if (!domestic) {
        r.domestic_proxy = true;
        domestic_proxy(panel, y0, r.observed0);
        domestic_proxy(panel, y1, r.observed1);
        r.notes.push_back(panel.country_variable("gdp_usd") != nullptr
                              ? "the panel has no domestic flows: domestic sales are proxied by "
                                "gdp_usd - exports"
                              : "the panel has no domestic flows and no gdp_usd: outputs are "
                                "exports alone, so total exports follow output growth");
    }

    r.evaluated.assign(n * n, 0);
    std::size_t evaluated = 0;
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t j = 0; j < n; ++j) {
            const std::size_t p = i * n + j;
            if (i != j && panel.reported[panel.pair_index(y0, i, j)] != 0 &&
                panel.reported[panel.pair_index(y1, i, j)] != 0 && r.observed0[p] > 0.0 &&
                r.observed1[p] > 0.0) {
                r.evaluated[p] = 1;
                ++evaluated;
            }
        }
    }
    if (evaluated == 0) {
        throw sim::InputError(fmt::format("backtest: error: no international pair has trade "
                                          "reported in both {} and {}",
                                          options.from, options.to));
    }

    output_growth(panel, y0, y1, r);
    const std::vector<double> partial = partial_effects(panel, y0, y1, options, r);

    r.output0.assign(n, 0.0);
    r.expenditure0.assign(n, 0.0);
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t j = 0; j < n; ++j) {
            r.output0[i] += r.observed0[i * n + j];
            r.expenditure0[j] += r.observed0[i * n + j];
        }
    }
    note_imputed(r);
    // Multiplicative imbalances: E1_j / Y1_j = mu E0_j / Y0_j, mu clearing world markets.
    r.output1.resize(n);
    r.expenditure1.resize(n);
    double world_output = 0, world_spending = 0;
    for (std::size_t i = 0; i < n; ++i) {
        r.output1[i] = r.growth[i] * r.output0[i];
        r.expenditure1[i] = r.growth[i] * r.expenditure0[i];
        world_output += r.output1[i];
        world_spending += r.expenditure1[i];
    }
    for (double& e : r.expenditure1) {
        e *= world_output / world_spending;
    }

    std::vector<double> kernel(n * n);
    for (std::size_t p = 0; p < n * n; ++p) {
        kernel[p] = r.observed0[p] * std::exp(partial[p]);
    }
    const Ipf ipf = fit_margins(kernel, r.output1, r.expenditure1, options.ipf_tolerance,
                                options.ipf_max_iterations);
    r.model = ipf.flows;
    r.ipf_iterations = ipf.iterations;
    r.ipf_misfit = ipf.misfit;
    if (ipf.misfit >= options.ipf_tolerance) {
        r.notes.push_back(fmt::format(
            "the margins could not be met exactly on the pattern of nonzero flows after {} "
            "iterations (largest relative output misfit {:.3g}): the prediction is the "
            "closest fit found",
            ipf.iterations, ipf.misfit));
    }

    r.no_change = r.observed0;
    r.uniform = r.observed0;
    for (double& x : r.uniform) {
        x *= r.has_uniform ? r.world_growth : 1.0;
    }
    all_metrics(r);
    return r;
}

} // namespace tradesim::history
