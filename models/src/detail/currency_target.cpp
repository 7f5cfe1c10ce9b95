#include "detail/currency_target.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace tradesim::models::detail {
namespace {

std::vector<std::string> sorted(std::vector<std::string> codes) {
    std::sort(codes.begin(), codes.end());
    return codes;
}

std::vector<std::string> currency_codes(const Currencies& set) {
    std::vector<std::string> out;
    for (const auto& c : set.currencies) {
        out.push_back(c.code);
    }
    return out;
}

// Indices of the codes of `key` in `known`, each once, in the order given; "all" alone means
// every code when `all_allowed`. Every unknown code is reported with a suggestion and the
// known codes.
std::optional<std::vector<std::size_t>> read_codes(Fields& f, const std::string& key, bool required,
                                                   const std::vector<std::string>& known,
                                                   const char* what, bool all_allowed) {
    const auto list = f.string_list(key, required);
    if (!list) {
        return std::nullopt;
    }
    std::vector<std::size_t> out;
    if (all_allowed && list->size() == 1 && list->front().first == "all") {
        for (std::size_t i = 0; i < known.size(); ++i) {
            out.push_back(i);
        }
        return out;
    }
    bool ok = true;
    for (const auto& [text, where] : *list) {
        const auto it = std::find(known.begin(), known.end(), text);
        if (it == known.end()) {
            f.problems().error(where,
                               fmt::format("unknown {} \"{}\" in {}{} (known: {})", what, text,
                                           f.key_path(key), sim::did_you_mean(text, known),
                                           fmt::join(sorted(known), ", ")));
            ok = false;
            continue;
        }
        const auto index = static_cast<std::size_t>(it - known.begin());
        if (std::find(out.begin(), out.end(), index) == out.end()) {
            out.push_back(index);
        }
    }
    if (!ok) {
        return std::nullopt;
    }
    return out;
}

std::string join_codes(const World& world, const std::vector<std::size_t>& countries,
                       const char* separator) {
    std::string out;
    for (std::size_t i : countries) {
        out += (out.empty() ? "" : separator) + world.countries[i].code;
    }
    return out;
}

} // namespace

const Currencies* require_currencies(Fields& f, const PolicyContext& ctx, const char* kind) {
    if (ctx.currencies == nullptr) {
        ctx.problems.error(f.where(),
                           fmt::format("{}: {} needs currencies: the world has no currencies/ "
                                       "folder or [currencies] enabled = false",
                                       ctx.key_path, kind));
    }
    return ctx.currencies;
}

std::optional<std::size_t> read_currency(Fields& f, const Currencies& set, const std::string& key,
                                         bool required) {
    const auto text = f.string(key, required);
    if (!text) {
        return std::nullopt;
    }
    const int c = set.index(*text);
    if (c < 0) {
        const auto known = currency_codes(set);
        f.error(key,
                fmt::format("unknown currency \"{}\" in {}{} (known: {})", *text, f.key_path(key),
                            sim::did_you_mean(*text, known), fmt::join(sorted(known), ", ")));
        return std::nullopt;
    }
    return static_cast<std::size_t>(c);
}

std::optional<std::vector<std::size_t>> read_currency_list(Fields& f, const Currencies& set,
                                                           const std::string& key, bool required) {
    return read_codes(f, key, required, currency_codes(set), "currency", false);
}

std::optional<std::vector<std::size_t>> read_countries(Fields& f, const World& world,
                                                       const std::string& key, bool required) {
    return read_codes(f, key, required, world.country_codes(), "country", true);
}

std::optional<PairTarget> read_pairs(Fields& f, const PolicyContext& ctx) {
    const World& world = ctx.world;
    const std::size_t n = world.dims.countries;
    const auto countries = read_countries(f, world, "countries", true);
    const bool has_partners = f.node("partners") != nullptr;
    const auto partners = read_countries(f, world, "partners", false);
    if (!countries || (has_partners && !partners)) {
        return std::nullopt;
    }
    PairTarget t;
    t.countries = *countries;
    t.all_partners = !has_partners;
    if (has_partners) {
        t.partners = *partners;
    } else {
        for (std::size_t j = 0; j < n; ++j) {
            t.partners.push_back(j);
        }
    }
    for (std::size_t i : t.countries) {
        for (std::size_t j : t.partners) {
            if (i != j) {
                t.pairs.push_back(world.dims.pair(i, j));
                t.pairs.push_back(world.dims.pair(j, i));
            }
        }
    }
    std::sort(t.pairs.begin(), t.pairs.end());
    t.pairs.erase(std::unique(t.pairs.begin(), t.pairs.end()), t.pairs.end());
    if (t.pairs.empty()) {
        ctx.problems.error(f.where(), fmt::format("{}: countries and partners leave no pair of two "
                                                  "different economies",
                                                  ctx.key_path));
        return std::nullopt;
    }
    const bool every_country = t.countries.size() == n;
    t.countries_label = every_country ? "all" : join_codes(world, t.countries, ";");
    t.partners_label = t.all_partners ? "all" : join_codes(world, t.partners, ";");
    const std::string who = every_country ? "every economy" : join_codes(world, t.countries, ", ");
    if (t.all_partners) {
        t.phrase = every_country ? "all international trade"
                                 : fmt::format("trade between {} and every other economy", who);
    } else if (t.partners.size() == 1) {
        t.phrase = fmt::format("trade between {} and {}", who, t.partners_label);
    } else {
        t.phrase = fmt::format("trade between {} and {} partners", who, t.partners.size());
    }
    return t;
}

std::vector<std::size_t> candidates(const Currencies& set, std::size_t i, std::size_t j) {
    std::vector<std::size_t> out;
    const auto add = [&](int c) {
        if (c >= 0 && std::find(out.begin(), out.end(), static_cast<std::size_t>(c)) == out.end()) {
            out.push_back(static_cast<std::size_t>(c));
        }
    };
    add(static_cast<int>(set.home[i]));
    add(static_cast<int>(set.home[j]));
    for (const char* vehicle : {"USD", "EUR", "CNY"}) {
        add(set.index(vehicle));
    }
    return out;
}

SettlementPolicy& settlement_of(PolicyState& state, const Currencies& set) {
    if (state.settlement.currencies == 0) {
        state.settlement = SettlementPolicy::baseline(set, state.dims.countries);
    }
    return state.settlement;
}

std::string pair_list(const World& world, const std::vector<std::size_t>& pairs) {
    constexpr std::size_t shown = 3;
    const std::size_t n = world.dims.countries;
    std::string out;
    for (std::size_t p = 0; p < std::min(shown, pairs.size()); ++p) {
        out += fmt::format("{}{}-{}", p == 0 ? "" : ", ", world.countries[pairs[p] / n].code,
                           world.countries[pairs[p] % n].code);
    }
    if (pairs.size() > shown) {
        out += fmt::format(" and {} more", pairs.size() - shown);
    }
    return out;
}

CurrencyPolicy::CurrencyPolicy(const char* kind, const PolicyContext& ctx,
                               const sim::SpecNode& table, std::string note)
    : kind_(kind), note_(std::move(note)), date_(ctx.calendar.date_of(ctx.start_step).str()),
      end_date_(table.find("end") != nullptr ? ctx.calendar.date_of(ctx.end_step).str()
                                             : std::string{}),
      set_(*ctx.currencies) {
    start_step_ = ctx.start_step;
    end_step_ = ctx.end_step;
}

Event CurrencyPolicy::event(bool ending, std::string message) const {
    Event e;
    e.step = ending ? end_step_ : start_step_;
    e.date = ending ? end_date_ : date_;
    e.kind = ending ? kind_ + "_end" : kind_;
    e.message = std::move(message);
    if (!note_.empty()) {
        e.message += " — " + note_;
    }
    return e;
}

} // namespace tradesim::models::detail
