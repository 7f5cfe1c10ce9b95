// The six currency policy kinds (issue 7) on the default world: what each writes into the
// settlement state of a step (the right pairs, economies or currencies and only them, both
// directions of a pair, nothing before the date or from the end on), and the problems their
// readers report.

#include "currency_lookup.hpp"
#include "tradesim/models/scenario.hpp"
#include "tradesim/models/simulation.hpp"
#include "tradesim/sim/error.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>

using namespace tradesim;
using test::country;
using test::currency;
using Catch::Matchers::Contains;
namespace fs = std::filesystem;

namespace {

const std::string repo = TRADESIM_SOURCE_DIR;

// scenarios/baseline.toml (the default world, monthly from 2018-01) cut to 12 months, with
// `body` (e.g. [[policy]] tables) added.
std::string scenario_file(const std::string& name, const std::string& body) {
    const auto path = fs::path(TRADESIM_TEST_OUTPUT_DIR) / (name + ".toml");
    std::ofstream(path) << fmt::format("extends = \"{}/scenarios/baseline.toml\"\nname = \"{}\"\n"
                                       "[calendar]\nsteps = 12\n{}",
                                       repo, name, body);
    return path.string();
}

// One [[policy]] in force from 2018-03 (step 2) to 2018-06 (step 5), of `kind` with `keys`.
std::string policy(const std::string& kind, const std::string& keys,
                   const std::string& date = "2018-03", const std::string& end = "2018-06") {
    return fmt::format("[[policy]]\ndate = \"{}\"\nend = \"{}\"\nkind = \"{}\"\n{}\n", date, end,
                       kind, keys);
}

models::Scenario load(const std::string& name, const std::string& body) {
    return models::load_scenario(scenario_file(name, body));
}

// Index into a per pair and currency vector.
std::size_t at(const models::Scenario& s, const char* exporter, const char* importer,
               const char* code) {
    return s.world->dims.pair(country(s, exporter), country(s, importer)) *
               s.world->currencies->currencies.size() +
           currency(s, code);
}

// The entries of `v` that differ from `base`.
template <class T>
std::vector<std::size_t> changed(const std::vector<T>& v, const std::vector<T>& base) {
    REQUIRE(v.size() == base.size());
    std::vector<std::size_t> out;
    for (std::size_t i = 0; i < v.size(); ++i) {
        if (v[i] != base[i]) {
            out.push_back(i);
        }
    }
    return out;
}

std::vector<std::size_t> sorted(std::vector<std::size_t> v) {
    std::sort(v.begin(), v.end());
    return v;
}

// Before the date, and from the end on, the settlement state is the baseline's.
void check_not_in_force(const models::Scenario& s) {
    const models::SettlementPolicy base =
        models::SettlementPolicy::baseline(*s.world->currencies, s.world->dims.countries);
    for (int step : {0, 1, 5, 11}) {
        INFO("step " << step);
        const models::SettlementPolicy p = models::policy_at(s, step).settlement;
        CHECK(p.cut == base.cut);
        CHECK(p.swap == base.swap);
        CHECK(p.floor == base.floor);
        CHECK(p.barred == base.barred);
        CHECK(p.fx_jump == base.fx_jump);
        CHECK(p.regime == base.regime);
        CHECK(p.anchor == base.anchor);
        CHECK(p.band == base.band);
        CHECK(p.volatility == base.volatility);
    }
}

} // namespace

TEST_CASE("settlement_incentive: cuts the cost of the currency on both directions of the "
          "targeted pairs only",
          "[currency_policies]") {
    const auto s = load("cur_incentive",
                        policy("settlement_incentive", "currency = \"CNY\"\ncountries = \"CHN\"\n"
                                                       "partners = [\"RUS\", \"KAZ\"]\n"
                                                       "cut_pct = 0.5"));
    REQUIRE(s.policies.size() == 1);
    const auto base =
        models::SettlementPolicy::baseline(*s.world->currencies, s.world->dims.countries);
    for (int step : {2, 4}) {
        const models::SettlementPolicy p = models::policy_at(s, step).settlement;
        CHECK(sorted(changed(p.cut, base.cut)) ==
              sorted({at(s, "CHN", "RUS", "CNY"), at(s, "RUS", "CHN", "CNY"),
                      at(s, "CHN", "KAZ", "CNY"), at(s, "KAZ", "CHN", "CNY")}));
        CHECK(p.cut[at(s, "KAZ", "CHN", "CNY")] == Approx(0.005));
        CHECK(p.swap == base.swap);
        CHECK(p.floor == base.floor);
    }
    check_not_in_force(s);
    CHECK(s.policies[0]->describe(false).message ==
          "CNY settlement costs 0.5 % of value less on trade between CHN and 2 partners");
    CHECK(s.policies[0]->describe(true).kind == "settlement_incentive_end");
}

TEST_CASE("settlement_incentive: without partners every other economy, each pair once, and "
          "incentives in force together add up",
          "[currency_policies]") {
    const auto s = load("cur_incentive_all",
                        policy("settlement_incentive",
                               "currency = \"CNY\"\ncountries = [\"CHN\", \"RUS\"]\ncut_pct = 1") +
                            policy("settlement_incentive",
                                   "currency = \"CNY\"\ncountries = \"CHN\"\npartners = \"RUS\"\n"
                                   "cut_pct = 0.25\nnote = \"a second scheme\""));
    const std::size_t n = s.world->dims.countries;
    const auto base = models::SettlementPolicy::baseline(*s.world->currencies, n);
    const models::SettlementPolicy p = models::policy_at(s, 3).settlement;
    // Pairs with CHN or RUS on either side: 2 (N - 1) each, less CHN-RUS and RUS-CHN counted
    // twice.
    CHECK(changed(p.cut, base.cut).size() == 4 * (n - 1) - 2);
    CHECK(p.cut[at(s, "CHN", "DEU", "CNY")] == Approx(0.01));
    CHECK(p.cut[at(s, "DEU", "RUS", "CNY")] == Approx(0.01));
    CHECK(p.cut[at(s, "CHN", "RUS", "CNY")] == Approx(0.0125));
    CHECK(p.cut[at(s, "RUS", "CHN", "CNY")] == Approx(0.0125));
    CHECK(p.cut[at(s, "DEU", "FRA", "CNY")] == 0.0);
    CHECK(p.cut[at(s, "CHN", "DEU", "USD")] == 0.0);
    CHECK(s.policies[0]->describe(false).message ==
          "CNY settlement costs 1 % of value less on trade between CHN, RUS and every other "
          "economy");
    CHECK(s.policies[1]->describe(false).message ==
          "CNY settlement costs 0.25 % of value less on trade between CHN and RUS — a second "
          "scheme");
}

TEST_CASE("swap_line: covers the two home currencies both ways, by the amount's share of the "
          "pair's baseline trade",
          "[currency_policies]") {
    const auto s = load("cur_swap", policy("swap_line", "countries = [\"CHN\", \"RUS\"]\n"
                                                        "amount_usd_bn = 10") +
                                        policy("swap_line", "countries = [\"CHN\", \"KAZ\"]"));
    const models::World& w = *s.world;
    const models::Dims& d = w.dims;
    const std::size_t chn = country(s, "CHN"), rus = country(s, "RUS");
    double trade = 0.0; // USD bn a year, both directions, every sector
    for (std::size_t k = 0; k < d.sectors; ++k) {
        trade += w.flows[d.flow(chn, rus, k)] + w.flows[d.flow(rus, chn, k)];
    }
    REQUIRE(trade > 10.0);
    const double cover = 10.0 / trade;
    const auto base = models::SettlementPolicy::baseline(*w.currencies, d.countries);
    const models::SettlementPolicy p = models::policy_at(s, 2).settlement;
    CHECK(
        sorted(changed(p.swap, base.swap)) ==
        sorted({at(s, "CHN", "RUS", "CNY"), at(s, "CHN", "RUS", "RUB"), at(s, "RUS", "CHN", "CNY"),
                at(s, "RUS", "CHN", "RUB"), at(s, "CHN", "KAZ", "CNY"), at(s, "CHN", "KAZ", "KZT"),
                at(s, "KAZ", "CHN", "CNY"), at(s, "KAZ", "CHN", "KZT")}));
    for (const char* c : {"CNY", "RUB"}) {
        CHECK(p.swap[at(s, "CHN", "RUS", c)] == Approx(cover).epsilon(1e-12));
        CHECK(p.swap[at(s, "RUS", "CHN", c)] == Approx(cover).epsilon(1e-12));
    }
    CHECK(p.swap[at(s, "KAZ", "CHN", "KZT")] == 1.0); // no amount: the whole trade
    CHECK(p.cut == base.cut);
    check_not_in_force(s);
    CHECK_THAT(s.policies[0]->describe(false).message,
               Contains("a swap line of USD 10 bn between CHN and RUS removes the liquidity "
                        "premium of CNY, RUB on"));
}

TEST_CASE("swap_line: given currencies, an amount above the trade covers it all, and "
          "overlapping lines keep the larger cover",
          "[currency_policies]") {
    const auto s =
        load("cur_swap_usd", policy("swap_line", "countries = [\"RUS\", \"CHN\"]\n"
                                                 "currencies = \"USD\"\namount_usd_bn = 1e6") +
                                 policy("swap_line", "countries = [\"RUS\", \"CHN\"]\n"
                                                     "currencies = [\"USD\", \"RUB\"]\n"
                                                     "amount_usd_bn = 1"));
    const auto base =
        models::SettlementPolicy::baseline(*s.world->currencies, s.world->dims.countries);
    const models::SettlementPolicy p = models::policy_at(s, 2).settlement;
    CHECK(changed(p.swap, base.swap).size() == 4);
    CHECK(p.swap[at(s, "RUS", "CHN", "USD")] == 1.0);
    CHECK(p.swap[at(s, "CHN", "RUS", "USD")] == 1.0);
    CHECK(p.swap[at(s, "CHN", "RUS", "RUB")] > 0.0);
    CHECK(p.swap[at(s, "CHN", "RUS", "RUB")] < 0.1);
    CHECK(p.swap[at(s, "CHN", "RUS", "CNY")] == 0.0);
}

TEST_CASE("settlement_mandate: sets a floor on both directions of the targeted pairs, the "
          "larger of two",
          "[currency_policies]") {
    const auto s = load("cur_mandate",
                        policy("settlement_mandate", "currency = \"CNY\"\ncountries = \"RUS\"\n"
                                                     "partners = [\"CHN\", \"KAZ\"]\nshare = 0.3") +
                            policy("settlement_mandate",
                                   "currency = \"CNY\"\ncountries = \"CHN\"\npartners = \"RUS\"\n"
                                   "share = 0.6",
                                   "2018-04"));
    const auto base =
        models::SettlementPolicy::baseline(*s.world->currencies, s.world->dims.countries);
    const models::SettlementPolicy p2 = models::policy_at(s, 2).settlement;
    CHECK(sorted(changed(p2.floor, base.floor)) ==
          sorted({at(s, "RUS", "CHN", "CNY"), at(s, "CHN", "RUS", "CNY"),
                  at(s, "RUS", "KAZ", "CNY"), at(s, "KAZ", "RUS", "CNY")}));
    CHECK(p2.floor[at(s, "KAZ", "RUS", "CNY")] == 0.3);
    CHECK(p2.floor[at(s, "CHN", "RUS", "CNY")] == 0.3);
    const models::SettlementPolicy p3 = models::policy_at(s, 3).settlement;
    CHECK(p3.floor[at(s, "CHN", "RUS", "CNY")] == 0.6);
    CHECK(p3.floor[at(s, "RUS", "CHN", "CNY")] == 0.6);
    CHECK(p3.floor[at(s, "RUS", "KAZ", "CNY")] == 0.3);
    CHECK(p3.cut == base.cut);
    check_not_in_force(s);
    CHECK(s.policies[0]->describe(false).message ==
          "at least 30 % of trade between RUS and 2 partners must settle in CNY");
}

TEST_CASE("clearing_sanction: bars the currency for the sanctioned economies only",
          "[currency_policies]") {
    const auto s =
        load("cur_sanction", policy("clearing_sanction", "currency = \"USD\"\n"
                                                         "countries = [\"RUS\", \"IRN\"]"));
    const std::size_t nc = s.world->currencies->currencies.size();
    const auto base =
        models::SettlementPolicy::baseline(*s.world->currencies, s.world->dims.countries);
    const models::SettlementPolicy p = models::policy_at(s, 2).settlement;
    const std::size_t usd = currency(s, "USD");
    CHECK(sorted(changed(p.barred, base.barred)) ==
          sorted({country(s, "RUS") * nc + usd, country(s, "IRN") * nc + usd}));
    CHECK(p.barred[country(s, "RUS") * nc + usd] == 1);
    check_not_in_force(s);
    CHECK(s.policies[0]->describe(false).message ==
          "RUS, IRN lose access to USD clearing: none of their trade settles in USD");
}

TEST_CASE("fx_shock: jumps the log value against USD while in force, shocks add",
          "[currency_policies]") {
    const auto s =
        load("cur_shock", policy("fx_shock", "currency = \"RUB\"\nchange_pct = -20") +
                              policy("fx_shock", "currency = \"RUB\"\nchange_pct = 50", "2018-04") +
                              policy("fx_shock", "currency = \"CNY\"\nchange_pct = 5"));
    const auto base =
        models::SettlementPolicy::baseline(*s.world->currencies, s.world->dims.countries);
    const std::size_t rub = currency(s, "RUB"), cny = currency(s, "CNY");
    const models::SettlementPolicy p2 = models::policy_at(s, 2).settlement;
    CHECK(sorted(changed(p2.fx_jump, base.fx_jump)) == sorted({rub, cny}));
    CHECK(p2.fx_jump[rub] == Approx(std::log(0.8)));
    CHECK(p2.fx_jump[cny] == Approx(std::log(1.05)));
    const models::SettlementPolicy p3 = models::policy_at(s, 3).settlement;
    CHECK(std::exp(p3.fx_jump[rub]) == Approx(0.8 * 1.5));
    check_not_in_force(s);
    const models::Event e = s.policies[0]->describe(false);
    CHECK(e.value == -20.0);
    CHECK(e.message == "RUB loses 20 % of its value against USD");
}

TEST_CASE("regime_change: sets regime, anchor, band and volatility of the currency while in "
          "force",
          "[currency_policies]") {
    const auto s =
        load("cur_regime", policy("regime_change", "currency = \"CNY\"\nregime = \"peg\"\n"
                                                   "anchor = \"USD\"\nband_pct = 2") +
                               policy("regime_change", "currency = \"SAR\"\nregime = \"float\"\n"
                                                       "volatility_pct = 12") +
                               policy("regime_change", "currency = \"RUB\"\nregime = \"managed\"\n"
                                                       "anchor = \"basket\""));
    const models::Currencies& set = *s.world->currencies;
    const auto base = models::SettlementPolicy::baseline(set, s.world->dims.countries);
    const std::size_t cny = currency(s, "CNY"), sar = currency(s, "SAR"), rub = currency(s, "RUB");
    REQUIRE(base.regime[cny] == models::FxRegime::managed);
    const models::SettlementPolicy p = models::policy_at(s, 2).settlement;
    CHECK(sorted(changed(p.regime, base.regime)) == sorted({cny, sar, rub}));
    CHECK(p.regime[cny] == models::FxRegime::peg);
    CHECK(p.anchor[cny] == "USD");
    CHECK(p.band[cny] == 2.0);
    CHECK(p.volatility[cny] == set.currencies[cny].volatility); // from currencies.csv
    CHECK(p.regime[sar] == models::FxRegime::floating);
    CHECK(p.anchor[sar].empty());
    CHECK(p.volatility[sar] == 12.0);
    CHECK(p.regime[rub] == models::FxRegime::managed);
    CHECK(p.anchor[rub] == "basket");
    CHECK(p.band[rub] == 0.0);
    CHECK(sorted(changed(p.anchor, base.anchor)) == sorted({cny, sar, rub}));
    CHECK(p.cut == base.cut);
    check_not_in_force(s);
    CHECK(s.policies[0]->describe(false).message ==
          "CNY is pegged to USD from now on (band +-2 %, volatility 3 % a year; before: managed "
          "against basket)");
    CHECK(s.policies[0]->describe(true).message ==
          "CNY returns to its regime of currencies.csv: managed against basket");
}

TEST_CASE("currency policies: every problem is reported with its place", "[currency_policies]") {
    // Line numbers: 4 lines of header (extends, name, [calendar], steps), then the policies.
    const std::string body =
        policy("settlement_incentive",
               "currency = \"CNX\"\ncountries = \"CHN\"\ncut_pct = 7") + // lines 5-11
        policy("swap_line", "countries = [\"DEU\", \"FRA\"]") +          // 12-16
        policy("swap_line", "countries = [\"CHN\", \"RUS\", \"KAZ\"]") + // 17-21
        policy("settlement_mandate", "currency = \"JPY\"\ncountries = \"CHN\"\n"
                                     "partners = [\"RUS\", \"KAZ\"]\nshare = 0.5") +        // 22-29
        policy("clearing_sanction", "currency = \"RUB\"\ncountries = [\"IRN\", \"RUS\"]") + // 30-35
        policy("fx_shock", "currency = \"USD\"\nchange_pct = 0") +                          // 36-41
        policy("regime_change", "currency = \"EUR\"\nregime = \"peg\"\nanchor = \"RSD\"") + // 42-48
        policy("regime_change", "currency = \"CNY\"\nregime = \"managed\"\nanchor = \"basket\"") +
        policy("regime_change", "currency = \"JPY\"\nregime = \"peg\"\nanchor = \"JPY\"") +
        policy("regime_change", "currency = \"JPY\"\nregime = \"flaot\"\nanchor = \"USD\"");
    const auto path = scenario_file("cur_problems", body);
    try {
        (void)models::load_scenario(path);
        FAIL("the scenario loaded");
    } catch (const sim::InputError& e) {
        const std::string text = e.what();
        INFO(text);
        CHECK_THAT(text, Contains("cur_problems.toml:9:12: error: unknown currency \"CNX\" in "
                                  "policy[0].currency (did you mean \"CNY\"?) (known: AED, BDT,"));
        CHECK_THAT(text, Contains("cur_problems.toml:11:11: error: policy[0].cut_pct = 7 must be "
                                  "in [0, 5]"));
        CHECK_THAT(text, Contains("cur_problems.toml:16:13: error: policy[1]: DEU and FRA share "
                                  "the currency EUR: a swap line between them has nothing to "
                                  "swap"));
        CHECK_THAT(text, Contains("cur_problems.toml:21:13: error: policy[2].countries must name "
                                  "exactly two economies (the two "
                                  "central banks), not 3"));
        CHECK_THAT(text, Contains("policy[3].currency: JPY is no settlement candidate of 4 of "
                                  "the pairs (CHN-RUS, CHN-KAZ, RUS-CHN and 1 more)"));
        CHECK_THAT(text, Contains("policy[4]: RUS cannot lose access to its own currency RUB"));
        CHECK_THAT(text, Contains("policy[5]: USD is the numeraire: shock the other currencies "
                                  "instead"));
        CHECK_THAT(text, Contains("policy[5].change_pct = 0 changes nothing"));
        CHECK_THAT(text, Contains("policy[6].anchor = RSD makes a cycle of anchors: EUR -> RSD -> "
                                  "EUR (currencies.csv)"));
        CHECK_THAT(text, Contains("policy[7]: regime_change leaves CNY managed against basket as "
                                  "it is"));
        CHECK_THAT(text, Contains("policy[8].anchor = JPY: a currency cannot be anchored to "
                                  "itself"));
        CHECK_THAT(text,
                   Contains("cur_problems.toml:68:10: error: policy[9].regime = \"flaot\" must "
                            "be peg, managed or float (did you mean \"float\"?)"));
    }
}

TEST_CASE("currency policies: need a world that settles in currencies", "[currency_policies]") {
    const auto path = scenario_file("cur_disabled",
                                    "[currencies]\nenabled = false\n" +
                                        policy("fx_shock", "currency = \"RUB\"\nchange_pct = -20") +
                                        policy("swap_line", "countries = [\"CHN\", \"RUS\"]"));
    REQUIRE_THROWS_WITH(models::load_scenario(path),
                        Contains("cur_disabled.toml:7:1: error: policy[0]: fx_shock needs "
                                 "currencies: the world has no currencies/ folder or "
                                 "[currencies] enabled = false") &&
                            Contains("policy[1]: swap_line needs currencies"));
}

TEST_CASE("currency policies: regime_change rejects contradictory fields and USD",
          "[currency_policies]") {
    const auto path = scenario_file(
        "cur_regime_bad",
        policy("regime_change", "currency = \"CNY\"\nregime = \"float\"\nanchor = \"USD\"") +
            policy("regime_change", "currency = \"RUB\"\nregime = \"peg\"") +
            policy("regime_change", "currency = \"RUB\"\nregime = \"managed\"\n"
                                    "anchor = \"EUR\"\nband_pct = 1") +
            policy("regime_change", "currency = \"USD\"\nregime = \"peg\"\nanchor = \"EUR\"") +
            policy("regime_change", "currency = \"RUB\"\nregime = \"peg\"\nanchor = \"EUX\"") +
            policy("regime_change", "currency = \"RUB\"\nregime = \"peg\"\nanchor = \"EUR\"\n"
                                    "band_pct = 60\nvolatility_pct = -1"));
    REQUIRE_THROWS_WITH(
        models::load_scenario(path),
        Contains("policy[0].anchor = \"USD\": contradictory regime: a float has no anchor") &&
            Contains("policy[1]: regime = \"peg\" needs an anchor (a currency code or "
                     "\"basket\")") &&
            Contains("policy[2].band_pct: only a peg has a band, and regime = \"managed\"") &&
            Contains("policy[3]: USD is the numeraire and cannot change regime") &&
            Contains("unknown anchor \"EUX\" in policy[4].anchor (did you mean \"EUR\"?)") &&
            Contains("policy[5].band_pct = 60 must be in [0, 50]") &&
            Contains("policy[5].volatility_pct = -1 must be in [0, 200]"));
}

TEST_CASE("currency policies: swap_line with one economy twice, a mandate share out of range",
          "[currency_policies]") {
    const auto path = scenario_file(
        "cur_misc_bad",
        policy("swap_line", "countries = [\"CHN\", \"CHN\"]") +
            policy("settlement_mandate", "currency = \"CNY\"\ncountries = \"CHN\"\nshare = 1.5") +
            policy("settlement_incentive", "currency = \"CNY\"\ncountries = \"CNH\"\n"
                                           "cut_pct = 1") +
            policy("settlement_incentive", "currency = \"CNY\"\ncountries = \"CHN\"\n"
                                           "partners = \"CHN\"\ncut_pct = 1"));
    REQUIRE_THROWS_WITH(
        models::load_scenario(path),
        Contains("policy[0]: a swap line between CHN and itself") &&
            Contains("policy[1].share = 1.5 must be in [0, 1] (minimum share of the pairs' trade "
                     "settled in CNY)") &&
            Contains("unknown country \"CNH\" in policy[2].countries (did you mean \"CHN\"?) "
                     "(known: ARE, BGD,") &&
            Contains("policy[3]: countries and partners leave no pair of two different "
                     "economies"));
}
