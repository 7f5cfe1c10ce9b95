#pragma once
/// The transport network of a world (world folder `network/`): hubs, ports, border crossings,
/// sea passages and air hubs joined by rail, sea, road and air links, and the gateways through
/// which each economy reaches it. Plain-text facts: nodes.csv, links.csv, gateways.csv and
/// network.toml (parameters), each figure with its source (network/SOURCES.md).

#include <cstddef>
#include <string>
#include <vector>

namespace tradesim::models {

enum class Mode { rail, sea, road, air };
[[nodiscard]] const char* to_string(Mode mode) noexcept;
constexpr std::size_t mode_count = 4;

struct NetworkNode {
    std::string id;
    std::string name;
    std::string kind;    ///< hub, port, border, sea, air; "economy" for an economy's own node
    std::string country; ///< ISO3 or "-"
    double lat = 0, lon = 0;
};

struct NetworkLink {
    std::size_t from = 0, to = 0; ///< node indices; usable both ways unless `access`
    Mode mode = Mode::sea;
    double km = 0;
    double days = 0;         ///< moving time
    double cost_per_teu = 0; ///< USD
    double capacity = 0;     ///< TEU per month
    double border_delay = 0; ///< days waiting at the border or canal it crosses
    bool gauge_change = false;
    /// An economy's leg to or from one of its gateways: one way, from the economy's node
    /// (exports) or to it (imports), so that no route passes through a third economy's node.
    bool access = false;
    /// Added by a scenario's corridor_opening: closed until the policy opens it.
    bool planned = false;
    std::string id; ///< "FROM-TO" (mode appended when two links join the same nodes)
};

struct NetworkParams {
    std::vector<double> time_cost;     ///< per sector: share of value lost per day in transit
    std::vector<double> value_per_teu; ///< per sector: USD of goods in a loaded TEU
    double road_cost_per_teu_km = 0, rail_cost_per_teu_km = 0;
    double road_km_per_day = 0, rail_km_per_day = 0;
    double alpha = 0.15, beta = 4.0; ///< congestion: cost x (1 + alpha (flow/capacity)^beta)
    double rail_beta = 4.0;          ///< beta of rail links (train paths and border terminals)
    double dispersion = 0.02;        ///< logit scale of route choice (ad-valorem cost)
    int routes_per_pair = 4;
    /// Calibration target ([calibration], optional): rail's share of the value of the trade
    /// from `calibration_exporter` to `calibration_importers`; 0 = no calibration.
    double rail_share = 0;
    std::string calibration_exporter;
    std::vector<std::string> calibration_importers;
};

struct Network {
    std::string directory;
    std::vector<NetworkNode> nodes;
    std::vector<NetworkLink> links;
    /// Per economy of the world: the index of its own node (kind "economy").
    std::vector<std::size_t> economy_node;
    NetworkParams params;

    /// Index of a node id, or -1.
    [[nodiscard]] int node_index(const std::string& id) const noexcept;
    /// Index of a link id ("FROM-TO" in either order, or "FROM-TO-mode"), or -1.
    [[nodiscard]] int link_index(const std::string& id) const noexcept;
};

struct World;

/// Reads `directory` (nodes.csv, links.csv, gateways.csv, network.toml) for `world`. Throws
/// InputError listing every problem (file:line:column): unknown node ids, negative or zero
/// capacities, costs or distances, an economy of the world with no gateway, a sector without
/// a time cost; IoError when a file is missing.
[[nodiscard]] Network load_network(const std::string& directory, const World& world);

} // namespace tradesim::models
