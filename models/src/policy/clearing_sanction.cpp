// Policy kind "clearing_sanction": economies lose access to the clearing of a currency, so none
// of their trade can settle in it, from a date, optionally until an end date.

#include "detail/currency_target.hpp"

#include <fmt/format.h>

namespace tradesim::models {
namespace {

class SanctionPolicy final : public detail::CurrencyPolicy {
public:
    SanctionPolicy(const PolicyContext& ctx, const sim::SpecNode& table, std::string note,
                   std::size_t currency, std::vector<std::size_t> countries)
        : CurrencyPolicy("clearing_sanction", ctx, table, std::move(note)), currency_(currency),
          countries_(std::move(countries)) {
        for (std::size_t i : countries_) {
            label_ += (label_.empty() ? "" : ";") + ctx.world.countries[i].code;
            who_ += (who_.empty() ? "" : ", ") + ctx.world.countries[i].code;
        }
    }

    void apply(PolicyState& state) const override {
        SettlementPolicy& s = settlement(state);
        for (std::size_t i : countries_) {
            s.barred[i * s.currencies + currency_] = 1;
        }
    }

    [[nodiscard]] Event describe(bool ending) const override {
        const std::string& c = code(currency_);
        Event e = event(ending, ending ? fmt::format("{} regain{} access to {} clearing", who_,
                                                     countries_.size() == 1 ? "s" : "", c)
                                       : fmt::format("{} lose{} access to {} clearing: none of "
                                                     "{} trade settles in {}",
                                                     who_, countries_.size() == 1 ? "s" : "", c,
                                                     countries_.size() == 1 ? "its" : "their", c));
        e.exporter = label_;
        e.sector = c;
        return e;
    }

private:
    std::size_t currency_;
    std::vector<std::size_t> countries_;
    std::string label_, who_;
};

std::unique_ptr<Policy> read(const sim::SpecNode& table, PolicyContext& ctx,
                             std::vector<std::string>& keys_used) {
    for (const char* k : {"currency", "countries", "note"}) {
        keys_used.emplace_back(k);
    }
    detail::Fields f(table, ctx.key_path, ctx.problems, {});
    const Currencies* set = detail::require_currencies(f, ctx, "clearing_sanction");
    if (set == nullptr) {
        return nullptr;
    }
    const auto currency = detail::read_currency(f, *set, "currency", true);
    const auto countries = detail::read_countries(f, ctx.world, "countries", true);
    const auto note = f.string("note", false);
    if (!currency || !countries) {
        return nullptr;
    }
    // The own currency settles at home without clearing abroad. It is also always a candidate
    // of the country's pairs, so a single sanction can never leave a pair without a currency;
    // several sanctions together can, which needs every policy (not checked here).
    bool ok = true;
    for (std::size_t i : *countries) {
        if (set->home[i] == *currency) {
            f.error("countries",
                    fmt::format("{}: {} cannot lose access to its own currency {}", ctx.key_path,
                                ctx.world.countries[i].code, set->currencies[*currency].code));
            ok = false;
        }
    }
    if (!ok) {
        return nullptr;
    }
    return std::make_unique<SanctionPolicy>(ctx, table, note.value_or(""), *currency, *countries);
}

} // namespace

void register_policy_clearing_sanction(PolicyRegistry& registry) {
    registry.add("clearing_sanction", read);
}

} // namespace tradesim::models
