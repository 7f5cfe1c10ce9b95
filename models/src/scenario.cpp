#include "tradesim/models/scenario.hpp"

#include "detail/fields.hpp"
#include "detail/scenario_parts.hpp"
#include "tradesim/sim/error.hpp"
#include "tradesim/sim/spec.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <sstream>

namespace tradesim::models {
namespace {

namespace fs = std::filesystem;

const std::vector<std::string> top_keys = {"name", "description", "extends", "world",
                                           "seed", "calendar",    "model",   "policy",
                                           "firms", "network",
                                           "currencies", "friction", "government"};
const std::vector<std::string> calendar_keys = {"start", "steps", "step"};
const std::vector<std::string> model_keys = {"trade_elasticity", "trade_elasticity_by_sector",
                                             "adjustment_half_life_months", "tolerance",
                                             "max_iterations"};
const std::vector<std::string> policy_common_keys = {"date", "kind", "end"};

std::string read_text(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw sim::IoError(fmt::format("{}: error: cannot open scenario file", path));
    }
    std::ostringstream buf;
    buf << in.rdbuf();
    return buf.str();
}

// Parses `path` and the chain of files it extends, most basic first; every file's text is
// appended to `texts`.
sim::SpecNode load_chain(const std::string& path, std::vector<std::string>& seen,
                         std::string& texts) {
    const std::string canonical = fs::weakly_canonical(path).string();
    if (std::find(seen.begin(), seen.end(), canonical) != seen.end()) {
        throw sim::InputError(fmt::format("{}: error: extends forms a cycle", path));
    }
    seen.push_back(canonical);
    const std::string text = read_text(path);
    sim::SpecNode node = sim::parse_spec(text, path);
    const sim::SpecNode* ext = node.find("extends");
    sim::SpecNode result = node;
    std::string own_text = fmt::format("# ---- {} ----\n{}", path, text);
    if (ext != nullptr) {
        if (!ext->is_string()) {
            sim::Diagnostics d;
            d.error(ext->where(),
                    fmt::format("extends must be a string, not {}", ext->kind_name()));
            d.throw_if_any();
        }
        const std::string base_path =
            (fs::path(path).parent_path() / ext->as_string()).lexically_normal().string();
        if (!fs::exists(base_path)) {
            sim::Diagnostics d;
            d.error(ext->where(), fmt::format("extends: no such scenario file {}", base_path));
            d.throw_if_any();
        }
        const sim::SpecNode base = load_chain(base_path, seen, texts);
        node.erase("extends");
        result = sim::merge_specs(base, node);
        result.erase("extends");
    }
    texts += own_text;
    if (!texts.empty() && texts.back() != '\n') {
        texts += '\n';
    }
    return result;
}

std::optional<sim::YearMonth> read_date(detail::Fields& f, const std::string& key, bool required) {
    const sim::SpecNode* n = f.node(key);
    const auto text = f.string(key, required);
    if (!text) {
        return std::nullopt;
    }
    const auto ym = sim::parse_year_month(*text);
    if (!ym) {
        f.problems().error(n->where(), fmt::format("{} = \"{}\" is not a date like \"2018-07\"",
                                                   f.key_path(key), *text));
    }
    return ym;
}

void read_calendar(const sim::SpecNode& root, Scenario& s, sim::Diagnostics& problems) {
    const sim::SpecNode* node = root.find("calendar");
    if (node == nullptr || !node->is_table()) {
        problems.error(node != nullptr ? node->where() : root.where(),
                       "missing [calendar] table with start, steps and step");
        return;
    }
    detail::Fields f(*node, "calendar", problems, calendar_keys);
    const auto start = read_date(f, "start", true);
    const auto steps = f.integer("steps", true);
    const auto step = f.string("step", false).value_or("month");
    const auto length = sim::parse_step_length(step);
    if (!length) {
        f.error("step", fmt::format("calendar.step = \"{}\" must be month, quarter or year{}", step,
                                    sim::did_you_mean(step, {"month", "quarter", "year"})));
    }
    if (steps && (*steps < 1 || *steps > 12000)) {
        f.error("steps", fmt::format("calendar.steps = {} must be between 1 and 12000", *steps));
    }
    f.check_unknown();
    if (start && steps && length && *steps >= 1 && *steps <= 12000) {
        s.calendar = sim::Calendar(*start, static_cast<int>(*steps), *length);
    }
}

void read_model(const sim::SpecNode& root, Scenario& s, sim::Diagnostics& problems) {
    const World& world = *s.world;
    s.params.theta = world.default_theta;
    const sim::SpecNode* node = root.find("model");
    if (node == nullptr) {
        return;
    }
    if (!node->is_table()) {
        problems.error(node->where(), "model must be a table");
        return;
    }
    detail::Fields f(*node, "model", problems, model_keys);
    if (const auto theta = f.number("trade_elasticity", false)) {
        if (*theta <= 0.0) {
            f.error("trade_elasticity",
                    fmt::format("model.trade_elasticity = {} must be positive", *theta));
        } else {
            std::fill(s.params.theta.begin(), s.params.theta.end(), *theta);
        }
    }
    if (const auto* by = f.node("trade_elasticity_by_sector")) {
        if (!by->is_table()) {
            f.error("trade_elasticity_by_sector",
                    "model.trade_elasticity_by_sector must be a table like { MAC = 4.0 }");
        } else {
            for (const auto& [code, value] : by->members()) {
                const int k = world.sector_index(code);
                const std::string path = "model.trade_elasticity_by_sector." + code;
                if (k < 0) {
                    problems.error(value.key_where(),
                                   fmt::format("unknown sector \"{}\" in {}{}", code, path,
                                               sim::did_you_mean(code, world.sector_codes())));
                } else if (!value.is_number() || value.as_number() <= 0.0) {
                    problems.error(value.where(),
                                   fmt::format("{} must be a positive number", path));
                } else {
                    s.params.theta[static_cast<std::size_t>(k)] = value.as_number();
                }
            }
        }
    }
    if (const auto h = f.number("adjustment_half_life_months", false)) {
        if (*h < 0.0 || *h > 1200.0) {
            f.error("adjustment_half_life_months",
                    fmt::format("model.adjustment_half_life_months = {} must be between 0 "
                                "(immediate) and 1200",
                                *h));
        } else {
            s.params.adjustment_half_life_months = *h;
        }
    }
    if (const auto tol = f.number("tolerance", false)) {
        if (!(*tol > 0.0 && *tol < 1e-2)) {
            f.error("tolerance", fmt::format("model.tolerance = {} must be in (0, 0.01)", *tol));
        } else {
            s.params.tolerance = *tol;
        }
    }
    if (const auto it = f.integer("max_iterations", false)) {
        if (*it < 1 || *it > 10000000) {
            f.error("max_iterations", "model.max_iterations must be between 1 and 10000000");
        } else {
            s.params.max_iterations = static_cast<int>(*it);
        }
    }
    f.check_unknown();
}

void read_policies(const sim::SpecNode& root, Scenario& s, sim::Diagnostics& problems) {
    const sim::SpecNode* node = root.find("policy");
    if (node == nullptr) {
        return;
    }
    if (!node->is_array()) {
        problems.error(node->where(), "policy must be an array of tables: write [[policy]]");
        return;
    }
    const auto& registry = PolicyRegistry::builtin();
    struct Entry {
        int start;
        std::size_t order;
        std::unique_ptr<Policy> policy;
    };
    std::vector<Entry> entries;
    for (std::size_t p = 0; p < node->items().size(); ++p) {
        const sim::SpecNode& table = node->items()[p];
        const std::string path = fmt::format("policy[{}]", p);
        if (!table.is_table()) {
            problems.error(table.where(), fmt::format("{} must be a table", path));
            continue;
        }
        detail::Fields f(table, path, problems, policy_common_keys);
        const auto date = read_date(f, "date", true);
        const auto end = read_date(f, "end", false);
        const auto kind = f.string("kind", true);
        const bool calendar_ok = s.calendar.steps() > 0;
        int start_step = 0;
        int end_step = s.calendar.steps();
        bool ok = date.has_value() && kind.has_value();
        if (date && calendar_ok) {
            const auto st = s.calendar.step_of(*date);
            if (!st) {
                f.error("date", fmt::format("{}.date = {} is outside the calendar ({} to {})", path,
                                            date->str(), s.calendar.start().str(),
                                            s.calendar.date_of(s.calendar.steps() - 1).str()));
                ok = false;
            } else {
                start_step = *st;
            }
        }
        if (end && date && calendar_ok) {
            if (*end <= *date) {
                f.error("end", fmt::format("{}.end = {} must come after its date {}", path,
                                           end->str(), date->str()));
                ok = false;
            } else {
                // A policy ending after the calendar simply stays in force to the last step.
                end_step = s.calendar.step_of(*end).value_or(s.calendar.steps());
            }
        }
        const PolicyReader* reader = kind ? registry.find(*kind) : nullptr;
        if (kind && reader == nullptr) {
            f.error("kind", fmt::format("unknown policy kind \"{}\" in {}.kind{} (known: {})",
                                        *kind, path, sim::did_you_mean(*kind, registry.kinds()),
                                        fmt::join(registry.kinds(), ", ")));
            ok = false;
        }
        std::vector<std::string> used = policy_common_keys;
        std::unique_ptr<Policy> policy;
        if (reader != nullptr) {
            PolicyContext ctx{*s.world,        s.calendar, path, start_step, end_step,
                              problems,         s.firms.enabled, s.network.get(),
                              s.settlement.enabled ? s.world->currencies.get() : nullptr};
            policy = (*reader)(table, ctx, used);
            if (policy) {
                policy->set_source(path, table.where());
            }
        }
        if (reader != nullptr || !kind) {
            detail::Fields all(table, path, problems, used);
            all.check_unknown();
        }
        if (ok && policy && calendar_ok) {
            entries.push_back({start_step, p, std::move(policy)});
        }
    }
    std::stable_sort(entries.begin(), entries.end(),
                     [](const Entry& a, const Entry& b) { return a.start < b.start; });
    for (auto& e : entries) {
        s.policies.push_back(std::move(e.policy));
    }
}

} // namespace

Scenario load_scenario(const std::string& path) {
    Scenario s;
    s.path = path;
    std::vector<std::string> seen;
    const sim::SpecNode root = load_chain(path, seen, s.text);
    s.resolved = sim::to_toml(root);

    sim::Diagnostics problems;
    detail::Fields top(root, "", problems, top_keys);
    s.name = top.string("name", false).value_or(fs::path(path).stem().string());
    s.description = top.string("description", false).value_or("");
    if (const auto seed = top.integer("seed", false)) {
        if (*seed < 0) {
            top.error("seed", fmt::format("seed = {} must not be negative", *seed));
        } else {
            s.seed = static_cast<std::uint64_t>(*seed);
        }
    }
    // The world folder is relative to the file that names it (or the default "world" next
    // to the scenario).
    std::string world_dir;
    if (const sim::SpecNode* w = root.find("world"); w != nullptr && w->is_string()) {
        world_dir = (fs::path(w->where().file).parent_path() / w->as_string()).string();
    } else if (w != nullptr) {
        top.string("world", false); // reports the wrong type
    } else {
        world_dir = (fs::path(path).parent_path() / "world").string();
    }
    top.check_unknown();
    read_calendar(root, s, problems);
    if (world_dir.empty()) {
        problems.throw_if_any();
    }
    try {
        s.world = std::make_shared<const World>(load_world(world_dir));
    } catch (const sim::Error&) {
        // Report the scenario's own problems first, then the world's.
        if (!problems.empty()) {
            throw sim::InputError(problems.format());
        }
        throw;
    }
    // [network] enabled = false keeps the baseline's trade costs although the world has a
    // network (e.g. to compare a run with the general-equilibrium solver).
    bool network_on = true;
    if (const sim::SpecNode* net = root.find("network")) {
        detail::Fields f(*net, "network", problems, {"enabled"});
        if (!net->is_table()) {
            problems.error(net->where(), "network must be a table: write [network]");
        } else if (const sim::SpecNode* on = net->find("enabled")) {
            if (!on->is_boolean()) {
                problems.error(on->where(), fmt::format("network.enabled must be true or false, "
                                                        "not {}",
                                                        on->kind_name()));
            } else {
                network_on = on->as_boolean();
            }
        }
        if (net->is_table()) {
            f.check_unknown();
        }
    }
    if (s.world->network && network_on) {
        s.network = std::make_shared<Network>(*s.world->network);
    }
    read_model(root, s, problems);
    detail::read_firms(root, s, problems);
    detail::check_firm_options(root, s, problems);
    detail::read_currencies(root, s, problems);
    if (s.firms.enabled) {
        for (std::size_t k = 0; k < s.world->sectors.size(); ++k) {
            if (s.world->sectors[k].traded) {
                s.params.theta[k] = s.firms.kappa;
            }
        }
    }
    read_policies(root, s, problems);
    detail::read_friction(root, s, problems);
    // Closures that cut a trading pair off: only once the policies themselves are valid.
    if (problems.empty()) {
        detail::check_routes(s, problems);
        detail::check_currency_policies(s, problems);
    }
    problems.throw_if_any();
    return s;
}

} // namespace tradesim::models
