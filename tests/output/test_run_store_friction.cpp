// The friction tables of a run file: what the friction phase hands the writer at each step is
// what the reader gives back, bit for bit, with the [friction] parameters as attributes; a run
// killed mid-way keeps its whole steps, and runs with friction off have none.
#include "tradesim/output/run_store.hpp"

#include "run_store_util.hpp"

#include "tradesim/models/friction.hpp"
#include "tradesim/models/scenario.hpp"
#include "tradesim/models/simulation.hpp"
#include "tradesim/sim/error.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cstdint>
#include <filesystem>
#include <fstream>
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
fs::path fresh_dir(const std::string& name) {
    return tradesim::test::fresh_dir("run_store_friction", name);
}

const std::string repo = TRADESIM_SOURCE_DIR;
const std::string friction_small = repo + "/tests/scenarios/friction_small.toml";
const output::RunInfo info{"0.1.0-test", 1, "2024-01-02T03:04:05Z"};

/// Forwards every step to the writer and keeps a copy of the friction tables it was given.
struct Recorder : models::RunObserver {
    explicit Recorder(output::RunWriter& w) : writer(w) {}
    void on_step(const models::StepView& view) override {
        if (view.friction != nullptr) {
            tables.push_back(*view.friction);
        }
        writer.on_step(view);
    }
    output::RunWriter& writer;
    std::vector<models::FrictionTables> tables;
};

/// Keeps what the first `count` steps of a run refer to, to hand a writer those steps again
/// (with or without their friction tables).
struct Kept : models::RunObserver {
    explicit Kept(int steps) : count(steps) {}
    void on_step(const models::StepView& v) override {
        if (v.step < count) {
            flows.push_back(v.flows);
            tables.push_back(*v.friction);
            countries.push_back(v.countries);
        }
    }
    [[nodiscard]] models::StepView view(int s, bool with_friction) const {
        const auto at = static_cast<std::size_t>(s);
        return {.step = s,
                .date = fmt::format("2018-{:02}", s + 1),
                .countries = countries[at],
                .flows = flows[at],
                .events = no_events,
                .friction = with_friction ? &tables[at] : nullptr};
    }
    int count;
    std::vector<std::vector<double>> flows;
    std::vector<models::FrictionTables> tables;
    std::vector<sim::ColumnTable> countries;
    std::vector<models::Event> no_events;
};

struct RecordedRun {
    std::string path;
    std::vector<models::FrictionTables> tables;
};

RecordedRun record(const std::string& scenario_path, const std::string& name) {
    const models::Scenario scenario = models::load_scenario(scenario_path);
    RecordedRun run{(fresh_dir(name) / "run.h5").string(), {}};
    output::RunWriter writer(run.path, scenario, info, false);
    Recorder recorder(writer);
    (void)models::run_scenario(scenario, recorder);
    writer.finish(true);
    run.tables = std::move(recorder.tables);
    return run;
}

std::vector<std::uint64_t> shape_of(const output::RunReader& reader, const std::string& path) {
    for (const auto& d : reader.datasets()) {
        if (d.path == path) {
            return d.shape;
        }
    }
    FAIL("no dataset " << path);
    return {};
}

} // namespace

TEST_CASE("RunStore: the friction tables of every step are read back as the run saw them",
          "[output][hdf5][friction]") {
    const models::Scenario scenario = models::load_scenario(friction_small);
    const std::uint64_t n = scenario.world->dims.countries;
    const std::uint64_t k_n = scenario.world->dims.sectors;
    const RecordedRun run = record(friction_small, "round_trip");
    REQUIRE(run.tables.size() == 24);

    const output::RunReader reader(run.path);
    REQUIRE(reader.has_friction());
    REQUIRE(reader.steps() == 24);
    const auto& names = models::indicator_names();
    CHECK(reader.indicator_names() == std::vector<std::string>(names.begin(), names.end()));
    CHECK(shape_of(reader, "/friction/index") == std::vector<std::uint64_t>{24, n, n, k_n});
    CHECK(shape_of(reader, "/friction/level") == std::vector<std::uint64_t>{24, n, n, k_n});
    CHECK(shape_of(reader, "/friction/indicators") ==
          std::vector<std::uint64_t>{24, n, n, k_n, models::indicator_count});
    CHECK(shape_of(reader, "/friction/watched") == std::vector<std::uint64_t>{n, n, k_n});

    const models::FrictionParams& p = scenario.friction;
    CHECK(reader.friction_attribute("window_months") == fmt::format("{}", p.window_months));
    const std::pair<const char*, double> numbers[] = {
        {"min_flow_bn", p.min_flow}, {"cap_pct", p.cap_pct}, {"watch", p.watch},
        {"warning", p.warning},      {"alert", p.alert},     {"hysteresis", p.hysteresis}};
    for (const auto& [key, value] : numbers) {
        INFO(key);
        CHECK(reader.friction_attribute(key) == fmt::format("{}", value));
    }
    for (std::size_t m = 0; m < models::indicator_count; ++m) {
        INFO(names[m]);
        CHECK(reader.friction_attribute("weight_" + names[m]) == fmt::format("{}", p.weight[m]));
        CHECK(reader.friction_attribute("full_" + names[m]) == fmt::format("{}", p.full[m]));
    }

    std::uint8_t highest = 0;
    for (int s = 0; s < 24; ++s) {
        INFO("step " << s);
        const models::FrictionTables& want = run.tables[static_cast<std::size_t>(s)];
        const models::FrictionTables got = reader.friction_tables(s);
        REQUIRE(got.index.size() == n * n * k_n);
        CHECK(bits(got.index) == bits(want.index));
        CHECK(got.level == want.level);
        CHECK(got.watched == want.watched);
        for (std::size_t m = 0; m < models::indicator_count; ++m) {
            CHECK(bits(got.indicator[m]) == bits(want.indicator[m]));
        }
        for (std::size_t f = 0; f < got.index.size(); ++f) {
            REQUIRE(got.level[f] <= 3);
            REQUIRE(got.index[f] >= 0.0);
            REQUIRE(got.index[f] <= 1.0);
            if (got.watched[f] == 0) {
                REQUIRE(got.index[f] == 0.0);
                REQUIRE(got.level[f] == 0);
            }
            highest = std::max(highest, got.level[f]);
        }
    }
    // A 25 % tariff and an answer to it in a four-economy world raise some pair to an alert.
    CHECK(highest == 3);
    CHECK(std::count(run.tables[0].watched.begin(), run.tables[0].watched.end(), 1) > 0);
}

TEST_CASE("RunStore: friction exports as CSV, only watched pair-sectors with friction",
          "[output][friction]") {
    const RecordedRun run = record(friction_small, "csv");
    const output::RunReader reader(run.path);
    const std::vector<std::string> countries = reader.countries();
    const std::vector<std::string> sectors = reader.sectors();
    const std::size_t n = countries.size(), k_n = sectors.size();

    const auto rows = lines(reader, "friction", 12);
    REQUIRE(!rows.empty());
    CHECK(rows[0] == "step,date,exporter,importer,sector,index,level,surge,imbalance,"
                     "imbalance_change,undercut,share_gain,partner_tariff");
    const models::FrictionTables& t = run.tables[12];
    std::vector<std::string> want{rows[0]};
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t j = 0; j < n; ++j) {
            for (std::size_t k = 0; k < k_n; ++k) {
                const std::size_t f = (i * n + j) * k_n + k;
                if (t.watched[f] == 0 || !(t.index[f] > 0 || t.level[f] > 0)) {
                    continue;
                }
                std::string row = fmt::format(
                    "12,2019-01,{},{},{},{},{}", countries[i], countries[j], sectors[k], t.index[f],
                    models::to_string(static_cast<models::Level>(t.level[f])));
                for (std::size_t m = 0; m < models::indicator_count; ++m) {
                    row += fmt::format(",{}", t.indicator[m][f]);
                }
                want.push_back(row);
            }
        }
    }
    CHECK(want.size() > 1);
    CHECK(rows == want);
    CHECK(lines(reader, "friction").size() > rows.size());
}

TEST_CASE("RunStore: a killed run keeps the friction tables of its whole steps",
          "[output][hdf5][friction]") {
    const models::Scenario scenario = models::load_scenario(friction_small);
    Kept kept(5);
    (void)models::run_scenario(scenario, kept);
    const std::string path = (fresh_dir("killed") / "run.h5").string();
    const pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        // The child dies with the file open: no finish(), no destructors, no atexit.
        try {
            output::RunWriter writer(path, scenario, info, false);
            writer.set_flush_interval(1);
            for (int s = 0; s < 5; ++s) {
                writer.on_step(kept.view(s, true));
            }
            _exit(0);
        } catch (...) {
            _exit(1);
        }
    }
    int status = 0;
    REQUIRE(waitpid(pid, &status, 0) == pid);
    REQUIRE(WIFEXITED(status));
    REQUIRE(WEXITSTATUS(status) == 0);

    const output::RunReader reader(path);
    CHECK(reader.attribute("status") == "running");
    REQUIRE(reader.steps() == 5);
    REQUIRE(reader.has_friction());
    const models::FrictionTables got = reader.friction_tables(4);
    CHECK(bits(got.index) == bits(kept.tables[4].index));
    CHECK(got.level == kept.tables[4].level);
    CHECK(bits(got.indicator[0]) == bits(kept.tables[4].indicator[0]));
    REQUIRE_THROWS_AS(reader.friction_tables(5), sim::UsageError);
    const auto rows = lines(reader, "friction");
    CHECK(rows.size() > 1);
    for (std::size_t r = 1; r < rows.size(); ++r) {
        REQUIRE(std::stoi(rows[r].substr(0, rows[r].find(','))) < 5);
    }
}

TEST_CASE("RunStore: a run with friction off has no friction tables",
          "[output][hdf5][friction][error]") {
    const fs::path dir = fresh_dir("off");
    const std::string scenario = (dir / "off.toml").string();
    std::ofstream(scenario) << "name = \"off\"\nworld = \"" << repo
                            << "/scenarios/classroom/world\"\n"
                            << "[calendar]\nstart = \"2018-01\"\nsteps = 3\nstep = \"month\"\n"
                            << "[friction]\nenabled = false\n"
                            << "[[policy]]\ndate = \"2018-02\"\nkind = \"tariff\"\n"
                            << "importer = \"USA\"\nexporter = \"CHN\"\nrate = 25\n";
    const RecordedRun run = record(scenario, "off_run");
    CHECK(run.tables.empty());

    const output::RunReader reader(run.path);
    CHECK_FALSE(reader.has_friction());
    CHECK(reader.steps() == 3);
    CHECK(reader.indicator_names().empty());
    CHECK(reader.friction_attribute("watch").empty());
    for (const auto& d : reader.datasets()) {
        CHECK(d.path.rfind("/friction", 0) != 0);
        CHECK(d.path != "/metadata/indicator_names");
    }
    const std::string message = run.path + ": no friction tables (the run had friction.enabled = "
                                           "false)";
    std::ostringstream out;
    REQUIRE_THROWS_AS(reader.write_csv("friction", -1, out), sim::UsageError);
    REQUIRE_THROWS_WITH(reader.write_csv("friction", 0, out), message);
    REQUIRE_THROWS_WITH(reader.friction_tables(0), message);
    CHECK(out.str().empty());
}

TEST_CASE("RunWriter: friction tables must be in every step or in none",
          "[output][friction][error]") {
    const models::Scenario scenario = models::load_scenario(friction_small);
    Kept kept(2);
    (void)models::run_scenario(scenario, kept);
    const auto view = [&](int s, bool with) { return kept.view(s, with); };
    {
        output::RunWriter writer((fresh_dir("late") / "run.h5").string(), scenario, info, false);
        writer.on_step(view(0, false));
        REQUIRE_THROWS_WITH(writer.on_step(view(1, true)),
                            Contains("step 1 has friction tables, the first step had none"));
    }
    {
        output::RunWriter writer((fresh_dir("dropped") / "run.h5").string(), scenario, info, false);
        writer.on_step(view(0, true));
        REQUIRE_THROWS_WITH(writer.on_step(view(1, false)),
                            Contains("step 1 has no friction tables, the first step had"));
    }
}
