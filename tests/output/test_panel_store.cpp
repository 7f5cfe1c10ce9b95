#include "tradesim/output/panel_store.hpp"

#include "run_store_util.hpp"

#include "tradesim/output/equilibrium_store.hpp"
#include "tradesim/output/run_store.hpp"
#include "tradesim/sim/error.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>

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
using tradesim::test::bits;
using tradesim::test::fresh_dir;
using tradesim::test::split_lines;

namespace {

constexpr double missing = std::numeric_limits<double>::quiet_NaN();

// A panel whose every cell differs, with NaN, -0.0 and a denormal to prove bit-exact storage.
models::TradePanel make_panel(std::size_t years, std::size_t countries, std::size_t sectors) {
    models::TradePanel p;
    for (std::size_t y = 0; y < years; ++y) {
        p.years.push_back(1990 + 2 * static_cast<int>(y));
    }
    for (std::size_t i = 0; i < countries; ++i) {
        p.countries.push_back(fmt::format("C{:03}", i));
        p.country_names.push_back(i % 3 == 0 ? "" : fmt::format("Country, {}", i));
    }
    for (std::size_t s = 0; s < sectors; ++s) {
        p.sectors.push_back(fmt::format("S{}", s));
        p.sector_names.push_back(fmt::format("Sector {}", s));
    }
    const std::size_t pairs = years * countries * countries;
    p.flows.resize(pairs * sectors);
    for (std::size_t c = 0; c < p.flows.size(); ++c) {
        p.flows[c] = c % 7 == 0 ? 0.0 : 1e3 * static_cast<double>(c) / 3.0;
    }
    p.reported.resize(pairs);
    for (std::size_t c = 0; c < pairs; ++c) {
        p.reported[c] = c % 5 == 0 ? 0 : 1;
    }
    p.country_variables.push_back(
        {"gdp_usd", "USD", "pwt.csv:rgdpo", std::vector<double>(years * countries, 2.5e12)});
    if (years * countries > 0) {
        p.country_variables.back().values[0] = missing;
    }
    p.country_variables.push_back(
        {"pop", "persons", "pwt.csv:pop", std::vector<double>(years * countries, -0.0)});
    p.pair_variables.push_back(
        {"dist", "km", "gravity.csv:dist", std::vector<double>(pairs, 4.9406564584124654e-324)});
    if (years * countries > 0) {
        p.pair_variables.back().values[1] = missing;
    }
    p.provenance = {"table a.csv: 10 rows", "pwt b.csv: 3 rows\nwith a second line"};
    return p;
}

void require_same(const models::TradePanel& a, const models::TradePanel& b) {
    REQUIRE(a.years == b.years);
    REQUIRE(a.countries == b.countries);
    REQUIRE(a.country_names == b.country_names);
    REQUIRE(a.sectors == b.sectors);
    REQUIRE(a.sector_names == b.sector_names);
    REQUIRE(bits(a.flows) == bits(b.flows));
    REQUIRE(a.reported == b.reported);
    REQUIRE(a.provenance == b.provenance);
    using Variables = std::vector<models::PanelVariable> models::TradePanel::*;
    for (const Variables list :
         {&models::TradePanel::country_variables, &models::TradePanel::pair_variables}) {
        REQUIRE((a.*list).size() == (b.*list).size());
        for (std::size_t v = 0; v < (a.*list).size(); ++v) {
            CHECK((a.*list)[v].name == (b.*list)[v].name);
            CHECK((a.*list)[v].unit == (b.*list)[v].unit);
            CHECK((a.*list)[v].source == (b.*list)[v].source);
            CHECK(bits((a.*list)[v].values) == bits((b.*list)[v].values));
        }
    }
}

std::vector<std::string> csv_lines(const models::TradePanel& panel, const std::string& table) {
    std::ostringstream out;
    output::write_panel_csv(panel, table, out);
    return split_lines(out.str());
}

} // namespace

TEST_CASE("PanelStore: round trip is bit for bit", "[output][hdf5][panel]") {
    const auto path = (fresh_dir("panel_store", "round_trip") / "panel.h5").string();
    const auto panel = make_panel(3, 5, 2);
    output::write_panel(path, panel, false, "test");
    REQUIRE(output::is_panel_file(path));
    require_same(panel, output::read_panel(path));
    const auto info = output::read_panel_info(path);
    CHECK(info.program_version == "test");
    CHECK(info.format_version == "1");
    CHECK(info.datasets.size() == 13); // years, flows, reported, 7 metadata, 3 variables
    // Variables keep the panel's order, not HDF5's name order.
    const auto back = output::read_panel(path);
    CHECK(back.country_variables[0].name == "gdp_usd");
    CHECK(back.country_variables[1].name == "pop");
}

TEST_CASE("PanelStore: a panel without variables or provenance round trips",
          "[output][hdf5][panel]") {
    const auto path = (fresh_dir("panel_store", "no_variables") / "panel.h5").string();
    auto panel = make_panel(2, 3, 1);
    panel.country_variables.clear();
    panel.pair_variables.clear();
    panel.provenance.clear();
    output::write_panel(path, panel, false, "test");
    require_same(panel, output::read_panel(path));
    CHECK(csv_lines(panel, "country_variables") == std::vector<std::string>{"year,country"});
}

TEST_CASE("PanelStore: a panel with no years round trips", "[output][hdf5][panel]") {
    const auto path = (fresh_dir("panel_store", "no_years") / "panel.h5").string();
    auto panel = make_panel(0, 3, 2);
    output::write_panel(path, panel, false, "test");
    require_same(panel, output::read_panel(path));
}

TEST_CASE("PanelStore: a BACI-sized panel round trips", "[output][hdf5][panel]") {
    // 230 countries x 10 sectors x 6 years: 3.2 million cells, 25 MB of flows.
    const auto path = (fresh_dir("panel_store", "big") / "panel.h5").string();
    const auto panel = make_panel(6, 230, 10);
    output::write_panel(path, panel, false, "test");
    require_same(panel, output::read_panel(path));
}

TEST_CASE("PanelStore: refuses to overwrite without force and keeps the file",
          "[output][error][panel]") {
    const auto dir = fresh_dir("panel_store", "overwrite");
    const auto path = (dir / "panel.h5").string();
    const auto first = make_panel(2, 3, 1);
    output::write_panel(path, first, false, "test");
    const auto second = make_panel(3, 4, 1);
    REQUIRE_THROWS_AS(output::write_panel(path, second, false, "test"), sim::IoError);
    REQUIRE_THROWS_WITH(output::write_panel(path, second, false, "test"),
                        Contains(path) && Contains("--force"));
    require_same(first, output::read_panel(path));
    output::write_panel(path, second, true, "test");
    require_same(second, output::read_panel(path));
    // Nothing but the file is left in the folder: the temporary file was renamed.
    CHECK(std::distance(fs::directory_iterator(dir), fs::directory_iterator()) == 1);
}

TEST_CASE("PanelStore: a bad panel is refused and the earlier file kept",
          "[output][error][panel]") {
    const auto dir = fresh_dir("panel_store", "bad_panel");
    const auto path = (dir / "panel.h5").string();
    const auto good = make_panel(2, 3, 1);
    output::write_panel(path, good, false, "test");
    auto bad = make_panel(2, 3, 1);
    bad.flows.pop_back();
    bad.pair_variables.push_back(bad.pair_variables.front());
    bad.country_variables.front().name = "a/b";
    try {
        output::write_panel(path, bad, true, "test");
        FAIL("no error");
    } catch (const sim::InputError& e) {
        const std::string text = e.what();
        CHECK_THAT(text, Contains("expected years x countries^2 x sectors"));
        CHECK_THAT(text, Contains("pair variable \"dist\" appears twice"));
        CHECK_THAT(text, Contains("country variable name \"a/b\""));
        CHECK_THAT(text, StartsWith(path + ": "));
    }
    require_same(good, output::read_panel(path));
    CHECK(std::distance(fs::directory_iterator(dir), fs::directory_iterator()) == 1);
    auto empty = make_panel(1, 0, 1);
    REQUIRE_THROWS_WITH(output::write_panel((dir / "empty.h5").string(), empty, false, "t"),
                        Contains("nothing to write"));
}

TEST_CASE("PanelStore: a run file is not a panel file and a panel file is not a run file",
          "[output][error][panel]") {
    const auto dir = fresh_dir("panel_store", "kinds");
    const auto run = (dir / "run.h5").string();
    output::Equilibrium eq;
    eq.countries = {"AAA", "BBB"};
    eq.baseline_flows = {1, 2, 3, 4};
    eq.counterfactual_flows = {1, 2, 3, 5};
    eq.variables.push_back({"welfare", "1", {1, 1}, {1, 1.01}});
    output::write_equilibrium(run, false, eq, {"test", 1, "2024-01-01T00:00:00Z"});
    CHECK_FALSE(output::is_panel_file(run));
    REQUIRE_THROWS_AS(output::read_panel(run), sim::IoError);
    REQUIRE_THROWS_WITH(output::read_panel(run),
                        StartsWith(run + ": a tradesim run file, not a panel file"));

    const auto panel = (dir / "panel.h5").string();
    output::write_panel(panel, make_panel(1, 2, 1), false, "test");
    REQUIRE_THROWS_AS(output::RunReader(panel), sim::IoError);
    REQUIRE_THROWS_WITH(output::RunReader(panel), StartsWith(panel + ": not a tradesim run file"));

    const auto text = (dir / "text.h5").string();
    std::ofstream(text) << "year,value\n";
    CHECK_FALSE(output::is_panel_file(text));
    CHECK_FALSE(output::is_panel_file((dir / "missing.h5").string()));
    REQUIRE_THROWS_WITH(output::read_panel(text), Contains("not an HDF5 file"));
    REQUIRE_THROWS_WITH(output::read_panel((dir / "missing.h5").string()),
                        Contains("no such file"));
}

TEST_CASE("PanelStore: CSV tables of a panel", "[output][panel]") {
    models::TradePanel p;
    p.years = {2000, 2001};
    p.countries = {"CHN", "DEU"};
    p.country_names = {"China", "Germany"};
    p.sectors = {"A", "B"};
    p.sector_names = {"a", "b"};
    p.flows.assign(2 * 2 * 2 * 2, 0.0);
    p.reported.assign(2 * 2 * 2, 0);
    p.flows[p.flow_index(0, 0, 1, 0)] = 1.5;
    p.flows[p.flow_index(0, 0, 1, 1)] = 2.25;
    p.reported[p.pair_index(0, 0, 1)] = 1;
    p.reported[p.pair_index(1, 1, 0)] = 1; // a reported zero
    p.flows[p.flow_index(1, 0, 0, 1)] = 7; // domestic, not reported: left out of flows
    p.country_variables.push_back({"gdp", "USD", "x", {missing, 3, missing, missing}});
    p.pair_variables.push_back(
        {"rta", "1", "y", {missing, 1, missing, missing, missing, missing, missing, missing}});

    CHECK(csv_lines(p, "flows") ==
          std::vector<std::string>{"year,exporter,importer,sector,value_usd", "2000,CHN,DEU,A,1.5",
                                   "2000,CHN,DEU,B,2.25", "2001,DEU,CHN,A,0", "2001,DEU,CHN,B,0"});
    CHECK(csv_lines(p, "countries") ==
          std::vector<std::string>{"code,name", "CHN,China", "DEU,Germany"});
    CHECK(csv_lines(p, "country_variables") ==
          std::vector<std::string>{"year,country,gdp", "2000,DEU,3"});
    CHECK(csv_lines(p, "pair_variables") ==
          std::vector<std::string>{"year,exporter,importer,rta", "2000,CHN,DEU,1"});
    CHECK(csv_lines(p, "totals") ==
          std::vector<std::string>{"year,value_usd,domestic_usd,reported_pairs", "2000,3.75,0,1",
                                   "2001,7,7,1"});
    std::ostringstream out;
    REQUIRE_THROWS_AS(output::write_panel_csv(p, "flow", out), sim::UsageError);
    REQUIRE_THROWS_WITH(output::write_panel_csv(p, "flow", out),
                        Contains("unknown table \"flow\"") && Contains("totals"));
}
