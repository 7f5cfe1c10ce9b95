// The settlement tables of a step: shares of world, country and pair trade by currency,
// payments from importer to exporter, FX turnover, exchange rates, mean cost and wedge.

#include "impl.hpp"

#include <cmath>

namespace tradesim::models {

void Settlement::Impl::fill_tables(const std::vector<double>& flows,
                                   const SettlementPolicy* policy) {
    const Dims& d = world.dims;
    const std::size_t n = d.countries;
    SettlementTables& t = tables;
    t.world_share = global;
    t.payments.assign(nc, 0.0);
    t.fx_turnover.assign(nc, 0.0);
    t.rate.resize(nc);
    for (std::size_t c = 0; c < nc; ++c) {
        t.rate[c] = std::exp(x_eff[c]);
    }
    t.country_share.assign(n * nc, 0.0);
    t.pair_share.assign(n * n * slots, 0.0);
    t.pair_payment.assign(n * n * slots, 0.0);
    std::vector<double> trade(n, 0.0);
    double total = 0.0, cost = 0.0, gap = 0.0;
    for (std::size_t pair = 0; pair < n * n; ++pair) {
        const auto& list = candidates[pair];
        if (list.empty()) {
            continue;
        }
        const std::size_t i = pair / n, j = pair % n;
        double value = 0.0;
        for (std::size_t k = 0; k < d.sectors; ++k) {
            const std::size_t f = pair * d.sectors + k;
            value += flows[f];
            cost += flows[f] * expected_cost(f, policy);
            gap += flows[f] * std::abs(wedge[f]);
            for (std::size_t s = 0; s < list.size(); ++s) {
                t.pair_payment[pair * slots + s] += flows[f] * shares[offset[f] + s];
            }
        }
        total += value;
        trade[i] += value;
        trade[j] += value;
        for (std::size_t s = 0; s < list.size(); ++s) {
            const double paid = t.pair_payment[pair * slots + s];
            const std::size_t c = list[s];
            t.pair_share[pair * slots + s] = value > 0.0 ? paid / value : 0.0;
            t.payments[c] += paid;
            t.country_share[i * nc + c] += paid;
            t.country_share[j * nc + c] += paid;
            // The importer buys c with its own currency, the exporter sells c for its own:
            // each conversion counts on both currencies' turnover.
            for (const std::size_t h : {set.home[j], set.home[i]}) {
                if (h != c) {
                    t.fx_turnover[c] += paid;
                    t.fx_turnover[h] += paid;
                }
            }
        }
    }
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t c = 0; c < nc; ++c) {
            t.country_share[i * nc + c] =
                trade[i] > 0.0 ? t.country_share[i * nc + c] / trade[i] : 0.0;
        }
    }
    t.cost = total > 0.0 ? cost / total : 0.0;
    t.price_gap = total > 0.0 ? gap / total : 0.0;
}

} // namespace tradesim::models
