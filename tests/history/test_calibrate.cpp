#include "tradesim/history/calibrate.hpp"
#include "tradesim/history/csv.hpp"
#include "tradesim/models/gravity/ppml.hpp"
#include "tradesim/models/scenario.hpp"
#include "tradesim/models/simulation.hpp"
#include "tradesim/models/world.hpp"
#include "tradesim/sim/error.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <string>
#include <vector>

using namespace tradesim;
using Catch::Matchers::Contains;

namespace {

namespace fs = std::filesystem;
const std::string shared_data = TRADESIM_SHARED_DATA_DIR;
constexpr double nan = std::numeric_limits<double>::quiet_NaN();

std::string out_dir(const std::string& name) {
    const auto dir = fs::path(TRADESIM_TEST_OUTPUT_DIR) / name;
    fs::remove_all(dir);
    return dir.string();
}

bool have(const std::string& path) {
    if (fs::exists(path)) {
        return true;
    }
    WARN("skipped: " << path << " is absent (the shared data folder is needed)");
    return false;
}

// A one-sector panel from a bilateral CSV, built here rather than by the importer so that
// the test checks calibrate against the source file itself.
models::TradePanel panel_from_csv(const std::string& path, const std::string& value, double scale,
                                  const std::vector<std::string>& pair_columns) {
    history::CsvOptions csv;
    csv.columns = {"exporter", "importer", "year", value};
    csv.columns.insert(csv.columns.end(), pair_columns.begin(), pair_columns.end());
    csv.categorical = {"exporter", "importer"};
    const sim::DataFrame frame = history::read_csv(path, csv);
    const auto exporters = frame.find("exporter")->texts();
    const auto importers = frame.find("importer")->texts();
    const auto& years = frame.find("year")->numbers;
    const auto& values = frame.find(value)->numbers;
    models::TradePanel p;
    for (std::size_t r = 0; r < frame.rows(); ++r) {
        p.years.push_back(static_cast<int>(years[r]));
        p.countries.push_back(exporters[r]);
        p.countries.push_back(importers[r]);
    }
    for (auto* v : {&p.countries}) {
        std::sort(v->begin(), v->end());
        v->erase(std::unique(v->begin(), v->end()), v->end());
    }
    std::sort(p.years.begin(), p.years.end());
    p.years.erase(std::unique(p.years.begin(), p.years.end()), p.years.end());
    p.country_names.assign(p.countries.size(), "");
    p.sectors = {"TOT"};
    p.sector_names = {"total"};
    const std::size_t n = p.countries.size();
    p.flows.assign(p.years.size() * n * n, 0.0);
    p.reported.assign(p.years.size() * n * n, 0);
    for (const auto& name : pair_columns) {
        p.pair_variables.push_back({name, "", path, std::vector<double>(p.flows.size(), nan)});
    }
    for (std::size_t r = 0; r < frame.rows(); ++r) {
        const auto y = static_cast<std::size_t>(p.find_year(static_cast<int>(years[r])));
        const auto i = static_cast<std::size_t>(p.find_country(exporters[r]));
        const auto j = static_cast<std::size_t>(p.find_country(importers[r]));
        p.flows[p.flow_index(y, i, j, 0)] += values[r] * scale;
        p.reported[p.pair_index(y, i, j)] = 1;
        for (std::size_t v = 0; v < pair_columns.size(); ++v) {
            p.pair_variables[v].values[p.pair_index(y, i, j)] =
                frame.find(pair_columns[v])->numbers[r];
        }
    }
    return p;
}

// The world's flows against the panel's, pair by pair, to 1e-9 relative.
void require_same_flows(const models::World& w, const models::TradePanel& p, int year) {
    const auto y = static_cast<std::size_t>(p.find_year(year));
    double total = 0.0;
    for (std::size_t i = 0; i < w.dims.countries; ++i) {
        const auto pi = static_cast<std::size_t>(p.find_country(w.countries[i].code));
        for (std::size_t j = 0; j < w.dims.countries; ++j) {
            const auto pj = static_cast<std::size_t>(p.find_country(w.countries[j].code));
            const double want = p.flows[p.flow_index(y, pi, pj, 0)] / 1e9;
            REQUIRE(w.flows[w.dims.flow(i, j, 0)] == Approx(want).epsilon(1e-9).margin(1e-300));
            total += want;
        }
    }
    double output = 0.0;
    for (double o : w.output) {
        output += o;
    }
    REQUIRE(output == Approx(total).epsilon(1e-12));
}

double coefficient(const models::gravity::PpmlResult& r, const std::string& name) {
    const auto it = std::find(r.names.begin(), r.names.end(), name);
    REQUIRE(it != r.names.end());
    return r.coefficients[static_cast<std::size_t>(it - r.names.begin())];
}

// Runs a scenario on the world and returns the exporter -> importer flow of every step.
std::vector<double> run_with_tariff(const std::string& world, const std::string& name,
                                    const char* exporter, const char* importer) {
    const auto path = fs::path(TRADESIM_TEST_OUTPUT_DIR) / (name + ".toml");
    std::ofstream(path) << "name = \"" << name << "\"\nworld = \"" << world
                        << "\"\nseed = 1\n[calendar]\nstart = \"2001-01\"\nsteps = 4\n"
                           "step = \"month\"\n[[policy]]\ndate = \"2001-02\"\nkind = \"tariff\"\n"
                           "importer = \""
                        << importer << "\"\nexporter = \"" << exporter << "\"\nrate = 25\n";
    const models::Scenario s = models::load_scenario(path.string());
    struct Pair : models::RunObserver {
        std::size_t f = 0;
        std::vector<double> flows;
        void on_step(const models::StepView& v) override { flows.push_back(v.flows[f]); }
    } observer;
    const auto& w = *s.world;
    observer.f = w.dims.flow(static_cast<std::size_t>(w.country_index(exporter)),
                             static_cast<std::size_t>(w.country_index(importer)), 0);
    (void)models::run_scenario(s, observer);
    observer.flows.insert(observer.flows.begin(), w.flows[observer.f]);
    return observer.flows;
}

// A tiny panel without domestic flows: A, B, C trade; D does not.
models::TradePanel tiny_panel() {
    models::TradePanel p;
    p.years = {2010};
    p.countries = {"AAA", "BBB", "CCC", "DDD"};
    p.country_names = {"", "", "", ""};
    p.sectors = {"S1", "S2"};
    p.sector_names = {"one", "two"};
    p.flows.assign(4 * 4 * 2, 0.0);
    p.reported.assign(16, 0);
    const auto set = [&](std::size_t i, std::size_t j, double s1, double s2) {
        p.flows[p.flow_index(0, i, j, 0)] = s1;
        p.flows[p.flow_index(0, i, j, 1)] = s2;
        p.reported[p.pair_index(0, i, j)] = 1;
    };
    set(0, 1, 3e9, 1e9);
    set(1, 0, 2e9, 2e9);
    set(0, 2, 1e9, 0);
    set(2, 1, 0, 4e9);
    set(1, 2, 1e9, 1e9);
    set(2, 0, 1e9, 1e9);
    return p;
}

} // namespace

TEST_CASE("calibrate: without domestic flows it needs GDP and says so", "[history][calibrate]") {
    const auto p = tiny_panel();
    history::CalibrateOptions o;
    o.year = 2010;
    o.out_dir = out_dir("calib_nogdp");
    REQUIRE_THROWS_WITH(history::calibrate(p, o),
                        Contains("no domestic flows") && Contains("gdp_usd"));
    o.year = 2011;
    REQUIRE_THROWS_AS(history::calibrate(p, o), sim::UsageError);
    REQUIRE_THROWS_WITH(history::calibrate(p, o), Contains("2011 is not in the panel"));
}

TEST_CASE("calibrate: domestic flows are GDP less exports, and idle countries are dropped",
          "[history][calibrate]") {
    auto p = tiny_panel();
    p.country_variables.push_back({"gdp_usd", "USD", "test", {20e9, 30e9, 10e9, 5e9}});
    history::CalibrateOptions o;
    o.year = 2010;
    o.out_dir = out_dir("calib_gdp");
    const auto r = history::calibrate(p, o);
    REQUIRE(r.countries == std::vector<std::string>{"AAA", "BBB", "CCC"});
    REQUIRE(r.dropped_countries.size() == 1);
    REQUIRE_THAT(r.dropped_countries[0], Contains("DDD: no international trade in 2010"));
    REQUIRE_FALSE(r.domestic_from_data);
    const auto w = models::load_world(o.out_dir);
    REQUIRE(w.observed_flows);
    REQUIRE(w.countries.size() == 3);
    REQUIRE(w.countries[0].gdp_usd_bn == Approx(20.0));
    // AAA exports 5 bn: 15 bn at home, split as its trade (S1 3+2+1+1 = 7, S2 1+2+1 = 4).
    const auto& d = w.dims;
    REQUIRE(w.flows[d.flow(0, 0, 0)] + w.flows[d.flow(0, 0, 1)] == Approx(15.0));
    REQUIRE(w.flows[d.flow(0, 0, 0)] == Approx(15.0 * 7.0 / 11.0));
    REQUIRE(w.output[d.cs(1, 1)] == Approx(2.0 + 1.0 + w.flows[d.flow(1, 1, 1)]));
    // No distance, contiguity or agreement data: a fit on the fixed effects alone, said so.
    REQUIRE(r.formula == "trade ~ 1 | exporter + importer");
    REQUIRE(w.gravity.distance == 0.0);
}

TEST_CASE("calibrate: a world folder's flows.csv errors name file, line and column",
          "[history][calibrate][error]") {
    auto p = tiny_panel();
    p.country_variables.push_back({"gdp_usd", "USD", "test", {20e9, 30e9, 10e9, 5e9}});
    history::CalibrateOptions o;
    o.year = 2010;
    o.out_dir = out_dir("calib_bad_flows");
    (void)history::calibrate(p, o);
    REQUIRE_THROWS_WITH(history::calibrate(p, o), Contains("already holds a world"));
    const auto flows = (fs::path(o.out_dir) / "flows.csv").string();
    std::ofstream(flows) << "exporter,importer,sector,value_usd_bn\n"
                            "AAA,BBB,S1,1\n"
                            "AAA,XXX,S1,1\n"
                            "AAA,BBB,S1,2\n"
                            "BBB,AAA,S9,1\n"
                            "BBB,AAA,S2,-1\n"
                            "CCC,AAA,S2,abc\n";
    REQUIRE_THROWS_AS(models::load_world(o.out_dir), sim::InputError);
    REQUIRE_THROWS_WITH(
        models::load_world(o.out_dir),
        Contains("flows.csv:3:5: error: unknown country \"XXX\"") &&
            Contains("flows.csv:4:1: error: duplicate flow AAA -> BBB in S1 (first on line 2)") &&
            Contains("flows.csv:5:9: error: unknown sector \"S9\"") &&
            Contains("flows.csv:6:12: error: value_usd_bn = -1 is outside") &&
            Contains("flows.csv:7:12: error: value_usd_bn must be a number, not \"abc\""));
}

TEST_CASE("calibrate: AGTPA 2006 reproduces the published PPML estimates and its flows",
          "[history][calibrate][validation]") {
    const auto path = shared_data + "/trade/yotov2016_agtpa_69c_1986_2006.csv.gz";
    if (!have(path)) {
        return;
    }
    const auto p = panel_from_csv(path, "trade", 1e6, {"dist", "cntg", "rta"});
    history::CalibrateOptions o;
    o.year = 2006;
    o.out_dir = out_dir("calib_agtpa_norta");
    o.without = {"rta"};
    const auto r = history::calibrate(p, o);
    REQUIRE(r.countries.size() == 69);
    REQUIRE(r.domestic_from_data);
    REQUIRE(r.formula == "trade ~ log(dist) + contig + border | exporter + importer");
    // Yotov, Piermartini, Monteiro & Larch (2016), ch. 2 application 1 ("Trade without
    // borders"), Stata TradeWithoutBorder.log: ln_DIST -0.7912879, CNTG 0.6736456,
    // INTL_BRDR -2.47445 (../shared/data/reference_results/REFERENCE_RESULTS.md, B).
    REQUIRE(coefficient(r.fit, "log(dist)") == Approx(-0.7912879).margin(5e-8));
    REQUIRE(coefficient(r.fit, "contig") == Approx(0.6736456).margin(5e-8));
    REQUIRE(coefficient(r.fit, "border") == Approx(-2.47445).margin(5e-6));
    REQUIRE(r.fit.observations == 69u * 69u);
    const auto w = models::load_world(o.out_dir);
    REQUIRE(w.base_year == 2006);
    REQUIRE(w.gravity.distance == coefficient(r.fit, "log(dist)"));
    REQUIRE(w.gravity.border == coefficient(r.fit, "border"));
    REQUIRE(w.gravity.rta == 0.0);
    require_same_flows(w, p, 2006);
}

TEST_CASE("calibrate: AGTPA 2006 with rta matches a direct PPML fit of the same data",
          "[history][calibrate][validation]") {
    const auto path = shared_data + "/trade/yotov2016_agtpa_69c_1986_2006.csv.gz";
    if (!have(path)) {
        return;
    }
    const auto p = panel_from_csv(path, "trade", 1e6, {"dist", "cntg", "rta"});
    history::CalibrateOptions o;
    o.year = 2006;
    o.out_dir = out_dir("calib_agtpa");
    const auto r = history::calibrate(p, o);
    REQUIRE(r.formula == "trade ~ log(dist) + contig + rta + border | exporter + importer");

    // The same regression built by hand from the panel.
    models::gravity::PpmlProblem problem;
    problem.x.resize(4);
    problem.x_names = {"log(dist)", "contig", "rta", "border"};
    problem.fe.resize(2);
    problem.fe_names = {"exporter", "importer"};
    const auto y = static_cast<std::size_t>(p.find_year(2006));
    const auto var = [&](std::size_t v, std::size_t i, std::size_t j) {
        return p.pair_variables[v].values[p.pair_index(y, i, j)];
    };
    for (std::size_t i = 0; i < p.country_count(); ++i) {
        for (std::size_t j = 0; j < p.country_count(); ++j) {
            problem.y.push_back(p.flows[p.flow_index(y, i, j, 0)]);
            problem.x[0].push_back(std::log(var(0, i, j)));
            problem.x[1].push_back(var(1, i, j));
            problem.x[2].push_back(var(2, i, j));
            problem.x[3].push_back(i == j ? 0.0 : 1.0);
            problem.fe[0].push_back(static_cast<std::int32_t>(i));
            problem.fe[1].push_back(static_cast<std::int32_t>(j));
        }
    }
    const auto direct = models::gravity::fit_ppml(problem);
    for (const auto& name : problem.x_names) {
        REQUIRE(coefficient(r.fit, name) == Approx(coefficient(direct, name)).epsilon(1e-9));
    }
    REQUIRE(r.fit.std_errors == direct.std_errors);
    const auto w = models::load_world(o.out_dir);
    REQUIRE(w.gravity.rta == coefficient(direct, "rta"));
    REQUIRE(w.gravity.contiguity == coefficient(direct, "contig"));
    // Borders and agreements of the world are the panel's.
    const auto a = static_cast<std::size_t>(w.country_index("USA"));
    const auto b = static_cast<std::size_t>(w.country_index("CAN"));
    const auto c = static_cast<std::size_t>(w.country_index("MEX"));
    REQUIRE(w.contiguous[w.dims.pair(a, b)] == 1);
    REQUIRE(w.rta[w.dims.pair(a, c)] == 1);
    require_same_flows(w, p, 2006);
    // A tariff on Canada's goods in the US lowers that flow on the calibrated world.
    const auto flows = run_with_tariff(o.out_dir, "calib_agtpa_tariff", "CAN", "USA");
    REQUIRE(flows[1] == Approx(flows[0]).epsilon(1e-9));
    REQUIRE(flows.back() < 0.95 * flows[0]);
}

TEST_CASE("calibrate: WIOD 2000 with geography from CEPII, run with a tariff",
          "[history][calibrate][validation]") {
    const auto path = shared_data + "/trade/wiod_ge_gravity_44c_2000_2014.csv";
    const auto geo = shared_data + "/covariates/cepii_geodist_geo_cepii.csv";
    if (!have(path) || !have(geo)) {
        return;
    }
    const auto p = panel_from_csv(path, "trade", 1e6, {"FTA"});
    history::CalibrateOptions o;
    o.year = 2000;
    o.out_dir = out_dir("calib_wiod");
    o.geo_file = geo;
    const auto r = history::calibrate(p, o);
    REQUIRE(r.countries.size() == 44);
    REQUIRE(r.domestic_from_data);
    REQUIRE(r.formula == "trade ~ log(dist) + rta + border | exporter + importer");
    // ROW has no coordinates: its 87 pairs are left out of the fit.
    REQUIRE(r.dropped_missing == 87);
    REQUIRE(r.fit.observations == 43u * 43u);
    REQUIRE(coefficient(r.fit, "log(dist)") < 0.0);
    REQUIRE(coefficient(r.fit, "border") < 0.0);
    const auto w = models::load_world(o.out_dir);
    require_same_flows(w, p, 2000);
    const auto chn = static_cast<std::size_t>(w.country_index("CHN"));
    REQUIRE(w.countries[chn].lat == Approx(39.9).margin(0.5));
    REQUIRE(std::isnan(
        w.distance_km[w.dims.pair(static_cast<std::size_t>(w.country_index("ROW")), chn)]));
    const auto flows = run_with_tariff(o.out_dir, "calib_wiod_tariff", "CHN", "USA");
    REQUIRE(flows[1] == Approx(flows[0]).epsilon(1e-9));
    REQUIRE(flows.back() < 0.95 * flows[0]);
}
