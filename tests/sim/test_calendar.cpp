#include "tradesim/sim/calendar.hpp"

#include <catch2/catch.hpp>

using namespace tradesim::sim;

TEST_CASE("Calendar: parse_year_month accepts YYYY-MM and YYYY-MM-DD", "[sim][calendar]") {
    const auto month = parse_year_month("2018-07");
    REQUIRE(month.has_value());
    CHECK(month->year == 2018);
    CHECK(month->month == 7);

    const auto day = parse_year_month("2018-07-06");
    REQUIRE(day.has_value());
    CHECK(*day == YearMonth{2018, 7});

    CHECK(parse_year_month("1999-12") == YearMonth{1999, 12});
    CHECK(parse_year_month("2020-01-31") == YearMonth{2020, 1});
}

TEST_CASE("Calendar: parse_year_month rejects malformed dates", "[sim][calendar][error]") {
    const char* bad =
        GENERATE("2018-13", "2018-00", "18-07", "2018-7", "2018-07-32", "2018-07-00", "", "2018/07",
                 "2018-07-6", "2018-07-06x", "abcd-07", "2018-0a", "2018-07_06", " 2018-07");
    INFO("input: \"" << bad << "\"");
    CHECK_FALSE(parse_year_month(bad).has_value());
}

TEST_CASE("Calendar: parse_step_length and to_string round trip", "[sim][calendar]") {
    for (const auto length : {StepLength::month, StepLength::quarter, StepLength::year}) {
        CHECK(parse_step_length(to_string(length)) == length);
    }
    CHECK_FALSE(parse_step_length("week").has_value());
    CHECK_FALSE(parse_step_length("Month").has_value());
    CHECK_FALSE(parse_step_length("").has_value());
}

TEST_CASE("Calendar: YearMonth::str zero-pads year and month", "[sim][calendar]") {
    CHECK(YearMonth{2018, 7}.str() == "2018-07");
    CHECK(YearMonth{2018, 12}.str() == "2018-12");
    CHECK(YearMonth{987, 1}.str() == "0987-01");
}

TEST_CASE("Calendar: YearMonth index round trips and orders dates", "[sim][calendar]") {
    const YearMonth d{2018, 12};
    CHECK(YearMonth::from_index(d.index()) == d);
    CHECK(YearMonth::from_index(d.index() + 1) == YearMonth{2019, 1});
    CHECK(YearMonth{2018, 12} < YearMonth{2019, 1});
    CHECK(YearMonth{2019, 2} > YearMonth{2019, 1});
}

TEST_CASE("Calendar: maps dates to steps for monthly calendars", "[sim][calendar]") {
    const Calendar cal({2018, 11}, 4, StepLength::month);
    CHECK(cal.months_per_step() == 1);
    CHECK(cal.date_of(0) == YearMonth{2018, 11});
    CHECK(cal.date_of(1) == YearMonth{2018, 12});
    CHECK(cal.date_of(2) == YearMonth{2019, 1});
    CHECK(cal.end() == YearMonth{2019, 3});

    CHECK(cal.step_of({2018, 11}) == 0);
    CHECK(cal.step_of({2019, 1}) == 2);
    CHECK(cal.step_of({2019, 2}) == 3);
    CHECK_FALSE(cal.step_of({2018, 10}).has_value()); // before start
    CHECK_FALSE(cal.step_of({2019, 3}).has_value());  // at end
    CHECK_FALSE(cal.step_of({2020, 1}).has_value());  // after end
}

TEST_CASE("Calendar: maps dates to steps for quarterly calendars", "[sim][calendar]") {
    const Calendar cal({2018, 1}, 8, StepLength::quarter);
    CHECK(cal.months_per_step() == 3);
    CHECK(cal.date_of(0) == YearMonth{2018, 1});
    CHECK(cal.date_of(1) == YearMonth{2018, 4});
    CHECK(cal.date_of(3) == YearMonth{2018, 10});
    CHECK(cal.date_of(4) == YearMonth{2019, 1});
    CHECK(cal.end() == YearMonth{2020, 1});

    // Every month of a quarter maps to that quarter's step.
    CHECK(cal.step_of({2018, 1}) == 0);
    CHECK(cal.step_of({2018, 3}) == 0);
    CHECK(cal.step_of({2018, 4}) == 1);
    CHECK(cal.step_of({2018, 7}) == 2);
    CHECK(cal.step_of({2018, 9}) == 2);
    CHECK(cal.step_of({2019, 12}) == 7);
    CHECK_FALSE(cal.step_of({2017, 12}).has_value());
    CHECK_FALSE(cal.step_of({2020, 1}).has_value());
    CHECK_FALSE(cal.step_of({2021, 6}).has_value());
}

TEST_CASE("Calendar: maps dates to steps for yearly calendars", "[sim][calendar]") {
    const Calendar cal({2018, 7}, 3, StepLength::year);
    CHECK(cal.months_per_step() == 12);
    CHECK(cal.date_of(1) == YearMonth{2019, 7});
    CHECK(cal.date_of(2) == YearMonth{2020, 7});
    CHECK(cal.end() == YearMonth{2021, 7});

    CHECK(cal.step_of({2018, 7}) == 0);
    CHECK(cal.step_of({2019, 6}) == 0);
    CHECK(cal.step_of({2019, 7}) == 1);
    CHECK(cal.step_of({2021, 6}) == 2);
    CHECK_FALSE(cal.step_of({2018, 6}).has_value());
    CHECK_FALSE(cal.step_of({2021, 7}).has_value());
}

TEST_CASE("Calendar: a calendar with no steps contains no dates", "[sim][calendar]") {
    const Calendar cal({2018, 7}, 0, StepLength::month);
    CHECK(cal.end() == YearMonth{2018, 7});
    CHECK_FALSE(cal.step_of({2018, 7}).has_value());
}
