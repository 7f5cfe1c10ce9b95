// A synthetic network for `tradesim bench corridors`: nodes scattered on a plane, each joined
// to its nearest neighbours by rail, road, sea or air links, economies attached to two
// gateways each, gravity-like trade between them in ten sectors, loads near capacity on the busiest links.

#include "state.hpp"

#include "tradesim/sim/random.hpp"

#include <algorithm>
#include <chrono>
#include <fmt/format.h>
#include <cmath>
#include <numeric>

namespace tradesim::models {

AssignmentBench bench_assignment(std::size_t nodes, std::size_t links, std::size_t economies,
                                 std::uint64_t seed, const AssignmentOptions& options) {
    using Clock = std::chrono::steady_clock;
    Network net;
    std::vector<double> x(nodes), y(nodes);
    for (std::size_t v = 0; v < nodes; ++v) {
        sim::RandomStream rng(seed, v, 0, 0);
        x[v] = 10000.0 * rng.uniform(); // km
        y[v] = 5000.0 * rng.uniform();
        net.nodes.push_back(NetworkNode{fmt::format("N{}", v), "", "hub", "-", 0, 0});
    }
    const auto add = [&](std::size_t a, std::size_t b, sim::RandomStream& rng) {
        const double km = std::hypot(x[a] - x[b], y[a] - y[b]) + 1.0;
        const double u = rng.uniform();
        const Mode mode = u < 0.45 ? Mode::sea : u < 0.75 ? Mode::rail : u < 0.97 ? Mode::road
                                                                                   : Mode::air;
        // Speed km/day and USD per TEU-km by mode, of the order of the default network's.
        const double speed[] = {800.0, 600.0, 500.0, 15000.0};
        const double rate[] = {1.0, 0.15, 1.5, 30.0};
        const auto m = static_cast<std::size_t>(mode);
        NetworkLink link;
        link.from = a;
        link.to = b;
        link.mode = mode;
        link.km = km;
        link.days = km / speed[m] + 0.5;
        link.cost_per_teu = km * rate[m] + 100.0;
        link.capacity = 2000.0 + 20000.0 * rng.uniform();
        link.id = fmt::format("{}-{}", net.nodes[a].id, net.nodes[b].id);
        net.links.push_back(link);
    };
    // A path through all nodes keeps the network connected; the rest join near neighbours.
    std::vector<std::size_t> order(nodes);
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return x[a] < x[b]; });
    sim::RandomStream link_rng(seed, 0, 1, 0);
    for (std::size_t v = 1; v < nodes; ++v) {
        add(order[v - 1], order[v], link_rng);
    }
    const std::size_t per_node = nodes > 0 ? (links - net.links.size() + nodes - 1) / nodes : 0;
    std::vector<std::pair<double, std::size_t>> near;
    for (std::size_t v = 0; v < nodes && net.links.size() < links; ++v) {
        near.clear();
        for (std::size_t w = 0; w < nodes; ++w) {
            if (w != v) {
                near.emplace_back(std::hypot(x[v] - x[w], y[v] - y[w]), w);
            }
        }
        const std::size_t take = std::min(per_node, near.size());
        std::partial_sort(near.begin(), near.begin() + static_cast<std::ptrdiff_t>(take),
                          near.end());
        for (std::size_t t = 0; t < take && net.links.size() < links; ++t) {
            add(v, near[t].second, link_rng);
        }
    }
    // Economies, two gateways each.
    auto& p = net.params;
    p.road_cost_per_teu_km = 1.5;
    p.rail_cost_per_teu_km = 1.0;
    p.road_km_per_day = 500.0;
    p.rail_km_per_day = 600.0;
    p.dispersion = 0.02;
    p.routes_per_pair = 4;
    std::vector<double> size(economies);
    for (std::size_t c = 0; c < economies; ++c) {
        sim::RandomStream rng(seed, c, 2, 0);
        size[c] = std::exp(1.5 * rng.normal());
        net.economy_node.push_back(net.nodes.size());
        net.nodes.push_back(NetworkNode{fmt::format("E{}", c), "", "economy", "-", 0, 0});
        for (int g = 0; g < 2; ++g) {
            const auto gate = static_cast<std::size_t>(rng.uniform() * static_cast<double>(nodes));
            NetworkLink leg;
            leg.mode = Mode::road;
            leg.km = 200.0;
            leg.days = 0.4;
            leg.cost_per_teu = 300.0;
            leg.capacity = 1e12;
            leg.access = true;
            leg.from = net.economy_node[c];
            leg.to = gate;
            net.links.push_back(leg);
            std::swap(leg.from, leg.to);
            net.links.push_back(leg);
        }
    }
    const std::size_t ns = 10;
    corridors::Setting setting;
    setting.network = &net;
    for (std::size_t k = 0; k < ns; ++k) {
        setting.value_per_teu.push_back(20000.0 + 15000.0 * static_cast<double>(k));
        setting.time_cost.push_back(0.006 + 0.0015 * static_cast<double>(k));
    }
    setting.mean_value = 80000.0;
    setting.mean_time = 0.012;
    std::vector<corridors::LinkNow> now;
    for (const auto& l : net.links) {
        now.push_back(corridors::LinkNow{l.cost_per_teu, l.days, l.capacity, true, 4.0});
    }
    const std::vector<double> delay(net.nodes.size(), 0.0);

    AssignmentBench out;
    auto start = Clock::now();
    const auto routes = corridors::find_routes(setting, now, delay);
    out.route_seconds = std::chrono::duration<double>(Clock::now() - start).count();
    out.routes = routes.routes();

    // Gravity-like containers, scaled so that at free-flow costs the busiest 1 % of links run
    // at capacity.
    std::vector<double> teu(economies * economies * ns, 0.0), value(teu.size(), 0.0);
    for (std::size_t i = 0; i < economies; ++i) {
        for (std::size_t j = 0; j < economies; ++j) {
            for (std::size_t k = 0; k < ns && i != j; ++k) {
                teu[(i * economies + j) * ns + k] = size[i] * size[j];
            }
        }
    }
    AssignmentOptions free_flow;
    free_flow.max_iterations = 0;
    const auto probe = corridors::assign(setting, routes, now, delay, teu, value, free_flow, nullptr);
    std::vector<double> utilisation;
    for (std::size_t l = 0; l < net.links.size(); ++l) {
        if (!net.links[l].access) {
            utilisation.push_back(probe.load[l] / now[l].capacity);
        }
    }
    const auto top = utilisation.begin() + static_cast<std::ptrdiff_t>(utilisation.size() * 99 / 100);
    std::nth_element(utilisation.begin(), top, utilisation.end());
    const double scale = *top > 0.0 ? 1.0 / *top : 1.0;
    for (std::size_t f = 0; f < teu.size(); ++f) {
        teu[f] *= scale;
        value[f] = teu[f] * setting.value_per_teu[f % ns] * 12.0 / 1e9;
    }
    // Then, as the default world's calibration does (corridors.cpp), a link whose free-flow
    // load exceeds 80 % of its capacity gets the capacity that carries it at 80 %: about 2 % of
    // the links, which the assignment then pushes towards and past capacity.
    for (std::size_t l = 0; l < net.links.size(); ++l) {
        const double load = probe.load[l] * scale;
        if (!net.links[l].access && load > 0.8 * now[l].capacity) {
            now[l].capacity = load / 0.8;
        }
    }
    start = Clock::now();
    const auto a = corridors::assign(setting, routes, now, delay, teu, value, options, nullptr);
    out.assign_seconds = std::chrono::duration<double>(Clock::now() - start).count();
    out.iterations = a.iterations;
    out.residual = a.residual;
    return out;
}

} // namespace tradesim::models
