// General-equilibrium counterfactuals on generated worlds: the equilibrium conditions, ACR's
// welfare formula, the imbalance options, determinism across thread counts, and errors.
// Published results (ge_gravity's EU enlargement) are in
// tests/validation/test_ge_published.cpp.

#include "tradesim/models/gravity/ge.hpp"
#include "tradesim/sim/error.hpp"
#include "tradesim/sim/parallel.hpp"
#include "tradesim/sim/random.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>

namespace gr = tradesim::models::gravity;
using Catch::Matchers::Contains;
using tradesim::sim::RandomStream;

namespace {

// n countries with gravity-like flows (size, distance, home bias, some zero flows) and a
// shock on about a fifth of the international pairs. With `balanced` the flow matrix is
// symmetric, so every country's output equals its expenditure.
gr::GeProblem world(std::size_t n, std::uint64_t seed, bool balanced = false, double shock = 0.3) {
    RandomStream rng(seed, 0, 0, 0);
    gr::GeProblem p;
    std::vector<double> size(n), east(n), north(n);
    for (std::size_t i = 0; i < n; ++i) {
        p.countries.push_back(std::string("C").append(std::to_string(i)));
        size[i] = std::exp(rng.normal());
        east[i] = rng.uniform();
        north[i] = rng.uniform();
    }
    p.flows.assign(n * n, 0.0);
    p.partial.assign(n * n, 0.0);
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t j = balanced ? i : 0; j < n; ++j) {
            const double distance = std::hypot(east[i] - east[j], north[i] - north[j]) + 0.05;
            double x = size[i] * size[j] / distance * std::exp(0.5 * rng.normal());
            x = i == j ? 10.0 * x : (rng.uniform() < 0.1 ? 0.0 : x);
            p.flows[i * n + j] = x;
            if (balanced) {
                p.flows[j * n + i] = x;
            }
        }
    }
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t j = 0; j < n; ++j) {
            if (i != j && rng.uniform() < 0.2) {
                p.partial[i * n + j] = shock * rng.normal();
            }
        }
    }
    return p;
}

double row_sum(const std::vector<double>& m, std::size_t n, std::size_t i) {
    double s = 0.0;
    for (std::size_t j = 0; j < n; ++j) {
        s += m[i * n + j];
    }
    return s;
}

double column_sum(const std::vector<double>& m, std::size_t n, std::size_t j) {
    double s = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
        s += m[i * n + j];
    }
    return s;
}

// Three countries, valid; tests break one thing at a time.
gr::GeProblem small() {
    gr::GeProblem p;
    p.countries = {"DEU", "FRA", "POL"};
    p.flows = {100, 10, 5, 8, 80, 2, 4, 3, 50};
    p.partial = {0, 0.2, 0.2, 0.2, 0, 0, 0.2, 0, 0};
    return p;
}

std::string error_of(const gr::GeProblem& p) {
    try {
        (void)gr::solve_ge(p);
    } catch (const tradesim::sim::InputError& e) {
        return e.what();
    }
    FAIL("no InputError");
    return "";
}

std::size_t lines(const std::string& text) {
    return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')) + 1;
}

} // namespace

TEST_CASE("GE: a zero shock returns the baseline exactly", "[models][gravity][ge]") {
    for (const auto imbalances : {gr::Imbalances::additive, gr::Imbalances::multiplicative}) {
        for (const bool empty : {true, false}) {
            auto p = world(30, 1);
            p.imbalances = imbalances;
            if (empty) {
                p.partial.clear();
            } else {
                std::fill(p.partial.begin(), p.partial.end(), 0.0);
            }
            const auto r = gr::solve_ge(p);
            CHECK(r.flows == p.flows);
            CHECK(r.iterations == 0);
            CHECK(r.max_excess_demand == 0.0);
            CHECK(r.expenditure_scale == 1.0);
            for (const auto* v :
                 {&r.welfare, &r.real_wage, &r.factory_price, &r.output, &r.expenditure, &r.exports,
                  &r.imports, &r.inward_resistance, &r.outward_resistance}) {
                REQUIRE(v->size() == 30);
                CHECK(std::all_of(v->begin(), v->end(), [](double x) { return x == 1.0; }));
            }
        }
    }
}

TEST_CASE("GE: welfare follows ACR's formula when trade is balanced", "[models][gravity][ge]") {
    // Arkolakis, Costinot & Rodriguez-Clare (2012): W_j = (lambda'_jj / lambda_jj)^(-1/theta)
    // in the one-sector model without deficits (domestic partial effects 0).
    for (const double theta : {2.0, 4.0, 8.0}) {
        auto p = world(25, 2, true, 0.5);
        p.theta = theta;
        const std::size_t n = p.countries.size();
        const auto r = gr::solve_ge(p);
        CHECK(r.max_excess_demand <= 1e-12);
        for (std::size_t j = 0; j < n; ++j) {
            const double before = p.flows[j * n + j] / column_sum(p.flows, n, j);
            const double after = r.flows[j * n + j] / column_sum(r.flows, n, j);
            CHECK(r.welfare[j] == Approx(std::pow(after / before, -1.0 / theta)).epsilon(1e-10));
        }
    }
}

TEST_CASE("GE: two symmetric countries match the closed form", "[models][gravity][ge]") {
    // By symmetry w = 1, so P^-theta = lambda + (1 - lambda) b and W = P^-1.
    gr::GeProblem p;
    p.countries = {"A", "B"};
    p.flows = {80, 20, 20, 80};
    p.partial = {0, 0.4, 0.4, 0};
    const auto r = gr::solve_ge(p);
    const double welfare = std::pow(0.8 + 0.2 * std::exp(0.4), 1.0 / 4.0);
    for (std::size_t j = 0; j < 2; ++j) {
        CHECK(r.factory_price[j] == Approx(1.0).epsilon(1e-13));
        CHECK(r.welfare[j] == Approx(welfare).epsilon(1e-13));
    }
    const double share = 0.2 * std::exp(0.4) / (0.8 + 0.2 * std::exp(0.4));
    CHECK(r.flows[1] == Approx(100.0 * share).epsilon(1e-13));
    CHECK(r.exports[0] == Approx(share / 0.2).epsilon(1e-13));
}

TEST_CASE("GE: markets clear and budgets hold at the solution", "[models][gravity][ge]") {
    for (const auto imbalances : {gr::Imbalances::additive, gr::Imbalances::multiplicative}) {
        auto p = world(40, 3);
        p.imbalances = imbalances;
        const std::size_t n = p.countries.size();
        const auto r = gr::solve_ge(p);
        REQUIRE(r.iterations > 0);
        CHECK(r.max_excess_demand <= 1e-12);
        double world_before = 0.0;
        double world_after = 0.0;
        for (std::size_t i = 0; i < n; ++i) {
            world_before += row_sum(p.flows, n, i);
            world_after += row_sum(p.flows, n, i) * r.output[i];
        }
        // The numeraire: world output unchanged.
        CHECK(world_after == Approx(world_before).epsilon(1e-13));
        const double mu = r.expenditure_scale;
        if (imbalances == gr::Imbalances::additive) {
            CHECK(mu == 1.0);
        } else {
            CHECK(mu != 1.0); // the world has imbalances, so it takes a scale to balance
        }
        for (std::size_t i = 0; i < n; ++i) {
            const double y = row_sum(p.flows, n, i);
            const double e = column_sum(p.flows, n, i);
            // Goods market: sales equal output.
            CHECK(std::abs(row_sum(r.flows, n, i) - y * r.output[i]) <= 1e-12 * world_before);
            // Budget: spending equals income plus the deficit (additive) or a fixed share of
            // income up to the world factor mu (multiplicative).
            const double spending = column_sum(r.flows, n, i);
            CHECK(spending == Approx(e * r.expenditure[i]).epsilon(1e-12));
            if (imbalances == gr::Imbalances::additive) {
                CHECK(spending == Approx(y * r.output[i] + (e - y)).epsilon(1e-11));
            } else {
                CHECK(spending == Approx(mu * e * r.output[i]).epsilon(1e-11));
            }
            CHECK(r.welfare[i] == Approx(r.expenditure[i] / r.inward_resistance[i]).epsilon(1e-14));
            CHECK(r.real_wage[i] ==
                  Approx(r.factory_price[i] / r.inward_resistance[i]).epsilon(1e-14));
            // Outward resistance by its definition (Yotov et al. 2016, ch. 2).
            double pi = 0.0;
            for (std::size_t j = 0; j < n; ++j) {
                pi += p.flows[i * n + j] / y * std::exp(p.partial[i * n + j]) * r.expenditure[j] *
                      std::pow(r.inward_resistance[j], p.theta);
            }
            CHECK(r.outward_resistance[i] == Approx(std::pow(pi, -1.0 / p.theta)).epsilon(1e-12));
        }
        // The gravity equation for every pair (DESIGN.md 3.1).
        for (std::size_t i = 0; i < n; ++i) {
            for (std::size_t j = 0; j < n; ++j) {
                const double x = p.flows[i * n + j] * std::exp(p.partial[i * n + j]) *
                                 std::pow(r.factory_price[i], -p.theta) *
                                 std::pow(r.inward_resistance[j], p.theta) * r.expenditure[j];
                CHECK(r.flows[i * n + j] == Approx(x).epsilon(1e-12).margin(1e-300));
            }
        }
    }
}

TEST_CASE("GE: additive and multiplicative imbalances agree when trade is balanced",
          "[models][gravity][ge]") {
    auto p = world(30, 4, true);
    const auto additive = gr::solve_ge(p);
    p.imbalances = gr::Imbalances::multiplicative;
    const auto multiplicative = gr::solve_ge(p);
    CHECK(multiplicative.expenditure_scale == Approx(1.0).epsilon(1e-13));
    for (std::size_t j = 0; j < p.countries.size(); ++j) {
        CHECK(multiplicative.welfare[j] == Approx(additive.welfare[j]).epsilon(1e-12));
        CHECK(multiplicative.factory_price[j] == Approx(additive.factory_price[j]).epsilon(1e-12));
    }
    for (std::size_t k = 0; k < p.flows.size(); ++k) {
        CHECK(multiplicative.flows[k] == Approx(additive.flows[k]).epsilon(1e-11));
    }
    // With imbalances the two differ.
    auto q = world(30, 4);
    const auto q_additive = gr::solve_ge(q);
    q.imbalances = gr::Imbalances::multiplicative;
    const auto q_multiplicative = gr::solve_ge(q);
    double largest = 0.0;
    for (std::size_t j = 0; j < q.countries.size(); ++j) {
        largest = std::max(largest, std::abs(q_multiplicative.welfare[j] - q_additive.welfare[j]));
    }
    CHECK(largest > 1e-6);
}

TEST_CASE("GE: plain steps and Anderson acceleration reach the same equilibrium",
          "[models][gravity][ge]") {
    for (const double shock : {0.3, 2.0}) {
        const auto p = world(40, 5, false, shock);
        gr::GeOptions plain;
        plain.anderson_memory = 0;
        const auto a = gr::solve_ge(p);
        const auto b = gr::solve_ge(p, plain);
        CHECK(a.max_excess_demand <= 1e-12);
        CHECK(b.max_excess_demand <= 1e-12);
        for (std::size_t j = 0; j < p.countries.size(); ++j) {
            CHECK(a.factory_price[j] == Approx(b.factory_price[j]).epsilon(1e-10));
        }
    }
}

TEST_CASE("GE: identical results at 1, 2 and 4 threads", "[models][gravity][ge][determinism]") {
    // 300 countries: the O(n^2) passes run in several blocks of rows.
    for (const auto imbalances : {gr::Imbalances::additive, gr::Imbalances::multiplicative}) {
        auto p = world(300, 6);
        p.imbalances = imbalances;
        gr::GeResult one;
        {
            tradesim::sim::ThreadScope threads(1);
            one = gr::solve_ge(p);
        }
        for (const int t : {2, 4}) {
            tradesim::sim::ThreadScope threads(t);
            const auto other = gr::solve_ge(p);
            CHECK(other.iterations == one.iterations);
            CHECK(other.flows == one.flows);
            CHECK(other.welfare == one.welfare);
            CHECK(other.outward_resistance == one.outward_resistance);
            CHECK(other.expenditure_scale == one.expenditure_scale);
        }
    }
}

TEST_CASE("GE: rejects a missing or non-positive domestic flow, naming the country",
          "[models][gravity][ge][error]") {
    auto p = small();
    p.flows[2 * 3 + 2] = 0.0;
    CHECK_THAT(error_of(p), Contains("ge: error: domestic flow of country \"POL\" is 0"));
    p.flows[2 * 3 + 2] = -1.0;
    CHECK_THAT(error_of(p), Contains("domestic flow of country \"POL\" is -1"));
    p.flows[2 * 3 + 2] = std::numeric_limits<double>::quiet_NaN();
    CHECK_THAT(error_of(p), Contains("domestic flow of country \"POL\" is nan"));
}

TEST_CASE("GE: rejects zero output and zero expenditure, naming the country",
          "[models][gravity][ge][error]") {
    auto p = small();
    p.flows[3] = 0.0; // FRA sells nothing at all
    p.flows[4] = 0.0;
    p.flows[5] = 0.0;
    auto text = error_of(p);
    CHECK_THAT(text, Contains("country \"FRA\" has zero output"));
    CHECK_THAT(text, Contains("domestic flow of country \"FRA\" is 0"));
    p = small();
    p.flows[2] = 0.0; // nobody sells to POL
    p.flows[5] = 0.0;
    p.flows[8] = 0.0;
    text = error_of(p);
    CHECK_THAT(text, Contains("country \"POL\" has zero expenditure"));
    CHECK_THAT(text, !Contains("zero output"));
}

TEST_CASE("GE: rejects negative and non-finite flows, naming the pair",
          "[models][gravity][ge][error]") {
    auto p = small();
    p.flows[1] = -3.0;
    p.flows[5] = std::numeric_limits<double>::infinity();
    const auto text = error_of(p);
    CHECK_THAT(text, Contains("flow \"DEU\" -> \"FRA\" is -3; flows must be finite and >= 0"));
    CHECK_THAT(text, Contains("flow \"FRA\" -> \"POL\" is inf"));
    CHECK(lines(text) == 2);
}

TEST_CASE("GE: rejects sizes that do not match and a bad theta", "[models][gravity][ge][error]") {
    auto p = small();
    p.flows.pop_back();
    CHECK_THAT(error_of(p), Contains("8 flows for 3 countries; expected n x n = 9"));
    p = small();
    p.partial.resize(4);
    CHECK_THAT(error_of(p), Contains("4 partial effects for 3 countries; expected n x n = 9"));
    for (const double theta : {0.0, -4.0, std::numeric_limits<double>::quiet_NaN()}) {
        p = small();
        p.theta = theta;
        CHECK_THAT(error_of(p), Contains("theta must be positive and finite"));
    }
    p = small();
    p.countries.clear();
    CHECK_THAT(error_of(p), Contains("no countries"));
    p = small();
    p.partial[1] = std::numeric_limits<double>::quiet_NaN();
    CHECK_THAT(error_of(p), Contains("partial effect \"DEU\" -> \"FRA\" is nan"));
    p = small();
    p.countries[2] = "DEU";
    CHECK_THAT(error_of(p), Contains("country \"DEU\" is listed twice (positions 1 and 3)"));
}

TEST_CASE("GE: rejects partial effects that overflow or cut a market off",
          "[models][gravity][ge][error]") {
    auto p = small();
    p.partial[1] = 800.0;
    p.partial[2] = 900.0;
    auto text = error_of(p);
    CHECK_THAT(text, Contains("partial effect \"DEU\" -> \"FRA\" is 800: the flow times "
                              "exp(800) overflows"));
    CHECK_THAT(text, Contains("partial effect \"DEU\" -> \"POL\" is 900"));
    p = small();
    for (const std::size_t k : {1, 4, 7, 2, 5, 8}) { // every flow into FRA and POL
        p.partial[k] = -800.0;
    }
    text = error_of(p);
    CHECK_THAT(text, Contains("the partial effects leave no flow into country \"FRA\""));
    CHECK_THAT(text, Contains("the partial effects leave no flow into country \"POL\""));
}

TEST_CASE("GE: lists every problem in one error, one per line, with the source",
          "[models][gravity][ge][error]") {
    auto p = small();
    p.source = "flows.csv";
    p.theta = 0.0;
    p.flows[0] = 0.0;
    p.flows[7] = -1.0;
    p.partial[3] = std::numeric_limits<double>::infinity();
    const auto text = error_of(p);
    CHECK(lines(text) == 4);
    CHECK_THAT(text, Contains("flows.csv: error: the trade elasticity theta"));
    CHECK_THAT(text, Contains("flows.csv: error: domestic flow of country \"DEU\" is 0"));
    CHECK_THAT(text, Contains("flows.csv: error: flow \"POL\" -> \"FRA\" is -1"));
    CHECK_THAT(text, Contains("flows.csv: error: partial effect \"FRA\" -> \"DEU\" is inf"));
    // Many bad flows: the first 20 listed, the rest counted.
    auto q = world(10, 7);
    for (std::size_t k = 0, bad = 0; bad < 30; ++k) {
        if (k % 11 != 0) { // not on the diagonal
            q.flows[k] = -1.0;
            ++bad;
        }
    }
    const auto many = error_of(q);
    CHECK(lines(many) == 21);
    CHECK_THAT(many, Contains("... and 10 more bad flows or partial effects"));
}

TEST_CASE("GE: a trade surplus larger than the counterfactual income has no equilibrium",
          "[models][gravity][ge][error]") {
    // A sells almost all its output to B; the shock nearly closes B's market to A. With its
    // surplus fixed (additive), A would have to spend less than nothing.
    gr::GeProblem p;
    p.countries = {"A", "B"};
    p.flows = {1, 99, 1, 100};
    p.partial = {0, -8, 0, 0};
    try {
        (void)gr::solve_ge(p);
        FAIL("no NumericalError");
    } catch (const tradesim::sim::NumericalError& e) {
        CHECK_THAT(e.what(), Contains("expenditure of country \"A\""));
    }
    // With multiplicative imbalances A's surplus shrinks with its income: a solution exists.
    p.imbalances = gr::Imbalances::multiplicative;
    const auto r = gr::solve_ge(p);
    CHECK(r.max_excess_demand <= 1e-12);
    CHECK(r.welfare[0] < 1.0);
}

TEST_CASE("GE: reports no convergence as a NumericalError", "[models][gravity][ge][error]") {
    gr::GeOptions options;
    options.max_iterations = 1;
    CHECK_THROWS_WITH(gr::solve_ge(world(20, 8), options),
                      Contains("ge: the general-equilibrium solver did not converge in 1 "
                               "iterations"));
    CHECK_THROWS_AS(gr::solve_ge(world(20, 8), options), tradesim::sim::NumericalError);
}
