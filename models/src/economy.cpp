#include "tradesim/models/economy.hpp"

#include "tradesim/sim/error.hpp"
#include "tradesim/sim/parallel.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <limits>

#include <Eigen/Dense>

namespace tradesim::models {

namespace {
// Rows per parallel task: small worlds run in one block, where threads would only cost.
constexpr std::size_t rows_per_task = 16;
} // namespace

Economy::Economy(const Scenario& scenario) : scenario_(scenario), dims_(scenario.world->dims) {
    const World& w = *scenario.world;
    const std::size_t n = dims_.countries;
    const std::size_t ns = dims_.sectors;
    labour_.assign(n, 0.0);
    deficit_.assign(n, 0.0);
    alpha_.assign(n * ns, 0.0);
    pi0_.assign(dims_.flow_count(), 0.0);
    std::vector<double> spend(n, 0.0);
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t k = 0; k < ns; ++k) {
            labour_[i] += w.output[dims_.cs(i, k)];
            spend[i] += w.expenditure[dims_.cs(i, k)];
        }
    }
    for (std::size_t j = 0; j < n; ++j) {
        deficit_[j] = spend[j] - labour_[j];
        for (std::size_t k = 0; k < ns; ++k) {
            const double e = w.expenditure[dims_.cs(j, k)];
            alpha_[dims_.cs(j, k)] = spend[j] > 0.0 ? e / spend[j] : 0.0;
            for (std::size_t i = 0; i < n; ++i) {
                pi0_[dims_.flow(i, j, k)] = e > 0.0 ? w.flows[dims_.flow(i, j, k)] / e : 0.0;
            }
        }
    }
    pi_prev_ = pi0_;
    pi_ = pi0_;
    cost_term_ = pi0_;
    tariff_.assign(dims_.flow_count(), 0.0);
    wage_.assign(n, 1.0);
    flows_ = w.flows;
    price_.assign(n * ns, 1.0);
    theta_ = scenario.params.theta;
    spending_.assign(n, 0.0);
    for (std::size_t j = 0; j < n; ++j) {
        spending_[j] = labour_[j] + deficit_[j];
    }

    countries_ = sim::ColumnTable(n);
    cols_.gdp = countries_.add_column("gdp", "USD bn/yr", "nominal output w_i L_i");
    cols_.wage = countries_.add_column("wage", "index", "factory-gate price w_i, baseline 1");
    cols_.expenditure = countries_.add_column("expenditure", "USD bn/yr",
                                              "spending incl. tariff revenue and deficit");
    cols_.exports = countries_.add_column("exports", "USD bn/yr", "goods exports, factory-gate");
    cols_.imports = countries_.add_column("imports", "USD bn/yr", "goods imports, before tariff");
    cols_.tariff_revenue =
        countries_.add_column("tariff_revenue", "USD bn/yr", "tariff revenue, spent at home");
    cols_.price_index =
        countries_.add_column("price_index", "index", "consumer price index P_j, baseline 1");
    cols_.real_income = countries_.add_column("real_income", "USD bn/yr (baseline prices)",
                                              "expenditure / price index");
    cols_.welfare_change =
        countries_.add_column("welfare_change", "%", "change in real income from the baseline");
    cols_.domestic_share =
        countries_.add_column("domestic_share", "share", "share of own goods in goods spending");
    cols_.trade_balance = countries_.add_column("trade_balance", "USD bn/yr", "exports - imports");

    prepare_costs(PolicyState::baseline(dims_));
    account();
}

void Economy::prepare_costs(const PolicyState& policy) {
    tariff_ = policy.tariff;
    theta_ = scenario_.params.theta;
    const auto& theta = theta_;
    const auto& tau = policy.trade_cost;
    const std::size_t n = dims_.countries;
    const std::size_t ns = dims_.sectors;
    // The tariff part of pi0 c^-theta does not change while prices are solved.
    sim::parallel_for(n, rows_per_task, [&](std::size_t b, std::size_t e) {
        for (std::size_t i = b; i < e; ++i) {
            for (std::size_t j = 0; j < n; ++j) {
                for (std::size_t k = 0; k < ns; ++k) {
                    const std::size_t f = dims_.flow(i, j, k);
                    // Tariffs and the network's trade costs (tau / tau0) scale the price.
                    const double c = (1.0 + tariff_[f]) * (tau.empty() ? 1.0 : tau[f]);
                    cost_term_[f] = c == 1.0 ? pi0_[f] : pi0_[f] * std::pow(c, -theta[k]);
                }
            }
        }
    });
}

// Flows for wages `wage`; returns max relative excess demand and fills `excess`.
double Economy::evaluate(const std::vector<double>& wage, std::vector<double>& excess) {
    const auto& theta = theta_;
    const std::size_t n = dims_.countries;
    const std::size_t ns = dims_.sectors;
    std::vector<double> wpow(n * ns);
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t k = 0; k < ns; ++k) {
            wpow[dims_.cs(i, k)] = std::pow(wage[i], -theta[k]);
        }
    }
    // Importers: each task writes only its own importers' columns of pi_, flows_, price_.
    sim::parallel_for(n, rows_per_task, [&](std::size_t b, std::size_t e) {
        std::vector<double> denom(ns);
        for (std::size_t j = b; j < e; ++j) {
            std::fill(denom.begin(), denom.end(), 0.0);
            for (std::size_t i = 0; i < n; ++i) {
                for (std::size_t k = 0; k < ns; ++k) {
                    denom[k] += cost_term_[dims_.flow(i, j, k)] * wpow[dims_.cs(i, k)];
                }
            }
            double tariff_share = 0.0;
            for (std::size_t k = 0; k < ns; ++k) {
                price_[dims_.cs(j, k)] = denom[k] > 0.0 ? std::pow(denom[k], -1.0 / theta[k]) : 1.0;
                for (std::size_t i = 0; i < n; ++i) {
                    const std::size_t f = dims_.flow(i, j, k);
                    const double target =
                        denom[k] > 0.0 ? cost_term_[f] * wpow[dims_.cs(i, k)] / denom[k] : 0.0;
                    const double share = pi_prev_[f] + adjust_ * (target - pi_prev_[f]);
                    pi_[f] = share;
                    tariff_share +=
                        alpha_[dims_.cs(j, k)] * share * tariff_[f] / (1.0 + tariff_[f]);
                }
            }
            // Tariff revenue is spent at home: E_j = (w_j L_j + D_j) / (1 - tariff share).
            const double spend = (wage[j] * labour_[j] + deficit_[j]) / (1.0 - tariff_share);
            spending_[j] = spend;
            for (std::size_t k = 0; k < ns; ++k) {
                const double ejk = alpha_[dims_.cs(j, k)] * spend;
                for (std::size_t i = 0; i < n; ++i) {
                    const std::size_t f = dims_.flow(i, j, k);
                    flows_[f] = pi_[f] * ejk / (1.0 + tariff_[f]);
                }
            }
        }
    });
    // Exporters: sales against output.
    sim::parallel_for(n, rows_per_task, [&](std::size_t b, std::size_t e) {
        for (std::size_t i = b; i < e; ++i) {
            double sales = 0.0;
            for (std::size_t j = 0; j < n; ++j) {
                for (std::size_t k = 0; k < ns; ++k) {
                    sales += flows_[dims_.flow(i, j, k)];
                }
            }
            excess[i] = sales - wage[i] * labour_[i];
        }
    });
    double worst = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
        worst = std::max(worst, std::abs(excess[i]) / (wage[i] * labour_[i]));
    }
    return worst;
}

void Economy::step(const PolicyState& policy, int months) {
    const double h = scenario_.params.adjustment_half_life_months;
    // Share of the gap to the equilibrium shares closed in one step: 1 - 0.5^(months / h).
    adjust_ = h <= 0.0 ? 1.0 : 1.0 - std::pow(0.5, static_cast<double>(months) / h);
    prepare_costs(policy);
    clear_markets();
}

void Economy::step_with_weights(const PolicyState& policy, const std::vector<double>& weight,
                                const std::vector<double>& theta) {
    tariff_ = policy.tariff;
    cost_term_ = weight;
    theta_ = theta;
    adjust_ = 1.0;
    clear_markets();
}

void Economy::clear_markets() {
    const std::size_t n = dims_.countries;
    double theta_max = 0.0;
    for (double t : theta_) {
        theta_max = std::max(theta_max, t);
    }
    // Damped Jacobi-Newton tatonnement on log wages. Raising w_i by 1 % lowers the excess
    // demand for i's output, relative to its output, by about (1 - d_i s_i)(1 + a theta) %,
    // where d_i is the share of i's sales at home and s_i the income share of its spending:
    // step by that diagonal derivative, capped so that no step exceeds 20 %.
    const double slope = 1.0 + adjust_ * theta_max;
    const double world_gdp = [&] {
        double s = 0.0;
        for (double l : labour_) {
            s += l;
        }
        return s;
    }();
    std::vector<double> excess(n, 0.0);
    std::vector<double> wage = wage_;
    double worst = 0.0;
    double previous = std::numeric_limits<double>::infinity();
    // The diagonal step ignores cross effects between countries; when the worst excess grows
    // the steps are halved, and they recover while it shrinks. Large shocks, where cross
    // effects dominate, go on to Newton's method after `diagonal_budget` iterations.
    double damping = 1.0;
    const int diagonal_budget = std::min(60, scenario_.params.max_iterations);
    int iter = 0;
    for (; iter < diagonal_budget; ++iter) {
        worst = evaluate(wage, excess);
        if (!std::isfinite(worst) || worst <= scenario_.params.tolerance) {
            break;
        }
        damping = worst > previous ? damping * 0.5 : std::min(1.0, damping * 1.25);
        previous = worst;
        double gdp = 0.0;
        for (std::size_t i = 0; i < n; ++i) {
            const double supply = wage[i] * labour_[i];
            double home = 0.0;
            for (std::size_t k = 0; k < dims_.sectors; ++k) {
                home += flows_[dims_.flow(i, i, k)];
            }
            // Own spending moves with income w_i L_i, not with the fixed deficit, so only
            // the income share of a deficit country's spending feeds back into demand for
            // home goods.
            const double income_share = supply / (supply + deficit_[i]);
            const double foreign = std::max(0.05, 1.0 - home / (supply + excess[i]) * income_share);
            const double step =
                std::clamp(damping * excess[i] / supply / (foreign * slope), -0.2, 0.2);
            wage[i] *= std::exp(step);
            gdp += wage[i] * labour_[i];
        }
        // World nominal GDP is the numeraire.
        for (std::size_t i = 0; i < n; ++i) {
            wage[i] *= world_gdp / gdp;
        }
    }
    if (std::isfinite(worst) && worst > scenario_.params.tolerance) {
        worst = newton(wage, excess, world_gdp, iter);
    }
    iterations_ = iter;
    if (!(worst <= scenario_.params.tolerance)) {
        std::size_t bad = 0;
        for (std::size_t i = 0; i < n; ++i) {
            if (!(std::abs(excess[i]) <= std::abs(excess[bad]))) {
                bad = i;
            }
        }
        // Deficits are fixed in USD: a country must import at least its deficit, which
        // prohibitive trade barriers can make impossible.
        const std::string hint =
            deficit_[bad] > 0.0
                ? fmt::format("; {} runs a fixed trade deficit of {:.1f} bn USD/yr, which "
                              "barriers this high may leave no way to finance",
                              scenario_.world->countries[bad].code, deficit_[bad])
                : std::string{};
        throw sim::NumericalError(fmt::format(
            "market clearing did not converge after {} iterations: excess demand for {}'s "
            "output is {:.3g} of its output (tolerance {:.3g}){}",
            iter, scenario_.world->countries[bad].code, worst, scenario_.params.tolerance, hint));
    }
    wage_ = wage;
    pi_prev_ = pi_;
}

// Newton's method on log wages with a forward-difference Jacobian and a backtracking line
// search. Unknowns: log w_i; equations: relative excess demand of every country but the
// last (Walras' law makes it redundant) and the numeraire, sum_i w_i L_i = world GDP.
double Economy::newton(std::vector<double>& wage, std::vector<double>& excess, double world_gdp,
                       int& iter) {
    const std::size_t n = dims_.countries;
    const auto residual = [&](const std::vector<double>& w, Eigen::VectorXd& r) {
        const double worst = evaluate(w, excess);
        double gdp = 0.0;
        for (std::size_t i = 0; i < n; ++i) {
            gdp += w[i] * labour_[i];
            if (i + 1 < n) {
                r[static_cast<Eigen::Index>(i)] = excess[i] / (w[i] * labour_[i]);
            }
        }
        r[static_cast<Eigen::Index>(n - 1)] = gdp / world_gdp - 1.0;
        return worst;
    };
    const auto size = static_cast<Eigen::Index>(n);
    Eigen::VectorXd r(size), trial_r(size);
    Eigen::MatrixXd jacobian(size, size);
    std::vector<double> trial(n);
    double worst = residual(wage, r);
    constexpr double h = 1e-7;
    // Newton converges in a handful of steps or not at all: stop when the line search
    // cannot reduce the residual, or after 100 steps.
    const int last = std::min(scenario_.params.max_iterations, iter + 100);
    bool progress = true;
    for (; iter < last && progress && std::isfinite(worst) && worst > scenario_.params.tolerance;
         ++iter) {
        for (std::size_t c = 0; c < n; ++c) {
            trial = wage;
            trial[c] *= std::exp(h);
            residual(trial, trial_r);
            jacobian.col(static_cast<Eigen::Index>(c)) = (trial_r - r) / h;
        }
        const Eigen::VectorXd dx = jacobian.partialPivLu().solve(-r);
        const double norm = r.lpNorm<Eigen::Infinity>();
        double t = 1.0;
        double trial_worst = worst;
        progress = false;
        for (int halving = 0; halving < 30 && !progress; ++halving, t *= 0.5) {
            for (std::size_t i = 0; i < n; ++i) {
                trial[i] =
                    wage[i] * std::exp(t * std::clamp(dx[static_cast<Eigen::Index>(i)], -1.0, 1.0));
            }
            trial_worst = residual(trial, trial_r);
            progress = std::isfinite(trial_worst) &&
                       trial_r.lpNorm<Eigen::Infinity>() < (1.0 - 1e-4 * t) * norm;
        }
        if (progress) {
            wage = trial;
            r = trial_r;
            worst = trial_worst;
        }
    }
    // Leave flows, shares and prices at the accepted wages.
    return residual(wage, r);
}

void Economy::account() {
    const World& w = *scenario_.world;
    const std::size_t n = dims_.countries;
    const std::size_t ns = dims_.sectors;
    sim::parallel_for(n, rows_per_task, [&](std::size_t b, std::size_t e) {
        for (std::size_t c = b; c < e; ++c) {
            double exports = 0.0, imports = 0.0, revenue = 0.0, spend = 0.0, log_price = 0.0;
            double own = 0.0, goods = 0.0;
            for (std::size_t o = 0; o < n; ++o) {
                for (std::size_t k = 0; k < ns; ++k) {
                    const double out = flows_[dims_.flow(c, o, k)];
                    const double in = flows_[dims_.flow(o, c, k)];
                    const double t = tariff_[dims_.flow(o, c, k)];
                    spend += in * (1.0 + t);
                    revenue += in * t;
                    if (o != c) {
                        exports += out;
                        imports += in;
                    }
                    if (w.sectors[k].traded) {
                        goods += in * (1.0 + t);
                        if (o == c) {
                            own += in;
                        }
                    }
                }
            }
            for (std::size_t k = 0; k < ns; ++k) {
                log_price += alpha_[dims_.cs(c, k)] * std::log(price_[dims_.cs(c, k)]);
            }
            const double price = std::exp(log_price);
            const double base_spend = labour_[c] + deficit_[c];
            countries_.at(cols_.gdp, c) = wage_[c] * labour_[c];
            countries_.at(cols_.wage, c) = wage_[c];
            countries_.at(cols_.expenditure, c) = spend;
            countries_.at(cols_.exports, c) = exports;
            countries_.at(cols_.imports, c) = imports;
            countries_.at(cols_.tariff_revenue, c) = revenue;
            countries_.at(cols_.price_index, c) = price;
            countries_.at(cols_.real_income, c) = spend / price;
            countries_.at(cols_.welfare_change, c) = (spend / base_spend / price - 1.0) * 100.0;
            countries_.at(cols_.domestic_share, c) = goods > 0.0 ? own / goods : 1.0;
            countries_.at(cols_.trade_balance, c) = exports - imports;
        }
    });
}

} // namespace tradesim::models
