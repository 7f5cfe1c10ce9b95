#pragma once
/// Transport corridors as agents: each step the goods traded between economies are routed over
/// the network, links congest, and the pair costs become the trade model's iceberg costs.
///
///   generalized cost of route r for sector k (ad valorem, share of the goods' value):
///     g_rk = sum over its links e of (c_e / V_k + (d_e + delay at the node it enters) h_k) f_e
///     c_e freight USD per TEU, d_e days moving and waiting at a border, V_k value of a TEU of
///     sector k's goods, h_k the value lost per day in transit (Hummels & Schaur 2013),
///     f_e = 1 + alpha (x_e / capacity_e)^beta congestion at the link's load x_e (TEU/month)
///   route choice (logit over a pair's candidate routes, scale mu):
///     s_rk = exp(-g_rk / mu) / sum_q exp(-g_qk / mu)
///   pair cost G_ijk = -mu ln sum_r exp(-g_rk / mu)  (expected cost of the best route)
///   trade cost  tau_ijk / tau0_ijk = (1 + G_ijk) / (1 + G0_ijk), G0 at the baseline network
///   loads       x_e = sum over pairs, sectors and routes through e of s_rk X_ijk / V_k / 12
/// Candidate routes: for each origin, Dijkstra (Boost.Graph) over the open network under five
/// mode rules (any; no air; sea; land; air), distinct paths kept, at most routes_per_pair. The
/// loads use the last step's flows; the assignment (loads <-> congestion) is a damped fixed
/// point solved each step to a relative residual of 1e-9, reported with its iterations.

#include "tradesim/models/network.hpp"
#include "tradesim/models/policy.hpp"
#include "tradesim/models/scenario.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace tradesim::models {

struct CorridorTables {
    /// Per link of the scenario's network, access legs left out (link_ids()).
    std::vector<double> link_teu;         ///< TEU per month
    std::vector<double> link_value;       ///< USD bn/yr of goods
    std::vector<double> link_utilisation; ///< load / capacity (0 when closed)
    std::vector<double> link_cost;        ///< USD per TEU, congestion included
    std::vector<double> link_days;        ///< transit days incl. border delay and congestion
    std::vector<double> link_open;        ///< 1 open, 0 closed
    /// Per exporter-importer pair (Dims::pair); the diagonal is 0.
    std::vector<double> mode_share;       ///< pair * 4 + mode (rail, sea, road, air), by TEU
    std::vector<double> pair_days;        ///< mean transit days, TEU-weighted
    std::vector<double> pair_cost;        ///< generalized cost, % of value, trade-weighted
    std::vector<double> pair_routes;      ///< candidate routes
    /// Per route that carries at least 0.1 % of its pair's containers, pairs in order: the
    /// route shares of each pair.
    std::vector<std::uint32_t> route_pair; ///< Dims::pair index (exporter * N + importer)
    std::vector<std::uint32_t> route_path; ///< index into Corridors::route_paths()
    std::vector<std::uint8_t> route_mode;  ///< Mode of its longest leg
    std::vector<double> route_share;       ///< of the pair's TEU
    std::vector<double> route_teu;         ///< TEU per month
    std::vector<double> route_value;       ///< USD bn/yr of goods
    std::vector<double> route_days;        ///< transit days, congestion included
    int iterations = 0;                   ///< of the assignment this step
    double residual = 0;                  ///< relative, at the end of the assignment
};

/// How the network was fitted to the baseline (see Corridors::Corridors).
struct CorridorCalibration {
    /// Added to the generalized cost of a route per 1,000 km of rail links on it (share of
    /// value): fitted so that routes mainly by rail carry `rail_share_target` of the
    /// calibration pairs' trade by value at free flow.
    double rail_constant = 0;
    double rail_share_target = 0; ///< 0: no calibration
    double rail_share = 0;        ///< reached at free flow
    /// Links whose stated capacity was raised so that the baseline's free-flow load runs at
    /// 80 % of it, of `links` (access legs included).
    std::size_t capacities_raised = 0, links = 0;
};

struct AssignmentOptions {
    double tolerance = 1e-9; ///< relative residual of link loads
    int max_iterations = 1000;
};

class Corridors {
public:
    /// Routes the scenario's baseline flows over its network at its baseline state (the
    /// reference G0). Throws InputError if a pair that trades has no route.
    explicit Corridors(const Scenario& scenario);
    ~Corridors();
    Corridors(const Corridors&) = delete;
    Corridors& operator=(const Corridors&) = delete;

    /// One step: routes `flows` (X_ijk, USD bn/yr; the last step's) over the network as
    /// `policy.network` leaves it and writes policy.trade_cost. Throws InputError naming the
    /// pair and date when closures leave a trading pair without a route.
    void step(PolicyState& policy, const std::vector<double>& flows, const std::string& date);
    [[nodiscard]] const CorridorTables& tables() const noexcept;
    [[nodiscard]] const CorridorCalibration& calibration() const noexcept;
    /// Ids of the links in the tables (the network's links without access legs).
    [[nodiscard]] const std::vector<std::string>& link_ids() const noexcept;
    [[nodiscard]] const std::vector<std::string>& link_modes() const noexcept;
    /// The routes met so far in the run, as the node ids they pass ("PORT_SHANGHAI>SEA_MALACCA>
    /// ...>PORT_ROTTERDAM", the economies' own nodes left out); grows when the network changes.
    [[nodiscard]] const std::vector<std::string>& route_paths() const noexcept;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

/// The network's state with no corridor policy: world links open, planned ones closed.
[[nodiscard]] NetworkState network_baseline(const Network& network);

/// A synthetic problem for benchmarks: `nodes` nodes, `links` links, `economies` economies,
/// one assignment of gravity-like flows; returns {seconds for routes, seconds for assignment,
/// iterations, residual}.
struct AssignmentBench {
    double route_seconds = 0, assign_seconds = 0, residual = 0;
    int iterations = 0;
    std::size_t routes = 0;
};
[[nodiscard]] AssignmentBench bench_assignment(std::size_t nodes, std::size_t links,
                                               std::size_t economies, std::uint64_t seed,
                                               const AssignmentOptions& options);

} // namespace tradesim::models
