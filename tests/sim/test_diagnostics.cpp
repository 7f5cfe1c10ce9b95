#include "tradesim/sim/diagnostics.hpp"
#include "tradesim/sim/error.hpp"

#include <catch2/catch.hpp>

using namespace tradesim::sim;
using Catch::Matchers::Contains;

TEST_CASE("Diagnostics: Location::str leaves out unknown parts", "[sim][diagnostics]") {
    CHECK(Location{"a.toml", 12, 7}.str() == "a.toml:12:7");
    CHECK(Location{"a.toml", 12, 0}.str() == "a.toml:12");
    CHECK(Location{"a.toml", 0, 0}.str() == "a.toml");
    CHECK(Location{"a.toml", 0, 5}.str() == "a.toml");
}

TEST_CASE("Diagnostics: format gives one line per error in the order found", "[sim][diagnostics]") {
    Diagnostics d;
    CHECK(d.empty());
    CHECK(d.format().empty());
    d.error({"x.toml", 4, 9}, "second thing");
    d.error({"x.toml", 2, 1}, "first thing");
    d.error({"y.csv", 3, 0}, "third thing");
    CHECK_FALSE(d.empty());
    REQUIRE(d.errors().size() == 3);
    CHECK(d.format() == "x.toml:4:9: error: second thing\n"
                        "x.toml:2:1: error: first thing\n"
                        "y.csv:3: error: third thing");
}

TEST_CASE("Diagnostics: throw_if_any throws an InputError with every problem",
          "[sim][diagnostics][error]") {
    Diagnostics none;
    CHECK_NOTHROW(none.throw_if_any());

    Diagnostics d;
    d.error({"s.toml", 3, 5}, "unknown country \"CHX\"");
    d.error({"s.toml", 8, 11}, "negative rate");
    REQUIRE_THROWS_AS(d.throw_if_any(), InputError);
    REQUIRE_THROWS_WITH(d.throw_if_any(), Contains("s.toml:3:5: error: unknown country \"CHX\"") &&
                                              Contains("s.toml:8:11: error: negative rate"));
    try {
        d.throw_if_any();
    } catch (const Error& e) {
        CHECK(e.code() == ExitCode::bad_input);
        CHECK(std::string(e.what()) == d.format());
    }
}

TEST_CASE("Diagnostics: append keeps both lists in order", "[sim][diagnostics]") {
    Diagnostics a;
    a.error({"a", 1, 1}, "one");
    Diagnostics b;
    b.error({"b", 2, 2}, "two");
    b.error({"b", 3, 3}, "three");
    a.append(b);
    REQUIRE(a.errors().size() == 3);
    CHECK(a.errors()[0].message == "one");
    CHECK(a.errors()[1].message == "two");
    CHECK(a.errors()[2].where.str() == "b:3:3");
}

TEST_CASE("Diagnostics: closest_match suggests a near name only", "[sim][diagnostics]") {
    const std::vector<std::string> countries{"CHN", "USA"};
    CHECK(closest_match("CHX", countries) == "CHN");
    CHECK(closest_match("usa", countries) == "USA"); // case does not count
    CHECK(closest_match("XYZ", countries).empty());
    CHECK(closest_match("CHX", {}).empty());
    CHECK(closest_match("tariff_rate", {"rate", "tariff_rat", "tarif"}) == "tariff_rat");
}

TEST_CASE("Diagnostics: did_you_mean is ready to append, or empty", "[sim][diagnostics]") {
    CHECK(did_you_mean("CHX", {"CHN", "USA"}) == " (did you mean \"CHN\"?)");
    CHECK(did_you_mean("XYZ", {"CHN", "USA"}).empty());
}

TEST_CASE("Diagnostics: error types carry their exit codes", "[sim][diagnostics][error]") {
    CHECK(UsageError("u").code() == ExitCode::usage);
    CHECK(InputError("i").code() == ExitCode::bad_input);
    CHECK(IoError("o").code() == ExitCode::io);
    CHECK(NumericalError("n").code() == ExitCode::numerical);
    CHECK(static_cast<int>(ExitCode::bad_input) == 3);
    CHECK(static_cast<int>(ExitCode::io) == 4);
}
