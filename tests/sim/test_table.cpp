#include "tradesim/sim/table.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <stdexcept>

using namespace tradesim::sim;
using Catch::Matchers::Contains;

TEST_CASE("ColumnTable: add_column zero-fills and returns stable ids", "[sim][table]") {
    ColumnTable t(5);
    CHECK(t.rows() == 5);
    CHECK(t.columns() == 0);
    const std::size_t gdp = t.add_column("gdp", "USD bn", "gross domestic product");
    t.at(gdp, 2) = 7.5;
    const std::size_t pop = t.add_column("population", "m", "people");
    CHECK(gdp == 0);
    CHECK(pop == 1);
    CHECK(t.columns() == 2);
    REQUIRE(t.column(pop).size() == 5);
    CHECK(
        std::all_of(t.column(pop).begin(), t.column(pop).end(), [](double v) { return v == 0.0; }));
    // Adding a column leaves the others alone.
    CHECK(t.at(gdp, 2) == 7.5);
    CHECK(t.column(gdp)[2] == 7.5);
    t.column(pop)[4] = 3.0;
    const ColumnTable& ct = t;
    CHECK(ct.at(pop, 4) == 3.0);
    CHECK(ct.column(pop)[4] == 3.0);
    CHECK(t.info(pop).unit == "m");
    CHECK(t.info(gdp).description == "gross domestic product");
    CHECK_THROWS_AS(t.info(2), std::out_of_range);
}

TEST_CASE("ColumnTable: a duplicate column name throws", "[sim][table][error]") {
    ColumnTable t(3);
    t.add_column("gdp", "", "");
    REQUIRE_THROWS_AS(t.add_column("gdp", "x", "y"), std::logic_error);
    REQUIRE_THROWS_WITH(t.add_column("gdp", "x", "y"), Contains("gdp"));
    CHECK(t.columns() == 1);
}

TEST_CASE("ColumnTable: find looks columns up by name", "[sim][table]") {
    ColumnTable t(2);
    t.add_column("a", "", "");
    t.add_column("b", "", "");
    CHECK(t.find("a") == std::size_t{0});
    CHECK(t.find("b") == std::size_t{1});
    CHECK_FALSE(t.find("c").has_value());
    CHECK_FALSE(t.find("").has_value());
}
