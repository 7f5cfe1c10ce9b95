#include "tradesim/models/gravity/formula.hpp"
#include "tradesim/sim/error.hpp"

#include <catch2/catch.hpp>

using namespace tradesim;
namespace gr = tradesim::models::gravity;
using Catch::Matchers::Contains;
using Catch::Matchers::Equals;

namespace {

// The message parse_formula throws for `text`, or "" when it parses.
std::string error_of(const std::string& text) {
    try {
        (void)gr::parse_formula(text);
    } catch (const sim::InputError& e) {
        return e.what();
    }
    return {};
}

} // namespace

TEST_CASE("Formula: parses regressors, logs and interacted fixed effects", "[models][gravity]") {
    const auto f = gr::parse_formula("trade ~ log(dist) + cntg | exporter^year + importer^year");
    CHECK(f.response == "trade");
    REQUIRE(f.regressors.size() == 2);
    CHECK(f.regressors[0].label == "log(dist)");
    CHECK(f.regressors[0].column == "dist");
    CHECK(f.regressors[0].log);
    CHECK(f.regressors[1].label == "cntg");
    CHECK(f.regressors[1].column == "cntg");
    CHECK_FALSE(f.regressors[1].log);
    REQUIRE(f.fixed_effects.size() == 2);
    CHECK(f.fixed_effects[0].label == "exporter^year");
    CHECK(f.fixed_effects[0].columns == std::vector<std::string>{"exporter", "year"});
    CHECK(f.fixed_effects[1].columns == std::vector<std::string>{"importer", "year"});
    CHECK(f.text == "trade ~ log(dist) + cntg | exporter^year + importer^year");
}

TEST_CASE("Formula: whitespace is free and the text is normalised", "[models][gravity]") {
    const auto f = gr::parse_formula("  trade~log( dist )+cntg|exporter ^ year+\timporter^year ");
    CHECK(f.text == "trade ~ log(dist) + cntg | exporter^year + importer^year");
    CHECK(f.regressors[0].label == "log(dist)");
    CHECK(f.fixed_effects[1].label == "importer^year");
}

TEST_CASE("Formula: without '|' there are no fixed effects", "[models][gravity]") {
    const auto f = gr::parse_formula("Euros ~ log(dist_km)");
    CHECK(f.response == "Euros");
    REQUIRE(f.regressors.size() == 1);
    CHECK(f.regressors[0].label == "log(dist_km)");
    CHECK(f.fixed_effects.empty());
}

TEST_CASE("Formula: four single fixed effects", "[models][gravity]") {
    const auto f =
        gr::parse_formula("Euros ~ log(dist_km) | Origin + Destination + Product + Year");
    REQUIRE(f.fixed_effects.size() == 4);
    CHECK(f.fixed_effects[3].label == "Year");
    CHECK(f.fixed_effects[3].columns == std::vector<std::string>{"Year"});
}

TEST_CASE("Formula: '1' is the intercept, so 'y ~ 1 | fe' has fixed effects only",
          "[models][gravity]") {
    const auto f = gr::parse_formula("y ~ 1 | a + b^c");
    CHECK(f.regressors.empty());
    REQUIRE(f.fixed_effects.size() == 2);
    CHECK(f.text == "y ~ 1 | a + b^c");
    const auto g = gr::parse_formula("y ~ 1 + x");
    REQUIRE(g.regressors.size() == 1);
    CHECK(g.text == "y ~ x");
}

TEST_CASE("Formula: column names may hold dots, digits and underscores", "[models][gravity]") {
    const auto f = gr::parse_formula("trade.value ~ log(dist_2) + _x.1 | .id");
    CHECK(f.response == "trade.value");
    CHECK(f.regressors[1].column == "_x.1");
    CHECK(f.fixed_effects[0].label == ".id");
}

TEST_CASE("Formula: error positions point at the problem", "[models][gravity][error]") {
    CHECK_THAT(error_of("trade log(dist)"),
               Equals("formula:1:7: error: expected '~' after the response \"trade\", found 'log'\n"
                      "  trade log(dist)\n"
                      "        ^"));
    CHECK_THAT(error_of("trade ~ dist +"), Equals("formula:1:15: error: expected a column name "
                                                  "after '+'\n"
                                                  "  trade ~ dist +\n"
                                                  "                ^"));
    CHECK_THAT(error_of("trade ~ exp(dist)"),
               Equals("formula:1:9: error: unknown function 'exp' (known: log)\n"
                      "  trade ~ exp(dist)\n"
                      "          ^"));
    CHECK_THAT(error_of("trade ~ log(dist"),
               Contains("formula:1:17: error: expected ')' to close the '(' at column 12, found "
                        "the end of the formula"));
    CHECK_THAT(error_of("trade ~ dist)"),
               Contains("formula:1:13: error: ')' without a matching '('"));
    CHECK_THAT(error_of(""), Contains("formula:1:1: error: the formula is empty"));
    CHECK_THAT(error_of("   "), Contains("formula:1:1: error: the formula is empty"));
    CHECK_THAT(error_of("trade"), Contains("formula:1:6: error: expected '~' after the response"));
    CHECK_THAT(error_of("trade ~"),
               Contains("formula:1:8: error: expected a column name or 1 after '~'"));
    CHECK_THAT(error_of("trade ~ x |"),
               Contains("formula:1:12: error: expected a fixed-effect column after '|'"));
    CHECK_THAT(error_of("trade ~ x | a^"),
               Contains("formula:1:15: error: expected a column name after '^'"));
    CHECK_THAT(error_of("trade ~ x | a b"),
               Contains("formula:1:15: error: unexpected 'b': expected '+' or the end"));
    CHECK_THAT(error_of("trade ~ x * y"),
               Contains("formula:1:11: error: unexpected '*': expected '+', '|' or the end"));
    CHECK_THAT(error_of("log(trade) ~ x"),
               Contains("formula:1:1: error: the response must be a bare column name"));
    CHECK_THAT(error_of("trade ~ log(log(x))"),
               Contains("formula:1:16: error: functions cannot be nested"));
    CHECK_THAT(error_of("trade ~ x | log(a)"),
               Contains("formula:1:13: error: fixed effects are columns or interactions"));
    CHECK_THAT(error_of("trade ~ 2x"), Contains("formula:1:9: error: expected a column name or 1"));
}

TEST_CASE("Formula: needs a regressor or a fixed effect", "[models][gravity][error]") {
    CHECK_THAT(error_of("y ~ 1"),
               Contains("formula:1:5: error: the formula needs at least one regressor or fixed "
                        "effect"));
}

TEST_CASE("Formula: rejects repeated terms, naming the first", "[models][gravity][error]") {
    CHECK_THAT(error_of("y ~ x + log(x) + x"),
               Contains("formula:1:18: error: duplicate regressor x (first at column 5)"));
    CHECK_THAT(error_of("y ~ x | a^b + b^a"),
               Contains("formula:1:15: error: duplicate fixed effect b^a (same as a^b at column "
                        "9)"));
    CHECK_THAT(error_of("y ~ x | a^b^a"),
               Contains("formula:1:13: error: column \"a\" appears twice in one interaction (first "
                        "at column 9)"));
}

TEST_CASE("Formula: lists every problem, not only the first", "[models][gravity][error]") {
    const std::string e = error_of("y ~ exp(x) + sqrt(z) + w + w");
    CHECK_THAT(e, Contains("formula:1:5: error: unknown function 'exp' (known: log)"));
    CHECK_THAT(e, Contains("formula:1:14: error: unknown function 'sqrt' (known: log)"));
    CHECK_THAT(e, Contains("formula:1:28: error: duplicate regressor w (first at column 24)"));
}

TEST_CASE("Formula: a caret under a later line of a multi-line formula",
          "[models][gravity][error]") {
    CHECK_THAT(error_of("y ~ x +\n  exp(z)"),
               Equals("formula:2:3: error: unknown function 'exp' (known: log)\n"
                      "    exp(z)\n"
                      "    ^"));
}
