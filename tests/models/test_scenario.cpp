#include "tradesim/models/scenario.hpp"
#include "tradesim/models/simulation.hpp"
#include "tradesim/sim/error.hpp"
#include "tradesim/sim/spec.hpp"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

using namespace tradesim;
using Catch::Matchers::Contains;

namespace {
const std::string repo = TRADESIM_SOURCE_DIR;

std::string write(const std::string& name, const std::string& text) {
    const auto path = std::filesystem::path(TRADESIM_TEST_OUTPUT_DIR) / name;
    std::ofstream(path) << text;
    return path.string();
}

struct Tariffs : models::RunObserver {
    std::vector<std::vector<models::Event>> events;
    void on_step(const models::StepView& v) override { events.push_back(v.events); }
};
} // namespace

TEST_CASE("Scenario: the default scenarios load", "[models][scenario]") {
    const auto base = models::load_scenario(repo + "/scenarios/baseline.toml");
    REQUIRE(base.name == "baseline");
    REQUIRE(base.calendar.steps() == 120);
    REQUIRE(base.calendar.start() == sim::YearMonth{2018, 1});
    REQUIRE(base.policies.empty());
    REQUIRE(base.params.adjustment_half_life_months == 12.0);
    const auto war = models::load_scenario(repo + "/scenarios/us_china_tariffs_2018.toml");
    REQUIRE(war.calendar.steps() == 48);
    REQUIRE(war.seed == base.seed); // inherited through extends
    REQUIRE(war.policies.size() == 13);
    // Timeline order: by date, file order within a date.
    for (std::size_t p = 1; p < war.policies.size(); ++p) {
        REQUIRE(war.policies[p - 1]->start_step() <= war.policies[p]->start_step());
    }
    REQUIRE(war.policies.front()->start_step() == 3); // China's April 2018 answer comes first
}

TEST_CASE("Scenario: extends overrides values and appends policies", "[models][scenario]") {
    const auto base =
        write("ext_base.toml",
              "world = \"" + repo +
                  "/scenarios/world\"\nseed = 7\n"
                  "[calendar]\nstart = \"2020-01\"\nsteps = 12\nstep = \"month\"\n"
                  "[[policy]]\ndate = \"2020-02\"\nkind = \"tariff\"\nimporter = \"DEU\"\n"
                  "exporter = \"CHN\"\nrate = 5\n");
    const auto child = write(
        "ext_child.toml", "extends = \"ext_base.toml\"\nseed = 8\n"
                          "[calendar]\nsteps = 4\nstep = \"quarter\"\n"
                          "[model]\ntrade_elasticity = 4.0\n"
                          "[model.trade_elasticity_by_sector]\nMAC = 6.5\n"
                          "[[policy]]\ndate = \"2020-01\"\nkind = \"tariff\"\nimporter = \"CHN\"\n"
                          "exporter = [\"DEU\", \"FRA\"]\nsectors = \"all\"\nincrease = 3\n");
    (void)base;
    const auto s = models::load_scenario(child);
    REQUIRE(s.seed == 8);
    REQUIRE(s.calendar.steps() == 4);
    REQUIRE(s.calendar.length() == sim::StepLength::quarter);
    REQUIRE(s.calendar.start() == sim::YearMonth{2020, 1});
    REQUIRE(s.policies.size() == 2);
    // 2020-01 and 2020-02 fall in the same quarter: file order (base first) decides.
    REQUIRE(s.policies[0]->start_step() == 0);
    REQUIRE(s.policies[1]->start_step() == 0);
    REQUIRE(s.policies[0]->describe(false).importer == "DEU");
    REQUIRE(s.policies[1]->describe(false).importer == "CHN");
    REQUIRE(s.policies[1]->describe(false).exporter == "DEU;FRA");
    REQUIRE(s.params.theta[static_cast<std::size_t>(s.world->sector_index("MAC"))] == 6.5);
    REQUIRE(s.params.theta[static_cast<std::size_t>(s.world->sector_index("AGR"))] == 4.0);
    // Both files are kept as given; the resolved scenario parses back.
    REQUIRE_THAT(s.text, Contains("ext_base.toml") && Contains("ext_child.toml"));
    const auto resolved = sim::parse_spec(s.resolved, "resolved");
    REQUIRE(resolved.find("policy")->items().size() == 2);
    REQUIRE(resolved.find("extends") == nullptr);
}

TEST_CASE("Scenario: a tariff with an end date is in force only between its dates",
          "[models][scenario]") {
    const auto path =
        write("ending.toml",
              "extends = \"" + repo +
                  "/scenarios/baseline.toml\"\n"
                  "[calendar]\nsteps = 10\n"
                  "[[policy]]\ndate = \"2018-03\"\nend = \"2018-06\"\nkind = \"tariff\"\n"
                  "importer = \"USA\"\nexporter = \"CHN\"\nincrease = { MAC = 10, AGR = 2.5 }\n");
    const auto s = models::load_scenario(path);
    REQUIRE(s.policies.size() == 1);
    const auto& p = *s.policies[0];
    REQUIRE(p.start_step() == 2);
    REQUIRE(p.end_step() == 5);
    auto st = models::PolicyState::baseline(s.world->dims);
    p.apply(st);
    const auto& w = *s.world;
    const auto usa = static_cast<std::size_t>(w.country_index("USA"));
    const auto chn = static_cast<std::size_t>(w.country_index("CHN"));
    REQUIRE(st.tariff[w.dims.flow(chn, usa, static_cast<std::size_t>(w.sector_index("MAC")))] ==
            Approx(0.10));
    REQUIRE(st.tariff[w.dims.flow(chn, usa, static_cast<std::size_t>(w.sector_index("AGR")))] ==
            Approx(0.025));
    REQUIRE(st.tariff[w.dims.flow(chn, usa, static_cast<std::size_t>(w.sector_index("VEH")))] ==
            0.0);
    REQUIRE(st.tariff[w.dims.flow(usa, chn, static_cast<std::size_t>(w.sector_index("MAC")))] ==
            0.0);

    Tariffs obs;
    (void)models::run_scenario(s, obs);
    REQUIRE(obs.events[2].size() == 1);
    REQUIRE(obs.events[2][0].kind == "tariff");
    REQUIRE_THAT(obs.events[2][0].message,
                 Contains("United States raises its tariffs on goods from China") &&
                     Contains("machinery and electrical equipment +10.0"));
    REQUIRE(obs.events[5].size() == 1);
    REQUIRE(obs.events[5][0].kind == "tariff_end");
    REQUIRE(obs.events[5][0].date == "2018-06");
}

TEST_CASE("Scenario: problems are all reported with locations", "[models][scenario][error]") {
    const auto path =
        write("two_problems.toml", "extends = \"" + repo +
                                       "/scenarios/baseline.toml\"\n"
                                       "seed = -1\n"
                                       "[[policy]]\ndate = \"2018-03\"\nkind = \"tariff\"\n"
                                       "importer = \"USN\"\nexporter = \"CHN\"\nrate = 5\n");
    try {
        (void)models::load_scenario(path);
        FAIL("expected InputError");
    } catch (const sim::InputError& e) {
        REQUIRE_THAT(e.what(),
                     Contains("two_problems.toml:2:8: error: seed = -1 must not be negative"));
        REQUIRE_THAT(e.what(), Contains("two_problems.toml:6:12: error: unknown country \"USN\" in "
                                        "policy[0].importer (did you mean \"USA\"?)"));
    }
}

TEST_CASE("Scenario: extends cycles and missing files are errors", "[models][scenario][error]") {
    write("cycle_a.toml", "extends = \"cycle_b.toml\"\n");
    const auto b = write("cycle_b.toml", "extends = \"cycle_a.toml\"\n");
    REQUIRE_THROWS_WITH(models::load_scenario(b), Contains("cycle"));
    REQUIRE_THROWS_AS(models::load_scenario("/nonexistent/x.toml"), sim::IoError);
}
