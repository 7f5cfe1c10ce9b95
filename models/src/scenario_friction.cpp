// Reads a scenario's [friction] table (indicators, weights, levels, cap) and its
// [[government]] tables (which behaviour each country follows, with the behaviour's options).

#include "detail/scenario_parts.hpp"

#include "detail/codes.hpp"
#include "detail/fields.hpp"

#include <cmath>
#include <fmt/format.h>

namespace tradesim::models::detail {
namespace {

const std::vector<std::string> friction_keys = {
    "enabled", "window_months", "min_flow_bn", "cap_pct", "watch",
    "warning", "alert",         "hysteresis",  "weights", "full"};

// weights = { surge = 0.3, ... } or full = { ... }: one number per indicator named.
void read_by_indicator(Fields& f, const std::string& key, std::array<double, indicator_count>& out,
                       double lo, double hi, bool open_lo) {
    const sim::SpecNode* node = f.node(key);
    if (node == nullptr) {
        return;
    }
    if (!node->is_table()) {
        f.error(key, fmt::format("{} must be a table like {{ surge = 0.25 }}", f.key_path(key)));
        return;
    }
    const auto& names = indicator_names();
    const std::vector<std::string> known(names.begin(), names.end());
    for (const auto& [name, value] : node->members()) {
        const std::string path = f.key_path(key) + "." + name;
        const auto it = std::find(names.begin(), names.end(), name);
        if (it == names.end()) {
            f.problems().error(value.key_where(),
                               fmt::format("unknown indicator \"{}\" in {}{} (known: {})", name,
                                           path, sim::did_you_mean(name, known),
                                           fmt::join(known, ", ")));
            continue;
        }
        const double v = value.is_number() ? value.as_number() : std::nan("");
        if (!((open_lo ? v > lo : v >= lo) && v <= hi)) {
            f.problems().error(value.where(), fmt::format("{} must be a number in {}{}, {}]", path,
                                                          open_lo ? "(" : "[", lo, hi));
            continue;
        }
        out[static_cast<std::size_t>(it - names.begin())] = v;
    }
}

void read_params(const sim::SpecNode& root, Scenario& s, sim::Diagnostics& problems) {
    FrictionParams& p = s.friction;
    const sim::SpecNode* node = root.find("friction");
    if (node == nullptr) {
        return;
    }
    if (!node->is_table()) {
        problems.error(node->where(), "friction must be a table: write [friction]");
        return;
    }
    Fields f(*node, "friction", problems, friction_keys);
    if (const sim::SpecNode* on = f.node("enabled")) {
        if (!on->is_boolean()) {
            f.error("enabled",
                    fmt::format("friction.enabled must be true or false, not {}", on->kind_name()));
        } else {
            p.enabled = on->as_boolean();
        }
    }
    if (const auto w = f.integer("window_months", false)) {
        if (*w < 1 || *w > 120) {
            f.error("window_months",
                    fmt::format("friction.window_months = {} must be from 1 to 120", *w));
        } else {
            p.window_months = static_cast<int>(*w);
        }
    }
    bounded(f, "min_flow_bn", p.min_flow, 0.0, 1e6, false, false,
            "USD bn/yr at the baseline below which a pair-sector is not watched");
    bounded(f, "cap_pct", p.cap_pct, 0.0, 1000.0, true, false,
            "highest tariff a behaviour may set, percent");
    bounded(f, "watch", p.watch, 0.0, 1.0, true, false, "index of the watch level");
    bounded(f, "warning", p.warning, 0.0, 1.0, true, false, "index of the warning level");
    bounded(f, "alert", p.alert, 0.0, 1.0, true, false, "index of the alert level");
    bounded(f, "hysteresis", p.hysteresis, 0.0, 0.5, false, false,
            "how far below its threshold the index must fall for a level to end");
    if (!(p.watch < p.warning && p.warning < p.alert)) {
        problems.error(node->where(),
                       fmt::format("friction levels must rise: watch {} < warning {} < alert {}",
                                   p.watch, p.warning, p.alert));
    }
    read_by_indicator(f, "weights", p.weight, 0.0, 1.0, false);
    read_by_indicator(f, "full", p.full, 0.0, 1e6, true);
    double sum = 0.0;
    for (double w : p.weight) {
        sum += w;
    }
    if (std::abs(sum - 1.0) > 1e-6) {
        f.error(f.node("weights") != nullptr ? "weights" : "enabled",
                fmt::format("friction.weights add up to {:.6g}; they must add up to 1 (the "
                            "composite index lies in [0, 1])",
                            sum));
    }
    f.check_unknown();
}

void read_governments(const sim::SpecNode& root, Scenario& s, sim::Diagnostics& problems) {
    const sim::SpecNode* node = root.find("government");
    if (node == nullptr) {
        return;
    }
    if (!node->is_array()) {
        problems.error(node->where(),
                       "government must be an array of tables: write [[government]]");
        return;
    }
    if (!s.friction.enabled && !node->items().empty()) {
        problems.error(node->items().front().where(),
                       "[[government]] behaviours need the friction phase, but "
                       "friction.enabled = false");
        return;
    }
    const auto& registry = BehaviourRegistry::builtin();
    // Which behaviours each country already follows, for repeats and `none` with others.
    std::vector<std::vector<std::string>> chosen(s.world->countries.size());
    for (std::size_t g = 0; g < node->items().size(); ++g) {
        const sim::SpecNode& table = node->items()[g];
        const std::string path = fmt::format("government[{}]", g);
        if (!table.is_table()) {
            problems.error(table.where(), fmt::format("{} must be a table", path));
            continue;
        }
        Fields f(table, path, problems, {"country", "behaviour"});
        const auto countries = resolve(f, "country", true, s.world->country_codes(), "country");
        const auto name = f.string("behaviour", true);
        const BehaviourReader* reader = name ? registry.find(*name) : nullptr;
        if (name && reader == nullptr) {
            f.error("behaviour",
                    fmt::format("unknown behaviour \"{}\" in {}.behaviour{} (known: {})", *name,
                                path, sim::did_you_mean(*name, registry.names()),
                                fmt::join(registry.names(), ", ")));
        }
        std::vector<std::string> used = {"country", "behaviour"};
        if (reader != nullptr && countries) {
            for (std::size_t c = 0; c < countries->index.size(); ++c) {
                const std::size_t gov = countries->index[c];
                auto& mine = chosen[gov];
                const std::string& code = s.world->countries[gov].code;
                if (std::find(mine.begin(), mine.end(), *name) != mine.end()) {
                    f.error("country", fmt::format("{}: {} already follows {} in an earlier "
                                                   "[[government]] table",
                                                   path, code, *name));
                } else if ((*name == "none" && !mine.empty()) ||
                           (*name != "none" &&
                            std::find(mine.begin(), mine.end(), "none") != mine.end())) {
                    f.error("behaviour", fmt::format("{}: {} is given both none and {}", path, code,
                                                     *name == "none" ? mine.front() : *name));
                }
                mine.push_back(*name);
                // Options are checked once per table: later countries' problems would repeat.
                sim::Diagnostics quiet;
                BehaviourContext ctx{*s.world, s.calendar, s.friction,
                                     path,     gov,        c == 0 ? problems : quiet};
                std::vector<std::string> keys;
                auto behaviour = (*reader)(table, ctx, keys);
                if (c == 0) {
                    used.insert(used.end(), keys.begin(), keys.end());
                }
                if (behaviour) {
                    s.governments.push_back(std::move(behaviour));
                }
            }
        }
        Fields all(table, path, problems, used);
        if (reader != nullptr) {
            all.check_unknown();
        }
    }
}

} // namespace

void read_friction(const sim::SpecNode& root, Scenario& s, sim::Diagnostics& problems) {
    read_params(root, s, problems);
    if (s.calendar.steps() > 0) {
        read_governments(root, s, problems);
    }
}

} // namespace tradesim::models::detail
