// The firm tables of a run file: what the simulation hands the writer at each step is what the
// reader gives back, bit for bit, and runs without [firms] have none.
#include "tradesim/output/run_store.hpp"

#include "run_store_util.hpp"

#include "tradesim/models/scenario.hpp"
#include "tradesim/models/simulation.hpp"
#include "tradesim/sim/error.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <bit>
#include <cstdint>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

using Catch::Matchers::Contains;
namespace fs = std::filesystem;
namespace models = tradesim::models;
namespace output = tradesim::output;
namespace sim = tradesim::sim;

namespace {

using tradesim::test::bits;
using tradesim::test::lines;

const std::string repo = TRADESIM_SOURCE_DIR;

std::string fresh_path(const std::string& name) {
    const fs::path dir = fs::path(TRADESIM_TEST_OUTPUT_DIR) / "run_store_firms" / name;
    fs::remove_all(dir);
    return (dir / "run.h5").string();
}

/// Forwards every step to the writer and keeps a copy of the firm tables it was given.
struct Recorder : models::RunObserver {
    explicit Recorder(output::RunWriter& w) : writer(w) {}
    void on_step(const models::StepView& view) override {
        if (view.firms != nullptr) {
            if (firms.empty() && view.firm_population != nullptr) {
                calibration = view.firm_population->calibration();
            }
            firms.push_back(*view.firms);
        }
        writer.on_step(view);
    }
    output::RunWriter& writer;
    std::vector<models::FirmTables> firms;
    models::FirmCalibration calibration;
};

struct RecordedRun {
    std::string path;
    std::vector<models::FirmTables> firms;
    models::FirmCalibration calibration;
};

RecordedRun record(const std::string& scenario_file, const std::string& name) {
    const models::Scenario scenario = models::load_scenario(repo + "/" + scenario_file);
    RecordedRun run{fresh_path(name), {}, {}};
    output::RunWriter writer(run.path, scenario, {"0.1.0-test", 1, "2024-01-02T03:04:05Z"}, false);
    Recorder recorder(writer);
    (void)models::run_scenario(scenario, recorder);
    writer.finish(true);
    run.firms = std::move(recorder.firms);
    run.calibration = recorder.calibration;
    return run;
}

std::vector<double> row_major(const sim::ColumnTable& t) {
    std::vector<double> out;
    for (std::size_t i = 0; i < t.rows(); ++i) {
        for (std::size_t v = 0; v < t.columns(); ++v) {
            out.push_back(t.at(v, i));
        }
    }
    return out;
}

} // namespace

TEST_CASE("RunStore: the firm tables of every step are read back as the run saw them",
          "[output][hdf5][firms]") {
    const RecordedRun run = record("tests/scenarios/firms_small.toml", "round_trip");
    REQUIRE(run.firms.size() == 24);

    const output::RunReader reader(run.path);
    REQUIRE(reader.has_firms());
    REQUIRE(reader.steps() == 24);

    const sim::ColumnTable& first = run.firms.front().countries;
    std::vector<std::string> names;
    for (std::size_t v = 0; v < first.columns(); ++v) {
        names.push_back(first.info(v).name);
    }
    CHECK(reader.firm_country_variables() == names);
    CHECK(names.front() == "firms");

    double firms_serving = 0;
    for (int s = 0; s < 24; ++s) {
        const models::FirmTables& t = run.firms[static_cast<std::size_t>(s)];
        CHECK(bits(reader.firm_country_values(s)) == bits(row_major(t.countries)));
        CHECK(bits(reader.firm_pair_values("serving", s)) == bits(t.firms_serving));
        CHECK(bits(reader.firm_pair_values("entries", s)) == bits(t.entries));
        CHECK(bits(reader.firm_pair_values("exits", s)) == bits(t.exits));
        CHECK(bits(reader.firm_pair_values("sales_per_firm", s)) == bits(t.sales_per_firm));
        for (const double n : t.firms_serving) {
            firms_serving += n;
        }
    }
    CHECK(firms_serving > 0); // the tables compared above are not all zeros

    const models::FirmCalibration& c = run.calibration;
    CHECK(reader.firm_attribute("firms") == fmt::format("{}", c.firms));
    CHECK(reader.firm_attribute("country_sectors") == fmt::format("{}", c.country_sectors));
    CHECK(reader.firm_attribute("export_cost_scale") == fmt::format("{}", c.export_cost_scale));
    CHECK(reader.firm_attribute("export_share") == fmt::format("{}", c.export_share));
    CHECK(reader.firm_attribute("burn_in_steps") == fmt::format("{}", c.burn_in_steps));

    REQUIRE_THROWS_AS(reader.firm_pair_values("sales", 0), sim::UsageError);
    REQUIRE_THROWS_WITH(reader.firm_pair_values("sales", 0),
                        Contains("unknown firm table \"sales\"") &&
                            Contains("serving, entries, exits, sales_per_firm"));
    REQUIRE_THROWS_WITH(reader.firm_country_values(24), Contains("step 24 out of range"));
}

TEST_CASE("RunStore: firm tables export as CSV, pairs without firms left out", "[output][firms]") {
    const RecordedRun run = record("tests/scenarios/firms_small.toml", "csv");
    const output::RunReader reader(run.path);
    const std::size_t countries = reader.countries().size();

    const auto firms = lines(reader, "firms");
    REQUIRE(firms.size() == 1 + 24 * countries);
    CHECK(firms[0].rfind("step,date,country,firms,producers,exporters,", 0) == 0);
    CHECK(firms[1].rfind("0,2018-01,CHN,", 0) == 0);
    CHECK(lines(reader, "firms", 5).size() == 1 + countries);

    std::size_t active = 0;
    for (const models::FirmTables& t : run.firms) {
        for (std::size_t f = 0; f < t.firms_serving.size(); ++f) {
            active += t.firms_serving[f] != 0 || t.entries[f] != 0 || t.exits[f] != 0 ? 1 : 0;
        }
    }
    const auto pairs = lines(reader, "firm_pairs");
    CHECK(pairs[0] == "step,date,exporter,importer,sector,firms,entries,exits,sales_per_firm");
    CHECK(pairs.size() == 1 + active);
    CHECK(active < 24 * run.firms.front().firms_serving.size()); // some rows are left out
    for (std::size_t r = 1; r < pairs.size(); ++r) {
        REQUIRE_THAT(pairs[r], !Contains(",0,0,0,"));
    }
}

TEST_CASE("RunStore: a run without [firms] has no firm tables", "[output][hdf5][firms]") {
    const RecordedRun run = record("tests/scenarios/small_tariff.toml", "no_firms");
    CHECK(run.firms.empty());

    const output::RunReader reader(run.path);
    CHECK_FALSE(reader.has_firms());
    CHECK(reader.steps() == 24);
    CHECK(reader.firm_country_variables().empty());
    CHECK(reader.firm_attribute("firms").empty());
    for (const auto& d : reader.datasets()) {
        CHECK(d.path.rfind("/firms", 0) != 0);
        CHECK(d.path.find("firm_country") == std::string::npos);
    }

    const std::string message = run.path + ": no firm tables (the scenario has no [firms])";
    std::ostringstream out;
    REQUIRE_THROWS_AS(reader.write_csv("firms", -1, out), sim::UsageError);
    REQUIRE_THROWS_WITH(reader.write_csv("firms", -1, out), message);
    REQUIRE_THROWS_WITH(reader.write_csv("firm_pairs", 0, out), message);
    REQUIRE_THROWS_WITH(reader.firm_country_values(0), message);
    REQUIRE_THROWS_WITH(reader.firm_pair_values("serving", 0), message);
    CHECK(out.str().empty());
}
