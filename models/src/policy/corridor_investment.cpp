// Policy kind "corridor_investment" (AIIB, Silk Road Fund): an amount spent on a link or on a
// node (a port: all its links) from a date; after `build_months` the link costs less per TEU,
// carries more, or is faster. The effect lasts to the end of the run (or to `end`).

#include "tradesim/models/policy.hpp"

#include "detail/network_target.hpp"

#include <cmath>
#include <fmt/format.h>

namespace tradesim::models {
namespace {

class InvestmentPolicy final : public Policy {
public:
    InvestmentPolicy(const PolicyContext& ctx, detail::NetworkTarget target, int ready,
                     double amount, double cost_cut, double capacity_increase, double days_cut,
                     std::string note)
        : target_(std::move(target)), amount_(amount), cost_cut_(cost_cut),
          capacity_increase_(capacity_increase), days_cut_(days_cut), note_(std::move(note)),
          announced_(ctx.calendar.date_of(ctx.start_step).str()) {
        start_step_ = ready;
        end_step_ = std::max(ready, ctx.end_step);
        ready_date_ = ready < ctx.calendar.steps() ? ctx.calendar.date_of(ready).str()
                                                    : std::string("after the run");
        end_date_ = ctx.end_step < ctx.calendar.steps()
                        ? ctx.calendar.date_of(ctx.end_step).str()
                        : std::string{};
    }
    [[nodiscard]] const std::string& kind() const noexcept override { return kind_; }
    void apply(PolicyState& state) const override {
        const auto improve = [&](std::size_t l) {
            state.network.cost_factor[l] *= 1.0 - cost_cut_ / 100.0;
            state.network.capacity_factor[l] *= 1.0 + capacity_increase_ / 100.0;
            state.network.days_factor[l] *= 1.0 - days_cut_ / 100.0;
        };
        if (target_.link >= 0) {
            improve(static_cast<std::size_t>(target_.link));
        }
        for (std::size_t l : target_.node_links) {
            improve(l);
        }
    }
    [[nodiscard]] Event describe(bool ending) const override {
        Event e;
        e.step = ending ? end_step_ : start_step_;
        e.date = ending ? end_date_ : ready_date_;
        e.kind = ending ? "corridor_investment_end" : "corridor_investment";
        e.sector = target_.label;
        e.value = amount_;
        e.message =
            ending ? fmt::format("the investment in {} stops counting", target_.label)
                   : fmt::format("investment of {} mn USD in {} (from {}) completes: cost per "
                                 "TEU -{} %, capacity +{} %, transit days -{} %",
                                 amount_, target_.label, announced_, cost_cut_,
                                 capacity_increase_, days_cut_);
        if (!note_.empty()) {
            e.message += " — " + note_;
        }
        return e;
    }

private:
    std::string kind_ = "corridor_investment";
    detail::NetworkTarget target_;
    double amount_, cost_cut_, capacity_increase_, days_cut_;
    std::string note_, announced_, ready_date_, end_date_;
};

std::unique_ptr<Policy> read(const sim::SpecNode& table, PolicyContext& ctx,
                             std::vector<std::string>& keys_used) {
    for (const char* k : {"link", "node", "amount_usd_mn", "build_months", "cost_cut",
                          "capacity_increase", "days_cut", "note"}) {
        keys_used.emplace_back(k);
    }
    detail::Fields f(table, ctx.key_path, ctx.problems, {});
    auto target = detail::read_target(f, ctx, "corridor_investment", true);
    const auto amount = f.number("amount_usd_mn", true);
    const auto build = f.number("build_months", true);
    const double cost_cut = f.number("cost_cut", false).value_or(0.0);
    const double capacity = f.number("capacity_increase", false).value_or(0.0);
    const double days_cut = f.number("days_cut", false).value_or(0.0);
    const auto note = f.string("note", false);
    bool ok = target.has_value() && amount.has_value() && build.has_value();
    if (amount && !(*amount > 0.0)) {
        f.error("amount_usd_mn",
                fmt::format("{}.amount_usd_mn = {} must be positive", ctx.key_path, *amount));
        ok = false;
    }
    if (build && !(*build >= 0.0 && *build <= 600.0)) {
        f.error("build_months",
                fmt::format("{}.build_months = {} must be between 0 and 600", ctx.key_path,
                            *build));
        ok = false;
    }
    for (auto [key, v] : {std::pair{"cost_cut", cost_cut}, std::pair{"days_cut", days_cut}}) {
        if (!(v >= 0.0 && v < 100.0)) {
            f.error(key, fmt::format("{}.{} = {} must be a percentage in [0, 100)", ctx.key_path,
                                     key, v));
            ok = false;
        }
    }
    if (!(capacity >= 0.0 && capacity <= 10000.0)) {
        f.error("capacity_increase",
                fmt::format("{}.capacity_increase = {} must be a percentage in [0, 10000] (a "
                            "negative capacity is not an investment)",
                            ctx.key_path, capacity));
        ok = false;
    }
    if (ok && cost_cut == 0.0 && capacity == 0.0 && days_cut == 0.0) {
        ctx.problems.error(f.where(), fmt::format("{}: give cost_cut, capacity_increase or "
                                                  "days_cut (percent)",
                                                  ctx.key_path));
        ok = false;
    }
    if (!ok) {
        return nullptr;
    }
    const int months = std::max(1, ctx.calendar.months_per_step());
    const int ready = ctx.start_step + static_cast<int>(std::ceil(*build / months));
    return std::make_unique<InvestmentPolicy>(ctx, std::move(*target), ready, *amount, cost_cut,
                                              capacity, days_cut, note.value_or(""));
}

} // namespace

void register_policy_corridor_investment(PolicyRegistry& registry) {
    registry.add("corridor_investment", read);
}

} // namespace tradesim::models
