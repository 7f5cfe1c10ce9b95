#pragma once
/// The currencies of a world (world folder `currencies/`, optional): each economy's home
/// currency with its exchange-rate regime, anchor, band and volatility (currencies.csv), and the
/// settlement and invoicing shares the settlement model is calibrated to (settlement.csv).
/// Plain-text facts, each figure with its source (currencies/SOURCES.md).

#include <string>
#include <vector>

namespace tradesim::models {

enum class FxRegime { peg, managed, floating };
[[nodiscard]] const char* to_string(FxRegime regime) noexcept;

struct Currency {
    std::string code; ///< ISO 4217
    std::string name;
    FxRegime regime = FxRegime::floating;
    std::string anchor;        ///< a currency code, "basket", or "" (floating)
    double band = 0;           ///< peg band, +- percent (0: none announced)
    double volatility = 0;     ///< annualised sd of monthly log changes against USD, percent
};

/// A cited share: `scope` (e.g. world_export_invoicing, CHN_goods_trade_settlement,
/// swift_payments), the currency, percent and year, with its source.
struct SettlementFact {
    std::string scope, currency;
    double share = 0;
    int year = 0;
    std::string source;
};

struct Currencies {
    std::string directory;
    std::vector<Currency> currencies;
    /// Per economy of the world: the index of its home currency.
    std::vector<std::size_t> home;
    std::vector<SettlementFact> facts;

    /// Index of a currency code, or -1.
    [[nodiscard]] int index(const std::string& code) const noexcept;
};

struct World;

/// Reads `directory` (currencies.csv, settlement.csv) for `world`. Throws InputError listing
/// every problem (file:line:column): an unknown regime, an anchor that is no currency of the
/// file (nor "basket"), a peg or managed currency without an anchor, a floating one with one, a
/// band or volatility out of range, a duplicate code, an economy whose currency is missing or
/// whose fx_regime in countries.csv differs from its currency's regime, USD, EUR or CNY
/// missing, a share outside [0, 100]; IoError when a file is missing.
[[nodiscard]] Currencies load_currencies(const std::string& directory, const World& world);

} // namespace tradesim::models
