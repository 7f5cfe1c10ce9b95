// Fitting the settlement parameters to the base year's cited shares (settlement.hpp).

#include "tradesim/models/settlement.hpp"

#include "tradesim/sim/error.hpp"

#include <cmath>
#include <fmt/format.h>

namespace tradesim::models {

SettlementTargets settlement_targets(const World& world, const Currencies& set) {
    SettlementTargets t;
    for (const SettlementFact& f : set.facts) {
        if (f.year > world.base_year) {
            continue;
        }
        if (f.scope == "world_export_invoicing" && f.currency == "USD" && f.year >= t.usd_year) {
            t.usd_world = f.share / 100.0;
            t.usd_year = f.year;
        }
        if (f.scope == "CHN_goods_trade_settlement" && f.currency == "CNY" &&
            f.year >= t.cny_year) {
            t.cny_china = f.share / 100.0;
            t.cny_year = f.year;
        }
    }
    if (t.usd_year == 0 || t.cny_year == 0) {
        throw sim::InputError(fmt::format(
            "{}/settlement.csv: settlement needs, at or before the base year {}, a row "
            "world_export_invoicing,USD and a row CHN_goods_trade_settlement,CNY to fit to",
            set.directory, world.base_year));
    }
    return t;
}

namespace {

// USD's share of world settlement and CNY's of China's at the steady state under `p`.
std::pair<double, double> shares_at(const World& world, const Currencies& set,
                                    const SettlementParams& p) {
    const Settlement s(world, set, p, world.flows);
    const std::size_t nc = set.currencies.size();
    const auto usd = static_cast<std::size_t>(set.index("USD"));
    const auto cny = static_cast<std::size_t>(set.index("CNY"));
    const int chn = world.country_index("CHN");
    const double china =
        chn < 0 ? 0.0 : s.tables().country_share[static_cast<std::size_t>(chn) * nc + cny];
    return {s.world_shares()[usd], china};
}

} // namespace

SettlementFit fit_settlement(const World& world, const Currencies& set,
                             const SettlementParams& start, const SettlementTargets& targets) {
    if (world.country_index("CHN") < 0) {
        throw sim::InputError("fitting settlement needs China (CHN) among the world's economies");
    }
    SettlementFit fit;
    fit.params = start;
    double u = std::log(start.risk), v = std::log(start.scale);
    const double h = 0.02;
    for (int it = 0; it < 40; ++it) {
        fit.params.risk = std::exp(u);
        fit.params.scale = std::exp(v);
        const auto [a, b] = shares_at(world, set, fit.params);
        fit.usd_world = a;
        fit.cny_china = b;
        fit.iterations = it;
        const double ea = a - targets.usd_world, eb = b - targets.cny_china;
        if (std::abs(ea) < 1e-4 && std::abs(eb) < 1e-4) {
            fit.converged = true;
            break;
        }
        SettlementParams pu = fit.params, pv = fit.params;
        pu.risk = std::exp(u + h);
        pv.scale = std::exp(v + h);
        const auto [au, bu] = shares_at(world, set, pu);
        const auto [av, bv] = shares_at(world, set, pv);
        const double j11 = (au - a) / h, j12 = (av - a) / h;
        const double j21 = (bu - b) / h, j22 = (bv - b) / h;
        const double det = j11 * j22 - j12 * j21;
        if (std::abs(det) < 1e-12) {
            break;
        }
        double du = -(j22 * ea - j12 * eb) / det;
        double dv = -(-j21 * ea + j11 * eb) / det;
        // Steps of at most 0.3 in logs: the steady state can jump between branches.
        const double big = std::max(std::abs(du), std::abs(dv));
        if (big > 0.3) {
            du *= 0.3 / big;
            dv *= 0.3 / big;
        }
        u += du;
        v += dv;
    }
    return fit;
}

} // namespace tradesim::models
