// Policy kind "border_delay": goods wait `days` more at a node (a border crossing, a port or a
// canal) from a date, optionally until an end date.

#include "tradesim/models/policy.hpp"

#include "detail/network_target.hpp"

#include <fmt/format.h>

namespace tradesim::models {
namespace {

class DelayPolicy final : public Policy {
public:
    DelayPolicy(const PolicyContext& ctx, detail::NetworkTarget target, double days,
                std::string note, std::string end_date)
        : target_(std::move(target)), days_(days), note_(std::move(note)),
          date_(ctx.calendar.date_of(ctx.start_step).str()), end_date_(std::move(end_date)) {
        start_step_ = ctx.start_step;
        end_step_ = ctx.end_step;
    }
    [[nodiscard]] const std::string& kind() const noexcept override { return kind_; }
    void apply(PolicyState& state) const override {
        double& delay = state.network.node_delay[static_cast<std::size_t>(target_.node)];
        if (delay >= 0.0) { // a closed node stays closed
            delay += days_;
        }
    }
    [[nodiscard]] Event describe(bool ending) const override {
        Event e;
        e.step = ending ? end_step_ : start_step_;
        e.date = ending ? end_date_ : date_;
        e.kind = ending ? "border_delay_end" : "border_delay";
        e.sector = target_.label;
        e.value = days_;
        e.message = ending ? fmt::format("the extra wait at {} ends", target_.label)
                           : fmt::format("goods wait {} more days at {}", days_, target_.label);
        if (!note_.empty()) {
            e.message += " — " + note_;
        }
        return e;
    }

private:
    std::string kind_ = "border_delay";
    detail::NetworkTarget target_;
    double days_;
    std::string note_, date_, end_date_;
};

std::unique_ptr<Policy> read(const sim::SpecNode& table, PolicyContext& ctx,
                             std::vector<std::string>& keys_used) {
    for (const char* k : {"node", "days", "note"}) {
        keys_used.emplace_back(k);
    }
    detail::Fields f(table, ctx.key_path, ctx.problems, {});
    if (f.node("node") == nullptr) {
        ctx.problems.error(f.where(), fmt::format("{}: border_delay needs node (a border "
                                                  "crossing, port or canal id)",
                                                  ctx.key_path));
        return nullptr;
    }
    auto target = detail::read_target(f, ctx, "border_delay", true);
    const auto days = f.number("days", true);
    const auto note = f.string("note", false);
    bool ok = target.has_value() && days.has_value();
    if (days && !(*days > 0.0 && *days <= 365.0)) {
        f.error("days", fmt::format("{}.days = {} must be in (0, 365]", ctx.key_path, *days));
        ok = false;
    }
    if (!ok) {
        return nullptr;
    }
    const auto* end = table.find("end");
    return std::make_unique<DelayPolicy>(
        ctx, std::move(*target), *days, note.value_or(""),
        end != nullptr ? ctx.calendar.date_of(ctx.end_step).str() : std::string{});
}

} // namespace

void register_policy_border_delay(PolicyRegistry& registry) {
    registry.add("border_delay", read);
}

} // namespace tradesim::models
