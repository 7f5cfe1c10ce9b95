// The corridor tables of a run file: what the simulation hands the writer at each step is what
// the reader gives back, bit for bit, and runs of a world without a network have none.
#include "tradesim/output/run_store.hpp"

#include "run_store_util.hpp"

#include "tradesim/models/corridors.hpp"
#include "tradesim/models/scenario.hpp"
#include "tradesim/models/simulation.hpp"
#include "tradesim/sim/error.hpp"

#include <catch2/catch.hpp>

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
    return tradesim::test::fresh_dir("run_store_corridors", name);
}

const std::string repo = TRADESIM_SOURCE_DIR;

/// Forwards every step to the writer and keeps a copy of the corridor tables it was given.
struct Recorder : models::RunObserver {
    explicit Recorder(output::RunWriter& w) : writer(w) {}
    void on_step(const models::StepView& view) override {
        if (view.corridors != nullptr) {
            tables.push_back(view.corridors->tables());
            link_ids = view.corridors->link_ids();
            link_modes = view.corridors->link_modes();
            route_paths = view.corridors->route_paths();
        }
        writer.on_step(view);
    }
    output::RunWriter& writer;
    std::vector<models::CorridorTables> tables;
    std::vector<std::string> link_ids, link_modes, route_paths;
};

struct RecordedRun {
    std::string path;
    std::vector<models::CorridorTables> tables;
    std::vector<std::string> link_ids, link_modes, route_paths;
};

RecordedRun record(const std::string& scenario_path, const std::string& name) {
    const models::Scenario scenario = models::load_scenario(scenario_path);
    RecordedRun run{(fresh_dir(name) / "run.h5").string(), {}, {}, {}, {}};
    output::RunWriter writer(run.path, scenario, {"0.1.0-test", 1, "2024-01-02T03:04:05Z"}, false);
    Recorder recorder(writer);
    (void)models::run_scenario(scenario, recorder);
    writer.finish(true);
    run.tables = std::move(recorder.tables);
    run.link_ids = std::move(recorder.link_ids);
    run.link_modes = std::move(recorder.link_modes);
    run.route_paths = std::move(recorder.route_paths);
    return run;
}

const std::string corridors_small = repo + "/tests/scenarios/corridors_small.toml";

/// The link tables as the file holds them: [link][teu, value, utilisation, cost, days, open].
std::vector<double> link_rows(const models::CorridorTables& t) {
    std::vector<double> out;
    for (std::size_t l = 0; l < t.link_teu.size(); ++l) {
        for (const auto* v : {&t.link_teu, &t.link_value, &t.link_utilisation, &t.link_cost,
                              &t.link_days, &t.link_open}) {
            out.push_back((*v)[l]);
        }
    }
    return out;
}

/// The pair tables as the file holds them: [pair][rail, sea, road, air, days, cost, routes].
std::vector<double> pair_rows(const models::CorridorTables& t) {
    std::vector<double> out;
    for (std::size_t p = 0; p < t.pair_days.size(); ++p) {
        for (std::size_t m = 0; m < models::mode_count; ++m) {
            out.push_back(t.mode_share[p * models::mode_count + m]);
        }
        out.push_back(t.pair_days[p]);
        out.push_back(t.pair_cost[p]);
        out.push_back(t.pair_routes[p]);
    }
    return out;
}

std::size_t index_of(const std::vector<std::string>& list, const std::string& item) {
    const auto it = std::find(list.begin(), list.end(), item);
    REQUIRE(it != list.end());
    return static_cast<std::size_t>(it - list.begin());
}

} // namespace

TEST_CASE("RunStore: the corridor tables of every step are read back as the run saw them",
          "[output][hdf5][corridors]") {
    const RecordedRun run = record(corridors_small, "round_trip");
    REQUIRE(run.tables.size() == 24);

    const output::RunReader reader(run.path);
    REQUIRE(reader.has_corridors());
    REQUIRE(reader.steps() == 24);
    CHECK(reader.link_ids() == run.link_ids);
    CHECK(reader.link_modes() == run.link_modes);
    CHECK(run.link_ids.size() == 15); // links.csv of the test world; access legs left out

    double teu = 0;
    for (int s = 0; s < 24; ++s) {
        const models::CorridorTables& t = run.tables[static_cast<std::size_t>(s)];
        CHECK(bits(reader.link_values(s)) == bits(link_rows(t)));
        CHECK(bits(reader.pair_values(s)) == bits(pair_rows(t)));
        CHECK(bits(reader.assignment_values(s)) ==
              bits({static_cast<double>(t.iterations), t.residual}));
        for (const double x : t.link_teu) {
            teu += x;
        }
    }
    CHECK(teu > 0); // the tables compared above are not all zeros

    // The route table, row by row, as the run saw it.
    const auto rows = reader.route_rows(0, 24);
    std::size_t row = 0;
    for (int s = 0; s < 24; ++s) {
        const models::CorridorTables& t = run.tables[static_cast<std::size_t>(s)];
        REQUIRE(rows.size() >= row + t.route_pair.size());
        for (std::size_t r = 0; r < t.route_pair.size(); ++r, ++row) {
            const auto& got = rows[row];
            CHECK(got.step == s);
            CHECK(static_cast<std::size_t>(got.exporter * 4 + got.importer) == t.route_pair[r]);
            CHECK(got.path == run.route_paths.at(t.route_path[r]));
            CHECK(got.mode == models::to_string(static_cast<models::Mode>(t.route_mode[r])));
            CHECK(bits({got.share, got.teu, got.value, got.days}) ==
                  bits({t.route_share[r], t.route_teu[r], t.route_value[r], t.route_days[r]}));
        }
    }
    CHECK(rows.size() == row);
    CHECK(row > 24 * 12); // at least one route per pair and step
    CHECK(reader.route_rows(5, 6).size() == run.tables[5].route_pair.size());

    // The Suez Canal is closed from 2018-07 (step 6) to 2019-01 (step 12): its links are
    // closed and carry nothing in between.
    const std::size_t suez = index_of(run.link_ids, "SEA_MALACCA-SEA_SUEZ");
    const auto open = [&](int step) { return reader.link_values(step)[suez * 6 + 5]; };
    const auto load = [&](int step) { return reader.link_values(step)[suez * 6 + 0]; };
    CHECK(open(5) == 1.0);
    CHECK(load(5) > 0.0);
    CHECK(open(6) == 0.0);
    CHECK(load(6) == 0.0);
    CHECK(open(11) == 0.0);
    CHECK(open(12) == 1.0);

    REQUIRE_THROWS_AS(reader.link_values(24), sim::UsageError);
    REQUIRE_THROWS_WITH(reader.pair_values(-1), Contains("step -1 out of range"));
}

TEST_CASE("RunStore: corridor tables export as CSV, routes without the diagonal",
          "[output][corridors]") {
    const RecordedRun run = record(corridors_small, "csv");
    const output::RunReader reader(run.path);
    const std::size_t n = reader.countries().size();
    const std::size_t l_n = run.link_ids.size();

    const auto links = lines(reader, "corridors");
    REQUIRE(links.size() == 1 + 24 * l_n);
    CHECK(links[0] == "step,date,link,mode,teu,value,utilisation,cost_per_teu,days,open");
    CHECK(links[1].rfind("0,2018-01," + run.link_ids[0] + "," + run.link_modes[0] + ",", 0) == 0);
    // Two links join Shenzhen and Hai Phong; their ids carry the mode.
    const auto one_step = lines(reader, "corridors", 7);
    CHECK(one_step.size() == 1 + l_n);
    CHECK(std::count_if(one_step.begin(), one_step.end(), [](const std::string& line) {
              return line.rfind("7,2018-08,PORT_SHENZHEN-PORT_HAIPHONG-road,road,", 0) == 0;
          }) == 1);
    CHECK(std::count_if(one_step.begin(), one_step.end(), [](const std::string& line) {
              return line.rfind("7,2018-08,SEA_MALACCA-SEA_SUEZ,sea,0,0,0,", 0) == 0 &&
                     line.substr(line.size() - 2) == ",0";
          }) == 1);

    const auto routes = lines(reader, "routes");
    REQUIRE(routes.size() == 1 + 24 * n * (n - 1));
    CHECK(routes[0] == "step,date,exporter,importer,rail_share,sea_share,road_share,air_share,"
                       "days,cost_pct,routes");
    CHECK(routes[1].rfind("0,2018-01,CHN,USA,", 0) == 0);
    for (std::size_t r = 1; r < routes.size(); ++r) {
        REQUIRE_THAT(routes[r], !Contains("CHN,CHN") && !Contains("USA,USA") &&
                                    !Contains("DEU,DEU") && !Contains("VNM,VNM"));
    }
    CHECK(lines(reader, "routes", 23).size() == 1 + n * (n - 1));
}

TEST_CASE("RunStore: a run of a world without a network has no corridor tables",
          "[output][hdf5][corridors]") {
    // The classroom world has no network/ folder.
    const fs::path dir = fresh_dir("no_network");
    const std::string scenario = (dir / "plain.toml").string();
    std::ofstream(scenario) << "name = \"plain\"\nworld = \"" << repo
                            << "/scenarios/classroom/world\"\n"
                            << "[calendar]\nstart = \"2018-01\"\nsteps = 6\nstep = \"month\"\n";
    const RecordedRun run = record(scenario, "no_network_run");
    CHECK(run.tables.empty());

    const output::RunReader reader(run.path);
    CHECK_FALSE(reader.has_corridors());
    CHECK(reader.steps() == 6);
    CHECK(reader.link_ids().empty());
    CHECK(reader.link_modes().empty());
    for (const auto& d : reader.datasets()) {
        CHECK(d.path.rfind("/corridors", 0) != 0);
        CHECK(d.path.rfind("/metadata/link_", 0) != 0);
        CHECK(d.path.rfind("/metadata/pair_", 0) != 0);
    }

    const std::string message =
        run.path + ": no corridor tables (the world has no transport network)";
    std::ostringstream out;
    REQUIRE_THROWS_AS(reader.write_csv("corridors", -1, out), sim::UsageError);
    REQUIRE_THROWS_WITH(reader.write_csv("corridors", -1, out), message);
    REQUIRE_THROWS_WITH(reader.write_csv("routes", 0, out), message);
    REQUIRE_THROWS_WITH(reader.link_values(0), message);
    REQUIRE_THROWS_WITH(reader.pair_values(0), message);
    REQUIRE_THROWS_WITH(reader.assignment_values(0), message);
    CHECK(out.str().empty());
}
