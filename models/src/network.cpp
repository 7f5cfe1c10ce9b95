// Reading a world's transport network: nodes, links and gateways from their fact files, and
// the parameters of route choice from network.toml; every economy gets its own node joined
// to its gateways by one-way access legs.

#include "tradesim/models/network.hpp"

#include "detail/fact_rows.hpp"
#include "detail/fields.hpp"
#include "tradesim/models/world.hpp"
#include "tradesim/sim/error.hpp"
#include "tradesim/sim/spec.hpp"

#include <algorithm>
#include <filesystem>
#include <fmt/format.h>
#include <map>

namespace tradesim::models {

const char* to_string(Mode mode) noexcept {
    switch (mode) {
    case Mode::rail:
        return "rail";
    case Mode::sea:
        return "sea";
    case Mode::road:
        return "road";
    case Mode::air:
        return "air";
    }
    return "?";
}

int Network::node_index(const std::string& id) const noexcept {
    for (std::size_t n = 0; n < nodes.size(); ++n) {
        if (nodes[n].id == id) {
            return static_cast<int>(n);
        }
    }
    return -1;
}

int Network::link_index(const std::string& id) const noexcept {
    for (std::size_t l = 0; l < links.size(); ++l) {
        const auto& link = links[l];
        if (link.access) {
            continue;
        }
        const std::string& a = nodes[link.from].id;
        const std::string& b = nodes[link.to].id;
        const std::string mode = to_string(link.mode);
        if (link.id == id || id == a + "-" + b || id == b + "-" + a ||
            id == a + "-" + b + "-" + mode || id == b + "-" + a + "-" + mode) {
            return static_cast<int>(l);
        }
    }
    return -1;
}

namespace {

using detail::require_columns;
using detail::RowReader;

const std::vector<std::string> node_kinds = {"hub", "port", "border", "sea", "air"};
const std::vector<std::string> mode_names = {"rail", "sea", "road", "air"};

std::optional<Mode> parse_mode(const std::string& text) {
    for (std::size_t m = 0; m < mode_names.size(); ++m) {
        if (mode_names[m] == text) {
            return static_cast<Mode>(m);
        }
    }
    return std::nullopt;
}

void read_nodes(const std::string& path, Network& net, sim::Diagnostics& problems) {
    const sim::TextTable table = sim::read_text_table(path);
    require_columns(table, {"id", "name", "kind", "country", "lat", "lon"}, problems);
    for (const auto& row : table.rows) {
        RowReader r(table, row, problems);
        NetworkNode node;
        node.id = r.text("id");
        node.name = r.text("name");
        node.kind = r.text("kind");
        node.country = r.text("country");
        node.lat = r.number("lat", -90, 90);
        node.lon = r.number("lon", -180, 180);
        if (node.id.empty()) {
            problems.error(r.where("id"), "empty node id");
        } else if (net.node_index(node.id) >= 0) {
            problems.error(r.where("id"), fmt::format("duplicate node {}", node.id));
        }
        if (std::find(node_kinds.begin(), node_kinds.end(), node.kind) == node_kinds.end()) {
            problems.error(r.where("kind"),
                           fmt::format("kind \"{}\" must be one of hub, port, border, sea, air{}",
                                       node.kind, sim::did_you_mean(node.kind, node_kinds)));
        }
        net.nodes.push_back(std::move(node));
    }
}

std::vector<std::string> node_ids(const Network& net) {
    std::vector<std::string> ids;
    for (const auto& n : net.nodes) {
        ids.push_back(n.id);
    }
    return ids;
}

int find_node(const Network& net, RowReader& r, const std::string& column,
              sim::Diagnostics& problems) {
    const std::string id = r.text(column);
    const int n = net.node_index(id);
    if (n < 0) {
        problems.error(r.where(column), fmt::format("unknown node \"{}\" in {}{}", id, column,
                                                    sim::did_you_mean(id, node_ids(net))));
    }
    return n;
}

void read_links(const std::string& path, Network& net, sim::Diagnostics& problems) {
    const sim::TextTable table = sim::read_text_table(path);
    require_columns(table,
                    {"from", "to", "mode", "distance_km", "transit_days", "cost_usd_per_teu",
                     "capacity_teu_per_month", "border_delay_days", "gauge_change"},
                    problems);
    for (const auto& row : table.rows) {
        RowReader r(table, row, problems);
        NetworkLink link;
        const int from = find_node(net, r, "from", problems);
        const int to = find_node(net, r, "to", problems);
        const std::string mode = r.text("mode");
        const auto parsed = parse_mode(mode);
        if (!parsed) {
            problems.error(r.where("mode"),
                           fmt::format("mode \"{}\" must be rail, sea, road or air{}", mode,
                                       sim::did_you_mean(mode, mode_names)));
        }
        // Positive by construction: a link that costs nothing or carries nothing is a typo.
        link.km = r.number("distance_km", 1e-3, 1e5);
        link.days = r.number("transit_days", 1e-3, 1e3);
        link.cost_per_teu = r.number("cost_usd_per_teu", 1e-3, 1e7);
        link.capacity = r.number("capacity_teu_per_month", 1e-3, 1e12);
        link.border_delay = r.number("border_delay_days", 0, 1e3);
        link.gauge_change = r.number("gauge_change", 0, 1) != 0.0;
        if (from < 0 || to < 0 || !parsed) {
            continue;
        }
        if (from == to) {
            problems.error(r.where("to"), "a link must join two different nodes");
            continue;
        }
        link.from = static_cast<std::size_t>(from);
        link.to = static_cast<std::size_t>(to);
        link.mode = *parsed;
        link.id = net.nodes[link.from].id + "-" + net.nodes[link.to].id;
        net.links.push_back(std::move(link));
    }
    // Two links between the same nodes keep apart by their mode.
    std::map<std::string, int> seen;
    for (const auto& l : net.links) {
        ++seen[l.id];
    }
    for (auto& l : net.links) {
        if (seen[l.id] > 1) {
            l.id += std::string("-") + to_string(l.mode);
        }
    }
}

void read_params(const std::string& path, const World& world, Network& net,
                 sim::Diagnostics& problems) {
    const sim::SpecNode root = sim::parse_spec_file(path);
    auto& p = net.params;
    const std::size_t ns = world.sectors.size();
    p.time_cost.assign(ns, 0.0);
    p.value_per_teu.assign(ns, 0.0);
    detail::Fields top(root, "", problems, {"time_cost", "value_per_teu", "access", "congestion",
                                            "choice", "calibration"});
    const auto per_sector = [&](const char* key, std::vector<double>& out, double scale,
                                double lo, double hi) {
        const sim::SpecNode* t = root.find(key);
        if (t == nullptr || !t->is_table()) {
            problems.error(t != nullptr ? t->where() : root.where(),
                           fmt::format("{}: [{}] must be a table with a value per traded sector",
                                       path, key));
            return;
        }
        for (std::size_t k = 0; k < ns; ++k) {
            if (!world.sectors[k].traded) {
                continue;
            }
            const sim::SpecNode* v = t->find(world.sectors[k].code);
            if (v == nullptr || !v->is_number()) {
                problems.error(t->where(), fmt::format("{}.{} is missing or not a number", key,
                                                       world.sectors[k].code));
                continue;
            }
            // 0 value per TEU: the sector does not travel in containers (bulk, pipelines) and
            // keeps the baseline's trade costs.
            const bool off = std::string(key) == "value_per_teu" && v->as_number() == 0.0;
            if (!off && !(v->as_number() >= lo && v->as_number() <= hi)) {
                problems.error(v->where(), fmt::format("{}.{} = {} is outside [{}, {}] (0 for a "
                                                       "sector that does not use the network)",
                                                       key, world.sectors[k].code,
                                                       v->as_number(), lo, hi));
            }
            out[k] = v->as_number() * scale;
        }
        for (const auto& [code, value] : t->members()) {
            if (world.sector_index(code) < 0) {
                problems.error(value.key_where(),
                               fmt::format("unknown sector \"{}\" in [{}]{}", code, key,
                                           sim::did_you_mean(code, world.sector_codes())));
            }
        }
    };
    per_sector("time_cost", p.time_cost, 0.01, 0.0, 10.0); // percent per day
    per_sector("value_per_teu", p.value_per_teu, 1.0, 100.0, 1e8);
    const auto number = [&](const char* table, const char* key, double& out, double lo,
                            double hi) {
        const sim::SpecNode* t = root.find(table);
        const sim::SpecNode* v = t != nullptr && t->is_table() ? t->find(key) : nullptr;
        if (v == nullptr || !v->is_number()) {
            problems.error(v != nullptr ? v->where() : root.where(),
                           fmt::format("{}: {}.{} is missing or not a number", path, table, key));
            return;
        }
        if (!(v->as_number() >= lo && v->as_number() <= hi)) {
            problems.error(v->where(), fmt::format("{}.{} = {} is outside [{}, {}]", table, key,
                                                   v->as_number(), lo, hi));
            return;
        }
        out = v->as_number();
    };
    number("access", "road_cost_usd_per_teu_km", p.road_cost_per_teu_km, 1e-6, 1e3);
    number("access", "rail_cost_usd_per_teu_km", p.rail_cost_per_teu_km, 1e-6, 1e3);
    number("access", "road_km_per_day", p.road_km_per_day, 1.0, 1e4);
    number("access", "rail_km_per_day", p.rail_km_per_day, 1.0, 1e4);
    number("congestion", "alpha", p.alpha, 0.0, 100.0);
    number("congestion", "beta", p.beta, 0.0, 20.0);
    p.rail_beta = p.beta;
    if (const sim::SpecNode* c = root.find("congestion");
        c != nullptr && c->is_table() && c->find("rail_beta") != nullptr) {
        number("congestion", "rail_beta", p.rail_beta, 0.0, 30.0);
    }
    number("choice", "dispersion", p.dispersion, 1e-5, 10.0);
    double routes = 4;
    number("choice", "routes_per_pair", routes, 1, 16);
    p.routes_per_pair = static_cast<int>(routes);
    if (const sim::SpecNode* cal = root.find("calibration"); cal != nullptr && cal->is_table()) {
        detail::Fields c(*cal, "calibration", problems, {"rail_share", "exporter", "importers"});
        const auto share = c.number("rail_share", true);
        const auto exporter = c.string("exporter", true);
        const auto importers = c.string_list("importers", true);
        c.check_unknown();
        if (share && !(*share > 0.0 && *share < 1.0)) {
            c.error("rail_share", fmt::format("calibration.rail_share = {} must be in (0, 1)",
                                              *share));
        } else if (share && exporter && importers) {
            p.rail_share = *share;
            p.calibration_exporter = *exporter;
            for (const auto& [code, where] : *importers) {
                if (world.country_index(code) < 0) {
                    problems.error(where, fmt::format("unknown country \"{}\" in "
                                                      "calibration.importers",
                                                      code));
                }
                p.calibration_importers.push_back(code);
            }
            if (world.country_index(*exporter) < 0) {
                c.error("exporter", fmt::format("unknown country \"{}\" in calibration.exporter",
                                                *exporter));
            }
        }
    }
    top.check_unknown();
}

void read_gateways(const std::string& path, const World& world, Network& net,
                   sim::Diagnostics& problems) {
    const sim::TextTable table = sim::read_text_table(path);
    require_columns(table, {"country", "node", "access_mode", "access_km"}, problems);
    // Each economy's own node, at its capital.
    for (const auto& c : world.countries) {
        net.economy_node.push_back(net.nodes.size());
        net.nodes.push_back(NetworkNode{"@" + c.code, c.name, "economy", c.code, c.lat, c.lon});
    }
    std::vector<int> gateways(world.countries.size(), 0);
    const auto& p = net.params;
    for (const auto& row : table.rows) {
        RowReader r(table, row, problems);
        const std::string code = r.text("country");
        const int c = world.country_index(code);
        if (c < 0) {
            problems.error(r.where("country"),
                           fmt::format("unknown country \"{}\"{}", code,
                                       sim::did_you_mean(code, world.country_codes())));
        }
        const int node = find_node(net, r, "node", problems);
        const std::string mode = r.text("access_mode");
        const double km = r.number("access_km", 0.0, 5e4);
        if (mode != "road" && mode != "rail") {
            problems.error(r.where("access_mode"),
                           fmt::format("access_mode \"{}\" must be road or rail", mode));
            continue;
        }
        if (c < 0 || node < 0) {
            continue;
        }
        ++gateways[static_cast<std::size_t>(c)];
        const bool rail = mode == "rail";
        NetworkLink leg;
        leg.mode = rail ? Mode::rail : Mode::road;
        leg.km = std::max(km, 1.0);
        leg.days = leg.km / (rail ? p.rail_km_per_day : p.road_km_per_day);
        leg.cost_per_teu = leg.km * (rail ? p.rail_cost_per_teu_km : p.road_cost_per_teu_km);
        leg.capacity = 1e12; // access legs do not congest
        leg.access = true;
        const std::size_t economy = net.economy_node[static_cast<std::size_t>(c)];
        leg.from = economy;
        leg.to = static_cast<std::size_t>(node);
        leg.id = fmt::format("{}>{}", net.nodes[economy].id, net.nodes[leg.to].id);
        net.links.push_back(leg);
        std::swap(leg.from, leg.to);
        leg.id = fmt::format("{}>{}", net.nodes[leg.from].id, net.nodes[leg.to].id);
        net.links.push_back(leg);
    }
    for (std::size_t c = 0; c < world.countries.size(); ++c) {
        if (gateways[c] == 0) {
            problems.error(sim::Location{path, 0, 0},
                           fmt::format("economy {} has no gateway: add a row \"{},NODE,road,KM\"",
                                       world.countries[c].code, world.countries[c].code));
        }
    }
}

} // namespace

Network load_network(const std::string& directory, const World& world) {
    namespace fs = std::filesystem;
    Network net;
    net.directory = directory;
    for (const char* file : {"nodes.csv", "links.csv", "gateways.csv", "network.toml"}) {
        if (!fs::exists(fs::path(directory) / file)) {
            throw sim::IoError(fmt::format("{}: missing {} of the network", directory, file));
        }
    }
    sim::Diagnostics problems;
    read_nodes((fs::path(directory) / "nodes.csv").string(), net, problems);
    read_links((fs::path(directory) / "links.csv").string(), net, problems);
    read_params((fs::path(directory) / "network.toml").string(), world, net, problems);
    read_gateways((fs::path(directory) / "gateways.csv").string(), world, net, problems);
    problems.throw_if_any();
    return net;
}

} // namespace tradesim::models
