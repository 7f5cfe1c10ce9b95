#include "tradesim/sim/schedule.hpp"

#include <catch2/catch.hpp>
#include <stdexcept>
#include <string>
#include <vector>

using namespace tradesim::sim;
using Catch::Matchers::Contains;

TEST_CASE("Schedule: runs phases in the fixed order regardless of set order", "[sim][schedule]") {
    Schedule schedule;
    std::vector<std::string> log;
    const auto record = [&log](std::string what) {
        return [&log, what](int step) { log.push_back(what + "@" + std::to_string(step)); };
    };
    schedule.set(Phase::record, "record", record("record"));
    schedule.set(Phase::accounting, "accounting", record("accounting"));
    schedule.set(Phase::policy, "policy", record("policy"));
    schedule.set(Phase::market_clearing, "clear", record("clear"));
    schedule.set(Phase::trade_costs, "costs", record("costs"));

    schedule.run_step(7);
    CHECK(log ==
          std::vector<std::string>{"policy@7", "costs@7", "clear@7", "accounting@7", "record@7"});
    log.clear();
    schedule.run_step(8);
    CHECK(log.front() == "policy@8");
    CHECK(log.size() == 5);
}

TEST_CASE("Schedule: rejects two writers in one phase", "[sim][schedule][error]") {
    Schedule schedule;
    int calls = 0;
    schedule.set(Phase::settlement, "dollar_invoicing", [&calls](int) { ++calls; });
    REQUIRE_THROWS_AS(schedule.set(Phase::settlement, "yuan_invoicing", [](int) {}),
                      std::logic_error);
    REQUIRE_THROWS_WITH(schedule.set(Phase::settlement, "yuan_invoicing", [](int) {}),
                        Contains("dollar_invoicing") && Contains("yuan_invoicing") &&
                            Contains("settlement"));
    // The first writer stays installed.
    CHECK(schedule.name(Phase::settlement) == "dollar_invoicing");
    schedule.run_step(0);
    CHECK(calls == 1);
}

TEST_CASE("Schedule: has and name report what is installed", "[sim][schedule]") {
    Schedule schedule;
    CHECK_FALSE(schedule.has(Phase::firms));
    CHECK(schedule.name(Phase::firms).empty());
    schedule.set(Phase::firms, "entry_exit", [](int) {});
    CHECK(schedule.has(Phase::firms));
    CHECK(schedule.name(Phase::firms) == "entry_exit");
    CHECK_FALSE(schedule.has(Phase::corridors));
    CHECK_NOTHROW(schedule.run_step(0));
}

TEST_CASE("Schedule: phase names", "[sim][schedule]") {
    CHECK(std::string(to_string(Phase::policy)) == "policy");
    CHECK(std::string(to_string(Phase::market_clearing)) == "market_clearing");
    CHECK(std::string(to_string(Phase::record)) == "record");
    CHECK(static_cast<std::size_t>(Phase::record) + 1 == phase_count);
}
