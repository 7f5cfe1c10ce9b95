// Policy kind "corridor_closure": a link (`link = "FROM-TO"`) or a node with all its links
// (`node = "ID"`, e.g. the Suez Canal) is closed from a date, optionally until an end date.

#include "tradesim/models/policy.hpp"

#include "detail/network_target.hpp"

#include <fmt/format.h>

namespace tradesim::models {
namespace {

class ClosurePolicy final : public Policy {
public:
    ClosurePolicy(const PolicyContext& ctx, detail::NetworkTarget target, std::string note,
                  std::string end_date)
        : target_(std::move(target)), note_(std::move(note)),
          date_(ctx.calendar.date_of(ctx.start_step).str()), end_date_(std::move(end_date)) {
        start_step_ = ctx.start_step;
        end_step_ = ctx.end_step;
    }
    [[nodiscard]] const std::string& kind() const noexcept override { return kind_; }
    void apply(PolicyState& state) const override {
        if (target_.link >= 0) {
            state.network.open[static_cast<std::size_t>(target_.link)] = 0;
        } else {
            state.network.node_delay[static_cast<std::size_t>(target_.node)] = -1.0;
        }
    }
    [[nodiscard]] Event describe(bool ending) const override {
        Event e;
        e.step = ending ? end_step_ : start_step_;
        e.date = ending ? end_date_ : date_;
        e.kind = ending ? "corridor_reopening" : "corridor_closure";
        e.sector = target_.label;
        e.message = fmt::format("{} {} {}", target_.link >= 0 ? "link" : "node", target_.label,
                                ending ? "reopens" : "closes");
        if (!note_.empty()) {
            e.message += " — " + note_;
        }
        return e;
    }

private:
    std::string kind_ = "corridor_closure";
    detail::NetworkTarget target_;
    std::string note_, date_, end_date_;
};

std::unique_ptr<Policy> read(const sim::SpecNode& table, PolicyContext& ctx,
                             std::vector<std::string>& keys_used) {
    for (const char* k : {"link", "node", "note"}) {
        keys_used.emplace_back(k);
    }
    detail::Fields f(table, ctx.key_path, ctx.problems, {});
    auto target = detail::read_target(f, ctx, "corridor_closure", true);
    const auto note = f.string("note", false);
    if (!target) {
        return nullptr;
    }
    const auto* end = table.find("end");
    return std::make_unique<ClosurePolicy>(
        ctx, std::move(*target), note.value_or(""),
        end != nullptr ? ctx.calendar.date_of(ctx.end_step).str() : std::string{});
}

} // namespace

void register_policy_corridor_closure(PolicyRegistry& registry) {
    registry.add("corridor_closure", read);
}

} // namespace tradesim::models
