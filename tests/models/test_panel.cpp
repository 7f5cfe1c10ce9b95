#include "tradesim/models/panel.hpp"

#include "tradesim/sim/error.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

using Catch::Matchers::Contains;
namespace models = tradesim::models;
namespace sim = tradesim::sim;

namespace {

constexpr double missing = std::numeric_limits<double>::quiet_NaN();

// A one-sector panel of `years` and `countries`, every pair reported with flow `base` + cell.
models::TradePanel panel(std::vector<int> years, std::vector<std::string> countries, double base) {
    models::TradePanel p;
    p.years = std::move(years);
    p.countries = std::move(countries);
    p.country_names.assign(p.countries.size(), "");
    p.sectors = {"TOT"};
    p.sector_names = {"total"};
    const std::size_t pairs = p.years.size() * p.countries.size() * p.countries.size();
    p.reported.assign(pairs, 1);
    for (std::size_t c = 0; c < pairs; ++c) {
        p.flows.push_back(base + static_cast<double>(c));
    }
    return p;
}

} // namespace

TEST_CASE("TradePanel: find and totals", "[models][panel]") {
    auto p = panel({2000, 2004}, {"CHN", "DEU"}, 1);
    p.sectors = {"A", "B"};
    p.sector_names = {"a", "b"};
    p.flows.assign(2 * 2 * 2 * 2, 1.0);
    p.flows[p.flow_index(1, 0, 1, 1)] = 5;
    p.country_variables.push_back({"gdp", "USD", "s", {1, 2, 3, 4}});
    p.check();
    CHECK(p.find_year(2004) == 1);
    CHECK(p.find_year(2001) == -1);
    CHECK(p.find_country("DEU") == 1);
    CHECK(p.find_country("USA") == -1);
    CHECK(p.find_sector("B") == 1);
    CHECK(p.country_variable("gdp") != nullptr);
    CHECK(p.country_variable("pop") == nullptr);
    CHECK(p.pair_variable("gdp") == nullptr);
    CHECK(p.pair_totals(1) == std::vector<double>{2, 6, 2, 2});
}

TEST_CASE("TradePanel: check lists every size problem", "[models][panel][error]") {
    auto p = panel({2004, 2000}, {"DEU", "CHN"}, 1);
    p.flows.pop_back();
    p.country_variables.push_back({"gdp", "USD", "s", {1}});
    try {
        p.check();
        FAIL("no error");
    } catch (const sim::InputError& e) {
        const std::string text = e.what();
        CHECK_THAT(text, Contains("years are not ascending"));
        CHECK_THAT(text, Contains("countries are not ascending"));
        CHECK_THAT(text, Contains("7 flows, expected years x countries^2 x sectors = 8"));
        CHECK_THAT(text, Contains("country variable gdp has 1 values, expected 4"));
    }
}

TEST_CASE("merge_panels: trade and macro data of other years and countries", "[models][panel]") {
    const auto trade = panel({2000}, {"CHN", "DEU"}, 10);
    models::TradePanel macro = panel({2000, 2004}, {"CHN", "USA"}, 0);
    macro.reported.assign(macro.reported.size(), 0);
    macro.flows.assign(macro.flows.size(), 0.0);
    macro.country_variables.push_back({"gdp", "USD", "pwt", {1, 2, 3, missing}});
    macro.provenance = {"pwt"};
    auto with_trade = trade;
    with_trade.provenance = {"trade"};

    const auto m = models::merge_panels(with_trade, macro);
    m.check();
    CHECK(m.years == std::vector<int>{2000, 2004});
    CHECK(m.countries == std::vector<std::string>{"CHN", "DEU", "USA"});
    CHECK(m.provenance == std::vector<std::string>{"trade", "pwt"});
    // Trade of 2000 in place, nothing reported for USA or for 2004.
    CHECK(m.flows[m.flow_index(0, 0, 1, 0)] == 11);
    CHECK(m.flows[m.flow_index(0, 1, 0, 0)] == 12);
    CHECK(m.reported[m.pair_index(0, 0, 2)] == 0);
    CHECK(m.reported[m.pair_index(1, 0, 1)] == 0);
    const auto* gdp = m.country_variable("gdp");
    REQUIRE(gdp != nullptr);
    CHECK(gdp->values[m.country_index(0, 0)] == 1);
    CHECK(std::isnan(gdp->values[m.country_index(0, 1)])); // DEU: not in the macro data
    CHECK(gdp->values[m.country_index(0, 2)] == 2);
    CHECK(gdp->values[m.country_index(1, 0)] == 3);
    CHECK(std::isnan(gdp->values[m.country_index(1, 2)]));
}

TEST_CASE("merge_panels: the same values twice agree, different ones are conflicts",
          "[models][panel][error]") {
    const auto a = panel({2000}, {"CHN", "DEU"}, 10);
    const auto same = models::merge_panels(a, a);
    CHECK(same.flows == a.flows);
    auto b = a;
    b.flows[b.flow_index(0, 0, 1, 0)] = 99;
    REQUIRE_THROWS_AS(models::merge_panels(a, b), sim::InputError);
    REQUIRE_THROWS_WITH(models::merge_panels(a, b),
                        Contains("disagree on 1 values") && Contains("CHN-DEU TOT in 2000"));
    auto c = a;
    c.sectors = {"X"};
    REQUIRE_THROWS_WITH(models::merge_panels(a, c), Contains("different sectors"));
}
