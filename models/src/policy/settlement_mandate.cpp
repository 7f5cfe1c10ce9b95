// Policy kind "settlement_mandate": at least `share` (0-1) of the trade of the pairs of
// `countries` and `partners` must settle in a currency, from a date, optionally until an end
// date. The currency must be a candidate of every such pair (settlement.hpp).

#include "detail/currency_target.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace tradesim::models {
namespace {

class MandatePolicy final : public detail::CurrencyPolicy {
public:
    MandatePolicy(const PolicyContext& ctx, const sim::SpecNode& table, std::string note,
                  std::size_t currency, detail::PairTarget target, double share)
        : CurrencyPolicy("settlement_mandate", ctx, table, std::move(note)), currency_(currency),
          target_(std::move(target)), share_(share) {}

    void apply(PolicyState& state) const override {
        SettlementPolicy& s = settlement(state);
        for (std::size_t p : target_.pairs) {
            double& floor = s.floor[p * s.currencies + currency_];
            floor = std::max(floor, share_);
        }
    }

    [[nodiscard]] Event describe(bool ending) const override {
        Event e =
            event(ending, ending ? fmt::format("the {} settlement mandate on {} ends",
                                               code(currency_), target_.phrase)
                                 : fmt::format("at least {} % of {} must settle in {}",
                                               100.0 * share_, target_.phrase, code(currency_)));
        e.exporter = target_.countries_label;
        e.importer = target_.partners_label;
        e.sector = code(currency_);
        e.value = share_;
        return e;
    }

private:
    std::size_t currency_;
    detail::PairTarget target_;
    double share_;
};

std::unique_ptr<Policy> read(const sim::SpecNode& table, PolicyContext& ctx,
                             std::vector<std::string>& keys_used) {
    for (const char* k : {"currency", "countries", "partners", "share", "note"}) {
        keys_used.emplace_back(k);
    }
    detail::Fields f(table, ctx.key_path, ctx.problems, {});
    const Currencies* set = detail::require_currencies(f, ctx, "settlement_mandate");
    if (set == nullptr) {
        return nullptr;
    }
    const auto currency = detail::read_currency(f, *set, "currency", true);
    auto target = detail::read_pairs(f, ctx);
    const auto share = f.number("share", true);
    const auto note = f.string("note", false);
    bool ok = currency && target && share;
    if (share && !(*share >= 0.0 && *share <= 1.0)) {
        f.error("share", fmt::format("{}.share = {} must be in [0, 1] (minimum share of the pairs' "
                                     "trade settled in {})",
                                     ctx.key_path, *share,
                                     currency ? set->currencies[*currency].code : "the currency"));
        ok = false;
    }
    if (currency && target) {
        const std::size_t n = ctx.world.dims.countries;
        std::vector<std::size_t> outside;
        for (std::size_t p : target->pairs) {
            const auto pool = detail::candidates(*set, p / n, p % n);
            if (std::find(pool.begin(), pool.end(), *currency) == pool.end()) {
                outside.push_back(p);
            }
        }
        if (!outside.empty()) {
            f.error("currency",
                    fmt::format("{}.currency: {} is no settlement candidate of {} of the pairs "
                                "({}): a pair settles only in the two home currencies, USD, EUR "
                                "and CNY",
                                ctx.key_path, set->currencies[*currency].code, outside.size(),
                                detail::pair_list(ctx.world, outside)));
            ok = false;
        }
    }
    if (!ok) {
        return nullptr;
    }
    return std::make_unique<MandatePolicy>(ctx, table, note.value_or(""), *currency,
                                           std::move(*target), *share);
}

} // namespace

void register_policy_settlement_mandate(PolicyRegistry& registry) {
    registry.add("settlement_mandate", read);
}

} // namespace tradesim::models
