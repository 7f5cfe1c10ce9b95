#include "tradesim/models/economy.hpp"
#include "tradesim/models/simulation.hpp"
#include "tradesim/sim/parallel.hpp"

#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>

using namespace tradesim;

namespace {

const std::string repo = TRADESIM_SOURCE_DIR;

// Writes a scenario next to the test outputs that extends the baseline.
std::string scenario_file(const std::string& name, const std::string& body) {
    const auto path = std::filesystem::path(TRADESIM_TEST_OUTPUT_DIR) / (name + ".toml");
    std::ofstream(path) << "extends = \"" << repo << "/scenarios/baseline.toml\"\n" << body;
    return path.string();
}

struct Collector : models::RunObserver {
    std::vector<std::uint64_t> hashes;
    std::vector<std::vector<double>> flows;
    std::vector<std::vector<double>> countries;
    void on_step(const models::StepView& v) override {
        hashes.push_back(v.state_hash);
        flows.push_back(v.flows);
        std::vector<double> c;
        for (std::size_t col = 0; col < v.countries.columns(); ++col) {
            const auto span = v.countries.column(col);
            c.insert(c.end(), span.begin(), span.end());
        }
        countries.push_back(c);
    }
};

double pair_total(const models::World& w, const std::vector<double>& flows, const char* from,
                  const char* to) {
    const auto i = static_cast<std::size_t>(w.country_index(from));
    const auto j = static_cast<std::size_t>(w.country_index(to));
    double s = 0.0;
    for (std::size_t k = 0; k < w.dims.sectors; ++k) {
        s += flows[w.dims.flow(i, j, k)];
    }
    return s;
}

const std::string tariff_body = R"(
[calendar]
steps = 36
[[policy]]
date = "2018-03"
kind = "tariff"
importer = "USA"
exporter = "CHN"
rate = 25
)";

} // namespace

TEST_CASE("Economy: with no policy every step reproduces the baseline", "[models][economy]") {
    const auto s = models::load_scenario(scenario_file("still", "[calendar]\nsteps = 6\n"));
    Collector c;
    (void)models::run_scenario(s, c);
    for (const auto& f : c.flows) {
        for (std::size_t x = 0; x < f.size(); ++x) {
            REQUIRE(f[x] == Approx(s.world->flows[x]).epsilon(1e-12).margin(1e-12));
        }
    }
}

TEST_CASE("Economy: markets clear and tariff revenue is the tariff on imports",
          "[models][economy]") {
    const auto s = models::load_scenario(scenario_file("tariff", tariff_body));
    models::Economy e(s);
    const auto& w = *s.world;
    auto p = models::PolicyState::baseline(w.dims);
    for (const auto& policy : s.policies) {
        policy->apply(p);
    }
    e.step(p, 1);
    e.account();
    const auto& t = e.countries();
    const auto& cols = e.columns();
    for (std::size_t i = 0; i < w.dims.countries; ++i) {
        double sales = 0.0, revenue = 0.0;
        for (std::size_t j = 0; j < w.dims.countries; ++j) {
            for (std::size_t k = 0; k < w.dims.sectors; ++k) {
                sales += e.flows()[w.dims.flow(i, j, k)];
                revenue += e.flows()[w.dims.flow(j, i, k)] * p.tariff[w.dims.flow(j, i, k)];
            }
        }
        REQUIRE(sales == Approx(t.at(cols.gdp, i)).epsilon(1e-11));
        REQUIRE(t.at(cols.tariff_revenue, i) == Approx(revenue).margin(1e-12));
    }
    const auto usa = static_cast<std::size_t>(w.country_index("USA"));
    REQUIRE(t.at(cols.tariff_revenue, usa) > 1.0);
    // World GDP is the numeraire.
    double gdp = 0.0, base = 0.0;
    for (std::size_t i = 0; i < w.dims.countries; ++i) {
        gdp += t.at(cols.gdp, i);
        base += w.countries[i].gdp_usd_bn;
    }
    REQUIRE(gdp == Approx(base).epsilon(1e-12));
}

TEST_CASE("Economy: a tariff cuts the targeted imports gradually and diverts trade",
          "[models][economy]") {
    const auto s = models::load_scenario(scenario_file("tariff_path", tariff_body));
    Collector c;
    (void)models::run_scenario(s, c);
    const auto& w = *s.world;
    const double before = pair_total(w, c.flows[1], "CHN", "USA");
    const double first = pair_total(w, c.flows[2], "CHN", "USA");
    const double later = pair_total(w, c.flows[20], "CHN", "USA");
    REQUIRE(first < before);
    REQUIRE(later < first); // partial adjustment: the fall continues
    REQUIRE(pair_total(w, c.flows[20], "VNM", "USA") > pair_total(w, c.flows[1], "VNM", "USA"));
    REQUIRE(pair_total(w, c.flows[20], "CHN", "DEU") > pair_total(w, c.flows[1], "CHN", "DEU"));
}

TEST_CASE("Economy: the monthly path converges to the full-adjustment equilibrium",
          "[models][economy]") {
    // With sourcing shares closing half their gap every 12 months, after 600 months the run
    // must sit at the equilibrium that immediate adjustment reaches in one step (with fixed
    // trade costs: congestion on the network would make the two paths differ).
    const auto slow = models::load_scenario(scenario_file(
        "converge_slow",
        "[network]\nenabled = false\n[currencies]\nenabled = false\n[calendar]\nsteps = 600\n[[policy]]\ndate = \"2018-01\"\n"
        "kind = \"tariff\"\nimporter = \"USA\"\nexporter = \"all\"\nrate = 20\n"));
    const auto fast = models::load_scenario(scenario_file(
        "converge_fast", "[network]\nenabled = false\n[currencies]\nenabled = false\n[calendar]\nsteps = 1\n[model]\n"
                         "adjustment_half_life_months = 0\n"
                         "[[policy]]\ndate = \"2018-01\"\nkind = \"tariff\"\n"
                         "importer = \"USA\"\nexporter = \"all\"\nrate = 20\n"));
    Collector a, b;
    (void)models::run_scenario(slow, a);
    (void)models::run_scenario(fast, b);
    const auto& x = a.flows.back();
    const auto& y = b.flows.back();
    for (std::size_t f = 0; f < x.size(); ++f) {
        REQUIRE(x[f] == Approx(y[f]).epsilon(1e-8).margin(1e-9));
    }
}

TEST_CASE("Determinism: identical results at 1, 2 and 4 threads and across runs",
          "[models][determinism]") {
    const auto s = models::load_scenario(repo + "/scenarios/us_china_tariffs_2018.toml");
    std::vector<Collector> runs(4);
    const int threads[] = {1, 2, 4, 1};
    for (std::size_t r = 0; r < runs.size(); ++r) {
        const sim::ThreadScope scope(threads[r]);
        (void)models::run_scenario(s, runs[r]);
    }
    for (std::size_t r = 1; r < runs.size(); ++r) {
        REQUIRE(runs[r].hashes == runs[0].hashes);
        REQUIRE(runs[r].flows == runs[0].flows); // bitwise: vector<double> ==
        REQUIRE(runs[r].countries == runs[0].countries);
    }
}
