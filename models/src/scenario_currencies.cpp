// Reads a scenario's [currencies] table: whether trade settles in currencies and the
// parameters of settlement and exchange rates (settlement.hpp).

#include "detail/scenario_parts.hpp"

#include "detail/fields.hpp"

#include <fmt/format.h>

namespace tradesim::models::detail {
namespace {

const std::vector<std::string> currency_keys = {
    "enabled", "spread_min", "spread_max",   "half",     "eta",
    "risk",    "scale",      "inertia",      "depth_weight", "fx_paths",
    "price_reset_months",    "managed_pull", "local_weight"};

void bounded(Fields& f, const std::string& key, double& out, double lo, double hi,
             bool open_lo, const char* meaning) {
    const auto v = f.number(key, false);
    if (!v) {
        return;
    }
    if (!((open_lo ? *v > lo : *v >= lo) && *v <= hi)) {
        f.error(key, fmt::format("{} = {} must be in {}{}, {}] ({})", f.key_path(key), *v,
                                 open_lo ? "(" : "[", lo, hi, meaning));
        return;
    }
    out = *v;
}

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
    bounded(f, "spread_min", p.spread_min, 0.0, 0.2, false, "share of value");
    bounded(f, "spread_max", p.spread_max, 0.0, 0.2, false, "share of value");
    bounded(f, "half", p.half, 0.0, 1.0, true, "market depth at which the spread is halfway");
    bounded(f, "eta", p.eta, 0.0, 20.0, false, "strength of the thick-market externality");
    bounded(f, "risk", p.risk, 0.0, 10.0, false, "cost per unit of annual FX sd");
    bounded(f, "scale", p.scale, 0.0, 1.0, true, "logit scale, share of value");
    bounded(f, "inertia", p.inertia, 0.0, 1.0, true, "share re-chosen each month");
    bounded(f, "depth_weight", p.depth_weight, 0.0, 1.0, false,
            "weight of FX turnover in market depth");
    bounded(f, "local_weight", p.local_weight, 0.0, 1.0, false,
            "weight of the partners' own settlement in market depth");
    bounded(f, "price_reset_months", p.price_reset_months, 1.0, 1200.0, false,
            "mean months a price stays set");
    bounded(f, "managed_pull", p.managed_pull, 0.0, 1.0, true,
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
