#include "detail/network_target.hpp"

#include <fmt/format.h>

namespace tradesim::models::detail {

bool require_network(Fields& f, PolicyContext& ctx, const char* kind) {
    if (ctx.network != nullptr) {
        return true;
    }
    ctx.problems.error(f.where(),
                       fmt::format("{}: kind \"{}\" acts on the transport network, and world {} "
                                   "has none (add a network/ folder to the world)",
                                   ctx.key_path, kind, ctx.world.directory));
    return false;
}

std::optional<NetworkTarget> read_target(Fields& f, PolicyContext& ctx, const char* kind,
                                         bool nodes_allowed) {
    if (!require_network(f, ctx, kind)) {
        return std::nullopt;
    }
    const Network& net = *ctx.network;
    const bool has_link = f.node("link") != nullptr;
    const bool has_node = f.node("node") != nullptr;
    if (has_link == has_node) {
        ctx.problems.error(f.where(),
                           fmt::format("{}: give {} (a link id \"FROM-TO\"){}", ctx.key_path,
                                       has_link ? "either link or node, not both" : "link",
                                       nodes_allowed ? " or node (a node id)" : ""));
        return std::nullopt;
    }
    if (has_node && !nodes_allowed) {
        f.error("node", fmt::format("{}: kind \"{}\" acts on a link, not a node", ctx.key_path,
                                    kind));
        return std::nullopt;
    }
    NetworkTarget t;
    if (has_link) {
        const auto id = f.string("link", true);
        if (!id) {
            return std::nullopt;
        }
        t.label = *id;
        t.link = net.link_index(*id);
        if (t.link < 0) {
            // Suggestions in both directions: a link joins its nodes both ways, and the id is
            // found in either order ("A-B" or "B-A", with the mode when two links join them).
            std::vector<std::string> ids;
            for (const auto& l : net.links) {
                if (!l.access) {
                    const std::string& a = net.nodes[l.from].id;
                    const std::string& b = net.nodes[l.to].id;
                    ids.push_back(l.id);
                    ids.push_back(l.id == a + "-" + b ? b + "-" + a
                                                      : b + "-" + a + "-" + to_string(l.mode));
                }
            }
            f.error("link", fmt::format("unknown link \"{}\" in {}.link{}", *id, ctx.key_path,
                                        sim::did_you_mean(*id, ids)));
            return std::nullopt;
        }
        return t;
    }
    const auto id = f.string("node", true);
    if (!id) {
        return std::nullopt;
    }
    t.label = *id;
    t.node = net.node_index(*id);
    if (t.node < 0 || net.nodes[static_cast<std::size_t>(t.node)].kind == "economy") {
        std::vector<std::string> ids;
        for (const auto& n : net.nodes) {
            if (n.kind != "economy") {
                ids.push_back(n.id);
            }
        }
        f.error("node", fmt::format("unknown node \"{}\" in {}.node{}", *id, ctx.key_path,
                                    sim::did_you_mean(*id, ids)));
        return std::nullopt;
    }
    for (std::size_t l = 0; l < net.links.size(); ++l) {
        const auto& link = net.links[l];
        if (!link.access && (link.from == static_cast<std::size_t>(t.node) ||
                             link.to == static_cast<std::size_t>(t.node))) {
            t.node_links.push_back(l);
        }
    }
    return t;
}

} // namespace tradesim::models::detail
