// Policy kind "settlement_incentive": settling trade in a currency costs `cut_pct` percent of
// value less on the pairs of `countries` and `partners` (e.g. a subsidy or cheaper clearing for
// CNY settlement on China's trade), from a date, optionally until an end date.

#include "detail/currency_target.hpp"

#include <fmt/format.h>

namespace tradesim::models {
namespace {

class IncentivePolicy final : public detail::CurrencyPolicy {
public:
    IncentivePolicy(const PolicyContext& ctx, const sim::SpecNode& table, std::string note,
                    std::size_t currency, detail::PairTarget target, double cut_pct)
        : CurrencyPolicy("settlement_incentive", ctx, table, std::move(note)), currency_(currency),
          target_(std::move(target)), cut_pct_(cut_pct) {}

    void apply(PolicyState& state) const override {
        SettlementPolicy& s = settlement(state);
        for (std::size_t p : target_.pairs) {
            s.cut[p * s.currencies + currency_] += cut_pct_ / 100.0;
        }
    }

    [[nodiscard]] Event describe(bool ending) const override {
        Event e = event(ending, ending ? fmt::format("the {} settlement incentive on {} ends",
                                                     code(currency_), target_.phrase)
                                       : fmt::format("{} settlement costs {} % of value less on {}",
                                                     code(currency_), cut_pct_, target_.phrase));
        e.exporter = target_.countries_label;
        e.importer = target_.partners_label;
        e.sector = code(currency_);
        e.value = cut_pct_;
        return e;
    }

private:
    std::size_t currency_;
    detail::PairTarget target_;
    double cut_pct_;
};

std::unique_ptr<Policy> read(const sim::SpecNode& table, PolicyContext& ctx,
                             std::vector<std::string>& keys_used) {
    for (const char* k : {"currency", "countries", "partners", "cut_pct", "note"}) {
        keys_used.emplace_back(k);
    }
    detail::Fields f(table, ctx.key_path, ctx.problems, {});
    const Currencies* set = detail::require_currencies(f, ctx, "settlement_incentive");
    if (set == nullptr) {
        return nullptr;
    }
    const auto currency = detail::read_currency(f, *set, "currency", true);
    auto target = detail::read_pairs(f, ctx);
    const auto cut = f.number("cut_pct", true);
    const auto note = f.string("note", false);
    bool ok = currency && target && cut;
    if (cut && !(*cut >= 0.0 && *cut <= 5.0)) {
        f.error("cut_pct", fmt::format("{}.cut_pct = {} must be in [0, 5] (percent of trade value "
                                       "by which settling in the currency gets cheaper)",
                                       ctx.key_path, *cut));
        ok = false;
    }
    if (!ok) {
        return nullptr;
    }
    return std::make_unique<IncentivePolicy>(ctx, table, note.value_or(""), *currency,
                                             std::move(*target), *cut);
}

} // namespace

void register_policy_settlement_incentive(PolicyRegistry& registry) {
    registry.add("settlement_incentive", read);
}

} // namespace tradesim::models
