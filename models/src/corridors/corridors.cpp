// Corridors as agents in the run: the network's state from the corridor policies, routes
// recomputed when it changes, the step's assignment, the trade-cost factors it hands to the
// trade model, and the corridor tables.

#include "state.hpp"

#include "tradesim/sim/error.hpp"

#include <cmath>
#include <fmt/format.h>
#include <numeric>
#include <unordered_map>

namespace tradesim::models {

using corridors::LinkNow;

namespace corridors {

Setting routing_setting(const Network& network, const World& world) {
    Setting setting;
    setting.network = &network;
    setting.value_per_teu = network.params.value_per_teu;
    setting.time_cost = network.params.time_cost;
    const Dims& d = world.dims;
    double trade = 0.0, containers = 0.0, time = 0.0;
    for (std::size_t i = 0; i < d.countries; ++i) {
        for (std::size_t j = 0; j < d.countries; ++j) {
            for (std::size_t k = 0; k < d.sectors; ++k) {
                const double x = world.flows[d.flow(i, j, k)];
                if (i == j || !(setting.value_per_teu[k] > 0.0)) {
                    continue;
                }
                trade += x;
                containers += x / setting.value_per_teu[k];
                time += x * setting.time_cost[k];
            }
        }
    }
    setting.mean_value = containers > 0.0 ? trade / containers : 1.0;
    setting.mean_time = trade > 0.0 ? time / trade : 0.0;
    return setting;
}

std::vector<LinkNow> links_at(const Network& network, const NetworkState& state,
                              const std::vector<double>& capacity_scale) {
    std::vector<LinkNow> out(network.links.size());
    for (std::size_t l = 0; l < network.links.size(); ++l) {
        const NetworkLink& link = network.links[l];
        const bool open = state.open[l] != 0 && state.node_delay[link.from] >= 0.0 &&
                          state.node_delay[link.to] >= 0.0;
        out[l] = LinkNow{link.cost_per_teu * state.cost_factor[l],
                         link.days * state.days_factor[l] + link.border_delay,
                         link.capacity * state.capacity_factor[l] *
                             (capacity_scale.empty() ? 1.0 : capacity_scale[l]),
                         open,
                         link.mode == Mode::rail ? network.params.rail_beta
                                                 : network.params.beta};
    }
    return out;
}

std::vector<double> node_delays(const NetworkState& state) {
    std::vector<double> d = state.node_delay;
    for (double& v : d) {
        v = std::max(v, 0.0);
    }
    return d;
}

} // namespace corridors

NetworkState network_baseline(const Network& network) {
    NetworkState s;
    const std::size_t nl = network.links.size();
    s.open.assign(nl, 1);
    for (std::size_t l = 0; l < nl; ++l) {
        s.open[l] = network.links[l].planned ? 0 : 1;
    }
    s.cost_factor.assign(nl, 1.0);
    s.capacity_factor.assign(nl, 1.0);
    s.days_factor.assign(nl, 1.0);
    s.node_delay.assign(network.nodes.size(), 0.0);
    return s;
}

struct Corridors::Impl {
    const Scenario& scenario;
    const Network& net;
    Dims dims;
    corridors::Setting setting;
    corridors::RouteSet routes;
    corridors::RouteSet base_routes; ///< the baseline's, kept as candidates while open
    NetworkState routed_state; ///< the state the routes were found for
    std::vector<double> base_cost; ///< G0_ijk
    std::vector<double> last_load;
    std::vector<double> last_flows; ///< route flows of the last assignment, for a warm start
    std::vector<std::size_t> table_links; ///< network link index of each table row
    /// Effective capacity over the stated one: the stated capacities are of container
    /// services, while the model ships all goods trade as containers; where the baseline's
    /// free-flow loads exceed 80 % of a stated capacity, the capacity is raised to carry them
    /// at 80 % (counted in calibration).
    std::vector<double> capacity_scale;
    CorridorCalibration calibration;
    std::vector<std::string> ids, modes;
    std::vector<std::string> paths;                    ///< route_paths()
    std::unordered_map<std::string, std::uint32_t> path_index;
    std::vector<std::uint32_t> route_path;             ///< per route of `routes`
    CorridorTables tables;

    Impl(const Scenario& s)
        : scenario(s), net(*s.network), dims(s.world->dims) {
        setting = corridors::routing_setting(net, *s.world);
        for (std::size_t l = 0; l < net.links.size(); ++l) {
            if (!net.links[l].access) {
                table_links.push_back(l);
                ids.push_back(net.links[l].id);
                modes.push_back(to_string(net.links[l].mode));
            }
        }
    }

    std::vector<LinkNow> links_now(const NetworkState& st) const {
        return corridors::links_at(net, st, capacity_scale);
    }

    // Containers per month and values per flow (international flows of shipped sectors).
    void cargo(const std::vector<double>& flows, std::vector<double>& teu,
               std::vector<double>& value) const {
        teu.assign(dims.flow_count(), 0.0);
        value.assign(dims.flow_count(), 0.0);
        for (std::size_t i = 0; i < dims.countries; ++i) {
            for (std::size_t j = 0; j < dims.countries; ++j) {
                for (std::size_t k = 0; k < dims.sectors; ++k) {
                    const std::size_t f = dims.flow(i, j, k);
                    if (i == j || !(setting.value_per_teu[k] > 0.0)) {
                        continue;
                    }
                    value[f] = flows[f];
                    teu[f] = flows[f] * 1e9 / setting.value_per_teu[k] / 12.0;
                }
            }
        }
    }

    corridors::Assignment run(const NetworkState& st, const std::vector<double>& flows,
                              const std::string& date) {
        const bool changed = routes.routes() == 0 || st.open != routed_state.open ||
                             st.node_delay != routed_state.node_delay ||
                             st.cost_factor != routed_state.cost_factor ||
                             st.days_factor != routed_state.days_factor;
        const auto now = links_now(st);
        const auto delay = corridors::node_delays(st);
        if (changed) {
            routes = corridors::find_routes(setting, now, delay);
            if (base_routes.routes() == 0) {
                base_routes = routes;
            } else {
                routes = corridors::merge_routes(routes, base_routes, now);
            }
            routed_state = st;
            last_flows.clear();
            name_routes();
        }
        std::vector<double> teu, value;
        cargo(flows, teu, value);
        auto a = corridors::assign(setting, routes, now, delay, teu, value, AssignmentOptions{},
                                   last_flows.empty() ? nullptr : &last_flows);
        last_flows = a.flows;
        // A pair that trades must keep a route.
        for (std::size_t i = 0; i < dims.countries; ++i) {
            for (std::size_t j = 0; j < dims.countries; ++j) {
                if (i != j && routes.pair_begin[i * dims.countries + j] ==
                                  routes.pair_begin[i * dims.countries + j + 1]) {
                    double x = 0.0;
                    for (std::size_t k = 0; k < dims.sectors; ++k) {
                        x += scenario.world->flows[dims.flow(i, j, k)];
                    }
                    if (x > 0.0) {
                        throw sim::InputError(fmt::format(
                            "{}: {}: the network leaves no route from {} to {}, which trade "
                            "{:.3g} bn USD/yr at the baseline: a closure disconnects them",
                            scenario.path, date, scenario.world->countries[i].code,
                            scenario.world->countries[j].code, x));
                    }
                }
            }
        }
        last_load = a.load;
        fill_tables(a, now, flows);
        return a;
    }

    // The path of every route as node ids, numbered in the order first met.
    void name_routes() {
        route_path.assign(routes.routes(), 0);
        std::string path;
        for (std::size_t r = 0; r < routes.routes(); ++r) {
            path.clear();
            // The last hop enters the importer's own node.
            for (std::uint32_t h = routes.hop_begin[r]; h + 1 < routes.hop_begin[r + 1]; ++h) {
                if (!path.empty()) {
                    path += '>';
                }
                path += net.nodes[routes.hops[h].to].id;
            }
            const auto [it, added] =
                path_index.emplace(path, static_cast<std::uint32_t>(paths.size()));
            if (added) {
                paths.push_back(path);
            }
            route_path[r] = it->second;
        }
    }

    void fill_tables(const corridors::Assignment& a, const std::vector<LinkNow>& now,
                     const std::vector<double>& flows) {
        const std::size_t n = dims.countries;
        auto& t = tables;
        const std::size_t rows = table_links.size();
        t.link_teu.assign(rows, 0.0);
        t.link_value.assign(rows, 0.0);
        t.link_utilisation.assign(rows, 0.0);
        t.link_cost.assign(rows, 0.0);
        t.link_days.assign(rows, 0.0);
        t.link_open.assign(rows, 0.0);
        const auto& p = net.params;
        for (std::size_t row = 0; row < rows; ++row) {
            const std::size_t l = table_links[row];
            const double u = now[l].capacity > 0.0 ? a.load[l] / now[l].capacity : 0.0;
            const double f = 1.0 + p.alpha * std::pow(u, now[l].beta);
            t.link_teu[row] = a.load[l];
            t.link_value[row] = a.link_value[l];
            t.link_utilisation[row] = now[l].open ? u : 0.0;
            t.link_cost[row] = now[l].cost * f;
            t.link_days[row] = now[l].days * f;
            t.link_open[row] = now[l].open ? 1.0 : 0.0;
        }
        t.mode_share.assign(n * n * mode_count, 0.0);
        t.pair_days.assign(n * n, 0.0);
        t.pair_cost.assign(n * n, 0.0);
        t.pair_routes.assign(n * n, 0.0);
        t.route_pair.clear();
        t.route_path.clear();
        t.route_mode.clear();
        t.route_share.clear();
        t.route_teu.clear();
        t.route_value.clear();
        t.route_days.clear();
        for (std::size_t i = 0; i < n; ++i) {
            for (std::size_t j = 0; j < n; ++j) {
                if (i == j) {
                    continue;
                }
                const std::size_t pair = i * n + j;
                double total = 0.0, days = 0.0;
                for (std::uint32_t r = routes.pair_begin[pair]; r < routes.pair_begin[pair + 1];
                     ++r) {
                    total += a.route_teu[r];
                    days += a.route_teu[r] * a.route_days[r];
                    t.mode_share[pair * mode_count + static_cast<std::size_t>(routes.mode[r])] +=
                        a.route_teu[r];
                }
                t.pair_routes[pair] = routes.pair_begin[pair + 1] - routes.pair_begin[pair];
                if (total > 0.0) {
                    for (std::size_t m = 0; m < mode_count; ++m) {
                        t.mode_share[pair * mode_count + m] /= total;
                    }
                    t.pair_days[pair] = days / total;
                    for (std::uint32_t r = routes.pair_begin[pair];
                         r < routes.pair_begin[pair + 1]; ++r) {
                        const double share = a.route_teu[r] / total;
                        if (share < 1e-3) {
                            continue;
                        }
                        t.route_pair.push_back(static_cast<std::uint32_t>(pair));
                        t.route_path.push_back(route_path[r]);
                        t.route_mode.push_back(static_cast<std::uint8_t>(routes.mode[r]));
                        t.route_share.push_back(share);
                        t.route_teu.push_back(a.route_teu[r]);
                        t.route_value.push_back(a.route_value[r]);
                        t.route_days.push_back(a.route_days[r]);
                    }
                }
                double worth = 0.0, cost = 0.0;
                for (std::size_t k = 0; k < dims.sectors; ++k) {
                    const std::size_t f = dims.flow(i, j, k);
                    if (setting.value_per_teu[k] > 0.0 && std::isfinite(a.pair_cost[f])) {
                        worth += flows[f];
                        cost += flows[f] * a.pair_cost[f];
                    }
                }
                t.pair_cost[pair] = worth > 0.0 ? 100.0 * cost / worth : 0.0;
            }
        }
        t.iterations = a.iterations;
        t.residual = a.residual;
    }
};

Corridors::Corridors(const Scenario& scenario) : impl_(std::make_unique<Impl>(scenario)) {
    Impl& m = *impl_;
    const NetworkState base = network_baseline(m.net);
    {
        const auto now = m.links_now(base);
        const auto delay = corridors::node_delays(base);
        std::vector<double> teu, value;
        m.cargo(scenario.world->flows, teu, value);
        AssignmentOptions free_flow;
        free_flow.max_iterations = 0;
        // The rail constant, per 1,000 km of rail, that gives rail its observed share of the
        // calibration pairs' trade at free flow (bisection: the share falls as it rises; routes
        // are searched again at each trial, as the constant is part of their weights).
        const auto& p = m.net.params;
        const int exporter = scenario.world->country_index(p.calibration_exporter);
        if (p.rail_share > 0.0 && exporter >= 0) {
            const std::size_t n = m.dims.countries;
            const auto rail_share = [&](double per_1000km) {
                m.setting.km_constant[static_cast<std::size_t>(Mode::rail)] = per_1000km / 1000.0;
                const auto trial = corridors::find_routes(m.setting, now, delay);
                const auto a = corridors::assign(m.setting, trial, now, delay, teu, value,
                                                 free_flow, nullptr);
                double rail = 0.0, all = 0.0;
                for (const auto& code : p.calibration_importers) {
                    const int j = scenario.world->country_index(code);
                    const std::size_t pair = static_cast<std::size_t>(exporter) * n +
                                             static_cast<std::size_t>(j);
                    for (std::uint32_t r = trial.pair_begin[pair]; r < trial.pair_begin[pair + 1];
                         ++r) {
                        all += a.route_value[r];
                        rail += trial.mode[r] == Mode::rail ? a.route_value[r] : 0.0;
                    }
                }
                return all > 0.0 ? rail / all : 0.0;
            };
            double lo = 0.0, hi = 1.0;
            if (rail_share(lo) > p.rail_share) {
                for (int it = 0; it < 50; ++it) {
                    const double mid = 0.5 * (lo + hi);
                    (rail_share(mid) > p.rail_share ? lo : hi) = mid;
                }
            } else {
                hi = lo; // rail carries less than the target without a constant
            }
            m.calibration.rail_constant = 0.5 * (lo + hi);
            m.calibration.rail_share_target = p.rail_share;
            m.calibration.rail_share = rail_share(m.calibration.rail_constant);
        }
        const auto free_routes = corridors::find_routes(m.setting, now, delay);
        // Effective capacities from the baseline's free-flow loads.
        const auto a = corridors::assign(m.setting, free_routes, now, delay, teu, value,
                                         free_flow, nullptr);
        m.capacity_scale.assign(m.net.links.size(), 1.0);
        m.calibration.links = m.net.links.size();
        for (std::size_t l = 0; l < m.net.links.size(); ++l) {
            const double cap = now[l].capacity;
            if (cap > 0.0 && a.load[l] > 0.8 * cap) {
                m.capacity_scale[l] = a.load[l] / (0.8 * cap);
                ++m.calibration.capacities_raised;
            }
        }
    }
    const auto a = m.run(base, scenario.world->flows, scenario.calendar.start().str());
    m.base_cost = a.pair_cost;
}

Corridors::~Corridors() = default;

void Corridors::step(PolicyState& policy, const std::vector<double>& flows,
                     const std::string& date) {
    Impl& m = *impl_;
    const auto a = m.run(policy.network, flows, date);
    const Dims& d = m.dims;
    policy.trade_cost.assign(d.flow_count(), 1.0);
    for (std::size_t f = 0; f < d.flow_count(); ++f) {
        const double g = a.pair_cost[f];
        const double g0 = m.base_cost[f];
        if (g != 0.0 && std::isfinite(g) && std::isfinite(g0)) {
            policy.trade_cost[f] = (1.0 + g) / (1.0 + g0);
        }
    }
}

const CorridorTables& Corridors::tables() const noexcept { return impl_->tables; }
const CorridorCalibration& Corridors::calibration() const noexcept { return impl_->calibration; }
const std::vector<std::string>& Corridors::link_ids() const noexcept { return impl_->ids; }
const std::vector<std::string>& Corridors::link_modes() const noexcept { return impl_->modes; }
const std::vector<std::string>& Corridors::route_paths() const noexcept { return impl_->paths; }

} // namespace tradesim::models
