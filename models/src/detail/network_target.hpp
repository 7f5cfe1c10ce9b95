#pragma once
// The link or node a corridor policy acts on (`link = "FROM-TO"` or `node = "ID"`), resolved
// against the scenario's network, with every problem reported.

#include "detail/fields.hpp"
#include "tradesim/models/policy.hpp"

#include <optional>
#include <string>
#include <vector>

namespace tradesim::models::detail {

struct NetworkTarget {
    std::string label; ///< the id as written
    int link = -1;     ///< a link, or
    int node = -1;     ///< a node
    std::vector<std::size_t> node_links; ///< with a node: the links that touch it (no access legs)
};

/// Reads `link` or `node` (exactly one). Reports a scenario without a network, an unknown
/// id (with a suggestion), or both keys.
std::optional<NetworkTarget> read_target(Fields& f, PolicyContext& ctx, const char* kind,
                                         bool nodes_allowed);

/// The scenario has a network; otherwise reports that `kind` needs one.
bool require_network(Fields& f, PolicyContext& ctx, const char* kind);

} // namespace tradesim::models::detail
