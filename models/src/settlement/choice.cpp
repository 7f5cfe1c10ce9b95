// Settlement choice: candidate currencies per pair, the cost of each (a conversion spread
// falling with the currency's market depth, FX risk against the exporter's currency, policy
// terms), the logit target, and the inertial move of the shares towards it; mandates and
// sanctions on top. The agent's public face (settlement.hpp) is here too.

#include "impl.hpp"

#include "tradesim/models/scenario.hpp"
#include "tradesim/sim/parallel.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace tradesim::models {

SettlementPolicy SettlementPolicy::baseline(const Currencies& set, std::size_t countries) {
    SettlementPolicy p;
    const std::size_t c = set.currencies.size();
    const std::size_t pairs = countries * countries;
    p.currencies = c;
    p.cut.assign(pairs * c, 0.0);
    p.swap.assign(pairs * c, 0.0);
    p.floor.assign(pairs * c, 0.0);
    p.barred.assign(countries * c, 0);
    p.fx_jump.assign(c, 0.0);
    for (const Currency& cur : set.currencies) {
        p.regime.push_back(cur.regime);
        p.anchor.push_back(cur.anchor);
        p.band.push_back(cur.band);
        p.volatility.push_back(cur.volatility);
    }
    return p;
}

Settlement::Impl::Impl(const World& w, const Currencies& c, const SettlementParams& params,
                       std::uint64_t run_seed)
    : world(w), set(c), p(params), seed(run_seed), nc(c.currencies.size()) {
    const Dims& d = w.dims;
    // FX turnover shares of the base year (BIS counts both sides: shares sum to 200 %).
    turnover.assign(nc, 0.0);
    std::vector<int> year(nc, 0);
    for (const SettlementFact& f : set.facts) {
        const int ci = set.index(f.currency);
        if (f.scope == "bis_fx_turnover" && ci >= 0 && f.year <= w.base_year &&
            f.year >= year[static_cast<std::size_t>(ci)]) {
            turnover[static_cast<std::size_t>(ci)] = f.share / 200.0;
            year[static_cast<std::size_t>(ci)] = f.year;
        }
    }
    std::vector<std::uint32_t> vehicles;
    for (const char* code : {"USD", "EUR", "CNY"}) {
        vehicles.push_back(static_cast<std::uint32_t>(set.index(code)));
    }
    candidates.resize(d.countries * d.countries);
    slot_currency.assign(d.countries * d.countries * slots, -1);
    for (std::size_t i = 0; i < d.countries; ++i) {
        for (std::size_t j = 0; j < d.countries; ++j) {
            auto& list = candidates[d.pair(i, j)];
            if (i == j) {
                continue;
            }
            list = {static_cast<std::uint32_t>(set.home[i]),
                    static_cast<std::uint32_t>(set.home[j])};
            list.insert(list.end(), vehicles.begin(), vehicles.end());
            std::sort(list.begin(), list.end());
            list.erase(std::unique(list.begin(), list.end()), list.end());
            for (std::size_t s = 0; s < list.size(); ++s) {
                slot_currency[d.pair(i, j) * slots + s] = static_cast<std::int32_t>(list[s]);
            }
        }
    }
    offset.assign(d.flow_count() + 1, 0);
    for (std::size_t f = 0; f < d.flow_count(); ++f) {
        offset[f + 1] = offset[f] + static_cast<std::uint32_t>(candidates[f / d.sectors].size());
    }
    shares.assign(offset.back(), 0.0);
    for (std::size_t f = 0; f < d.flow_count(); ++f) {
        const std::size_t n = offset[f + 1] - offset[f];
        for (std::size_t k = 0; k < n; ++k) {
            shares[offset[f] + k] = 1.0 / static_cast<double>(n);
        }
    }
    targets = shares;
    wedge.assign(d.flow_count(), 0.0);
    x.assign(nc, 0.0);
    x_eff.assign(nc, 0.0);
    dev.assign(nc, 0.0);
    parity.assign(nc, 0.0);
    set_regimes(nullptr);
}

double Settlement::Impl::currency_cost(std::size_t pair, std::size_t slot,
                                       const SettlementPolicy* policy) const {
    const std::size_t c = candidates[pair][slot];
    const std::size_t exporter = pair / world.dims.countries;
    double conversion = spread[pair * slots + slot];
    double cut = 0.0;
    if (policy != nullptr && !policy->cut.empty()) {
        const std::size_t at = pair * nc + c;
        conversion -= policy->swap[at] * (conversion - p.spread_min);
        cut = policy->cut[at];
    }
    return conversion + p.risk * risk[set.home[exporter] * nc + c] - cut;
}

double Settlement::Impl::expected_cost(std::size_t flow, const SettlementPolicy* policy) const {
    const Dims& d = world.dims;
    const std::size_t pair = flow / d.sectors;
    const auto& list = candidates[pair];
    double c = 0.0;
    for (std::size_t s = 0; s < list.size(); ++s) {
        const double share = shares[offset[flow] + s];
        if (share > 0.0) {
            c += share * currency_cost(pair, s, policy);
        }
    }
    return c;
}

void Settlement::Impl::update_world(const std::vector<double>& flows) {
    const Dims& d = world.dims;
    const std::size_t n = d.countries;
    global.assign(nc, 0.0);
    local.assign(n * nc, 0.0);
    std::vector<double> trade(n, 0.0);
    double total = 0.0;
    for (std::size_t f = 0; f < d.flow_count(); ++f) {
        const std::size_t pair = f / d.sectors;
        const auto& list = candidates[pair];
        const std::size_t i = pair / n, j = pair % n;
        for (std::size_t s = 0; s < list.size(); ++s) {
            const double v = flows[f] * shares[offset[f] + s];
            global[list[s]] += v;
            local[i * nc + list[s]] += v;
            local[j * nc + list[s]] += v;
        }
        if (!list.empty()) {
            total += flows[f];
            trade[i] += flows[f];
            trade[j] += flows[f];
        }
    }
    for (double& v : global) {
        v = total > 0.0 ? v / total : 0.0;
    }
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t c = 0; c < nc; ++c) {
            local[i * nc + c] = trade[i] > 0.0 ? local[i * nc + c] / trade[i] : 0.0;
        }
    }
    update_spreads();
}

void Settlement::Impl::update_spreads() {
    const Dims& d = world.dims;
    const std::size_t n = d.countries;
    if (local.size() != n * nc) {
        local.assign(n * nc, 0.0); // no trade seen yet: the global market only
    }
    const double half = std::pow(p.half, p.eta);
    spread.assign(n * n * slots, 0.0);
    for (std::size_t pair = 0; pair < n * n; ++pair) {
        const auto& list = candidates[pair];
        const std::size_t i = pair / n, j = pair % n;
        for (std::size_t s = 0; s < list.size(); ++s) {
            const std::size_t c = list[s];
            const double use = (1.0 - p.local_weight) * global[c] +
                               p.local_weight * 0.5 * (local[i * nc + c] + local[j * nc + c]);
            const double depth = p.depth_weight * turnover[c] + (1.0 - p.depth_weight) * use;
            const double deep = std::pow(depth, p.eta);
            spread[pair * slots + s] =
                p.spread_max - (p.spread_max - p.spread_min) * deep / (deep + half);
        }
    }
}

void Settlement::Impl::choose(const std::vector<double>& flows, const SettlementPolicy* policy,
                              double months, const std::vector<double>* firm_weights) {
    const Dims& d = world.dims;
    const bool with_policy = policy != nullptr && !policy->cut.empty();
    const double move = 1.0 - std::pow(1.0 - p.inertia, months);
    // Each flow's shares depend only on its own inputs: chunks in parallel, same result.
    sim::parallel_for(d.flow_count(), 1024, [&](std::size_t begin, std::size_t end) {
        std::vector<double> q;
        std::vector<unsigned char> allowed;
        for (std::size_t f = begin; f < end; ++f) {
            const std::size_t pair = f / d.sectors;
            const auto& list = candidates[pair];
            if (list.empty()) {
                continue;
            }
            const std::size_t i = pair / d.countries, j = pair % d.countries;
            q.resize(list.size());
            allowed.assign(list.size(), 1);
            double best = std::numeric_limits<double>::infinity();
            for (std::size_t s = 0; s < list.size(); ++s) {
                if (with_policy && (policy->barred[i * nc + list[s]] != 0 ||
                                    policy->barred[j * nc + list[s]] != 0)) {
                    allowed[s] = 0;
                    continue;
                }
                q[s] = currency_cost(pair, s, policy);
                best = std::min(best, q[s]);
            }
            double sum = 0.0;
            for (std::size_t s = 0; s < list.size(); ++s) {
                q[s] = allowed[s] != 0 ? std::exp(-(q[s] - best) / p.scale) : 0.0;
                sum += q[s];
            }
            double* share = &shares[offset[f]];
            double* target = &targets[offset[f]];
            for (std::size_t s = 0; s < list.size(); ++s) {
                target[s] = sum > 0.0 ? q[s] / sum : 0.0;
            }
            if (firm_weights != nullptr) {
                double total = 0.0;
                for (std::size_t s = 0; s < list.size(); ++s) {
                    total += (*firm_weights)[offset[f] + s];
                }
                if (total > 0.0) {
                    for (std::size_t s = 0; s < list.size(); ++s) {
                        share[s] = (*firm_weights)[offset[f] + s] / total;
                    }
                } else {
                    std::copy(target, target + list.size(), share);
                }
            } else {
                for (std::size_t s = 0; s < list.size(); ++s) {
                    share[s] += move * (target[s] - share[s]);
                }
            }
            // A sanctioned currency settles nothing from now on; a mandate is a floor.
            double kept = 0.0;
            for (std::size_t s = 0; s < list.size(); ++s) {
                share[s] = allowed[s] != 0 ? share[s] : 0.0;
                kept += share[s];
            }
            if (kept <= 0.0) {
                std::copy(target, target + list.size(), share);
                kept = 1.0;
            }
            for (std::size_t s = 0; s < list.size(); ++s) {
                share[s] /= kept;
            }
            if (with_policy) {
                for (std::size_t s = 0; s < list.size(); ++s) {
                    const double floor = policy->floor[pair * nc + list[s]];
                    if (allowed[s] != 0 && share[s] < floor) {
                        const double rest = 1.0 - share[s];
                        const double scale = rest > 0.0 ? (1.0 - floor) / rest : 0.0;
                        for (std::size_t o = 0; o < list.size(); ++o) {
                            share[o] = o == s ? floor : share[o] * scale;
                        }
                    }
                }
            }
        }
    });
    update_world(flows);
}

// ---- the agent ----

Settlement::Settlement(const World& world, const Currencies& currencies,
                       const SettlementParams& params, const std::vector<double>& flows,
                       std::uint64_t seed)
    : impl_(std::make_unique<Impl>(world, currencies, params, seed)) {
    Impl& m = *impl_;
    // The steady state of the choice at the baseline, reached from world shares equal to the
    // currencies' shares of FX turnover: where several steady states exist (a strong
    // externality), the one the FX market of the base year points to.
    m.update_world(flows);
    m.global = m.turnover;
    for (std::size_t i = 0; i < world.dims.countries; ++i) {
        std::copy(m.turnover.begin(), m.turnover.end(),
                  m.local.begin() + static_cast<std::ptrdiff_t>(i * m.nc));
    }
    m.update_spreads();
    for (int it = 0; it < 2000; ++it) {
        const std::vector<double> last = m.global;
        m.choose(flows, nullptr, 12.0, nullptr);
        double change = 0.0;
        for (std::size_t c = 0; c < m.nc; ++c) {
            change = std::max(change, std::abs(m.global[c] - last[c]));
        }
        if (change < 1e-13) {
            break;
        }
    }
    m.cost0.resize(world.dims.flow_count());
    for (std::size_t f = 0; f < m.cost0.size(); ++f) {
        m.cost0[f] = m.expected_cost(f, nullptr);
    }
    m.fill_tables(flows, nullptr);
}

namespace {
const Currencies& currencies_of(const Scenario& s) {
    if (!s.settlement.enabled || s.world->currencies == nullptr) {
        throw std::logic_error("Settlement needs a scenario with [currencies] enabled");
    }
    return *s.world->currencies;
}
} // namespace

Settlement::Settlement(const Scenario& scenario)
    : Settlement(*scenario.world, currencies_of(scenario), scenario.settlement,
                 scenario.world->flows, scenario.seed) {}

Settlement::~Settlement() = default;

void Settlement::apply_costs(PolicyState& policy) const {
    const Impl& m = *impl_;
    const Dims& d = m.world.dims;
    if (policy.trade_cost.empty()) {
        policy.trade_cost.assign(d.flow_count(), 1.0);
    }
    const SettlementPolicy* sp = m.has_policy ? &m.last_policy : nullptr;
    sim::parallel_for(d.flow_count(), 1024, [&](std::size_t begin, std::size_t end) {
        for (std::size_t f = begin; f < end; ++f) {
            if (m.candidates[f / d.sectors].empty()) {
                continue;
            }
            policy.trade_cost[f] *=
                (1.0 + m.expected_cost(f, sp)) / (1.0 + m.cost0[f]) * std::exp(m.wedge[f]);
        }
    });
}

void Settlement::step(const PolicyState& policy, const std::vector<double>& flows, int step,
                      double months, const std::vector<double>* firm_weights) {
    Impl& m = *impl_;
    const SettlementPolicy* sp = policy.settlement.cut.empty() ? nullptr : &policy.settlement;
    m.set_regimes(sp);
    const std::vector<double> before = m.x_eff;
    m.move_rates(sp, step, months);
    m.choose(flows, sp, months, firm_weights);
    // Prices set in the invoicing currency move with it against the importer's currency, and
    // a share 1 / price_reset_months of them is reset to the exporter's cost each month.
    const Dims& d = m.world.dims;
    const double keep = std::pow(1.0 - 1.0 / m.p.price_reset_months, months);
    for (std::size_t f = 0; f < d.flow_count(); ++f) {
        const std::size_t pair = f / d.sectors;
        const auto& list = m.candidates[pair];
        if (list.empty()) {
            continue;
        }
        const std::size_t home_j = m.set.home[pair % d.countries];
        const double dj = m.x_eff[home_j] - before[home_j];
        double w = 0.0;
        for (std::size_t s = 0; s < list.size(); ++s) {
            w += m.shares[m.offset[f] + s] * (m.x_eff[list[s]] - before[list[s]] - dj);
        }
        m.wedge[f] = keep * m.wedge[f] + w;
    }
    if (sp != nullptr) {
        m.last_policy = *sp;
        m.has_policy = true;
    } else {
        m.has_policy = false;
    }
    m.fill_tables(flows, sp);
}

void Settlement::step(const std::vector<double>& flows, const std::vector<double>& cut,
                      int months) {
    Impl& m = *impl_;
    if (cut.empty()) {
        m.choose(flows, nullptr, months, nullptr);
        return;
    }
    SettlementPolicy p = SettlementPolicy::baseline(m.set, m.world.dims.countries);
    p.cut = cut;
    m.choose(flows, &p, months, nullptr);
}

const std::vector<double>& Settlement::targets() const noexcept {
    return impl_->targets;
}
const std::vector<std::uint32_t>& Settlement::offsets() const noexcept {
    return impl_->offset;
}
double Settlement::rechoose(double months) const noexcept {
    return 1.0 - std::pow(1.0 - impl_->p.inertia, months);
}
const std::vector<std::uint32_t>& Settlement::candidates(std::size_t pair) const {
    return impl_->candidates[pair];
}
const std::vector<std::int32_t>& Settlement::slot_currency() const noexcept {
    return impl_->slot_currency;
}
double Settlement::share(std::size_t flow, std::size_t slot) const {
    return impl_->shares[impl_->offset[flow] + slot];
}
const std::vector<double>& Settlement::world_shares() const noexcept {
    return impl_->global;
}
double Settlement::cost(std::size_t flow) const {
    return impl_->expected_cost(flow, impl_->has_policy ? &impl_->last_policy : nullptr);
}
const SettlementTables& Settlement::tables() const noexcept {
    return impl_->tables;
}
const Currencies& Settlement::currencies() const noexcept {
    return impl_->set;
}
const SettlementParams& Settlement::params() const noexcept {
    return impl_->p;
}

} // namespace tradesim::models
