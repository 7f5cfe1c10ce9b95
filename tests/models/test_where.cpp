#include "tradesim/models/gravity/where.hpp"
#include "tradesim/sim/error.hpp"

#include <catch2/catch.hpp>
#include <cmath>
#include <limits>

using namespace tradesim;
namespace gr = tradesim::models::gravity;
using Catch::Matchers::Contains;
using Catch::Matchers::Equals;

namespace {

using Keep = std::vector<unsigned char>;
constexpr double na = std::numeric_limits<double>::quiet_NaN();

sim::DataColumn numeric(std::string name, std::vector<double> values) {
    sim::DataColumn c;
    c.name = std::move(name);
    c.numbers = std::move(values);
    return c;
}

sim::DataColumn categorical(std::string name, std::vector<std::string> levels,
                            std::vector<std::int32_t> codes) {
    sim::DataColumn c;
    c.name = std::move(name);
    c.kind = sim::DataColumn::Kind::categorical;
    c.levels = std::move(levels);
    c.codes = std::move(codes);
    return c;
}

// Five flows. The two country columns list their levels in different orders, so equal texts
// have different codes (row 2: MEX is code 2 in exporter, 0 in importer) and equal codes
// different texts (row 0: code 0 vs code 1 are both USA).
//   row  exporter importer year  dist  cntg
//   0    USA      USA      2006  100   1
//   1    CAN      MEX      2002  2500  0
//   2    MEX      MEX      1990  800   0
//   3    USA      CAN      NA    1200  1
//   4    NA       MEX      2006  NA    0
sim::DataFrame flows() {
    sim::DataFrame f;
    f.add(categorical("exporter", {"USA", "CAN", "MEX"}, {0, 1, 2, 0, -1}));
    f.add(categorical("importer", {"MEX", "USA", "CAN"}, {1, 0, 0, 2, 0}));
    f.add(numeric("year", {2006, 2002, 1990, na, 2006}));
    f.add(numeric("dist", {100, 2500, 800, 1200, na}));
    f.add(numeric("cntg", {1, 0, 0, 1, 0}));
    return f;
}

Keep where(const std::string& expression) {
    return gr::evaluate_where(expression, flows());
}

std::string error_of(const std::string& expression) {
    try {
        (void)where(expression);
    } catch (const sim::InputError& e) {
        return e.what();
    }
    return {};
}

} // namespace

TEST_CASE("Where: the examples of the estimate command", "[models][gravity]") {
    CHECK(where("year == 2006") == Keep{1, 0, 0, 0, 1});
    CHECK(where("exporter != importer && year % 4 == 2") == Keep{0, 1, 0, 0, 0});
    CHECK(where("(dist > 1000 || cntg == 1) && !(exporter == \"USA\")") == Keep{0, 1, 0, 0, 0});
}

TEST_CASE("Where: each comparison operator on numbers; missing values compare false",
          "[models][gravity]") {
    CHECK(where("year == 2006") == Keep{1, 0, 0, 0, 1});
    CHECK(where("year != 2006") == Keep{0, 1, 1, 0, 0});
    CHECK(where("year < 2002") == Keep{0, 0, 1, 0, 0});
    CHECK(where("year <= 2002") == Keep{0, 1, 1, 0, 0});
    CHECK(where("year > 2002") == Keep{1, 0, 0, 0, 1});
    CHECK(where("year >= 2002") == Keep{1, 1, 0, 0, 1});
    CHECK(where("2002 <= year") == Keep{1, 1, 0, 0, 1});
    CHECK(where("dist > year") == Keep{0, 1, 0, 0, 0});
    CHECK(where("year == year") == Keep{1, 1, 1, 0, 1});
    CHECK(where("1 == 1") == Keep{1, 1, 1, 1, 1});
}

TEST_CASE("Where: arithmetic, with * / % before + -", "[models][gravity]") {
    CHECK(where("year % 8 == 6") == Keep{1, 0, 1, 0, 1});
    CHECK(where("dist / 100 + 1 > 10") == Keep{0, 1, 0, 1, 0});
    CHECK(where("dist * 2 - 200 == 0") == Keep{1, 0, 0, 0, 0});
    CHECK(where("year - 2000 * 1 == 6") == Keep{1, 0, 0, 0, 1});
    CHECK(where("(year - 2000) * 2 == 12") == Keep{1, 0, 0, 0, 1});
    CHECK(where("-dist < -1000") == Keep{0, 1, 0, 1, 0});
    CHECK(where("dist - -100 == 200") == Keep{1, 0, 0, 0, 0});
    CHECK(where("year - 2000 - 6 == 0") == Keep{1, 0, 0, 0, 1}); // left-associative
    CHECK(where("dist >= 1.2e3") == Keep{0, 1, 0, 1, 0});
    CHECK(where("cntg == .5 * 2") == Keep{1, 0, 0, 1, 0});
}

TEST_CASE("Where: && binds tighter than ||, ! applies to the comparison after it",
          "[models][gravity]") {
    // As (cntg == 1) || (year == 2002 && dist > 1000); left to right would drop row 0.
    CHECK(where("cntg == 1 || year == 2002 && dist > 1000") == Keep{1, 1, 0, 1, 0});
    CHECK(where("year == 2002 && dist > 1000 || cntg == 1") == Keep{1, 1, 0, 1, 0});
    CHECK(where("!year == 2006") == Keep{0, 1, 1, 1, 0});
    CHECK(where("!!(year == 2006)") == Keep{1, 0, 0, 0, 1});
    // A missing exporter fails the comparison, so its negation keeps the row.
    CHECK(where("!(exporter == \"USA\")") == Keep{0, 1, 1, 0, 1});
}

TEST_CASE("Where: a categorical column compares with \"text\" by level text", "[models][gravity]") {
    CHECK(where("exporter == \"MEX\"") == Keep{0, 0, 1, 0, 0});
    CHECK(where("\"MEX\" == importer") == Keep{0, 1, 1, 0, 1});
    CHECK(where("exporter != \"USA\"") == Keep{0, 1, 1, 0, 0});
    CHECK(where("exporter == \"BRA\"") == Keep{0, 0, 0, 0, 0});
    CHECK(where("exporter != \"BRA\"") == Keep{1, 1, 1, 1, 0});
    CHECK(where("exporter < \"MEX\"") == Keep{0, 1, 0, 0, 0});
    CHECK(where("exporter >= \"MEX\"") == Keep{1, 0, 1, 1, 0});
}

TEST_CASE("Where: two categorical columns compare by text, not by code", "[models][gravity]") {
    CHECK(where("exporter == importer") == Keep{1, 0, 1, 0, 0});
    CHECK(where("exporter != importer") == Keep{0, 1, 0, 1, 0});
    CHECK(where("exporter < importer") == Keep{0, 1, 0, 0, 0});
    CHECK(where("importer > exporter") == Keep{0, 1, 0, 0, 0});
}

TEST_CASE("Where: quoted text may hold escaped quotes", "[models][gravity]") {
    sim::DataFrame f;
    f.add(categorical("name", {"a \"b\"", "c\\d"}, {0, 1}));
    CHECK(gr::evaluate_where(R"(name == "a \"b\"")", f) == Keep{1, 0});
    CHECK(gr::evaluate_where(R"(name == "c\\d")", f) == Keep{0, 1});
}

TEST_CASE("Where: a large table gives the same rows as a loop over rows", "[models][gravity]") {
    const std::size_t n = 10000;
    std::vector<double> year(n), dist(n);
    std::vector<std::int32_t> exporter(n), importer(n);
    for (std::size_t i = 0; i < n; ++i) {
        year[i] = i % 97 == 0 ? na : 1986.0 + static_cast<double>(i % 21);
        dist[i] = static_cast<double>((i * 7919) % 5000);
        exporter[i] = i % 53 == 0 ? -1 : static_cast<std::int32_t>(i % 3);
        importer[i] = static_cast<std::int32_t>((i / 3) % 3);
    }
    sim::DataFrame f;
    f.add(categorical("exporter", {"A", "B", "C"}, exporter));
    f.add(categorical("importer", {"C", "A", "B"}, importer));
    f.add(numeric("year", year));
    f.add(numeric("dist", dist));
    const auto keep = gr::evaluate_where(
        "exporter != importer && year % 4 == 2 || dist / 2 > 2000 && !(exporter == \"B\")", f);
    const std::vector<std::string> ex{"A", "B", "C"}, im{"C", "A", "B"};
    std::size_t kept = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const bool missing = exporter[i] < 0;
        const bool differ = !missing && ex[static_cast<std::size_t>(exporter[i])] !=
                                            im[static_cast<std::size_t>(importer[i])];
        const bool is_b = !missing && ex[static_cast<std::size_t>(exporter[i])] == "B";
        const bool want = (differ && !std::isnan(year[i]) && std::fmod(year[i], 4.0) == 2.0) ||
                          (dist[i] / 2 > 2000 && !is_b);
        REQUIRE(keep[i] == (want ? 1 : 0));
        kept += keep[i];
    }
    CHECK(kept > 0);
    CHECK(kept < n);
}

TEST_CASE("Where: syntax errors give the position with a caret", "[models][gravity][error]") {
    CHECK_THAT(error_of("year = 2006"),
               Equals("where:1:6: error: '=' is not an operator: write '==' to compare\n"
                      "  year = 2006\n"
                      "       ^"));
    CHECK_THAT(error_of("year == 2006 &&"),
               Contains("where:1:16: error: expected a column, a number or \"text\", found the "
                        "end of the filter"));
    CHECK_THAT(error_of("(year == 2006"),
               Contains("where:1:14: error: expected ')' to close the '(' at column 1"));
    CHECK_THAT(error_of("year == 2006)"),
               Contains("where:1:13: error: ')' without a matching '('"));
    CHECK_THAT(error_of("year == 2006 == 1"),
               Contains("where:1:14: error: comparisons cannot be chained"));
    CHECK_THAT(error_of("exporter == 'USA'"),
               Contains("where:1:13: error: text goes in double quotes"));
    CHECK_THAT(error_of("exporter == \"USA"), Contains("where:1:13: error: unterminated text"));
    CHECK_THAT(error_of("year == 20x6"), Contains("where:1:9: error: invalid number '20x6'"));
    CHECK_THAT(error_of("year == 2006 & cntg == 1"),
               Contains("where:1:14: error: write '&&' for and"));
    CHECK_THAT(error_of("year == 2006 cntg"),
               Contains("where:1:14: error: unexpected 'cntg': expected '&&', '||' or the end"));
    CHECK_THAT(error_of("abs(dist) > 1"), Contains("where:1:1: error: unknown function 'abs'"));
    CHECK_THAT(error_of(""), Contains("where:1:1: error: the filter is empty"));
}

TEST_CASE("Where: an unknown column gets a suggestion", "[models][gravity][error]") {
    CHECK_THAT(error_of("year == 2006 && expoter == \"USA\""),
               Equals("where:1:17: error: unknown column \"expoter\" (did you mean \"exporter\"?)\n"
                      "  year == 2006 && expoter == \"USA\"\n"
                      "                  ^"));
    CHECK_THAT(error_of("zzz == 1"),
               Contains("where:1:1: error: unknown column \"zzz\" (columns: exporter, importer, "
                        "year, dist, cntg)"));
    // Every problem is listed.
    const std::string both = error_of("expoter == \"USA\" || yaer == 2");
    CHECK_THAT(both, Contains("where:1:1: error: unknown column \"expoter\""));
    CHECK_THAT(both,
               Contains("where:1:21: error: unknown column \"yaer\" (did you mean \"year\"?)"));
}

TEST_CASE("Where: text and numbers do not mix", "[models][gravity][error]") {
    CHECK_THAT(error_of("exporter == 840"),
               Contains("where:1:10: error: cannot compare column \"exporter\" (text) with the "
                        "number 840 (write text in double quotes, e.g. \"USA\")"));
    CHECK_THAT(error_of("year == \"2006\""),
               Contains("where:1:6: error: cannot compare column \"year\" (numeric) with the text "
                        "\"2006\" (write numbers without quotes)"));
    CHECK_THAT(error_of("exporter == year"),
               Contains("where:1:10: error: cannot compare column \"exporter\" (text) with column "
                        "\"year\" (numeric)"));
    CHECK_THAT(error_of("exporter + 1 > 2"),
               Contains("where:1:10: error: '+' needs numbers, but its left side is column "
                        "\"exporter\" (text)"));
    CHECK_THAT(error_of("-exporter < 2"),
               Contains("where:1:1: error: '-' needs a number, but found column \"exporter\""));
    CHECK_THAT(error_of("(year > 1) * 2 == 2"),
               Contains("where:1:12: error: '*' needs numbers, but its left side is a condition"));
    CHECK_THAT(error_of("year && cntg == 1"),
               Contains("where:1:6: error: '&&' joins conditions, but its left side is column "
                        "\"year\" (numeric)"));
    CHECK_THAT(error_of("!dist"),
               Contains("where:1:1: error: '!' needs a condition, but found column \"dist\""));
    CHECK_THAT(error_of("(year + 1)"),
               Contains("where:1:1: error: the filter must be a condition such as year == 2006, "
                        "but it is a number"));
}
