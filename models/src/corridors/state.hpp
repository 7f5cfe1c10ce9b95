#pragma once
// Routing and assignment on a network, independent of scenarios (the benchmark uses them on a
// synthetic network): candidate routes by Dijkstra under mode rules, and the congested logit
// assignment of a step's containers to them.

#include "tradesim/models/corridors.hpp"

#include <cstdint>
#include <vector>

namespace tradesim::models::corridors {

/// A link as a step sees it.
struct LinkNow {
    double cost = 0;     ///< USD per TEU, before congestion
    double days = 0;     ///< moving + border delay, before congestion
    double capacity = 0; ///< TEU per month
    bool open = true;
    double beta = 4.0;   ///< congestion exponent
};

struct Hop {
    std::uint32_t link = 0;
    std::uint32_t to = 0; ///< node entered
};

/// Candidate routes of every origin-destination pair (economies i != j), flat.
struct RouteSet {
    std::size_t economies = 0;
    std::vector<std::uint32_t> pair_begin; ///< N*N + 1: routes of pair (i, j)
    std::vector<std::uint32_t> hop_begin;  ///< routes + 1
    std::vector<Hop> hops;
    std::vector<Mode> mode; ///< per route: the mode that carries it the most kilometres
    [[nodiscard]] std::size_t routes() const noexcept { return mode.size(); }
};

/// What routing needs of the network and the goods.
struct Setting {
    const Network* network = nullptr;
    std::vector<double> value_per_teu; ///< per sector (0 for sectors not shipped)
    std::vector<double> time_cost;     ///< per sector, share of value per day
    /// Per mode (rail, sea, road, air): a cost per kilometre on the mode's links (share of
    /// value per km, access legs excepted), standing for what freight rates and days leave out.
    /// Additive over links, so the Dijkstra weights include it and a route's constant changes
    /// smoothly with its make-up.
    std::vector<double> km_constant = std::vector<double>(mode_count, 0.0);
    double mean_value = 1;             ///< for the Dijkstra weights
    double mean_time = 0;
};

/// The routing setting of a world's network: its sectors' values and time costs, and Dijkstra
/// weights at the trade-weighted mean value per TEU and time cost of the baseline's shipped
/// trade (no mode constants: the calibration sets them).
[[nodiscard]] Setting routing_setting(const Network& network, const World& world);

/// The links as a step in `state` sees them before congestion: costs, days (with border
/// delays) and capacities scaled by the state's factors and by `capacity_scale` (per link;
/// empty = 1), closed with their node (node_delay < 0 marks a closed node).
[[nodiscard]] std::vector<LinkNow> links_at(const Network& network, const NetworkState& state,
                                            const std::vector<double>& capacity_scale);
/// The extra days at each node in `state` (closed nodes count 0: their links are closed).
[[nodiscard]] std::vector<double> node_delays(const NetworkState& state);

/// Candidate routes over the open links (parallel over origins, merged in origin order).
[[nodiscard]] RouteSet find_routes(const Setting& setting, const std::vector<LinkNow>& links,
                                   const std::vector<double>& node_delay);

/// The routes of `found`, then per pair those of `keep` that are still open (all their links)
/// and not already in `found`: after a change of the network, the baseline's routes stay
/// candidates, so that an opening or an investment adds alternatives and never takes one away
/// (Dijkstra's weights leave out congestion and the mode constants, so a new best path by
/// those weights can be worse than the one it displaced).
[[nodiscard]] RouteSet merge_routes(const RouteSet& found, const RouteSet& keep,
                                    const std::vector<LinkNow>& links);

struct Assignment {
    std::vector<double> load;       ///< TEU per month per link
    std::vector<double> pair_cost;  ///< G_ijk (N*N*K), infinite when a pair has no route
    std::vector<double> route_teu;  ///< per route
    std::vector<double> route_days; ///< per route, congestion included
    std::vector<double> link_value; ///< USD bn/yr per link
    std::vector<double> route_value; ///< USD bn/yr per route
    std::vector<double> flows;       ///< route flows by sector (route * K + k), TEU per month
    int iterations = 0;
    double residual = 0;
};

/// Loads `teu` (N*N*K containers per month) and `value` (USD bn/yr, for the value table) onto
/// the routes: the congested logit equilibrium, starting from `start` route flows (the last
/// step's, rescaled to this step's containers) when given for the same routes.
[[nodiscard]] Assignment assign(const Setting& setting, const RouteSet& routes,
                                const std::vector<LinkNow>& links,
                                const std::vector<double>& node_delay,
                                const std::vector<double>& teu, const std::vector<double>& value,
                                const AssignmentOptions& options,
                                const std::vector<double>* start);

} // namespace tradesim::models::corridors
