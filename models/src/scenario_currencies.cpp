// Reads a scenario's [currencies] table: whether trade settles in currencies and the
// parameters of settlement and exchange rates (settlement.hpp).

#include "detail/scenario_parts.hpp"

#include "detail/currency_target.hpp"
#include "detail/fields.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace tradesim::models::detail {
namespace {

const std::vector<std::string> currency_keys = {"enabled",
                                                "spread_min",
                                                "spread_max",
                                                "half",
                                                "eta",
                                                "risk",
                                                "scale",
                                                "inertia",
                                                "depth_weight",
                                                "fx_paths",
                                                "price_reset_months",
                                                "managed_pull",
                                                "local_weight"};

} // namespace

void read_currencies(const sim::SpecNode& root, Scenario& s, sim::Diagnostics& problems) {
    SettlementParams& p = s.settlement;
    p.enabled = s.world->currencies != nullptr;
    const sim::SpecNode* node = root.find("currencies");
    if (node == nullptr) {
        return;
    }
    if (!node->is_table()) {
        problems.error(node->where(), "currencies must be a table: write [currencies]");
        return;
    }
    Fields f(*node, "currencies", problems, currency_keys);
    if (const sim::SpecNode* on = f.node("enabled")) {
        if (!on->is_boolean()) {
            f.error("enabled", fmt::format("currencies.enabled must be true or false, not {}",
                                           on->kind_name()));
        } else if (on->as_boolean() && s.world->currencies == nullptr) {
            f.error("enabled", fmt::format("currencies.enabled = true but the world {} has no "
                                           "currencies/ folder (currencies.csv, settlement.csv)",
                                           s.world->directory));
        } else {
            p.enabled = on->as_boolean();
        }
    }
    bounded(f, "spread_min", p.spread_min, 0.0, 0.2, false, false, "share of value");
    bounded(f, "spread_max", p.spread_max, 0.0, 0.2, false, false, "share of value");
    bounded(f, "half", p.half, 0.0, 1.0, true, false,
            "market depth at which the spread is halfway");
    bounded(f, "eta", p.eta, 0.0, 20.0, false, false, "strength of the thick-market externality");
    bounded(f, "risk", p.risk, 0.0, 10.0, false, false, "cost per unit of annual FX sd");
    bounded(f, "scale", p.scale, 0.0, 1.0, true, false, "logit scale, share of value");
    bounded(f, "inertia", p.inertia, 0.0, 1.0, true, false, "share re-chosen each month");
    bounded(f, "depth_weight", p.depth_weight, 0.0, 1.0, false, false,
            "weight of FX turnover in market depth");
    bounded(f, "local_weight", p.local_weight, 0.0, 1.0, false, false,
            "weight of the partners' own settlement in market depth");
    bounded(f, "price_reset_months", p.price_reset_months, 1.0, 1200.0, false, false,
            "mean months a price stays set");
    bounded(f, "managed_pull", p.managed_pull, 0.0, 1.0, true, false,
            "share of the gap to the anchor closed each month");
    if (p.spread_min > p.spread_max) {
        f.error(f.node("spread_min") != nullptr ? "spread_min" : "spread_max",
                fmt::format("currencies.spread_min = {} must not exceed currencies.spread_max = "
                            "{}",
                            p.spread_min, p.spread_max));
    }
    if (const auto paths = f.string("fx_paths", false)) {
        if (*paths == "random" || *paths == "fixed") {
            p.fx_random = *paths == "random";
        } else {
            f.error("fx_paths", fmt::format("currencies.fx_paths = \"{}\" must be \"random\" or "
                                            "\"fixed\"",
                                            *paths));
        }
    }
    f.check_unknown();
}

} // namespace tradesim::models::detail

namespace tradesim::models::detail {
namespace {

bool is_currency_kind(const std::string& kind) {
    return kind == "settlement_incentive" || kind == "swap_line" || kind == "settlement_mandate" ||
           kind == "clearing_sanction" || kind == "fx_shock" || kind == "regime_change";
}

// The settlement state one policy alone writes on the baseline.
SettlementPolicy alone(const Scenario& s, const Policy& p) {
    PolicyState state = PolicyState::baseline(s.world->dims);
    state.settlement = SettlementPolicy::baseline(*s.world->currencies, s.world->dims.countries);
    p.apply(state);
    return state.settlement;
}

} // namespace

void check_currency_policies(const Scenario& s, sim::Diagnostics& problems) {
    if (!s.settlement.enabled || s.world->currencies == nullptr) {
        return;
    }
    const Currencies& set = *s.world->currencies;
    const Dims& d = s.world->dims;
    const std::size_t nc = set.currencies.size();
    const SettlementPolicy base = SettlementPolicy::baseline(set, d.countries);
    std::vector<const Policy*> list;
    for (const auto& p : s.policies) {
        if (is_currency_kind(p->kind())) {
            list.push_back(p.get());
        }
    }
    const auto overlap = [](const Policy& a, const Policy& b) {
        return a.start_step() < b.end_step() && b.start_step() < a.end_step();
    };
    // Two regime changes of one currency in force at once must agree.
    for (std::size_t a = 0; a < list.size(); ++a) {
        if (list[a]->kind() != "regime_change") {
            continue;
        }
        const SettlementPolicy sa = alone(s, *list[a]);
        for (std::size_t b = a + 1; b < list.size(); ++b) {
            if (list[b]->kind() != "regime_change" || !overlap(*list[a], *list[b])) {
                continue;
            }
            const SettlementPolicy sb = alone(s, *list[b]);
            for (std::size_t c = 0; c < nc; ++c) {
                const bool ca = sa.regime[c] != base.regime[c] || sa.anchor[c] != base.anchor[c] ||
                                sa.band[c] != base.band[c] ||
                                sa.volatility[c] != base.volatility[c];
                const bool cb = sb.regime[c] != base.regime[c] || sb.anchor[c] != base.anchor[c] ||
                                sb.band[c] != base.band[c] ||
                                sb.volatility[c] != base.volatility[c];
                if (ca && cb &&
                    (sa.regime[c] != sb.regime[c] || sa.anchor[c] != sb.anchor[c] ||
                     sa.band[c] != sb.band[c] || sa.volatility[c] != sb.volatility[c])) {
                    problems.error(list[b]->where(),
                                   fmt::format("contradictory regimes: {} makes {} {} while {} "
                                               "(in force at the same time) makes it {}",
                                               list[b]->key_path(), set.currencies[c].code,
                                               to_string(sb.regime[c]), list[a]->key_path(),
                                               to_string(sa.regime[c])));
                }
            }
        }
    }
    // At every date a currency policy starts: mandates on one pair add up to at most 1, no
    // mandate on a currency a sanction bars, and every pair keeps a currency it may use.
    std::vector<int> dates;
    for (const Policy* p : list) {
        dates.push_back(p->start_step());
    }
    std::sort(dates.begin(), dates.end());
    dates.erase(std::unique(dates.begin(), dates.end()), dates.end());
    std::vector<std::string> seen;
    for (const int step : dates) {
        std::vector<const Policy*> on;
        for (const Policy* p : list) {
            if (p->start_step() <= step && step < p->end_step()) {
                on.push_back(p);
            }
        }
        PolicyState state = PolicyState::baseline(d);
        state.settlement = base;
        for (const Policy* p : on) {
            p->apply(state);
        }
        const SettlementPolicy& sp = state.settlement;
        const Policy* last = on.empty() ? nullptr : on.back();
        for (const Policy* p : on) {
            if (p->start_step() == step) {
                last = p;
            }
        }
        if (last == nullptr) {
            continue;
        }
        const std::string date = s.calendar.date_of(step).str();
        const auto report = [&](const std::string& key, const std::string& msg) {
            if (std::find(seen.begin(), seen.end(), key) == seen.end()) {
                seen.push_back(key);
                problems.error(last->where(), msg);
            }
        };
        for (std::size_t i = 0; i < d.countries; ++i) {
            for (std::size_t j = 0; j < d.countries; ++j) {
                if (i == j) {
                    continue;
                }
                const std::size_t pair = d.pair(i, j);
                // Each problem once, for the pair either way round, at its first date.
                const std::size_t pair_key = std::min(i, j) * d.countries + std::max(i, j);
                double floors = 0.0;
                bool usable = false;
                for (const std::size_t c : candidates(set, i, j)) {
                    const bool barred = sp.barred[i * nc + c] != 0 || sp.barred[j * nc + c] != 0;
                    floors += sp.floor[pair * nc + c];
                    usable = usable || !barred;
                    if (barred && sp.floor[pair * nc + c] > 0.0) {
                        const std::string msg = fmt::format(
                            "{}: from {} trade between {} and {} must settle at least {} in {}, "
                            "which a clearing sanction bars",
                            last->key_path(), date, s.world->countries[i].code,
                            s.world->countries[j].code, sp.floor[pair * nc + c],
                            set.currencies[c].code);
                        report(fmt::format("barred {} {}", pair_key, c), msg);
                    }
                }
                if (floors > 1.0 + 1e-12) {
                    const std::string msg = fmt::format(
                        "{}: from {} the settlement mandates on trade between {} and {} add up "
                        "to {:.3g} of it, more than all",
                        last->key_path(), date, s.world->countries[i].code,
                        s.world->countries[j].code, floors);
                    report(fmt::format("floors {}", pair_key), msg);
                }
                if (!usable) {
                    const std::string msg = fmt::format(
                        "{}: from {} clearing sanctions leave trade between {} and {} no "
                        "currency to settle in",
                        last->key_path(), date, s.world->countries[i].code,
                        s.world->countries[j].code);
                    report(fmt::format("none {}", pair_key), msg);
                }
            }
        }
    }
}

} // namespace tradesim::models::detail
