// Transport corridors on the default world's network (scenarios/world/network): transit days and
// freight against published figures, what closures and new capacity do to loads and costs, the
// assignment's convergence and determinism, and closures that cut a trading pair off. Candidate
// routes are read with the internal routing API (models/src/corridors/state.hpp); everything
// else goes through the public one (Corridors, its tables, and the policies of a scenario).

#include "corridors/state.hpp"
#include "tradesim/models/corridors.hpp"
#include "tradesim/models/scenario.hpp"
#include "tradesim/models/simulation.hpp"
#include "tradesim/sim/error.hpp"
#include "tradesim/sim/parallel.hpp"

#include <algorithm>
#include <bit>
#include <catch2/catch.hpp>
#include <cstdint>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <sstream>

using namespace tradesim;
using Catch::Matchers::Contains;
using models::Mode;
namespace corridors = models::corridors;
namespace fs = std::filesystem;

namespace {

const std::string repo = TRADESIM_SOURCE_DIR;

// scenarios/baseline.toml (the default world, monthly from 2018-01) cut to `steps` months, with
// `policies` ([[policy]] tables) added.
std::string default_world(const std::string& name, int steps, const std::string& policies = "") {
    const auto path = fs::path(TRADESIM_TEST_OUTPUT_DIR) / (name + ".toml");
    std::ofstream(path) << fmt::format("extends = \"{}/scenarios/baseline.toml\"\nname = \"{}\"\n"
                                       "[calendar]\nsteps = {}\n{}",
                                       repo, name, steps, policies);
    return path.string();
}

std::string closure(const std::string& date, const std::string& target,
                    const std::string& end = "") {
    return fmt::format("[[policy]]\ndate = \"{}\"\n{}kind = \"corridor_closure\"\n{}\n", date,
                       end.empty() ? "" : fmt::format("end = \"{}\"\n", end), target);
}

std::size_t country(const models::Scenario& s, const char* code) {
    const int c = s.world->country_index(code);
    REQUIRE(c >= 0);
    return static_cast<std::size_t>(c);
}

std::size_t node(const models::Network& net, const char* id) {
    const int n = net.node_index(id);
    REQUIRE(n >= 0);
    return static_cast<std::size_t>(n);
}

// The candidate routes the corridors phase finds in `st` (its routing setting and its rule for
// open links), with the calibrated rail constant of `c` in the Dijkstra weights.
corridors::RouteSet routes_at(const models::Scenario& s, const models::NetworkState& st,
                              const models::Corridors& c) {
    const models::Network& net = *s.network;
    corridors::Setting setting = corridors::routing_setting(net, *s.world);
    setting.km_constant[static_cast<std::size_t>(Mode::rail)] =
        c.calibration().rail_constant / 1000.0;
    return corridors::find_routes(setting, corridors::links_at(net, st, {}),
                                  corridors::node_delays(st));
}

struct Route {
    Mode mode = Mode::sea;
    double days = 0, freight = 0;             ///< door to door, access legs included
    double trunk_days = 0, trunk_freight = 0; ///< without the access legs
    std::vector<std::string> nodes;           ///< entered, in order
};

// Each candidate route of the pair (i, j) as the last step left it: the links' days and freight
// per TEU with congestion, from the corridor tables, and the access legs (which do not congest)
// from the network.
std::vector<Route> routes_of(const models::Scenario& s, const corridors::RouteSet& routes,
                             const models::Corridors& c, const models::NetworkState& st,
                             std::size_t i, std::size_t j) {
    const models::Network& net = *s.network;
    const models::CorridorTables& t = c.tables();
    std::vector<int> row(net.links.size(), -1);
    for (std::size_t l = 0, r = 0; l < net.links.size(); ++l) {
        if (!net.links[l].access) {
            row[l] = static_cast<int>(r++);
        }
    }
    const auto now = corridors::links_at(net, st, {});
    std::vector<Route> out;
    const std::size_t pair = i * s.world->dims.countries + j;
    for (std::uint32_t r = routes.pair_begin[pair]; r < routes.pair_begin[pair + 1]; ++r) {
        Route route;
        route.mode = routes.mode[r];
        for (std::uint32_t h = routes.hop_begin[r]; h < routes.hop_begin[r + 1]; ++h) {
            const corridors::Hop hop = routes.hops[h];
            const int row_of = row[hop.link];
            const double wait = std::max(st.node_delay[hop.to], 0.0);
            const double days =
                (row_of < 0 ? now[hop.link].days : t.link_days[static_cast<std::size_t>(row_of)]) +
                wait;
            const double freight =
                row_of < 0 ? now[hop.link].cost : t.link_cost[static_cast<std::size_t>(row_of)];
            route.days += days;
            route.freight += freight;
            if (row_of >= 0) {
                route.trunk_days += days;
                route.trunk_freight += freight;
            }
            route.nodes.push_back(net.nodes[hop.to].id);
        }
        out.push_back(std::move(route));
    }
    return out;
}

// The candidate route of `mode` with the fewest days.
Route fastest(const std::vector<Route>& routes, Mode mode) {
    const Route* best = nullptr;
    for (const Route& r : routes) {
        if (r.mode == mode && (best == nullptr || r.days < best->days)) {
            best = &r;
        }
    }
    REQUIRE(best != nullptr);
    return *best;
}

bool passes(const Route& r, const char* id) {
    return std::find(r.nodes.begin(), r.nodes.end(), id) != r.nodes.end();
}

} // namespace

namespace {

// Index in the corridor tables of the busiest link of each mode at the last step.
std::vector<std::size_t> busiest_by_mode(const models::Corridors& c) {
    std::vector<std::size_t> best(models::mode_count, 0);
    std::vector<double> teu(models::mode_count, -1.0);
    for (std::size_t r = 0; r < c.link_ids().size(); ++r) {
        for (std::size_t m = 0; m < models::mode_count; ++m) {
            if (c.link_modes()[r] == models::to_string(static_cast<Mode>(m)) &&
                c.tables().link_teu[r] > teu[m]) {
                teu[m] = c.tables().link_teu[r];
                best[m] = r;
            }
        }
    }
    return best;
}

// Index in the corridor tables of the most used link (load / capacity) of each mode.
std::vector<std::size_t> fullest_by_mode(const models::Corridors& c) {
    std::vector<std::size_t> best(models::mode_count, 0);
    std::vector<double> use(models::mode_count, -1.0);
    for (std::size_t r = 0; r < c.link_ids().size(); ++r) {
        for (std::size_t m = 0; m < models::mode_count; ++m) {
            if (c.link_modes()[r] == models::to_string(static_cast<Mode>(m)) &&
                c.tables().link_utilisation[r] > use[m]) {
                use[m] = c.tables().link_utilisation[r];
                best[m] = r;
            }
        }
    }
    return best;
}

double trade(const models::Scenario& s, std::size_t pair) {
    double x = 0.0;
    for (std::size_t k = 0; k < s.world->dims.sectors; ++k) {
        x += s.world->flows[pair * s.world->dims.sectors + k];
    }
    return x;
}

} // namespace

TEST_CASE("corridors: China-Europe rail, sea and air take the published days and freight",
          "[corridors][validation]") {
    // The baseline's flows routed over the default network as the first step of a run routes
    // them, congestion included; the candidate routes of CHN->DEU by mode.
    const models::Scenario s = models::load_scenario(repo + "/scenarios/baseline.toml");
    models::Corridors c(s);
    models::PolicyState state = models::policy_at(s, 0);
    c.step(state, s.world->flows, "2018-01");
    REQUIRE(c.tables().residual <= models::AssignmentOptions{}.tolerance);
    const std::size_t chn = country(s, "CHN"), deu = country(s, "DEU");
    const auto routes = routes_of(s, routes_at(s, state.network, c), c, state.network, chn, deu);
    const Route rail = fastest(routes, Mode::rail);
    const Route sea = fastest(routes, Mode::sea);
    const Route air = fastest(routes, Mode::air);
    for (const Route* r : {&rail, &sea, &air}) {
        INFO(models::to_string(r->mode)
             << ": " << r->days << " days (" << r->trunk_days << " without access legs), "
             << r->freight << " USD/TEU (" << r->trunk_freight << ")");
        CHECK(r->trunk_days > 0);
    }

    // Days. Published (scenarios/world/network/SOURCES.md, calibration table): China-Europe
    // block trains 12-16 days terminal to terminal in 2018-2019 (CR Express, UIC), 14-18 via
    // Manzhouli; liner schedules Shanghai-Rotterdam 28-35 days port to port. Door to door, with
    // the hauls to and from the terminals, issue 6 asks for 12-18 days by rail and 30-40 by sea.
    // Measured: rail 15.4 days (14.3 terminal to terminal, Xi'an-Alashankou-Brest-Hamburg),
    // sea 31.3 (29.6 Shenzhen-Suez-Genoa, then rail to Duisburg), air 2.8.
    CHECK(rail.days >= 12.0);
    CHECK(rail.days <= 18.0);
    CHECK(sea.days >= 30.0);
    CHECK(sea.days <= 40.0);
    CHECK(passes(sea, "SEA_SUEZ"));
    CHECK(air.days < 4.0); // 1-3 days airport to airport (SOURCES.md), plus the ground legs

    // Freight per TEU, terminal to terminal (SOURCES.md): rail USD 3,000-4,500 (6,000-9,000 per
    // FEU quoted for CR Express in 2018-2019: EDB/IIASA reports, UTLC ERA); sea 1,000-2,000
    // all-in (SCFI and Drewry WCI Shanghai-North Europe 2017-2019 with surcharges); air 3-4 USD
    // per kg (TAC Index 2018-2019), 30,000-40,000 for the 10 t of a TEU. Measured: rail 3,457,
    // sea 1,619, air 34,707; door to door 3,731, 1,993 and 35,377: rail costs 1.9 times sea and
    // a tenth of air.
    CHECK(rail.trunk_freight >= 3000.0);
    CHECK(rail.trunk_freight <= 4500.0);
    CHECK(sea.trunk_freight >= 1000.0);
    CHECK(sea.trunk_freight <= 2000.0);
    CHECK(air.trunk_freight >= 30000.0);
    CHECK(air.trunk_freight <= 40000.0);
    CHECK(rail.freight > 1.5 * sea.freight);
    CHECK(air.freight > 5.0 * rail.freight);

    // The pair as a whole: nearly all containers go by sea (rail carries about 2 % of China-EU
    // trade by value, the calibration target), so its mean days lie between rail and the
    // slowest sea route, near sea.
    const std::size_t pair = chn * s.world->dims.countries + deu;
    const auto& t = c.tables();
    double slowest_sea = 0.0;
    for (const Route& r : routes) {
        slowest_sea = r.mode == Mode::sea ? std::max(slowest_sea, r.days) : slowest_sea;
    }
    CHECK(t.mode_share[pair * models::mode_count + static_cast<std::size_t>(Mode::sea)] > 0.9);
    CHECK(t.pair_days[pair] > rail.days);
    CHECK(t.pair_days[pair] < slowest_sea);
}

TEST_CASE("corridors: going round the Cape instead of through Suez adds 10-14 days",
          "[corridors][validation]") {
    // Suez closed from 2018-02, and Panama too: with Suez alone closed the default network sends
    // CHN->DEU ships east via Panama (Shanghai-Colón-Rotterdam on the faster transpacific and
    // transatlantic lanes, 41 days) rather than round the Cape, where the large ships of
    // Asia-Europe services, too wide for the Panama Canal, go. The detour measured is the Cape's,
    // on CHN->NLD: both routes end at Rotterdam (CHN->DEU's fastest sea route through Suez lands
    // at Genoa and goes on by rail, which a Cape route would not).
    const models::Scenario s = models::load_scenario(default_world(
        "cape", 2,
        closure("2018-02", "node = \"SEA_SUEZ\"") + closure("2018-02", "node = \"SEA_PANAMA\"")));
    models::Corridors c(s);
    const std::size_t chn = country(s, "CHN"), nld = country(s, "NLD");
    std::vector<Route> sea;
    for (int step = 0; step < 2; ++step) {
        models::PolicyState state = models::policy_at(s, step);
        c.step(state, s.world->flows, s.calendar.date_of(step).str());
        REQUIRE(c.tables().residual <= models::AssignmentOptions{}.tolerance);
        sea.push_back(fastest(routes_of(s, routes_at(s, state.network, c), c, state.network, chn, nld),
                              Mode::sea));
    }
    REQUIRE(passes(sea[0], "SEA_SUEZ"));
    REQUIRE(passes(sea[1], "SEA_CAPE"));
    // Published: the Cape route is about 3,400-3,500 nm longer, +10-14 days and several hundred
    // USD per TEU of fuel (SOURCES.md, calibration table); whole days, so 9.5 rounds to 10.
    // Measured +9.7 days (with the load each route carries) and +286 USD/TEU.
    const double days = sea[1].days - sea[0].days;
    const double freight = sea[1].freight - sea[0].freight;
    INFO("the Cape adds " << days << " days and " << freight << " USD/TEU");
    CHECK(days >= 9.5);
    CHECK(days <= 14.5);
    CHECK(freight >= 100.0);
    CHECK(freight <= 1000.0);
}

TEST_CASE("corridors: a closed link carries nothing", "[corridors]") {
    // Through policies: the EU entry of about 90 % of CR Express trains (Brest-Malaszewicze,
    // SOURCES.md) closed in 2018-02, the Suez Canal (a node: all its links) in 2018-03.
    const models::Scenario s = models::load_scenario(
        default_world("closed", 3,
                      closure("2018-02", "link = \"BY_BREST-PL_MALASZEWICZE\"", "2018-03") +
                          closure("2018-03", "node = \"SEA_SUEZ\"")));
    const models::Network& net = *s.network;
    models::Corridors c(s);
    models::PolicyState state = models::policy_at(s, 0);
    c.step(state, s.world->flows, "2018-01");
    const auto busiest = busiest_by_mode(c);
    const auto row_of = [&](const std::string& id) {
        const auto it = std::find(c.link_ids().begin(), c.link_ids().end(), id);
        REQUIRE(it != c.link_ids().end());
        return static_cast<std::size_t>(it - c.link_ids().begin());
    };
    const auto closed = [&](std::size_t row) {
        const auto& t = c.tables();
        INFO(c.link_ids()[row]);
        CHECK(t.link_open[row] == 0.0);
        CHECK(t.link_teu[row] == 0.0);
        CHECK(t.link_value[row] == 0.0);
        CHECK(t.link_utilisation[row] == 0.0);
        CHECK(t.residual <= models::AssignmentOptions{}.tolerance);
    };
    const std::size_t brest = row_of("BY_BREST-PL_MALASZEWICZE");
    const std::size_t suez = row_of("SEA_BABELMANDEB-SEA_SUEZ");
    const double brest_teu = c.tables().link_teu[brest];
    REQUIRE(brest_teu > 0.0);
    REQUIRE(c.tables().link_teu[suez] > 0.0);

    state = models::policy_at(s, 1);
    c.step(state, s.world->flows, "2018-02");
    closed(brest);
    CHECK(c.tables().link_open[suez] == 1.0);

    state = models::policy_at(s, 2);
    c.step(state, s.world->flows, "2018-03");
    CHECK(c.tables().link_teu[brest] > 0.0); // open again
    for (std::size_t row = 0; row < c.link_ids().size(); ++row) {
        const auto& link = net.links[static_cast<std::size_t>(net.link_index(c.link_ids()[row]))];
        if (net.nodes[link.from].id == "SEA_SUEZ" || net.nodes[link.to].id == "SEA_SUEZ") {
            closed(row);
        }
    }

    // The busiest link of each mode at the baseline, closed in the network state directly.
    for (const std::size_t row : busiest) {
        models::PolicyState one = models::policy_at(s, 0);
        one.network.open[static_cast<std::size_t>(net.link_index(c.link_ids()[row]))] = 0;
        c.step(one, s.world->flows, "2018-02");
        closed(row);
    }
}

// Every candidate route of `pair` in `after` is one of its candidates in `before`.
bool subset(const corridors::RouteSet& after, std::size_t pair, const corridors::RouteSet& before) {
    const auto same = [&](std::uint32_t a, std::uint32_t b) {
        return std::equal(after.hops.begin() + after.hop_begin[a],
                          after.hops.begin() + after.hop_begin[a + 1],
                          before.hops.begin() + before.hop_begin[b],
                          before.hops.begin() + before.hop_begin[b + 1],
                          [](const corridors::Hop& x, const corridors::Hop& y) {
                              return x.link == y.link && x.to == y.to;
                          });
    };
    for (std::uint32_t a = after.pair_begin[pair]; a < after.pair_begin[pair + 1]; ++a) {
        bool found = false;
        for (std::uint32_t b = before.pair_begin[pair]; b < before.pair_begin[pair + 1] && !found;
             ++b) {
            found = same(a, b);
        }
        if (!found) {
            return false;
        }
    }
    return true;
}

TEST_CASE("corridors: closing a link does not make the pairs that used it cheaper",
          "[corridors]") {
    // Closing a link takes routes away, so the pairs that had one through it pay no less: checked
    // for every pair that gets no new candidate route, to 0.2 points of value (the flows that
    // leave the link can relieve congestion on a pair's other routes a little: at most 0.12
    // points here). The first version's rail constant broke this by 30-37 points (added whole to
    // routes mostly by rail, it vanished when a closure tipped a route's main mode from rail to
    // sea); the constant is now per rail kilometre. A pair that gets a new candidate route can
    // pay less: the search (the best path of five mode rules, weighted for goods of mean value
    // and time cost) does not offer every pair the route its cheapest goods would take until a
    // closure blocks the one it did offer (closing DE_DUISBURG-AIR_FRA, ITA->MNG's rail route,
    // finds it a sea route through Shanghai: 47.2 -> 43.2 % of value). Known limitation
    // (README, "Transport corridors"); the trade-weighted mean cost of the users always rises.
    const models::Scenario s = models::load_scenario(repo + "/scenarios/baseline.toml");
    const models::Network& net = *s.network;
    models::Corridors c(s);
    models::PolicyState base = models::policy_at(s, 0);
    c.step(base, s.world->flows, "2018-01");
    const std::vector<double> before = c.tables().pair_cost;
    const auto routes = routes_at(s, base.network, c);
    const std::size_t n = s.world->dims.countries;
    for (const std::size_t row : busiest_by_mode(c)) {
        const auto link = static_cast<std::uint32_t>(net.link_index(c.link_ids()[row]));
        models::PolicyState state = models::policy_at(s, 0);
        state.network.open[link] = 0;
        c.step(state, s.world->flows, "2018-02");
        const std::vector<double>& after = c.tables().pair_cost;
        const auto closed_routes = routes_at(s, state.network, c);
        double weight = 0.0, mean_before = 0.0, mean_after = 0.0;
        int users = 0, new_routes = 0;
        for (std::size_t pair = 0; pair < before.size(); ++pair) {
            bool used = false;
            for (std::uint32_t h = routes.hop_begin[routes.pair_begin[pair]];
                 h < routes.hop_begin[routes.pair_begin[pair + 1]]; ++h) {
                used = used || routes.hops[h].link == link;
            }
            if (used) {
                INFO(c.link_ids()[row] << " closed: " << s.world->countries[pair / n].code << "->"
                                       << s.world->countries[pair % n].code);
                if (subset(closed_routes, pair, routes)) {
                    CHECK(after[pair] >= before[pair] - 0.2);
                } else {
                    ++new_routes;
                }
                ++users;
                double x = 0.0;
                for (std::size_t k = 0; k < s.world->dims.sectors; ++k) {
                    x += s.world->flows[pair * s.world->dims.sectors + k];
                }
                weight += x;
                mean_before += x * before[pair];
                mean_after += x * after[pair];
            }
        }
        INFO(c.link_ids()[row] << " closed: trade-weighted mean cost of its users; " << new_routes
                               << " of " << users << " users get a new route");
        CHECK((weight == 0.0 || mean_after > mean_before));
    }
}

TEST_CASE("corridors: more capacity on a congested link makes it no dearer", "[corridors]") {
    // A corridor_investment doubling the capacity (capacity_increase = 100, ready at once) of
    // the most used link of each mode at the baseline, one a month.
    const models::Scenario base = models::load_scenario(repo + "/scenarios/baseline.toml");
    std::vector<std::string> ids;
    {
        models::Corridors first(base);
        models::PolicyState state = models::policy_at(base, 0);
        first.step(state, base.world->flows, "2018-01");
        for (const std::size_t row : fullest_by_mode(first)) {
            ids.push_back(first.link_ids()[row]);
        }
    }
    std::string policies;
    for (std::size_t m = 0; m < ids.size(); ++m) {
        policies += fmt::format("[[policy]]\ndate = \"2018-{:02}\"\nend = \"2018-{:02}\"\n"
                                "kind = \"corridor_investment\"\nlink = \"{}\"\n"
                                "amount_usd_mn = 100\nbuild_months = 0\ncapacity_increase = 100\n",
                                m + 2, m + 3, ids[m]);
    }
    const models::Scenario s = models::load_scenario(default_world("capacity", 5, policies));
    const models::Network& net = *s.network;
    const std::size_t n = s.world->dims.countries;
    models::Corridors c(s);
    models::PolicyState state = models::policy_at(s, 0);
    c.step(state, s.world->flows, "2018-01");
    const models::CorridorTables before = c.tables();
    double mean_before = 0.0, weight = 0.0;
    for (std::size_t pair = 0; pair < n * n; ++pair) {
        mean_before += trade(s, pair) * before.pair_cost[pair];
        weight += trade(s, pair);
    }
    for (std::size_t m = 0; m < ids.size(); ++m) {
        const int step = static_cast<int>(m) + 1;
        state = models::policy_at(s, step);
        const auto link = static_cast<std::size_t>(net.link_index(ids[m]));
        REQUIRE(state.network.capacity_factor[link] == 2.0);
        c.step(state, s.world->flows, s.calendar.date_of(step).str());
        const models::CorridorTables& t = c.tables();
        const auto row = static_cast<std::size_t>(
            std::find(c.link_ids().begin(), c.link_ids().end(), ids[m]) - c.link_ids().begin());
        INFO(ids[m] << ": utilisation " << before.link_utilisation[row] << " -> "
                    << t.link_utilisation[row] << ", cost " << before.link_cost[row] << " -> "
                    << t.link_cost[row]);
        REQUIRE(before.link_utilisation[row] > 0.75); // congested: the rail links at 0.83
        CHECK(t.residual <= models::AssignmentOptions{}.tolerance);
        // The link: more traffic, less congestion, so no dearer and no slower.
        CHECK(t.link_teu[row] >= before.link_teu[row]);
        CHECK(t.link_utilisation[row] < before.link_utilisation[row]);
        CHECK(t.link_cost[row] <= before.link_cost[row]);
        CHECK(t.link_days[row] <= before.link_days[row]);
        // The pairs: the trade-weighted mean cost falls. A single pair can pay a little more:
        // the traffic drawn onto the link congests the links further along its routes (a
        // Braess-type network effect of equilibrium). Measured at most +0.0062 points of value
        // here, +0.094 over all 103 links above half their capacity; bounded at 0.1 point, a
        // thirtieth of the 3-point dispersion on which route choice turns (network.toml).
        double mean_after = 0.0, worst = 0.0;
        for (std::size_t pair = 0; pair < n * n; ++pair) {
            mean_after += trade(s, pair) * t.pair_cost[pair];
            worst = std::max(worst, t.pair_cost[pair] - before.pair_cost[pair]);
        }
        CHECK(mean_after / weight < mean_before / weight);
        CHECK(worst < 0.1);
    }
}

TEST_CASE("corridors: the assignment converges and gives the same bits at 1 and 2 threads",
          "[corridors][determinism]") {
    // Suez closed in 2018-02 and open again in 2018-03: the closure moves a quarter of
    // Asia-Europe traffic and the assignment iterates (193 iterations at 1e-9).
    const std::string path =
        default_world("threads", 3, closure("2018-02", "node = \"SEA_SUEZ\"", "2018-03"));
    const auto run = [&](int threads) {
        const sim::ThreadScope scope(threads);
        const models::Scenario s = models::load_scenario(path);
        models::Corridors c(s);
        std::vector<models::CorridorTables> tables;
        std::vector<std::vector<double>> trade_cost;
        for (int step = 0; step < s.calendar.steps(); ++step) {
            models::PolicyState state = models::policy_at(s, step);
            c.step(state, s.world->flows, s.calendar.date_of(step).str());
            tables.push_back(c.tables());
            trade_cost.push_back(state.trade_cost);
        }
        return std::pair{tables, trade_cost};
    };
    const auto [one, one_cost] = run(1);
    const auto [two, two_cost] = run(2);
    const auto bits = [](const std::vector<double>& values) {
        std::vector<std::uint64_t> out;
        for (const double v : values) {
            out.push_back(std::bit_cast<std::uint64_t>(v));
        }
        return out;
    };
    const models::AssignmentOptions options;
    REQUIRE(one.size() == 3);
    CHECK(one[1].iterations > 10); // the closure makes it work
    for (std::size_t step = 0; step < one.size(); ++step) {
        INFO("step " << step);
        CHECK(one[step].residual <= options.tolerance);
        CHECK(one[step].iterations < options.max_iterations);
        CHECK(one[step].iterations == two[step].iterations);
        CHECK(bits({one[step].residual}) == bits({two[step].residual}));
        for (const auto member :
             {&models::CorridorTables::link_teu, &models::CorridorTables::link_value,
              &models::CorridorTables::link_utilisation, &models::CorridorTables::link_cost,
              &models::CorridorTables::link_days, &models::CorridorTables::link_open,
              &models::CorridorTables::mode_share, &models::CorridorTables::pair_days,
              &models::CorridorTables::pair_cost, &models::CorridorTables::pair_routes}) {
            CHECK(bits(one[step].*member) == bits(two[step].*member));
        }
        CHECK(bits(one_cost[step]) == bits(two_cost[step]));
    }
}

TEST_CASE("corridors: closures that cut a trading pair off are bad input, with pair and date",
          "[corridors][error]") {
    // Ethiopia reaches the network through the port of Djibouti and Addis Ababa airport
    // (gateways.csv); closing both cuts it off from the 40 economies it trades with.
    const std::string policies =
        closure("2018-03", "node = \"PORT_DJIBOUTI\"") + closure("2018-03", "node = \"AIR_ADD\"");
    const std::string path = default_world("cut_off", 4, policies);
    // Reading the scenario finds it (so `validate` does, and `run` stops before writing), at
    // the closure that started last, naming the closures, the date and the largest pair.
    REQUIRE_THROWS_AS(models::load_scenario(path), sim::InputError);
    REQUIRE_THROWS_WITH(
        models::load_scenario(path),
        Contains("cut_off.toml:9:1: error: from 2018-03 the closures (policy[0]: "
                 "corridor_closure of PORT_DJIBOUTI, policy[1]: corridor_closure of AIR_ADD) "
                 "leave no route from ETH to USA, which trade 7.72 bn USD/yr at the baseline, "
                 "nor for 79 more trading pairs (from CHN to ETH,"));
    // One closure alone leaves a route: no problem.
    CHECK_NOTHROW(models::load_scenario(
        default_world("one_gateway", 4, closure("2018-03", "node = \"AIR_ADD\""))));

    // The corridors phase checks too, for a network state no scenario file gave.
    const models::Scenario s = models::load_scenario(repo + "/scenarios/baseline.toml");
    models::Corridors c(s);
    models::PolicyState state = models::policy_at(s, 0);
    state.network.node_delay[node(*s.network, "PORT_DJIBOUTI")] = -1.0; // closed
    state.network.node_delay[node(*s.network, "AIR_ADD")] = -1.0;
    REQUIRE_THROWS_AS(c.step(state, s.world->flows, "2018-03"), sim::InputError);
    REQUIRE_THROWS_WITH(c.step(state, s.world->flows, "2018-03"),
                        Contains("2018-03: the network leaves no route from CHN to ETH"));
}

TEST_CASE("corridors: a network that leaves a trading pair no route is bad input",
          "[corridors][error]") {
    // tests/worlds/corridors4 with Vietnam's gateway moved to a port that no link reaches.
    const fs::path world = fs::path(TRADESIM_TEST_OUTPUT_DIR) / "island_world";
    fs::remove_all(world);
    fs::copy(repo + "/tests/worlds/corridors4", world, fs::copy_options::recursive);
    std::ofstream(world / "network" / "nodes.csv", std::ios::app)
        << "PORT_DANANG,Da Nang,port,VNM,16.07,108.22\n";
    const fs::path gateways = world / "network" / "gateways.csv";
    std::stringstream text;
    text << std::ifstream(gateways).rdbuf();
    std::string csv = text.str();
    csv.replace(csv.find("VNM,PORT_HAIPHONG"), 17, "VNM,PORT_DANANG");
    std::ofstream(gateways) << csv;
    const fs::path scenario = world / "island.toml";
    std::ofstream(scenario) << "name = \"island\"\nworld = \".\"\n[calendar]\nstart = "
                               "\"2018-01\"\nsteps = 2\n";
    REQUIRE_THROWS_WITH(
        models::load_scenario(scenario.string()),
        Contains("network/gateways.csv: error: from 2018-01 the network leaves no route from") &&
            Contains("VNM") && Contains("nor for 5 more trading pairs"));
}
