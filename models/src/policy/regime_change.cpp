// Policy kind "regime_change": a currency's exchange-rate regime becomes a peg (to an anchor,
// within a band), a managed rate (following an anchor) or a float, with its volatility, from a
// date, optionally until an end date (then the regime of currencies.csv returns).

#include "detail/currency_target.hpp"

#include <fmt/format.h>

namespace tradesim::models {
namespace {

// "pegged to USD", "managed against basket", "floating".
std::string regime_words(FxRegime regime, const std::string& anchor) {
    switch (regime) {
    case FxRegime::peg:
        return "pegged to " + anchor;
    case FxRegime::managed:
        return "managed against " + anchor;
    case FxRegime::floating:
        break;
    }
    return "floating";
}

class RegimePolicy final : public detail::CurrencyPolicy {
public:
    RegimePolicy(const PolicyContext& ctx, const sim::SpecNode& table, std::string note,
                 std::size_t currency, FxRegime regime, std::string anchor, double band,
                 double volatility)
        : CurrencyPolicy("regime_change", ctx, table, std::move(note)), currency_(currency),
          regime_(regime), anchor_(std::move(anchor)), band_(band), volatility_(volatility) {}

    void apply(PolicyState& state) const override {
        SettlementPolicy& s = settlement(state);
        s.regime[currency_] = regime_;
        s.anchor[currency_] = anchor_;
        s.band[currency_] = band_;
        s.volatility[currency_] = volatility_;
    }

    [[nodiscard]] Event describe(bool ending) const override {
        const std::string& c = code(currency_);
        const Currency& file = set().currencies[currency_];
        std::string message;
        if (ending) {
            message = fmt::format("{} returns to its regime of currencies.csv: {}", c,
                                  regime_words(file.regime, file.anchor));
        } else {
            message = fmt::format("{} is {} from now on (", c, regime_words(regime_, anchor_));
            if (regime_ == FxRegime::peg) {
                message += fmt::format("band +-{} %, ", band_);
            }
            message += fmt::format("volatility {} % a year; before: {})", volatility_,
                                   regime_words(file.regime, file.anchor));
        }
        Event e = event(ending, std::move(message));
        e.sector = c;
        e.value = volatility_;
        return e;
    }

private:
    std::size_t currency_;
    FxRegime regime_;
    std::string anchor_;
    double band_, volatility_;
};

std::optional<FxRegime> read_regime(detail::Fields& f, const std::string& path) {
    const auto text = f.string("regime", true);
    if (!text) {
        return std::nullopt;
    }
    const std::vector<std::string> names = {"peg", "managed", "float"};
    for (std::size_t r = 0; r < names.size(); ++r) {
        if (*text == names[r]) {
            return static_cast<FxRegime>(r);
        }
    }
    f.error("regime", fmt::format("{}.regime = \"{}\" must be peg, managed or float{}", path, *text,
                                  sim::did_you_mean(*text, names)));
    return std::nullopt;
}

// The anchor: a currency code or "basket"; "" when absent.
std::optional<std::string> read_anchor(detail::Fields& f, const Currencies& set,
                                       const std::string& path) {
    const auto text = f.string("anchor", false);
    if (!text) {
        return f.node("anchor") == nullptr ? std::optional<std::string>("") : std::nullopt;
    }
    if (*text == "basket" || set.index(*text) >= 0) {
        return text;
    }
    std::vector<std::string> known;
    for (const auto& c : set.currencies) {
        known.push_back(c.code);
    }
    known.emplace_back("basket");
    f.error("anchor", fmt::format("unknown anchor \"{}\" in {}.anchor{} (a currency code or "
                                  "\"basket\")",
                                  *text, path, sim::did_you_mean(*text, known)));
    return std::nullopt;
}

// "EUR -> RSD -> EUR" when following anchors in currencies.csv from `anchor` comes back to
// `currency`, else "".
std::string anchor_cycle(const Currencies& set, std::size_t currency, const std::string& anchor) {
    std::string chain = set.currencies[currency].code + " -> " + anchor;
    int a = set.index(anchor);
    for (std::size_t hops = 0; a >= 0 && hops < set.currencies.size(); ++hops) {
        const Currency& next = set.currencies[static_cast<std::size_t>(a)];
        if (next.regime == FxRegime::floating || next.anchor.empty()) {
            return {};
        }
        chain += " -> " + next.anchor;
        if (next.anchor == set.currencies[currency].code) {
            return chain;
        }
        a = set.index(next.anchor);
    }
    return {};
}

std::unique_ptr<Policy> read(const sim::SpecNode& table, PolicyContext& ctx,
                             std::vector<std::string>& keys_used) {
    for (const char* k : {"currency", "regime", "anchor", "band_pct", "volatility_pct", "note"}) {
        keys_used.emplace_back(k);
    }
    detail::Fields f(table, ctx.key_path, ctx.problems, {});
    const std::string& path = ctx.key_path;
    const Currencies* set = detail::require_currencies(f, ctx, "regime_change");
    if (set == nullptr) {
        return nullptr;
    }
    const auto currency = detail::read_currency(f, *set, "currency", true);
    const auto regime = read_regime(f, path);
    const auto anchor = read_anchor(f, *set, path);
    const auto band = f.number("band_pct", false);
    const auto volatility = f.number("volatility_pct", false);
    const auto note = f.string("note", false);
    bool ok = currency && regime && anchor;
    if (currency && set->currencies[*currency].code == "USD") {
        f.error("currency", fmt::format("{}: USD is the numeraire and cannot change regime", path));
        ok = false;
    }
    if (regime && anchor) {
        if (*regime == FxRegime::floating && !anchor->empty()) {
            f.error("anchor", fmt::format("{}.anchor = \"{}\": contradictory regime: a float has "
                                          "no anchor",
                                          path, *anchor));
            ok = false;
        }
        if (*regime != FxRegime::floating && anchor->empty()) {
            ctx.problems.error(f.where(),
                               fmt::format("{}: regime = \"{}\" needs an anchor (a currency code "
                                           "or \"basket\")",
                                           path, to_string(*regime)));
            ok = false;
        }
    }
    if (regime && band && *regime != FxRegime::peg) {
        f.error("band_pct", fmt::format("{}.band_pct: only a peg has a band, and regime = \"{}\"",
                                        path, to_string(*regime)));
        ok = false;
    } else if (band && !(*band >= 0.0 && *band <= 50.0)) {
        f.error("band_pct", fmt::format("{}.band_pct = {} must be in [0, 50] (+- percent around "
                                        "the parity)",
                                        path, *band));
        ok = false;
    }
    if (volatility && !(*volatility >= 0.0 && *volatility <= 200.0)) {
        f.error("volatility_pct", fmt::format("{}.volatility_pct = {} must be in [0, 200] "
                                              "(annualised sd of monthly changes against USD, "
                                              "percent)",
                                              path, *volatility));
        ok = false;
    }
    if (!ok) {
        return nullptr;
    }
    const Currency& file = set->currencies[*currency];
    if (*anchor == file.code) {
        f.error("anchor", fmt::format("{}.anchor = {}: a currency cannot be anchored to itself",
                                      path, *anchor));
        return nullptr;
    }
    if (const std::string cycle = anchor_cycle(*set, *currency, *anchor); !cycle.empty()) {
        f.error("anchor", fmt::format("{}.anchor = {} makes a cycle of anchors: {} "
                                      "(currencies.csv)",
                                      path, *anchor, cycle));
        return nullptr;
    }
    if (*regime == file.regime && *anchor == file.anchor) {
        f.error("regime", fmt::format("{}: regime_change leaves {} {} as it is", path, file.code,
                                      regime_words(file.regime, file.anchor)));
        return nullptr;
    }
    return std::make_unique<RegimePolicy>(ctx, table, note.value_or(""), *currency, *regime,
                                          *anchor, band.value_or(0.0),
                                          volatility.value_or(file.volatility));
}

} // namespace

void register_policy_regime_change(PolicyRegistry& registry) {
    registry.add("regime_change", read);
}

} // namespace tradesim::models
