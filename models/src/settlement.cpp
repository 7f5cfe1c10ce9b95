// The settlement core: candidate currencies per pair, the cost of each (spread falling with
// the currency's world share, FX risk against the exporter's currency, policy cuts), the logit
// target and the inertial move of the shares towards it.

#include "tradesim/models/settlement.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace tradesim::models {

namespace {

// Each currency's log rate against USD as loadings on independent shocks, one per currency:
// a floating currency (or one following a basket) carries its own shock with its volatility;
// a pegged or managed one follows its anchor's loadings plus its own shock with what its
// volatility adds to the anchor's; USD carries none.
std::vector<std::vector<double>> loadings(const Currencies& set) {
    const std::size_t n = set.currencies.size();
    std::vector<std::vector<double>> out(n, std::vector<double>(n, 0.0));
    std::vector<int> done(n, 0);
    const auto fill = [&](auto&& self, std::size_t c) -> void {
        if (done[c] != 0) {
            return;
        }
        done[c] = 1; // an anchor cycle ends here
        const Currency& cur = set.currencies[c];
        const double sd = cur.volatility / 100.0;
        const int a = cur.anchor.empty() || cur.anchor == "basket" ? -1 : set.index(cur.anchor);
        if (cur.code == "USD") {
            return;
        }
        if (a < 0) {
            out[c][c] = sd;
            return;
        }
        const auto anchor = static_cast<std::size_t>(a);
        self(self, anchor);
        double anchor_var = 0.0;
        for (std::size_t s = 0; s < n; ++s) {
            out[c][s] = out[anchor][s];
            anchor_var += out[anchor][s] * out[anchor][s];
        }
        out[c][c] = std::sqrt(std::max(0.0, sd * sd - anchor_var));
    };
    for (std::size_t c = 0; c < n; ++c) {
        fill(fill, c);
    }
    return out;
}

} // namespace

Settlement::Settlement(const World& world, const Currencies& currencies,
                       const SettlementParams& params, const std::vector<double>& flows)
    : world_data_(world), set_(currencies), p_(params) {
    const Dims& d = world.dims;
    const std::size_t nc = set_.currencies.size();
    const auto load = loadings(set_);
    risk_.assign(nc * nc, 0.0);
    for (std::size_t a = 0; a < nc; ++a) {
        for (std::size_t b = 0; b < nc; ++b) {
            double var = 0.0;
            for (std::size_t s = 0; s < nc; ++s) {
                var += (load[a][s] - load[b][s]) * (load[a][s] - load[b][s]);
            }
            risk_[a * nc + b] = std::sqrt(var);
        }
    }
    // FX turnover shares of the base year (BIS counts both sides: shares sum to 200 %).
    turnover_.assign(nc, 0.0);
    std::vector<int> year(nc, 0);
    for (const SettlementFact& f : set_.facts) {
        const int c = set_.index(f.currency);
        if (f.scope == "bis_fx_turnover" && c >= 0 && f.year <= world.base_year &&
            f.year >= year[static_cast<std::size_t>(c)]) {
            turnover_[static_cast<std::size_t>(c)] = f.share / 200.0;
            year[static_cast<std::size_t>(c)] = f.year;
        }
    }
    const std::vector<std::uint32_t> vehicles = {
        static_cast<std::uint32_t>(set_.index("USD")), static_cast<std::uint32_t>(set_.index("EUR")),
        static_cast<std::uint32_t>(set_.index("CNY"))};
    candidates_.resize(d.countries * d.countries);
    for (std::size_t i = 0; i < d.countries; ++i) {
        for (std::size_t j = 0; j < d.countries; ++j) {
            auto& list = candidates_[d.pair(i, j)];
            if (i == j) {
                continue;
            }
            for (std::uint32_t c : {static_cast<std::uint32_t>(set_.home[i]),
                                    static_cast<std::uint32_t>(set_.home[j])}) {
                list.push_back(c);
            }
            list.insert(list.end(), vehicles.begin(), vehicles.end());
            std::sort(list.begin(), list.end());
            list.erase(std::unique(list.begin(), list.end()), list.end());
        }
    }
    offset_.assign(d.flow_count() + 1, 0);
    for (std::size_t f = 0; f < d.flow_count(); ++f) {
        offset_[f + 1] = offset_[f] + static_cast<std::uint32_t>(
                                          candidates_[f / d.sectors].size());
    }
    // Start from equal shares, then move to the steady state of the choice at the baseline.
    shares_.assign(offset_.back(), 0.0);
    for (std::size_t f = 0; f < d.flow_count(); ++f) {
        const std::size_t n = offset_[f + 1] - offset_[f];
        for (std::size_t s = 0; s < n; ++s) {
            shares_[offset_[f] + s] = 1.0 / static_cast<double>(n);
        }
    }
    update_world(flows);
    const std::vector<double> no_cut;
    for (int it = 0; it < 2000; ++it) {
        const std::vector<double> last = world_;
        step(flows, no_cut, 12);
        double change = 0.0;
        for (std::size_t c = 0; c < world_.size(); ++c) {
            change = std::max(change, std::abs(world_[c] - last[c]));
        }
        if (change < 1e-13) {
            break;
        }
    }
}

double Settlement::currency_cost(std::size_t exporter, std::uint32_t c) const {
    const std::size_t nc = set_.currencies.size();
    const double depth = p_.depth_weight * turnover_[c] + (1.0 - p_.depth_weight) * world_[c];
    const double deep = std::pow(depth, p_.eta);
    const double hill = deep / (deep + std::pow(p_.half, p_.eta));
    return p_.spread_max - (p_.spread_max - p_.spread_min) * hill +
           p_.risk * risk_[set_.home[exporter] * nc + c];
}

void Settlement::target(std::size_t flow, const std::vector<double>& cut,
                        std::vector<double>& q) const {
    const Dims& d = world_data_.dims;
    const std::size_t pair = flow / d.sectors;
    const std::size_t exporter = pair / d.countries;
    const auto& list = candidates_[pair];
    const std::size_t nc = set_.currencies.size();
    q.resize(list.size());
    double best = std::numeric_limits<double>::infinity();
    for (std::size_t s = 0; s < list.size(); ++s) {
        q[s] = currency_cost(exporter, list[s]) - (cut.empty() ? 0.0 : cut[pair * nc + list[s]]);
        best = std::min(best, q[s]);
    }
    double sum = 0.0;
    for (double& v : q) {
        v = std::exp(-(v - best) / p_.scale);
        sum += v;
    }
    for (double& v : q) {
        v /= sum;
    }
}

void Settlement::update_world(const std::vector<double>& flows) {
    const Dims& d = world_data_.dims;
    world_.assign(set_.currencies.size(), 0.0);
    double total = 0.0;
    for (std::size_t f = 0; f < d.flow_count(); ++f) {
        const auto& list = candidates_[f / d.sectors];
        for (std::size_t s = 0; s < list.size(); ++s) {
            world_[list[s]] += flows[f] * shares_[offset_[f] + s];
        }
        total += list.empty() ? 0.0 : flows[f];
    }
    for (double& v : world_) {
        v = total > 0.0 ? v / total : 0.0;
    }
}

void Settlement::step(const std::vector<double>& flows, const std::vector<double>& cut,
                      int months) {
    const Dims& d = world_data_.dims;
    const double move = 1.0 - std::pow(1.0 - p_.inertia, months);
    std::vector<double> q;
    for (std::size_t f = 0; f < d.flow_count(); ++f) {
        if (candidates_[f / d.sectors].empty()) {
            continue;
        }
        target(f, cut, q);
        for (std::size_t s = 0; s < q.size(); ++s) {
            double& share = shares_[offset_[f] + s];
            share += move * (q[s] - share);
        }
    }
    update_world(flows);
}

const std::vector<std::uint32_t>& Settlement::candidates(std::size_t pair) const {
    return candidates_[pair];
}

double Settlement::share(std::size_t flow, std::size_t slot) const {
    return shares_[offset_[flow] + slot];
}

double Settlement::cost(std::size_t flow) const {
    const Dims& d = world_data_.dims;
    const std::size_t exporter = flow / d.sectors / d.countries;
    const auto& list = candidates_[flow / d.sectors];
    double c = 0.0;
    for (std::size_t s = 0; s < list.size(); ++s) {
        c += shares_[offset_[flow] + s] * currency_cost(exporter, list[s]);
    }
    return c;
}

} // namespace tradesim::models
