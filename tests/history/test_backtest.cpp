#include "tradesim/history/backtest.hpp"
#include "tradesim/sim/error.hpp"
#include "tradesim/sim/parallel.hpp"

#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

using namespace tradesim;
using Catch::Matchers::Contains;
using history::BacktestOptions;
using history::compute_metrics;
using history::run_backtest;

namespace {

const double missing = std::numeric_limits<double>::quiet_NaN();

// A one-sector panel of `n` countries over `years`, every pair reported, flows from `flow`.
template <class Flow>
models::TradePanel make_panel(const std::vector<std::string>& countries,
                              const std::vector<int>& years, Flow flow) {
    models::TradePanel p;
    p.years = years;
    p.countries = countries;
    p.country_names.assign(countries.size(), "");
    p.sectors = {"TOT"};
    p.sector_names = {"total"};
    const std::size_t n = countries.size();
    p.flows.resize(years.size() * n * n);
    p.reported.assign(years.size() * n * n, 1);
    for (std::size_t y = 0; y < years.size(); ++y) {
        for (std::size_t i = 0; i < n; ++i) {
            for (std::size_t j = 0; j < n; ++j) {
                p.flows[p.flow_index(y, i, j, 0)] = flow(y, i, j);
            }
        }
    }
    return p;
}

models::PanelVariable pair_variable(const models::TradePanel& p, const std::string& name,
                                    double value) {
    const std::size_t n = p.country_count();
    return {name, "1", "test", std::vector<double>(p.year_count() * n * n, value)};
}

double row_sum(const std::vector<double>& x, std::size_t n, std::size_t i) {
    double s = 0;
    for (std::size_t j = 0; j < n; ++j) {
        s += x[i * n + j];
    }
    return s;
}

double col_sum(const std::vector<double>& x, std::size_t n, std::size_t j) {
    double s = 0;
    for (std::size_t i = 0; i < n; ++i) {
        s += x[i * n + j];
    }
    return s;
}

} // namespace

TEST_CASE("Backtest metrics: match a hand computation", "[history][backtest]") {
    const std::vector<double> x0{10, 20, 30, 40}, x1{20, 10, 30, 80}, pred{15, 25, 30, 40};
    const std::vector<unsigned char> all(4, 1);
    const auto m = compute_metrics(x0, x1, pred, all);
    REQUIRE(m.pairs == 4);
    // ln(15/20), ln(25/10), 0, ln(40/80) -> sqrt(mean of squares), by hand (Python).
    REQUIRE(m.rmse_log == Approx(0.59219985943236).epsilon(1e-12));
    REQUIRE(m.twape == Approx(60.0 / 140.0).epsilon(1e-14));
    // Only the first pair: the third and fourth predict no change, which is never right.
    REQUIRE(m.right_sign == Approx(0.25));
    // Pearson of (ln1.5, ln1.25, 0, 0) and (ln2, -ln2, 0, ln2), by hand (Python).
    REQUIRE(m.correlation == Approx(0.04467749559093164).epsilon(1e-10));

    const std::vector<unsigned char> two{1, 0, 0, 1};
    const auto m2 = compute_metrics(x0, x1, pred, two);
    REQUIRE(m2.pairs == 2);
    REQUIRE(m2.twape == Approx(45.0 / 100.0));
    REQUIRE(m2.right_sign == Approx(0.5));
}

TEST_CASE("Backtest metrics: a constant prediction has no correlation", "[history][backtest]") {
    const std::vector<double> x0{10, 20, 30}, x1{20, 10, 35};
    const std::vector<unsigned char> all(3, 1);
    const auto same = compute_metrics(x0, x1, x0, all);
    REQUIRE(std::isnan(same.correlation));
    REQUIRE(same.right_sign == 0.0);
    REQUIRE(same.twape == Approx(25.0 / 65.0)); // (10 + 10 + 5) / (20 + 10 + 35)
    const std::vector<double> doubled{20, 40, 60};
    const auto uniform = compute_metrics(x0, x1, doubled, all);
    REQUIRE(std::isnan(uniform.correlation));
    REQUIRE(uniform.right_sign == Approx(2.0 / 3.0));
}

TEST_CASE("Backtest: without changes the model repeats the base year", "[history][backtest]") {
    const auto panel = make_panel({"AAA", "BBB", "CCC"}, {2000, 2005}, [](auto y, auto i, auto j) {
        return (i == j ? 100.0 : 10.0 + static_cast<double>(i + 2 * j)) * (y == 0 ? 1.0 : 1.5);
    });
    BacktestOptions o;
    o.from = 2000;
    o.to = 2005;
    const auto r = run_backtest(panel, o);
    REQUIRE_FALSE(r.has_uniform);
    REQUIRE(r.evaluated == std::vector<unsigned char>{0, 1, 1, 1, 0, 1, 1, 1, 0});
    for (std::size_t p = 0; p < 9; ++p) {
        REQUIRE(r.model[p] == Approx(r.observed0[p]).epsilon(1e-12));
    }
    REQUIRE(r.overall.model.rmse_log == Approx(std::log(1.5)));
    REQUIRE(r.overall.no_change.twape == Approx(1.0 / 3.0));
    REQUIRE(r.notes.size() >= 2); // no GDP, no rta
}

TEST_CASE("Backtest: an agreement raises its pair's flow by exp(beta) against the margins",
          "[history][backtest]") {
    auto panel = make_panel({"AAA", "BBB", "CCC", "DDD"}, {2000, 2010}, [](auto, auto i, auto j) {
        return i == j ? 500.0 : 20.0 + static_cast<double>(3 * i + j);
    });
    auto rta = pair_variable(panel, "rta", 0.0);
    rta.values[panel.pair_index(1, 0, 1)] = 7; // an agreement id: in force from 2010
    panel.pair_variables.push_back(rta);
    panel.country_variables.push_back({"gdp_usd", "USD", "test", {1, 2, 3, 4, 2, 2, 3, 8}});
    BacktestOptions o;
    o.from = 2000;
    o.to = 2010;
    o.rta_effect = 0.5;
    const auto r = run_backtest(panel, o);
    REQUIRE(r.rta_changes == 1);
    REQUIRE(r.has_uniform);
    REQUIRE(r.world_growth == Approx(15.0 / 10.0));
    REQUIRE(r.growth == std::vector<double>{2, 1, 1, 2});
    const std::size_t n = 4;
    for (std::size_t i = 0; i < n; ++i) {
        REQUIRE(row_sum(r.model, n, i) == Approx(r.output1[i]).epsilon(1e-10));
        REQUIRE(col_sum(r.model, n, i) == Approx(r.expenditure1[i]).epsilon(1e-10));
        REQUIRE(r.output1[i] == Approx(r.growth[i] * r.output0[i]));
    }
    // X1 = X0 b a c: the cross ratio X_AB X_CC / (X_AC X_CB) moves by b_AB = exp(0.5) only.
    const auto cross = [&](const std::vector<double>& x) {
        return x[0 * n + 1] * x[2 * n + 2] / (x[0 * n + 2] * x[2 * n + 1]);
    };
    REQUIRE(cross(r.model) / cross(r.observed0) == Approx(std::exp(0.5)).epsilon(1e-9));
    // Pairs not touched by the agreement keep their cross ratio.
    const auto other = [&](const std::vector<double>& x) {
        return x[1 * n + 2] * x[3 * n + 3] / (x[1 * n + 3] * x[3 * n + 2]);
    };
    REQUIRE(other(r.model) / other(r.observed0) == Approx(1.0).epsilon(1e-9));
    for (std::size_t p = 0; p < n * n; ++p) {
        REQUIRE(r.uniform[p] == Approx(1.5 * r.observed0[p]));
    }
}

TEST_CASE("Backtest: countries without GDP grow at the others' weighted mean",
          "[history][backtest]") {
    auto panel = make_panel({"AAA", "BBB", "CCC"}, {2000, 2004}, [](auto, auto i, auto j) {
        return i == j ? 50.0 : 5.0 + static_cast<double>(i + j);
    });
    panel.country_variables.push_back({"gdp_usd", "USD", "test", {10, 30, missing, 20, 45, 7}});
    BacktestOptions o;
    o.from = 2000;
    o.to = 2004;
    const auto r = run_backtest(panel, o);
    REQUIRE(r.imputed_growth == 1);
    REQUIRE(r.growth[2] == Approx(65.0 / 40.0));
    REQUIRE(r.growth_imputed == std::vector<unsigned char>{0, 0, 1});
}

TEST_CASE("Backtest: the RTA effect is estimated on years up to Y0 only", "[history][backtest]") {
    // Exact gravity: X_ijt = exp(ex_it + im_jt + pair_ij + 0.4 rta_ijt); agreements switch on
    // between the years. Y1 = 2010 has flows that would pull the estimate elsewhere.
    const std::vector<std::string> codes{"AAA", "BBB", "CCC", "DDD", "EEE", "FFF"};
    const std::size_t n = codes.size();
    const auto on = [](std::size_t y, std::size_t i, std::size_t j) {
        return (i + j) % 3 == 0 && y >= (i + j) % 2 + 1 ? 1.0 : 0.0;
    };
    auto panel = make_panel(codes, {2000, 2002, 2004, 2010}, [&](auto y, auto i, auto j) {
        const double base = std::exp(0.1 * static_cast<double>(i) - 0.05 * static_cast<double>(j) +
                                     0.02 * static_cast<double>(y * i) +
                                     0.3 * std::sin(static_cast<double>(i * n + j)));
        const double beta = y == 3 ? 3.0 : 0.4;
        return i == j ? 0.0 : 1e6 * base * std::exp(beta * on(y, i, j));
    });
    auto rta = pair_variable(panel, "rta", 0.0);
    for (std::size_t y = 0; y < 4; ++y) {
        for (std::size_t i = 0; i < n; ++i) {
            for (std::size_t j = 0; j < n; ++j) {
                rta.values[panel.pair_index(y, i, j)] = i == j ? 0.0 : on(y, i, j);
            }
        }
    }
    panel.pair_variables.push_back(rta);
    BacktestOptions o;
    o.from = 2004;
    o.to = 2010;
    const auto r = run_backtest(panel, o);
    REQUIRE(r.rta.beta == Approx(0.4).margin(1e-6));
    REQUIRE(r.rta.years == std::vector<int>{2000, 2002, 2004});
    REQUIRE_THAT(r.rta.method, Contains("three-way PPML"));

    // One year up to Y0 and no distance: the documented literature value.
    o.from = 2000;
    const auto lit = run_backtest(panel, o);
    REQUIRE(lit.rta.beta == 0.557);
    REQUIRE_THAT(lit.rta.method, Contains("Yotov"));
}

TEST_CASE("Backtest: China's Belt and Road pairs are scored apart", "[history][backtest]") {
    const auto panel =
        make_panel({"CHN", "DEU", "PAK", "RUS"}, {2000, 2016}, [](auto y, auto i, auto j) {
            return i == j ? 1000.0 : (10.0 + static_cast<double>(i * 4 + j)) * (y == 1 ? 2.0 : 1.0);
        });
    BacktestOptions o;
    o.from = 2000;
    o.to = 2016;
    const auto r = run_backtest(panel, o);
    // CHN-PAK, PAK-CHN, CHN-RUS, RUS-CHN; DEU is not a partner.
    REQUIRE(r.china_bri.model.pairs == 4);
    REQUIRE(r.overall.model.pairs == 12);
    REQUIRE(r.per_country.size() == 4);
    REQUIRE(r.per_country[1].scope == "DEU");
    REQUIRE(r.per_country[1].model.pairs == 6);
}

TEST_CASE("Backtest: bad years are usage errors naming the panel's years",
          "[history][backtest][error]") {
    const auto panel = make_panel({"AAA", "BBB"}, {2000, 2005},
                                  [](auto, auto i, auto j) { return i == j ? 5.0 : 1.0; });
    BacktestOptions o;
    o.from = 1999;
    o.to = 2005;
    REQUIRE_THROWS_WITH(run_backtest(panel, o),
                        Contains("--from 1999 is not a year of the panel (years: 2000, 2005)"));
    o.from = 2005;
    o.to = 2000;
    REQUIRE_THROWS_AS(run_backtest(panel, o), sim::UsageError);
}

TEST_CASE("Backtest: identical results at 1 and 2 threads", "[history][backtest][determinism]") {
    std::vector<std::string> codes;
    for (char a = 'A'; a <= 'Z'; ++a) {
        for (char b = 'A'; b <= 'C'; ++b) {
            codes.push_back(std::string{a, b, 'X'});
        }
    }
    std::mt19937_64 rng(42);
    std::lognormal_distribution<double> draw(0.0, 2.0);
    auto panel = make_panel(codes, {2000, 2005}, [&](auto, auto i, auto j) {
        return i == j ? 1e3 * draw(rng) : draw(rng);
    });
    auto rta = pair_variable(panel, "rta", 0.0);
    for (std::size_t p = 0; p < codes.size() * codes.size(); p += 7) {
        rta.values[codes.size() * codes.size() + p] = 1.0;
    }
    panel.pair_variables.push_back(rta);
    BacktestOptions o;
    o.from = 2000;
    o.to = 2005;
    o.rta_effect = 0.3;
    std::vector<double> one, two;
    {
        sim::ThreadScope scope(1);
        one = run_backtest(panel, o).model;
    }
    {
        sim::ThreadScope scope(2);
        two = run_backtest(panel, o).model;
    }
    REQUIRE(one == two);
}
