// Policy kind "fx_shock": a currency's value against USD jumps by `change_pct` percent
// (-20 = a 20 % depreciation) from a date, optionally until an end date.

#include "detail/currency_target.hpp"

#include <cmath>
#include <fmt/format.h>

namespace tradesim::models {
namespace {

class ShockPolicy final : public detail::CurrencyPolicy {
public:
    ShockPolicy(const PolicyContext& ctx, const sim::SpecNode& table, std::string note,
                std::size_t currency, double change_pct)
        : CurrencyPolicy("fx_shock", ctx, table, std::move(note)), currency_(currency),
          change_pct_(change_pct) {}

    void apply(PolicyState& state) const override {
        // Log jumps add: two shocks of -20 % leave 0.8 x 0.8 of the value.
        settlement(state).fx_jump[currency_] += std::log1p(change_pct_ / 100.0);
    }

    [[nodiscard]] Event describe(bool ending) const override {
        const std::string& c = code(currency_);
        Event e = event(
            ending,
            ending ? fmt::format("the {} % shock to {} against USD ends", change_pct_, c)
                   : fmt::format("{} {} {} % of its value against USD", c,
                                 change_pct_ < 0.0 ? "loses" : "gains", std::abs(change_pct_)));
        e.sector = c;
        e.value = change_pct_;
        return e;
    }

private:
    std::size_t currency_;
    double change_pct_;
};

std::unique_ptr<Policy> read(const sim::SpecNode& table, PolicyContext& ctx,
                             std::vector<std::string>& keys_used) {
    for (const char* k : {"currency", "change_pct", "note"}) {
        keys_used.emplace_back(k);
    }
    detail::Fields f(table, ctx.key_path, ctx.problems, {});
    const Currencies* set = detail::require_currencies(f, ctx, "fx_shock");
    if (set == nullptr) {
        return nullptr;
    }
    const auto currency = detail::read_currency(f, *set, "currency", true);
    const auto change = f.number("change_pct", true);
    const auto note = f.string("note", false);
    bool ok = currency && change;
    if (currency && set->currencies[*currency].code == "USD") {
        f.error("currency", fmt::format("{}: USD is the numeraire: shock the other currencies "
                                        "instead",
                                        ctx.key_path));
        ok = false;
    }
    if (change && *change == 0.0) {
        f.error("change_pct", fmt::format("{}.change_pct = 0 changes nothing (percent change of "
                                          "the value against USD; -20 = a 20 % depreciation)",
                                          ctx.key_path));
        ok = false;
    } else if (change && !(*change > -90.0 && *change <= 500.0)) {
        f.error("change_pct", fmt::format("{}.change_pct = {} must be in (-90, 500] (percent "
                                          "change of the value against USD; -20 = a 20 % "
                                          "depreciation)",
                                          ctx.key_path, *change));
        ok = false;
    }
    if (!ok) {
        return nullptr;
    }
    return std::make_unique<ShockPolicy>(ctx, table, note.value_or(""), *currency, *change);
}

} // namespace

void register_policy_fx_shock(PolicyRegistry& registry) {
    registry.add("fx_shock", read);
}

} // namespace tradesim::models
