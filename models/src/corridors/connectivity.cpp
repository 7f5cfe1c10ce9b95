// Before a run: every pair of economies that trades at the baseline must keep a route at every
// step, as the scenario's corridor policies leave the network. The corridors phase stops a run
// in which it does not; checking here, when the scenario is read, lets `tradesim validate`
// report it and `tradesim run` stop before it writes anything.

#include "detail/scenario_parts.hpp"
#include "state.hpp"

#include "tradesim/models/simulation.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <utility>

namespace tradesim::models::detail {
namespace {

// Which links a state leaves open, by the corridors phase's own rule (corridors::links_at).
std::vector<unsigned char> open_links(const Network& net, const NetworkState& st) {
    const auto now = corridors::links_at(net, st, {});
    std::vector<unsigned char> open(now.size());
    for (std::size_t l = 0; l < now.size(); ++l) {
        open[l] = now[l].open ? 1 : 0;
    }
    return open;
}

double trade(const World& w, std::size_t pair) {
    double x = 0.0;
    for (std::size_t k = 0; k < w.dims.sectors; ++k) {
        x += w.flows[pair * w.dims.sectors + k];
    }
    return x;
}

// The pairs (Dims::pair) that trade at the baseline and have no candidate route over the open
// links, largest trade first. Routes come from the corridors phase's own search, so both agree
// on what is reachable; the Dijkstra weights do not matter for that.
std::vector<std::size_t> cut_pairs(const Scenario& s, const std::vector<unsigned char>& open) {
    const Network& net = *s.network;
    auto links = corridors::links_at(net, network_baseline(net), {});
    for (std::size_t l = 0; l < links.size(); ++l) {
        links[l].open = open[l] != 0;
    }
    const auto routes = corridors::find_routes(corridors::routing_setting(net, *s.world), links,
                                               std::vector<double>(net.nodes.size(), 0.0));
    const World& w = *s.world;
    const std::size_t n = w.dims.countries;
    std::vector<std::size_t> cut;
    for (std::size_t pair = 0; pair < n * n; ++pair) {
        if (pair / n != pair % n && routes.pair_begin[pair] == routes.pair_begin[pair + 1] &&
            trade(w, pair) > 0.0) {
            cut.push_back(pair);
        }
    }
    std::stable_sort(cut.begin(), cut.end(),
                     [&](std::size_t a, std::size_t b) { return trade(w, a) > trade(w, b); });
    return cut;
}

// The network at `step` with every policy in force but `skip`.
std::vector<unsigned char> open_without(const Scenario& s, int step, const Policy* skip) {
    PolicyState state = PolicyState::baseline(s.world->dims);
    state.network = network_baseline(*s.network);
    for (const auto& p : s.policies) {
        if (p.get() != skip && p->start_step() <= step && step < p->end_step()) {
            p->apply(state);
        }
    }
    return open_links(*s.network, state.network);
}

// One problem for the pairs (largest trade first) that a step cuts off, at the closure that
// started last among those that cut the first pair off: the policies in force without which
// it keeps a route (all that close links when no single one is to blame). Without any, the
// network itself leaves it no route: the problem is then the world's gateways.csv.
void report(const Scenario& s, int step, const std::vector<std::size_t>& pairs,
            sim::Diagnostics& problems) {
    const Network& net = *s.network;
    const World& w = *s.world;
    const std::size_t n = w.dims.countries;
    const auto baseline = open_links(net, network_baseline(net));
    const auto all = open_without(s, step, nullptr);
    std::vector<const Policy*> closing, cutting;
    for (const auto& p : s.policies) {
        if (p->start_step() > step || step >= p->end_step()) {
            continue;
        }
        PolicyState alone = PolicyState::baseline(w.dims);
        alone.network = network_baseline(net);
        p->apply(alone);
        if (open_links(net, alone.network) == baseline) {
            continue; // closes nothing
        }
        closing.push_back(p.get());
        // To blame when the pair keeps a route without it (not when others close the same).
        const auto open = open_without(s, step, p.get());
        if (open != all) {
            const auto cut = cut_pairs(s, open);
            if (std::find(cut.begin(), cut.end(), pairs.front()) == cut.end()) {
                cutting.push_back(p.get());
            }
        }
    }
    if (!cutting.empty()) {
        closing = cutting;
    }
    const auto name = [&](std::size_t pair) {
        return fmt::format("from {} to {}", w.countries[pair / n].code, w.countries[pair % n].code);
    };
    std::string more;
    if (pairs.size() > 1) {
        std::vector<std::string> listed;
        for (std::size_t q = 1; q < pairs.size() && q <= 4; ++q) {
            listed.push_back(name(pairs[q]));
        }
        more = fmt::format(", nor for {} more trading pair{} ({}{})", pairs.size() - 1,
                           pairs.size() > 2 ? "s" : "", fmt::join(listed, ", "),
                           pairs.size() > 5 ? ", ..." : "");
    }
    const std::string date = s.calendar.date_of(step).str();
    const std::string cut = fmt::format("no route {}, which trade {:.3g} bn USD/yr at the baseline",
                                        name(pairs.front()), trade(w, pairs.front()));
    if (closing.empty()) {
        problems.error(sim::Location{net.directory + "/gateways.csv", 0, 0},
                       fmt::format("from {} the network leaves {}{}: the links must join a "
                                   "gateway of each",
                                   date, cut, more));
        return;
    }
    const Policy* last = closing.front();
    for (const Policy* p : closing) {
        last = p->start_step() >= last->start_step() ? p : last;
    }
    std::vector<std::string> names;
    for (const Policy* p : closing) {
        const Event e = p->describe(false);
        names.push_back(fmt::format("{}: {} of {}", p->key_path(), p->kind(), e.sector));
    }
    problems.error(last->where(), fmt::format("from {} the closure{} ({}) leave{} {}{}", date,
                                              names.size() > 1 ? "s" : "", fmt::join(names, ", "),
                                              names.size() > 1 ? "" : "s", cut, more));
}

} // namespace

void check_routes(const Scenario& s, sim::Diagnostics& problems) {
    if (!s.network) {
        return;
    }
    // Routes are searched once per distinct set of open links; a problem is reported at the
    // step that cuts a pair off, not again at every step that keeps it cut.
    std::vector<std::pair<std::vector<unsigned char>, std::vector<std::size_t>>> searched;
    std::vector<std::size_t> before;
    for (int step = 0; step < s.calendar.steps(); ++step) {
        const auto open = open_links(*s.network, policy_at(s, step).network);
        auto it = std::find_if(searched.begin(), searched.end(),
                               [&](const auto& known) { return known.first == open; });
        if (it == searched.end()) {
            searched.emplace_back(open, cut_pairs(s, open));
            it = searched.end() - 1;
        }
        std::vector<std::size_t> fresh;
        for (std::size_t pair : it->second) {
            if (std::find(before.begin(), before.end(), pair) == before.end()) {
                fresh.push_back(pair);
            }
        }
        if (!fresh.empty()) {
            report(s, step, fresh, problems);
        }
        before = it->second;
    }
}

} // namespace tradesim::models::detail
