#include "tradesim/output/run_store.hpp"

#include "run_store_util.hpp"

#include "tradesim/sim/error.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;
namespace fs = std::filesystem;
namespace models = tradesim::models;
namespace output = tradesim::output;
namespace sim = tradesim::sim;

namespace {

using tradesim::test::bits;
const auto& lines = tradesim::test::split_lines;

// Each test case writes below its own folder: ctest may run test cases in parallel.
std::string fresh_dir(const std::string& name) {
    const fs::path dir = fs::path(TRADESIM_TEST_OUTPUT_DIR) / "run_store" / name;
    fs::remove_all(dir);
    return dir.string();
}

models::Scenario make_scenario(int steps = 3) {
    auto world = std::make_shared<models::World>();
    const char* codes[] = {"CHN", "DEU", "USA"};
    const char* names[] = {"China", "Germany", "United States, the"};
    for (int i = 0; i < 3; ++i) {
        models::Country c;
        c.code = codes[i];
        c.name = names[i];
        world->countries.push_back(c);
    }
    for (const char* code : {"agri", "manuf"}) {
        models::Sector s;
        s.code = code;
        s.name = code;
        world->sectors.push_back(s);
    }
    world->dims = {3, 2};

    models::Scenario scenario;
    scenario.path = "scenarios/test.toml";
    scenario.name = "test";
    scenario.text = "name = \"test\"\n# ünïcode survives\n";
    scenario.resolved = "name = \"test\"\nseed = 18446744073709551600\n";
    scenario.world = world;
    scenario.calendar = sim::Calendar({2020, 1}, steps, sim::StepLength::month);
    scenario.seed = 18446744073709551600ULL; // above INT64_MAX: must stay unsigned
    return scenario;
}

/// One step's data, owning what a StepView refers to.
struct StepData {
    int step = 0;
    std::string date;
    sim::ColumnTable countries{3};
    std::vector<double> flows;
    std::vector<models::Event> events;
    std::uint64_t hash = 0;
    int iterations = 0;

    [[nodiscard]] models::StepView view() const {
        return {step, date, countries, flows, events, hash, iterations};
    }
};

// Values that a lossy path (text, float32, rounding) would change.
StepData make_step(int step) {
    StepData d;
    d.step = step;
    d.date = fmt::format("2020-{:02}", step + 1);
    const std::size_t exports = d.countries.add_column("exports", "USD bn", "");
    const std::size_t imports = d.countries.add_column("imports", "USD bn", "");
    const std::size_t welfare = d.countries.add_column("welfare_change", "%", "");
    const std::size_t price = d.countries.add_column("price_index", "", "");
    for (std::size_t i = 0; i < 3; ++i) {
        const double base = static_cast<double>(i + 1) / 3.0 + step;
        d.countries.at(exports, i) = base * 1000.0;
        d.countries.at(imports, i) = std::nextafter(base * 900.0, 0.0);
        d.countries.at(welfare, i) = -0.1 * static_cast<double>(step) * static_cast<double>(i);
        d.countries.at(price, i) = i == 2 ? std::numeric_limits<double>::denorm_min() : 1e-300;
    }
    for (std::size_t f = 0; f < 3 * 3 * 2; ++f) {
        d.flows.push_back(std::sqrt(static_cast<double>(f + 1)) + step * 0.1);
    }
    d.hash = 0x0123456789abcdefULL * static_cast<std::uint64_t>(step + 1);
    d.iterations = 10 + step;
    if (step == 1) {
        d.events.push_back(
            {1, d.date, "tariff", "USA", "CHN", "manuf", 25.0, "Tariff on \"steel\", 25 %"});
        d.events.push_back({1, d.date, "tariff", "CHN", "USA", "agri;manuf", 10.0, "plain"});
    }
    if (step == 2) {
        d.events.push_back({2, d.date, "tariff_end", "USA", "CHN", "all", 0.0, "ended"});
    }
    return d;
}

output::RunInfo make_info() {
    return {"0.1.0-test", 4, "2024-01-02T03:04:05Z"};
}

std::string write_run(const std::string& path, int steps = 3) {
    const models::Scenario scenario = make_scenario(steps);
    output::RunWriter writer(path, scenario, make_info(), false);
    for (int s = 0; s < steps; ++s) {
        writer.on_step(make_step(s).view());
    }
    writer.finish(true);
    return path;
}

std::vector<double> country_row_major(const sim::ColumnTable& t) {
    std::vector<double> out;
    for (std::size_t i = 0; i < t.rows(); ++i) {
        for (std::size_t v = 0; v < t.columns(); ++v) {
            out.push_back(t.at(v, i));
        }
    }
    return out;
}

std::string csv(const output::RunReader& reader, const std::string& table, int step = -1) {
    std::ostringstream out;
    reader.write_csv(table, step, out);
    return out.str();
}

} // namespace

TEST_CASE("RunStore: round trip of countries, flows and events", "[output][hdf5]") {
    const std::string path = fresh_dir("round_trip") + "/nested/run.h5";
    write_run(path);

    const output::RunReader reader(path);
    REQUIRE(reader.steps() == 3);
    CHECK(reader.countries() == std::vector<std::string>{"CHN", "DEU", "USA"});
    CHECK(reader.sectors() == std::vector<std::string>{"agri", "manuf"});
    CHECK(reader.country_variables() ==
          std::vector<std::string>{"exports", "imports", "welfare_change", "price_index"});
    CHECK(reader.dates() == std::vector<std::string>{"2020-01", "2020-02", "2020-03"});
    CHECK(reader.scenario_text() == make_scenario().text);
    CHECK(reader.scenario_resolved() == make_scenario().resolved);

    std::vector<std::uint64_t> hashes;
    for (int s = 0; s < 3; ++s) {
        const StepData d = make_step(s);
        CHECK(bits(reader.country_values(s)) == bits(country_row_major(d.countries)));
        CHECK(bits(reader.flow_values(s)) == bits(d.flows));
        // Hand-built steps carry no policy state: no tariff change is stored.
        CHECK(reader.tariff_values(s) == std::vector<double>(d.flows.size(), 0.0));
        hashes.push_back(d.hash);
    }
    CHECK(reader.state_hashes() == hashes);

    const std::vector<models::Event> events = reader.events();
    REQUIRE(events.size() == 3);
    CHECK(events[0].step == 1);
    CHECK(events[0].importer == "USA");
    CHECK(events[0].exporter == "CHN");
    CHECK(events[0].sector == "manuf");
    CHECK(events[0].value == 25.0);
    CHECK(events[0].message == "Tariff on \"steel\", 25 %");
    CHECK(events[1].sector == "agri;manuf");
    CHECK(events[2].kind == "tariff_end");
    CHECK(events[2].date == "2020-03");

    CHECK(reader.attribute("format") == "tradesim-run");
    CHECK(reader.attribute("format_version") == "1");
    CHECK(reader.attribute("program_version") == "0.1.0-test");
    CHECK(reader.attribute("scenario_name") == "test");
    CHECK(reader.attribute("scenario_path") == "scenarios/test.toml");
    CHECK(reader.attribute("seed") == "18446744073709551600");
    CHECK(reader.attribute("threads") == "4");
    CHECK(reader.attribute("started_at") == "2024-01-02T03:04:05Z");
    CHECK(reader.attribute("status") == "complete");
    CHECK(reader.attribute("steps_planned") == "3");
    CHECK(reader.attribute("calendar_start") == "2020-01");
    CHECK(reader.attribute("step_length") == "month");
    CHECK(reader.attribute("no_such_attribute").empty());
    const std::string finished = reader.attribute("finished_at");
    REQUIRE(finished.size() == 20);
    CHECK(finished[10] == 'T');
    CHECK(finished.back() == 'Z');
}

TEST_CASE("RunStore: lists datasets with shape and stored size", "[output][hdf5]") {
    const std::string path = write_run(fresh_dir("datasets") + "/run.h5");
    const output::RunReader reader(path);
    const auto infos = reader.datasets();
    auto find = [&](const std::string& name) {
        const auto it =
            std::find_if(infos.begin(), infos.end(), [&](const auto& d) { return d.path == name; });
        REQUIRE(it != infos.end());
        return *it;
    };
    CHECK(find("/countries").shape == std::vector<std::uint64_t>{3, 3, 4});
    CHECK(find("/flows").shape == std::vector<std::uint64_t>{3, 3, 3, 2});
    CHECK(find("/tariffs").shape == std::vector<std::uint64_t>{3, 3, 3, 2});
    CHECK(find("/steps/date").shape == std::vector<std::uint64_t>{3});
    CHECK(find("/events/message").shape == std::vector<std::uint64_t>{3});
    CHECK(find("/metadata/countries").shape == std::vector<std::uint64_t>{3});
    CHECK(find("/flows").stored_bytes > 0);
}

TEST_CASE("RunStore: refuses to overwrite an existing file without force", "[output][error]") {
    const std::string path = write_run(fresh_dir("no_force") + "/run.h5");
    const models::Scenario scenario = make_scenario();
    REQUIRE_THROWS_AS(output::RunWriter(path, scenario, make_info(), false), sim::IoError);
    REQUIRE_THROWS_WITH(output::RunWriter(path, scenario, make_info(), false),
                        path +
                            " exists; pass --force to overwrite or --out to choose another path");
    // The refused attempt left the old run intact.
    CHECK(output::RunReader(path).steps() == 3);
}

TEST_CASE("RunStore: overwrites an existing file with force", "[output][hdf5]") {
    const std::string path = write_run(fresh_dir("force") + "/run.h5");
    {
        const models::Scenario scenario = make_scenario(1);
        output::RunWriter writer(path, scenario, make_info(), true);
        writer.on_step(make_step(0).view());
        writer.finish(false);
    }
    const output::RunReader reader(path);
    CHECK(reader.steps() == 1);
    CHECK(reader.attribute("status") == "failed");
    CHECK(reader.events().empty());
}

TEST_CASE("RunStore: CSV of each table has its header and one row per record", "[output]") {
    const std::string path = write_run(fresh_dir("csv") + "/run.h5");
    const output::RunReader reader(path);

    const auto countries = lines(csv(reader, "countries"));
    REQUIRE(countries.size() == 1 + 3 * 3);
    CHECK(countries[0] == "step,date,country,exports,imports,welfare_change,price_index");
    CHECK(countries[1] == "0,2020-01,CHN,333.3333333333333,299.99999999999994,-0,1e-300");
    CHECK(lines(csv(reader, "countries", 2)).size() == 1 + 3);

    const auto flows = lines(csv(reader, "flows"));
    REQUIRE(flows.size() == 1 + 3 * 3 * 3 * 2);
    CHECK(flows[0] == "step,date,exporter,importer,sector,value");
    CHECK(flows[1] == "0,2020-01,CHN,CHN,agri,1");
    CHECK(flows[2] == "0,2020-01,CHN,CHN,manuf,1.4142135623730951");
    CHECK(lines(csv(reader, "flows", 0)).size() == 1 + 3 * 3 * 2);
    // Only tariffs other than 0, and these steps have none.
    CHECK(lines(csv(reader, "tariffs")) ==
          std::vector<std::string>{"step,date,exporter,importer,sector,tariff_pct"});

    const auto events = lines(csv(reader, "events"));
    REQUIRE(events.size() == 1 + 3);
    CHECK(events[0] == "step,date,kind,importer,exporter,sector,value,message");
    CHECK(events[1] == R"(1,2020-02,tariff,USA,CHN,manuf,25,"Tariff on ""steel"", 25 %")");
    CHECK(events[2] == "1,2020-02,tariff,CHN,USA,agri;manuf,10,plain");
    CHECK(lines(csv(reader, "events", 2)).size() == 1 + 1);
    CHECK(lines(csv(reader, "events", 0)).size() == 1);

    const auto steps = lines(csv(reader, "steps"));
    REQUIRE(steps.size() == 1 + 3);
    CHECK(steps[0] == "step,date,state_hash,solver_iterations");
    CHECK(steps[1] == "0,2020-01,0123456789abcdef,10");
}

TEST_CASE("RunStore: unknown table or step is a usage error", "[output][error]") {
    const std::string path = write_run(fresh_dir("bad_table") + "/run.h5");
    const output::RunReader reader(path);
    std::ostringstream out;
    REQUIRE_THROWS_AS(reader.write_csv("flow", -1, out), sim::UsageError);
    REQUIRE_THROWS_WITH(reader.write_csv("flow", -1, out),
                        Contains("unknown table \"flow\"") &&
                            Contains("(did you mean \"flows\"?)") &&
                            Contains("countries, flows, tariffs, events, steps"));
    REQUIRE_THROWS_AS(reader.write_csv("countries", 3, out), sim::UsageError);
    REQUIRE_THROWS_WITH(reader.write_csv("countries", 3, out),
                        Contains("step 3 out of range") && Contains("0 to 2"));
}

TEST_CASE("RunStore: a run whose writer died is readable up to its last flush", "[output][hdf5]") {
    const std::string path = fresh_dir("killed") + "/run.h5";
    const pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        // The child dies with the file open: no finish(), no destructors, no atexit.
        try {
            const models::Scenario scenario = make_scenario(10);
            output::RunWriter writer(path, scenario, make_info(), false);
            writer.set_flush_interval(1);
            for (int s = 0; s < 5; ++s) {
                writer.on_step(make_step(s).view());
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
    CHECK(reader.steps() == 5);
    CHECK(reader.attribute("status") == "running");
    CHECK(reader.attribute("finished_at").empty());
    CHECK(reader.attribute("steps_planned") == "10");
    CHECK(bits(reader.flow_values(4)) == bits(make_step(4).flows));
    CHECK(bits(reader.country_values(4)) == bits(country_row_major(make_step(4).countries)));
    CHECK(reader.events().size() == 3);
    CHECK(lines(csv(reader, "steps")).size() == 1 + 5);
}

TEST_CASE("RunStore: a writer destroyed without finish leaves status running", "[output][hdf5]") {
    const std::string path = fresh_dir("no_finish") + "/run.h5";
    {
        const models::Scenario scenario = make_scenario();
        output::RunWriter writer(path, scenario, make_info(), false);
        writer.on_step(make_step(0).view());
        writer.on_step(make_step(1).view());
    }
    const output::RunReader reader(path);
    CHECK(reader.steps() == 2);
    CHECK(reader.attribute("status") == "running");
}

TEST_CASE("RunStore: opening a file that is not a run is an I/O error", "[output][error]") {
    const std::string dir = fresh_dir("not_hdf5");
    fs::create_directories(dir);
    const std::string path = dir + "/notes.h5";
    std::ofstream(path) << "step,date\n0,2020-01\n";
    REQUIRE_THROWS_AS(output::RunReader(path), sim::IoError);
    REQUIRE_THROWS_WITH(output::RunReader(path), StartsWith(path + ": not a tradesim run file"));

    const std::string missing = dir + "/missing.h5";
    REQUIRE_THROWS_AS(output::RunReader(missing), sim::IoError);
    REQUIRE_THROWS_WITH(output::RunReader(missing), Contains(missing));
}
