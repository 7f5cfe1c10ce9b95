// Candidate routes: from each economy, Dijkstra's shortest paths (Boost.Graph) over the open
// network under five mode rules, so that a pair gets its best route overall and its best sea,
// land and air alternatives; distinct paths kept in that order, at most routes_per_pair.

#include "state.hpp"

#include "tradesim/sim/parallel.hpp"

#include <algorithm>
// GCC 12 warns that Boost.Graph's edge iterator may be used uninitialized inside its own
// templates (a known false positive of boost::optional); the warning is silenced for this file.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/dijkstra_shortest_paths.hpp>
#include <boost/property_map/property_map.hpp>
#include <limits>

namespace tradesim::models::corridors {

namespace {

using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS,
                                   boost::no_property,
                                   boost::property<boost::edge_index_t, std::size_t>>;
using Edge = boost::graph_traits<Graph>::edge_descriptor;

constexpr double closed = 1e30;

// Which modes a rule allows on the main legs (access legs are always allowed).
constexpr int rules = 5;
bool allowed(int rule, Mode mode) {
    switch (rule) {
    case 0:
        return true;
    case 1:
        return mode != Mode::air;
    case 2:
        return mode == Mode::sea;
    case 3:
        return mode == Mode::rail || mode == Mode::road;
    default:
        return mode == Mode::air;
    }
}

struct Built {
    Graph graph;
    std::vector<Hop> edge_hop; ///< per edge: the link and the node it enters
};

Built build(const Network& net) {
    Built b;
    b.graph = Graph(net.nodes.size());
    std::size_t index = 0;
    const auto add = [&](std::size_t from, std::size_t to, std::size_t link) {
        boost::add_edge(from, to, index++, b.graph);
        b.edge_hop.push_back(Hop{static_cast<std::uint32_t>(link), static_cast<std::uint32_t>(to)});
    };
    for (std::size_t l = 0; l < net.links.size(); ++l) {
        const NetworkLink& link = net.links[l];
        add(link.from, link.to, l);
        if (!link.access) {
            add(link.to, link.from, l);
        }
    }
    return b;
}

} // namespace

RouteSet find_routes(const Setting& setting, const std::vector<LinkNow>& links,
                     const std::vector<double>& node_delay) {
    const Network& net = *setting.network;
    const std::size_t n = net.economy_node.size();
    const Built built = build(net);
    const std::size_t edges = built.edge_hop.size();
    // Economy nodes other than the origin's own are dead ends: no route passes through a
    // third economy (its export legs are closed for other origins below).
    std::vector<int> economy_of(net.nodes.size(), -1);
    for (std::size_t c = 0; c < n; ++c) {
        economy_of[net.economy_node[c]] = static_cast<int>(c);
    }
    const int cap = std::max(1, net.params.routes_per_pair);

    struct OriginRoutes {
        std::vector<std::vector<std::vector<Hop>>> paths; // per destination
    };
    std::vector<OriginRoutes> found(n);
    sim::parallel_for(n, 1, [&](std::size_t first, std::size_t last) {
        std::vector<double> weight(edges), dist(net.nodes.size());
        std::vector<Edge> via(net.nodes.size());
        std::vector<unsigned char> reached(net.nodes.size());
        for (std::size_t origin = first; origin < last; ++origin) {
            OriginRoutes& out = found[origin];
            out.paths.assign(n, {});
            const std::size_t source = net.economy_node[origin];
            for (int rule = 0; rule < rules; ++rule) {
                for (std::size_t e = 0; e < edges; ++e) {
                    const Hop hop = built.edge_hop[e];
                    const NetworkLink& link = net.links[hop.link];
                    const LinkNow& now = links[hop.link];
                    const bool own_export = !link.access || link.from == source ||
                                            economy_of[link.from] < 0;
                    if (!now.open || !own_export || (!link.access && !allowed(rule, link.mode))) {
                        weight[e] = closed;
                        continue;
                    }
                    weight[e] = now.cost / setting.mean_value +
                                (now.days + node_delay[hop.to]) * setting.mean_time +
                                (link.access ? 0.0
                                             : setting.km_constant[static_cast<std::size_t>(
                                                   link.mode)] *
                                                   link.km);
                }
                std::fill(reached.begin(), reached.end(), 0);
                const auto index = boost::get(boost::edge_index, built.graph);
                boost::dijkstra_shortest_paths(
                    built.graph, source,
                    boost::weight_map(boost::make_iterator_property_map(weight.begin(), index))
                        .distance_map(boost::make_iterator_property_map(
                            dist.begin(), boost::get(boost::vertex_index, built.graph)))
                        .visitor(boost::make_dijkstra_visitor(boost::record_edge_predecessors(
                            boost::make_iterator_property_map(
                                via.begin(), boost::get(boost::vertex_index, built.graph)),
                            boost::on_edge_relaxed()))));
                for (std::size_t dest = 0; dest < n; ++dest) {
                    if (dest == origin) {
                        continue;
                    }
                    std::size_t v = net.economy_node[dest];
                    if (!(dist[v] < closed)) {
                        continue;
                    }
                    std::vector<Hop> path;
                    while (v != source) {
                        const Edge e = via[v];
                        path.push_back(built.edge_hop[boost::get(index, e)]);
                        v = boost::source(e, built.graph);
                    }
                    std::reverse(path.begin(), path.end());
                    auto& list = out.paths[dest];
                    const bool known = std::any_of(list.begin(), list.end(), [&](const auto& p) {
                        return p.size() == path.size() &&
                               std::equal(p.begin(), p.end(), path.begin(),
                                          [](const Hop& a, const Hop& b) {
                                              return a.link == b.link && a.to == b.to;
                                          });
                    });
                    if (!known && static_cast<int>(list.size()) < cap) {
                        list.push_back(std::move(path));
                    }
                }
            }
        }
    });

    RouteSet set;
    set.economies = n;
    set.pair_begin.assign(n * n + 1, 0);
    set.hop_begin.push_back(0);
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t j = 0; j < n; ++j) {
            set.pair_begin[i * n + j] = static_cast<std::uint32_t>(set.mode.size());
            if (i == j) {
                continue;
            }
            for (const auto& path : found[i].paths[j]) {
                double km[mode_count] = {0, 0, 0, 0};
                for (const Hop& hop : path) {
                    const NetworkLink& link = net.links[hop.link];
                    if (!link.access) {
                        km[static_cast<std::size_t>(link.mode)] += link.km;
                    }
                    set.hops.push_back(hop);
                }
                set.hop_begin.push_back(static_cast<std::uint32_t>(set.hops.size()));
                set.mode.push_back(static_cast<Mode>(std::max_element(km, km + mode_count) - km));
            }
        }
    }
    set.pair_begin[n * n] = static_cast<std::uint32_t>(set.mode.size());
    return set;
}

} // namespace tradesim::models::corridors

namespace tradesim::models::corridors {

RouteSet merge_routes(const RouteSet& found, const RouteSet& keep,
                      const std::vector<LinkNow>& links) {
    const std::size_t n = found.economies;
    RouteSet set;
    set.economies = n;
    set.pair_begin.assign(n * n + 1, 0);
    set.hop_begin.push_back(0);
    const auto append = [&](const RouteSet& from, std::uint32_t r) {
        for (std::uint32_t h = from.hop_begin[r]; h < from.hop_begin[r + 1]; ++h) {
            set.hops.push_back(from.hops[h]);
        }
        set.hop_begin.push_back(static_cast<std::uint32_t>(set.hops.size()));
        set.mode.push_back(from.mode[r]);
    };
    const auto same = [](const RouteSet& a, std::uint32_t ra, const RouteSet& b, std::uint32_t rb) {
        const auto la = a.hop_begin[ra + 1] - a.hop_begin[ra];
        return la == b.hop_begin[rb + 1] - b.hop_begin[rb] &&
               std::equal(a.hops.begin() + a.hop_begin[ra], a.hops.begin() + a.hop_begin[ra + 1],
                          b.hops.begin() + b.hop_begin[rb],
                          [](const Hop& x, const Hop& y) { return x.link == y.link && x.to == y.to; });
    };
    for (std::size_t p = 0; p < n * n; ++p) {
        set.pair_begin[p] = static_cast<std::uint32_t>(set.mode.size());
        for (std::uint32_t r = found.pair_begin[p]; r < found.pair_begin[p + 1]; ++r) {
            append(found, r);
        }
        for (std::uint32_t r = keep.pair_begin[p]; r < keep.pair_begin[p + 1]; ++r) {
            bool open = true;
            for (std::uint32_t h = keep.hop_begin[r]; h < keep.hop_begin[r + 1] && open; ++h) {
                open = links[keep.hops[h].link].open;
            }
            bool known = false;
            for (std::uint32_t q = found.pair_begin[p]; q < found.pair_begin[p + 1] && !known; ++q) {
                known = same(keep, r, found, q);
            }
            if (open && !known) {
                append(keep, r);
            }
        }
    }
    set.pair_begin[n * n] = static_cast<std::uint32_t>(set.mode.size());
    return set;
}

} // namespace tradesim::models::corridors
