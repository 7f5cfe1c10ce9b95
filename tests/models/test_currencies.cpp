// The currencies of the default world (scenarios/world/currencies/) and the checks of their
// reader.

#include "tradesim/models/currencies.hpp"
#include "tradesim/models/world.hpp"
#include "tradesim/sim/error.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>

using namespace tradesim;
using Catch::Matchers::Contains;
namespace fs = std::filesystem;

namespace {

const std::string repo = TRADESIM_SOURCE_DIR;

} // namespace

TEST_CASE("currencies: the default world gives every economy its currency and regime",
          "[currencies]") {
    const models::World w = models::load_world(repo + "/scenarios/world");
    REQUIRE(w.currencies != nullptr);
    const models::Currencies& c = *w.currencies;
    REQUIRE(c.home.size() == w.countries.size());
    for (std::size_t i = 0; i < w.countries.size(); ++i) {
        const models::Currency& home = c.currencies[c.home[i]];
        INFO(w.countries[i].code);
        CHECK(home.code == w.countries[i].currency);
        CHECK(models::to_string(home.regime) == w.countries[i].fx_regime);
    }
    for (const char* code : {"USD", "EUR", "CNY"}) {
        CHECK(c.index(code) >= 0);
    }
    // The Gulf pegs do not move against the dollar; the pegged and managed currencies name an
    // anchor of the file or a basket.
    const auto& sar = c.currencies[static_cast<std::size_t>(c.index("SAR"))];
    CHECK(sar.regime == models::FxRegime::peg);
    CHECK(sar.anchor == "USD");
    CHECK(sar.volatility == 0.0);
    for (const auto& cur : c.currencies) {
        INFO(cur.code);
        CHECK((cur.regime == models::FxRegime::floating) == cur.anchor.empty());
    }
    // The calibration targets of issue 7 are among the cited facts.
    const auto find = [&](const std::string& scope, const std::string& currency, int year) {
        for (const auto& f : c.facts) {
            if (f.scope == scope && f.currency == currency && f.year == year) {
                return f.share;
            }
        }
        return -1.0;
    };
    CHECK(find("CHN_goods_trade_settlement", "CNY", 2023) == Approx(24.8));
    CHECK(find("swift_payments", "CNY", 2017) == Approx(1.61));
    CHECK(find("world_export_invoicing", "USD", 2017) == Approx(40));
}

TEST_CASE("currencies: a bad currency file lists every problem", "[currencies][error]") {
    // A copy of the default world whose currency files are broken in several ways.
    const fs::path dir = fs::path(TRADESIM_TEST_OUTPUT_DIR) / "bad_currencies";
    fs::remove_all(dir);
    fs::create_directories(dir);
    for (const char* f : {"world.toml", "countries.csv", "sectors.csv"}) {
        fs::copy_file(repo + "/scenarios/world/" + f, dir / f);
    }
    fs::create_directories(dir / "currencies");
    {
        std::ifstream in(repo + "/scenarios/world/currencies/currencies.csv");
        std::ofstream out(dir / "currencies" / "currencies.csv");
        for (std::string line; std::getline(in, line);) {
            if (line.rfind("SAR,", 0) == 0) {
                line = "SAR,Saudi Riyal,pegged,USD,0,0,typo in the regime";
            } else if (line.rfind("AED,", 0) == 0) {
                line = "AED,UAE Dirham,peg,USDD,0,0,typo in the anchor";
            } else if (line.rfind("THB,", 0) == 0) {
                continue; // THA's currency missing
            } else if (line.rfind("INR,", 0) == 0) {
                line = "INR,Indian Rupee,float,-,0,-3,negative volatility";
            }
            out << line << '\n';
        }
    }
    {
        std::ofstream out(dir / "currencies" / "settlement.csv");
        out << "scope,currency,share_pct,year,source\n"
            << "world_export_invoicing,USD,140,2017,a share over 100\n"
            << "world_export_invoicing,XYZ,10,2017,unknown currency\n";
    }
    try {
        (void)models::load_world(dir.string());
        FAIL("no error");
    } catch (const sim::InputError& e) {
        const std::string m = e.what();
        CHECK_THAT(m, Contains("regime \"pegged\" must be peg, managed or float"));
        CHECK_THAT(m, Contains("anchor \"USDD\" of AED is no currency of this file"));
        CHECK_THAT(m, Contains("THA's currency THB (countries.csv) is missing"));
        CHECK_THAT(m, Contains("volatility_pct = -3 is outside"));
        CHECK_THAT(m, Contains("share_pct = 140 is outside"));
        CHECK_THAT(m, Contains("unknown currency \"XYZ\""));
        CHECK_THAT(m, Contains("currencies.csv:"));
    }
}
