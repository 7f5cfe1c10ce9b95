#include "tradesim/models/gravity/ge_sectors.hpp"

#include "gravity/detail/ge_sectors_model.hpp"
#include "gravity/detail/ge_sectors_solver.hpp"
#include "gravity/detail/ge_sectors_welfare.hpp"

#include <cmath>

// The solver is split by stage, each in its own file: input checking (ge_sectors_check.cpp),
// baseline and market clearing (ge_sectors_model.cpp), the equilibrium solver and path
// continuation (ge_sectors_solver.cpp), the welfare decomposition (ge_sectors_welfare.cpp).

namespace tradesim::models::gravity {

using namespace detail::sectors;

GeSectorsResult solve_ge_sectors(const GeSectorsProblem& problem, const GeSectorsOptions& options) {
    validate(problem, options);
    Kernel kn;
    const Model m = make_model(problem, kn);
    const std::size_t n = m.n, ns = m.ns;
    const int steps = m.shocks.empty() ? 0 : options.decomposition_steps;
    GeSectorsResult result;
    Solver sv;
    Eval ev;
    ev.lw.assign(n, 0.0);
    std::vector<Point> path;
    const Quadrature quad = steps > 0 ? quadrature(steps) : Quadrature{};
    History history;
    history.push(0.0, ev.lw);
    // Shocks too large for one step are reached through equilibria on the way (halving the
    // step up to this many times).
    constexpr int depth = 10;
    if (steps > 0) {
        // The path of the decomposition doubles as the continuation.
        evaluate(m, kn, ev);
        path.push_back(point_of(m, ev));
        for (int s = 1; s <= steps; ++s) {
            const double to = quad.s[static_cast<std::size_t>(s)];
            const Failure failure = reach(problem, options, m, kn, ev, sv, history, to, depth);
            if (!failure.empty()) {
                fail(problem, failure);
            }
            path.push_back(point_of(m, ev));
        }
    } else {
        const Failure failure = reach(problem, options, m, kn, ev, sv, history, 1.0, depth);
        if (!failure.empty()) {
            fail(problem, failure);
        }
    }
    result.countries = problem.countries;
    result.sectors = problem.sectors;
    result.iterations = sv.iterations;
    result.jacobians = sv.jacobians;
    result.max_excess_demand = ev.excess;
    result.flows.resize(n * n * ns);
    evaluate(m, kn, ev, result.flows.data());
    for (std::size_t j = 0; j < n; ++j) {
        double log_price = 0.0;
        for (std::size_t k = 0; k < ns; ++k) {
            const double price = std::pow(ev.phi[j * ns + k], -1.0 / m.theta[k]);
            result.sector_price_index.push_back(price);
            log_price += m.alpha[j * ns + k] * std::log(price);
        }
        const double price = std::exp(log_price);
        result.welfare.push_back(ev.ehat[j] / price);
        result.real_wage.push_back(ev.w[j] / price);
        result.factory_price.push_back(ev.w[j]);
        result.expenditure.push_back(ev.ehat[j]);
        result.price_index.push_back(price);
        result.tariff_revenue_baseline.push_back(m.rho0[j]);
        result.tariff_revenue.push_back(ev.ehat[j] * ev.rho[j]);
        result.deficit.push_back(deficit(m, ev, j));
    }
    // International trade, in one pass over the flows: [before, after] x [exports, imports].
    std::vector<double> trade(4 * n, 0.0);
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t j = 0; j < n; ++j) {
            if (i == j) {
                continue;
            }
            double before = 0.0, after = 0.0;
            for (std::size_t k = 0; k < ns; ++k) {
                before += problem.flows[(i * n + j) * ns + k];
                after += result.flows[(i * n + j) * ns + k];
            }
            trade[i] += before;
            trade[n + i] += after;
            trade[2 * n + j] += before;
            trade[3 * n + j] += after;
        }
    }
    for (std::size_t c = 0; c < n; ++c) {
        result.exports.push_back(trade[c] > 0.0 ? trade[n + c] / trade[c] : 1.0);
        result.imports.push_back(trade[2 * n + c] > 0.0 ? trade[3 * n + c] / trade[2 * n + c]
                                                        : 1.0);
    }
    if (steps > 0) {
        result.decomposition = decompose(m, kn, path, quad);
        const auto& d = result.decomposition;
        for (std::size_t j = 0; j < n; ++j) {
            result.decomposition.residual.push_back(
                std::log(result.welfare[j]) -
                (d.terms_of_trade[j] + d.volume_of_trade[j] + d.nontariff_cost[j] + d.deficit[j]));
        }
    } else {
        auto& d = result.decomposition;
        d.terms_of_trade.assign(n, 0.0);
        d.volume_of_trade.assign(n, 0.0);
        d.nontariff_cost.assign(n, 0.0);
        d.deficit.assign(n, 0.0);
        d.residual.assign(n, 0.0);
        d.terms_of_trade_by_sector.assign(n * ns, 0.0);
        d.volume_of_trade_by_sector.assign(n * ns, 0.0);
    }
    return result;
}

} // namespace tradesim::models::gravity
