// Policy kind "corridor_opening": a new link between two nodes of the network, open from a
// date (optionally until an end date): mode, distance, transit days, cost per TEU, capacity,
// and a border delay and gauge change where it has them.

#include "tradesim/models/policy.hpp"

#include "detail/network_target.hpp"

#include <fmt/format.h>

namespace tradesim::models {
namespace {

class OpeningPolicy final : public Policy {
public:
    OpeningPolicy(const PolicyContext& ctx, std::size_t link, std::string label,
                  std::string note, std::string end_date)
        : link_(link), label_(std::move(label)), note_(std::move(note)),
          date_(ctx.calendar.date_of(ctx.start_step).str()), end_date_(std::move(end_date)) {
        start_step_ = ctx.start_step;
        end_step_ = ctx.end_step;
    }
    [[nodiscard]] const std::string& kind() const noexcept override { return kind_; }
    void apply(PolicyState& state) const override { state.network.open[link_] = 1; }
    [[nodiscard]] Event describe(bool ending) const override {
        Event e;
        e.step = ending ? end_step_ : start_step_;
        e.date = ending ? end_date_ : date_;
        e.kind = ending ? "corridor_opening_end" : "corridor_opening";
        e.sector = label_;
        e.message = ending ? fmt::format("link {} closes again", label_)
                           : fmt::format("new link {} opens", label_);
        if (!note_.empty()) {
            e.message += " — " + note_;
        }
        return e;
    }

private:
    std::string kind_ = "corridor_opening";
    std::size_t link_;
    std::string label_, note_, date_, end_date_;
};

std::unique_ptr<Policy> read(const sim::SpecNode& table, PolicyContext& ctx,
                             std::vector<std::string>& keys_used) {
    for (const char* k :
         {"from", "to", "mode", "distance_km", "transit_days", "cost_usd_per_teu",
          "capacity_teu_per_month", "border_delay_days", "gauge_change", "note"}) {
        keys_used.emplace_back(k);
    }
    detail::Fields f(table, ctx.key_path, ctx.problems, {});
    if (!detail::require_network(f, ctx, "corridor_opening")) {
        return nullptr;
    }
    Network& net = *ctx.network;
    NetworkLink link;
    link.planned = true;
    bool ok = true;
    int ends[2] = {-1, -1};
    for (int side = 0; side < 2; ++side) {
        const char* key = side == 0 ? "from" : "to";
        const auto id = f.string(key, true);
        if (!id) {
            ok = false;
            continue;
        }
        ends[side] = net.node_index(*id);
        if (ends[side] < 0 || net.nodes[static_cast<std::size_t>(ends[side])].kind == "economy") {
            std::vector<std::string> ids;
            for (const auto& n : net.nodes) {
                if (n.kind != "economy") {
                    ids.push_back(n.id);
                }
            }
            f.error(key, fmt::format("unknown node \"{}\" in {}.{}{}", *id, ctx.key_path, key,
                                     sim::did_you_mean(*id, ids)));
            ok = false;
        }
    }
    if (ok && ends[0] == ends[1]) {
        f.error("to", fmt::format("{}: a link must join two different nodes", ctx.key_path));
        ok = false;
    }
    const auto mode = f.string("mode", true);
    const std::vector<std::string> modes = {"rail", "sea", "road", "air"};
    if (mode) {
        const auto it = std::find(modes.begin(), modes.end(), *mode);
        if (it == modes.end()) {
            f.error("mode", fmt::format("{}.mode = \"{}\" must be rail, sea, road or air{}",
                                        ctx.key_path, *mode, sim::did_you_mean(*mode, modes)));
            ok = false;
        } else {
            link.mode = static_cast<Mode>(it - modes.begin());
        }
    } else {
        ok = false;
    }
    const auto positive = [&](const char* key, double& out, bool required) {
        const auto v = f.number(key, required);
        if (!v) {
            ok = ok && !required;
            return;
        }
        if (!(*v >= 0.0) || (required && !(*v > 0.0))) {
            f.error(key, fmt::format("{}.{} = {} must be {}", ctx.key_path, key, *v,
                                     required ? "positive" : "zero or more"));
            ok = false;
            return;
        }
        out = *v;
    };
    positive("distance_km", link.km, true);
    positive("transit_days", link.days, true);
    positive("cost_usd_per_teu", link.cost_per_teu, true);
    positive("capacity_teu_per_month", link.capacity, true);
    positive("border_delay_days", link.border_delay, false);
    double gauge = 0.0;
    positive("gauge_change", gauge, false);
    link.gauge_change = gauge != 0.0;
    const auto note = f.string("note", false);
    if (!ok) {
        return nullptr;
    }
    link.from = static_cast<std::size_t>(ends[0]);
    link.to = static_cast<std::size_t>(ends[1]);
    link.id = fmt::format("{}-{}", net.nodes[link.from].id, net.nodes[link.to].id);
    if (net.link_index(link.id) >= 0) {
        link.id += std::string("-") + to_string(link.mode);
    }
    const std::size_t index = net.links.size();
    const std::string label = link.id;
    net.links.push_back(std::move(link));
    const auto* end = table.find("end");
    return std::make_unique<OpeningPolicy>(
        ctx, index, label, note.value_or(""),
        end != nullptr ? ctx.calendar.date_of(ctx.end_step).str() : std::string{});
}

} // namespace

void register_policy_corridor_opening(PolicyRegistry& registry) {
    registry.add("corridor_opening", read);
}

} // namespace tradesim::models
