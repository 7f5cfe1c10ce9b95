// Firm decisions of a step: demand shocks move, incumbents leave markets whose expected losses
// have run past the threshold, and firms enter the markets whose expected margin covers the
// fixed cost and the annualized sunk cost. In parallel over blocks of firms.

#include "state.hpp"

#include "tradesim/sim/parallel.hpp"
#include "tradesim/sim/random.hpp"

#include <algorithm>
#include <cmath>

namespace tradesim::models {

using firms::Block;
using firms::Link;

void FirmPopulation::Impl::prepare(const std::vector<double>& wage,
                                   const std::vector<double>& tariff,
                                   const std::vector<double>& trade_cost) {
    const std::size_t n = dims.countries;
    const std::size_t ns = dims.sectors;
    auto& t = terms;
    t.unit.assign(dims.flow_count(), 0.0);
    t.stay.assign(dims.flow_count(), firms::infinite);
    t.enter.assign(dims.flow_count(), firms::infinite);
    t.enter_low.assign(dims.flow_count(), firms::infinite);
    t.order.assign(n * ns * n, 0);
    t.order_count.assign(n * ns, 0);
    const double sunk_share = p.sunk_cost / p.payback_years;
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t k = 0; k < ns; ++k) {
            if (firm_sector[k] == 0) {
                continue;
            }
            std::uint16_t* order = &t.order[dims.cs(i, k) * n];
            std::uint16_t count = 0;
            for (std::size_t j = 0; j < n; ++j) {
                const std::size_t f = dims.flow(i, j, k);
                if (!(b[f] > 0.0)) {
                    continue;
                }
                // Expected revenue per unit of a: demand at the current cost c = w (1 + t)
                // and the expected P^(sigma-1); spending cancels against the fixed cost.
                const double c = wage[i] * (1.0 + tariff[f]) *
                                 (trade_cost.empty() ? 1.0 : trade_cost[f]);
                t.unit[f] = b[f] * std::pow(c, 1.0 - p.sigma) * expect[dims.cs(j, k)];
                t.stay[f] = p.sigma * fixed[f] / t.unit[f];
                t.enter[f] = t.stay[f] * (1.0 + sunk_share);
                const double c_cut = cut[dims.pair(i, j)];
                t.enter_low[f] = c_cut > 0.0 ? t.enter[f] * (1.0 - c_cut) : t.enter[f];
                order[count++] = static_cast<std::uint16_t>(j);
            }
            std::sort(order, order + count, [&](std::uint16_t x, std::uint16_t y) {
                const double ex = t.enter_low[dims.flow(i, x, k)];
                const double ey = t.enter_low[dims.flow(i, y, k)];
                return ex < ey || (ex == ey && x < y);
            });
            t.order_count[dims.cs(i, k)] = count;
        }
    }
}

void FirmPopulation::Impl::sweep(std::uint64_t rng_step, double step_months) {
    // Two instances, so that a run without a settlement does no extra work per link.
    if (settlement != nullptr) {
        sweep_blocks<true>(rng_step, step_months);
    } else {
        sweep_blocks<false>(rng_step, step_months);
    }
}

template <bool Settle>
void FirmPopulation::Impl::sweep_blocks(std::uint64_t rng_step, double step_months) {
    const std::size_t n = dims.countries;
    const std::size_t ns = dims.sectors;
    const double sigma = p.sigma;
    const double year_share = step_months / 12.0;
    const double rho = std::pow(p.shock_persistence, step_months);
    const double innovation = std::sqrt(part_variance * (1.0 - rho * rho));
    const double exit_share = p.exit_threshold_months / 12.0;
    const auto& t = terms;
    const std::uint64_t seed = scenario.seed;
    const auto purpose = static_cast<std::uint64_t>(sim::Purpose::demand_shock);
    [[maybe_unused]] const auto choice_purpose =
        static_cast<std::uint64_t>(sim::Purpose::settlement_choice);
    // A link keeps its currency with probability `keep` a step.
    const double keep = Settle ? 1.0 - settlement->rechoose(step_months) : 1.0;
    constexpr std::size_t slots = Settlement::slots;

    sim::parallel_for(blocks.size(), 1, [&](std::size_t first, std::size_t last) {
        std::vector<std::uint64_t> marked((n + 63) / 64, 0);
        // Re-keyed for each firm that needs a draw: constructing a stream for every firm
        // would cost more than the draws.
        [[maybe_unused]] sim::RandomStream choice_rng(seed, 0, rng_step, choice_purpose);
        for (std::size_t bi = first; bi < last; ++bi) {
            Block& blk = blocks[bi];
            const std::size_t i = blk.cs / ns;
            const std::size_t k = blk.cs % ns;
            std::fill(blk.weight.begin(), blk.weight.end(), 0.0);
            std::fill(blk.serving.begin(), blk.serving.end(), 0);
            std::fill(blk.entries.begin(), blk.entries.end(), 0);
            std::fill(blk.exits.begin(), blk.exits.end(), 0);
            if constexpr (Settle) {
                std::fill(blk.settle.begin(), blk.settle.end(), 0.0);
            }
            blk.producer_entries = blk.producer_exits = 0;
            blk.export_entries = blk.export_exits = 0;
            blk.next.clear();
            blk.next.reserve(blk.links.size() + (blk.end - blk.begin) / 8);
            const std::uint16_t* order = &t.order[blk.cs * n];
            const std::uint16_t candidates = t.order_count[blk.cs];
            const firms::CurrencyChoice* choice_of = Settle ? &choice[blk.cs * n] : nullptr;
            for (std::size_t f = blk.begin; f < blk.end; ++f) {
                sim::RandomStream rng(seed, f, rng_step, purpose);
                double z = shock[f];
                if (shocks) {
                    z = rho * z + innovation * rng.normal();
                    shock[f] = static_cast<float>(z);
                }
                const double af = a[f];
                const double pct = percentile(f, blk.cs);
                const auto fixed_for = [&](std::size_t j) {
                    const double c_cut = cut[dims.pair(i, j)];
                    const bool small = c_cut > 0.0 && pct < small_pct[dims.pair(i, j)];
                    return small ? 1.0 - c_cut : 1.0;
                };
                const std::size_t begin = blk.next.size();
                // Incumbents: stay while expected losses stay under the threshold.
                const Link* old = blk.links.data() + link_begin[f];
                for (std::uint16_t l = 0; l < link_count[f]; ++l) {
                    Link link = old[l];
                    const std::size_t j = link.market;
                    const std::size_t flow = dims.flow(i, j, k);
                    double zl = link.shock;
                    if (shocks) {
                        zl = rho * zl + innovation * rng.normal();
                    }
                    const double demand = shocks ? std::exp(z + zl - half_variance) : 1.0;
                    const double v = af * demand;
                    const double fixed_cost = fixed[flow] * fixed_for(j);
                    const double margin = t.unit[flow] * v / sigma - fixed_cost;
                    double loss = link.loss;
                    loss = margin < 0.0 ? loss - margin * year_share
                                        : std::max(0.0, loss - margin * year_share);
                    if (loss > exit_share * fixed_cost || !(t.unit[flow] > 0.0)) {
                        ++blk.exits[j];
                        continue;
                    }
                    link.shock = static_cast<float>(zl);
                    link.loss = static_cast<float>(loss);
                    link.demand = static_cast<float>(demand);
                    blk.next.push_back(link);
                    marked[j / 64] |= 1ULL << (j % 64);
                }
                // Entrants: markets in order of their lowest entry threshold.
                const double entry_demand = shocks ? std::exp(z - half_variance) : 1.0;
                const double vc = af * entry_demand;
                for (std::uint16_t c = 0; c < candidates; ++c) {
                    const std::size_t j = order[c];
                    const std::size_t flow = dims.flow(i, j, k);
                    if (t.enter_low[flow] > vc) {
                        break;
                    }
                    if ((marked[j / 64] >> (j % 64)) & 1ULL) {
                        continue;
                    }
                    if (vc >= t.enter[flow] * fixed_for(j)) {
                        blk.next.push_back(Link{.market = static_cast<std::uint16_t>(j),
                                                .demand = static_cast<float>(entry_demand)});
                        ++blk.entries[j];
                    }
                }
                // Keep the firm's links ordered by market: entrants were appended after the
                // incumbents, so only they need placing (insertion sort; lists are short).
                if (blk.next.size() - begin > 1) {
                    Link* first_link = blk.next.data() + begin;
                    const std::size_t count_now = blk.next.size() - begin;
                    for (std::size_t x = 1; x < count_now; ++x) {
                        const Link moving = first_link[x];
                        std::size_t y = x;
                        for (; y > 0 && first_link[y - 1].market > moving.market; --y) {
                            first_link[y] = first_link[y - 1];
                        }
                        first_link[y] = moving;
                    }
                }
                // Settlement currency: a link re-chooses with probability 1 - keep a step, and
                // must when it is new or its currency is barred. Whether it re-chooses comes
                // from one uniform u per run of links (the first l with u > keep^l, a geometric
                // skip), drawn only when needed, then one uniform for the slot; draws in link
                // order from the firm's own stream.
                [[maybe_unused]] double u = 0.0, threshold = 1.0;
                [[maybe_unused]] bool need_u = true, keyed = false;
                std::uint16_t foreign = 0;
                for (std::size_t l = begin; l < blk.next.size(); ++l) {
                    Link& link = blk.next[l];
                    marked[link.market / 64] = 0;
                    const double weight = af * link.demand;
                    blk.weight[link.market] += weight;
                    if constexpr (Settle) {
                        const firms::CurrencyChoice& ch = choice_of[link.market];
                        if (ch.count > 0) {
                            if (need_u) {
                                if (!keyed) {
                                    choice_rng = sim::RandomStream(seed, f, rng_step,
                                                                   choice_purpose);
                                    keyed = true;
                                }
                                u = choice_rng.uniform();
                                threshold = 1.0;
                                need_u = false;
                            }
                            threshold *= keep;
                            const bool moves = u > threshold;
                            need_u = moves;
                            const unsigned c = link.currency;
                            if (moves || c >= ch.count || ((ch.barred >> c) & 1U) != 0) {
                                const double v = choice_rng.uniform();
                                unsigned s = 0;
                                while (s < ch.count && v >= ch.cumulative[s]) {
                                    ++s;
                                }
                                // s == count only when every slot is barred: no currency.
                                link.currency = s < ch.count ? static_cast<std::uint8_t>(s)
                                                             : firms::no_currency;
                            }
                            if (link.currency < ch.count) {
                                blk.settle[link.market * slots + link.currency] += weight;
                            }
                        }
                    }
                    ++blk.serving[link.market];
                    if (link.market != i) {
                        ++foreign;
                    }
                }
                const auto count = static_cast<std::uint16_t>(blk.next.size() - begin);
                blk.producer_entries += link_count[f] == 0 && count > 0 ? 1 : 0;
                blk.producer_exits += link_count[f] > 0 && count == 0 ? 1 : 0;
                blk.export_entries += foreign_count[f] == 0 && foreign > 0 ? 1 : 0;
                blk.export_exits += foreign_count[f] > 0 && foreign == 0 ? 1 : 0;
                link_begin[f] = static_cast<std::uint32_t>(begin);
                link_count[f] = count;
                foreign_count[f] = foreign;
            }
            std::swap(blk.links, blk.next);
        }
    });
}

void FirmPopulation::Impl::build_weights(const std::vector<double>& tariff,
                                         const std::vector<double>& trade_cost) {
    const std::size_t n = dims.countries;
    const std::size_t ns = dims.sectors;
    std::vector<double>& potential = sourcing;
    potential.assign(dims.flow_count(), 0.0);
    std::fill(tables.firms_serving.begin(), tables.firms_serving.end(), 0.0);
    std::fill(tables.entries.begin(), tables.entries.end(), 0.0);
    std::fill(tables.exits.begin(), tables.exits.end(), 0.0);
    for (const Block& blk : blocks) {
        const std::size_t i = blk.cs / ns;
        const std::size_t k = blk.cs % ns;
        for (std::size_t j = 0; j < n; ++j) {
            const std::size_t f = dims.flow(i, j, k);
            potential[f] += blk.weight[j];
            tables.firms_serving[f] += blk.serving[j];
            tables.entries[f] += blk.entries[j];
            tables.exits[f] += blk.exits[j];
        }
    }
    const auto& theta = scenario.params.theta;
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t j = 0; j < n; ++j) {
            for (std::size_t k = 0; k < ns; ++k) {
                const std::size_t f = dims.flow(i, j, k);
                const double e = e0[dims.cs(j, k)];
                const double c = (1.0 + tariff[f]) * (trade_cost.empty() ? 1.0 : trade_cost[f]);
                if (firm_sector[k] != 0) {
                    weights[f] = e > 0.0 ? b[f] * potential[f] / e * std::pow(c, 1.0 - p.sigma)
                                         : 0.0;
                } else {
                    weights[f] = pi0[f] * std::pow(c, -theta[k]);
                }
            }
        }
    }
}

void FirmPopulation::Impl::prepare_choice() {
    const std::size_t n = dims.countries;
    const std::size_t ns = dims.sectors;
    const auto& q = settlement->targets();
    const auto& offset = settlement->offsets();
    choice.assign(n * ns * n, firms::CurrencyChoice{});
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t k = 0; k < ns; ++k) {
            if (firm_sector[k] == 0) {
                continue;
            }
            for (std::size_t j = 0; j < n; ++j) {
                const std::size_t f = dims.flow(i, j, k);
                const std::size_t first = offset[f];
                const std::size_t count = offset[f + 1] - first;
                firms::CurrencyChoice& ch = choice[dims.cs(i, k) * n + j];
                ch.count = static_cast<std::uint8_t>(count);
                double total = 0.0;
                std::size_t last = count;
                for (std::size_t s = 0; s < count; ++s) {
                    if (q[first + s] > 0.0) {
                        total += q[first + s];
                        last = s;
                    } else {
                        ch.barred = static_cast<std::uint8_t>(ch.barred | (1U << s));
                    }
                }
                // Every slot barred: cumulative stays 0 and a draw finds no currency.
                if (last == count) {
                    continue;
                }
                double running = 0.0;
                for (std::size_t s = 0; s < count; ++s) {
                    running += q[first + s] > 0.0 ? q[first + s] : 0.0;
                    ch.cumulative[s] = s >= last ? 2.0 : running / total;
                }
            }
        }
    }
}

void FirmPopulation::Impl::merge_settlement() {
    const std::size_t n = dims.countries;
    const std::size_t ns = dims.sectors;
    const auto& offset = settlement->offsets();
    std::fill(settlement_weights.begin(), settlement_weights.end(), 0.0);
    for (const Block& blk : blocks) {
        const std::size_t i = blk.cs / ns;
        const std::size_t k = blk.cs % ns;
        for (std::size_t j = 0; j < n; ++j) {
            const std::size_t f = dims.flow(i, j, k);
            const double* from = &blk.settle[j * Settlement::slots];
            for (std::size_t s = offset[f]; s < offset[f + 1]; ++s) {
                settlement_weights[s] += from[s - offset[f]];
            }
        }
    }
}

} // namespace tradesim::models
