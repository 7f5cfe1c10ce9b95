// Reading a world's currencies: regimes, anchors, bands and volatilities from currencies.csv,
// the cited settlement and invoicing shares from settlement.csv, and each economy's home
// currency from countries.csv, checked against each other.

#include "tradesim/models/currencies.hpp"

#include "detail/fact_rows.hpp"
#include "tradesim/models/world.hpp"
#include "tradesim/sim/error.hpp"

#include <filesystem>
#include <fmt/format.h>
#include <optional>

namespace tradesim::models {

using detail::RowReader;
using detail::require_columns;

const char* to_string(FxRegime regime) noexcept {
    switch (regime) {
    case FxRegime::peg:
        return "peg";
    case FxRegime::managed:
        return "managed";
    case FxRegime::floating:
        return "float";
    }
    return "?";
}

int Currencies::index(const std::string& code) const noexcept {
    for (std::size_t c = 0; c < currencies.size(); ++c) {
        if (currencies[c].code == code) {
            return static_cast<int>(c);
        }
    }
    return -1;
}

namespace {

const std::vector<std::string> regime_names{"peg", "managed", "float"};

std::optional<FxRegime> parse_regime(const std::string& text) {
    for (std::size_t r = 0; r < regime_names.size(); ++r) {
        if (text == regime_names[r]) {
            return static_cast<FxRegime>(r);
        }
    }
    return std::nullopt;
}

std::vector<std::string> codes(const Currencies& set) {
    std::vector<std::string> out;
    for (const auto& c : set.currencies) {
        out.push_back(c.code);
    }
    return out;
}

void read_currencies(const std::string& path, Currencies& set, sim::Diagnostics& problems) {
    const sim::TextTable table = sim::read_text_table(path);
    require_columns(table, {"code", "name", "regime", "anchor", "band_pct", "volatility_pct"},
                    problems);
    std::vector<sim::Location> anchor_at;
    for (const auto& row : table.rows) {
        RowReader r(table, row, problems);
        Currency c;
        c.code = r.text("code");
        c.name = r.text("name");
        const std::string regime = r.text("regime");
        const auto parsed = parse_regime(regime);
        if (!parsed) {
            problems.error(r.where("regime"),
                           fmt::format("regime \"{}\" must be peg, managed or float{}", regime,
                                       sim::did_you_mean(regime, regime_names)));
        }
        c.regime = parsed.value_or(FxRegime::floating);
        const std::string anchor = r.text("anchor");
        c.anchor = anchor == "-" ? std::string{} : anchor;
        c.band = r.number("band_pct", 0, 50);
        c.volatility = r.number("volatility_pct", 0, 200);
        if (set.index(c.code) >= 0) {
            problems.error(r.where("code"), fmt::format("currency {} appears twice", c.code));
            continue;
        }
        if (parsed && *parsed == FxRegime::floating && !c.anchor.empty()) {
            problems.error(r.where("anchor"),
                           fmt::format("{} floats: its anchor must be \"-\", not \"{}\"", c.code,
                                       anchor));
        }
        if (parsed && *parsed != FxRegime::floating && c.anchor.empty()) {
            problems.error(r.where("anchor"),
                           fmt::format("{} has regime {}: give its anchor (a currency code or "
                                       "\"basket\")",
                                       c.code, regime));
        }
        anchor_at.push_back(r.where("anchor"));
        set.currencies.push_back(std::move(c));
    }
    // Anchors name currencies of the file (any row, before or after).
    for (std::size_t c = 0; c < set.currencies.size(); ++c) {
        const std::string& anchor = set.currencies[c].anchor;
        if (!anchor.empty() && anchor != "basket" && set.index(anchor) < 0) {
            problems.error(anchor_at[c],
                           fmt::format("anchor \"{}\" of {} is no currency of this file{}", anchor,
                                       set.currencies[c].code,
                                       sim::did_you_mean(anchor, codes(set))));
        }
    }
    for (const char* code : {"USD", "EUR", "CNY"}) {
        if (set.index(code) < 0) {
            problems.error(sim::Location{path, 0, 0},
                           fmt::format("{} is missing: USD, EUR and CNY are settlement currencies "
                                       "of every pair",
                                       code));
        }
    }
}

void read_facts(const std::string& path, const Currencies& set, std::vector<SettlementFact>& out,
                sim::Diagnostics& problems) {
    const sim::TextTable table = sim::read_text_table(path);
    require_columns(table, {"scope", "currency", "share_pct", "year", "source"}, problems);
    for (const auto& row : table.rows) {
        RowReader r(table, row, problems);
        SettlementFact f;
        f.scope = r.text("scope");
        f.currency = r.text("currency");
        f.share = r.number("share_pct", 0, 100);
        f.year = static_cast<int>(r.number("year", 1900, 2100));
        f.source = r.text("source");
        // "USD+EUR": a joint share of currencies of the file.
        std::size_t start = 0;
        while (start <= f.currency.size()) {
            const std::size_t plus = f.currency.find('+', start);
            const std::string part = f.currency.substr(start, plus - start);
            if (set.index(part) < 0) {
                problems.error(r.where("currency"),
                               fmt::format("unknown currency \"{}\"{}", part,
                                           sim::did_you_mean(part, codes(set))));
            }
            if (plus == std::string::npos) {
                break;
            }
            start = plus + 1;
        }
        if (f.source.empty()) {
            problems.error(r.where("source"), "every share needs its source");
        }
        out.push_back(std::move(f));
    }
}

} // namespace

Currencies load_currencies(const std::string& directory, const World& world) {
    namespace fs = std::filesystem;
    Currencies set;
    set.directory = directory;
    for (const char* file : {"currencies.csv", "settlement.csv"}) {
        if (!fs::exists(fs::path(directory) / file)) {
            throw sim::IoError(fmt::format("{}: missing {} of the currencies", directory, file));
        }
    }
    sim::Diagnostics problems;
    const std::string table = (fs::path(directory) / "currencies.csv").string();
    read_currencies(table, set, problems);
    read_facts((fs::path(directory) / "settlement.csv").string(), set, set.facts, problems);
    // Every economy's currency (countries.csv) is in the file, with the same regime.
    for (const auto& country : world.countries) {
        const int c = set.index(country.currency);
        if (c < 0) {
            problems.error(sim::Location{table, 0, 0},
                           fmt::format("{}'s currency {} (countries.csv) is missing{}",
                                       country.code, country.currency,
                                       sim::did_you_mean(country.currency, codes(set))));
            continue;
        }
        const Currency& cur = set.currencies[static_cast<std::size_t>(c)];
        if (country.fx_regime != to_string(cur.regime)) {
            problems.error(sim::Location{table, 0, 0},
                           fmt::format("{} has fx_regime {} in countries.csv but its currency {} "
                                       "has regime {} here",
                                       country.code, country.fx_regime, cur.code,
                                       to_string(cur.regime)));
        }
        set.home.push_back(static_cast<std::size_t>(c));
    }
    problems.throw_if_any();
    return set;
}

} // namespace tradesim::models
