// Policy kind "swap_line": the central banks of two economies lend each other their currencies,
// which removes the liquidity premium of those currencies (their conversion spread above the
// deepest market's) on the pair's trade: all of it without `amount_usd_bn`, else the share of
// the pair's yearly trade the amount covers. From a date, optionally until an end date.

#include "detail/currency_target.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace tradesim::models {
namespace {

class SwapLinePolicy final : public detail::CurrencyPolicy {
public:
    SwapLinePolicy(const PolicyContext& ctx, const sim::SpecNode& table, std::string note,
                   std::size_t a, std::size_t b, std::vector<std::size_t> currencies, double amount,
                   double trade)
        : CurrencyPolicy("swap_line", ctx, table, std::move(note)),
          currencies_(std::move(currencies)), amount_(amount), trade_(trade),
          cover_(amount > 0.0 && trade > 0.0 ? std::min(1.0, amount / trade) : 1.0),
          a_(ctx.world.countries[a].code), b_(ctx.world.countries[b].code) {
        for (std::size_t c : currencies_) {
            codes_ += (codes_.empty() ? "" : ", ") + code(c);
        }
        pairs_ = {ctx.world.dims.pair(a, b), ctx.world.dims.pair(b, a)};
    }

    void apply(PolicyState& state) const override {
        SettlementPolicy& s = settlement(state);
        for (std::size_t p : pairs_) {
            for (std::size_t c : currencies_) {
                double& swap = s.swap[p * s.currencies + c];
                swap = std::max(swap, cover_);
            }
        }
    }

    [[nodiscard]] Event describe(bool ending) const override {
        const std::string between = fmt::format("between {} and {}", a_, b_);
        std::string message;
        if (ending) {
            message = fmt::format("the swap line {} ends", between);
        } else if (amount_ > 0.0) {
            message = fmt::format("a swap line of USD {} bn {} removes the liquidity premium of "
                                  "{} on {:.0f} % of their trade (USD {:.0f} bn a year)",
                                  amount_, between, codes_, 100.0 * cover_, trade_);
        } else {
            message = fmt::format("a swap line {} removes the liquidity premium of {} on their "
                                  "trade",
                                  between, codes_);
        }
        Event e = event(ending, std::move(message));
        e.exporter = a_;
        e.importer = b_;
        e.sector = codes_;
        e.value = amount_;
        return e;
    }

private:
    std::vector<std::size_t> currencies_;
    double amount_, trade_, cover_;
    std::string a_, b_, codes_;
    std::vector<std::size_t> pairs_;
};

// Value of the pair's trade both ways at the baseline, USD bn a year.
double bilateral_trade(const World& world, std::size_t a, std::size_t b) {
    const Dims& d = world.dims;
    double sum = 0.0;
    for (std::size_t k = 0; k < d.sectors; ++k) {
        sum += world.flows[d.flow(a, b, k)] + world.flows[d.flow(b, a, k)];
    }
    return sum;
}

std::unique_ptr<Policy> read(const sim::SpecNode& table, PolicyContext& ctx,
                             std::vector<std::string>& keys_used) {
    for (const char* k : {"countries", "amount_usd_bn", "currencies", "note"}) {
        keys_used.emplace_back(k);
    }
    detail::Fields f(table, ctx.key_path, ctx.problems, {});
    const Currencies* set = detail::require_currencies(f, ctx, "swap_line");
    if (set == nullptr) {
        return nullptr;
    }
    const World& world = ctx.world;
    const auto countries = detail::read_countries(f, world, "countries", true);
    const auto amount = f.number("amount_usd_bn", false);
    const bool has_currencies = f.node("currencies") != nullptr;
    auto currencies = detail::read_currency_list(f, *set, "currencies", false);
    const auto note = f.string("note", false);
    bool ok = countries.has_value() && (!has_currencies || currencies.has_value());
    if (amount && !(*amount > 0.0)) {
        f.error("amount_usd_bn", fmt::format("{}.amount_usd_bn = {} must be positive (USD bn the "
                                             "central banks may draw)",
                                             ctx.key_path, *amount));
        ok = false;
    }
    if (!ok) {
        return nullptr;
    }
    // read_countries drops repeats: ["CHN", "CHN"] comes back as one economy.
    const sim::SpecNode& given = *f.node("countries");
    const std::size_t named = given.is_array() ? given.items().size() : 1;
    if (named == 2 && countries->size() == 1) {
        f.error("countries", fmt::format("{}: a swap line between {} and itself: name two "
                                         "different economies",
                                         ctx.key_path, world.countries[countries->front()].code));
        return nullptr;
    }
    if (countries->size() != 2) {
        f.error("countries", fmt::format("{}.countries must name exactly two economies (the two "
                                         "central banks), not {}",
                                         ctx.key_path, countries->size()));
        return nullptr;
    }
    const std::size_t a = (*countries)[0];
    const std::size_t b = (*countries)[1];
    const std::string& ca = world.countries[a].code;
    const std::string& cb = world.countries[b].code;
    if (set->home[a] == set->home[b]) {
        f.error("countries", fmt::format("{}: {} and {} share the currency {}: a swap line between "
                                         "them has nothing to swap",
                                         ctx.key_path, ca, cb, set->currencies[set->home[a]].code));
        return nullptr;
    }
    if (!currencies) {
        currencies = std::vector<std::size_t>{set->home[a], set->home[b]};
    }
    // A currency the pair never settles in would be lent for nothing.
    const auto pool = detail::candidates(*set, a, b);
    for (std::size_t c : *currencies) {
        if (std::find(pool.begin(), pool.end(), c) == pool.end()) {
            std::string names_of_pool;
            for (std::size_t p : pool) {
                names_of_pool += (names_of_pool.empty() ? "" : ", ") + set->currencies[p].code;
            }
            f.error("currencies",
                    fmt::format("{}.currencies: {} settles no trade between {} and "
                                "{} (their candidates: {})",
                                ctx.key_path, set->currencies[c].code, ca, cb, names_of_pool));
            ok = false;
        }
    }
    if (!ok) {
        return nullptr;
    }
    return std::make_unique<SwapLinePolicy>(ctx, table, note.value_or(""), a, b,
                                            std::move(*currencies), amount.value_or(0.0),
                                            bilateral_trade(world, a, b));
}

} // namespace

void register_policy_swap_line(PolicyRegistry& registry) {
    registry.add("swap_line", read);
}

} // namespace tradesim::models
