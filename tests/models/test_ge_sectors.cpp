#include "tradesim/models/gravity/ge.hpp"
#include "tradesim/models/gravity/ge_sectors.hpp"
#include "tradesim/sim/error.hpp"
#include "tradesim/sim/parallel.hpp"
#include "tradesim/sim/random.hpp"

#include <catch2/catch.hpp>
#include <cmath>

using namespace tradesim;
namespace gr = tradesim::models::gravity;
using Catch::Matchers::Contains;

namespace {

// Appends rather than uses operator+, which trips GCC 12's -Wrestrict false positive.
std::string name(const char* prefix, std::size_t i) {
    std::string s = prefix;
    s += std::to_string(i);
    return s;
}

std::size_t at(std::size_t n, std::size_t ns, std::size_t i, std::size_t j, std::size_t k) {
    return (i * n + j) * ns + k;
}

// A world of n countries and K sectors with gravity-like flows: sizes, distances and
// comparative advantage drawn from a fixed seed; a home bias keeps domestic flows large.
gr::GeSectorsProblem world(std::size_t n, std::size_t ns, std::uint64_t seed) {
    gr::GeSectorsProblem p;
    std::vector<double> size(n), pos(n), skill(n * ns);
    for (std::size_t i = 0; i < n; ++i) {
        sim::RandomStream rng(seed, i, 0, 0);
        p.countries.push_back(name("C", i));
        size[i] = std::exp(rng.normal());
        pos[i] = 10.0 * rng.uniform();
        for (std::size_t k = 0; k < ns; ++k) {
            skill[i * ns + k] = std::exp(0.5 * rng.normal());
        }
    }
    for (std::size_t k = 0; k < ns; ++k) {
        p.sectors.push_back(name("S", k));
        p.theta.push_back(3.0 + 2.0 * static_cast<double>(k % 3));
    }
    p.flows.resize(n * n * ns);
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t j = 0; j < n; ++j) {
            const double distance = 1.0 + std::abs(pos[i] - pos[j]);
            for (std::size_t k = 0; k < ns; ++k) {
                p.flows[at(n, ns, i, j, k)] = size[i] * size[j] * skill[i * ns + k] / distance /
                                              distance * (i == j ? 8.0 : 1.0);
            }
        }
    }
    return p;
}

std::vector<double> random_tariffs(std::size_t n, std::size_t ns, std::uint64_t seed, double mean) {
    std::vector<double> t(n * n * ns, 0.0);
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t j = 0; j < n; ++j) {
            sim::RandomStream rng(seed, i * n + j, 1, 0);
            for (std::size_t k = 0; k < ns; ++k) {
                t[at(n, ns, i, j, k)] = i == j ? 0.0 : 2.0 * mean * rng.uniform();
            }
        }
    }
    return t;
}

double log_sum(const gr::WelfareDecomposition& d, std::size_t j) {
    return d.terms_of_trade[j] + d.volume_of_trade[j] + d.nontariff_cost[j] + d.deficit[j];
}

} // namespace

TEST_CASE("GE sectors: a zero shock returns the baseline exactly", "[models][ge_sectors]") {
    for (const auto imbalances : {gr::Imbalances::additive, gr::Imbalances::multiplicative}) {
        auto p = world(6, 3, 11);
        p.imbalances = imbalances;
        p.tariffs = random_tariffs(6, 3, 12, 0.1);
        p.new_tariffs = p.tariffs;
        p.partial.assign(p.flows.size(), 0.0);
        const auto r = gr::solve_ge_sectors(p);
        CHECK(r.iterations == 0);
        CHECK(r.flows == p.flows);
        for (std::size_t j = 0; j < 6; ++j) {
            CHECK(r.welfare[j] == 1.0);
            CHECK(r.factory_price[j] == 1.0);
            CHECK(r.tariff_revenue[j] == r.tariff_revenue_baseline[j]);
            CHECK(r.decomposition.terms_of_trade[j] == 0.0);
        }
    }
}

TEST_CASE("GE sectors: with one sector and no tariffs it equals solve_ge", "[models][ge_sectors]") {
    const std::size_t n = 8;
    for (const auto imbalances : {gr::Imbalances::additive, gr::Imbalances::multiplicative}) {
        auto p = world(n, 1, 21);
        p.imbalances = imbalances;
        // Unbalanced trade: the first country buys more abroad than it sells.
        for (std::size_t j = 1; j < n; ++j) {
            p.flows[at(n, 1, j, 0, 0)] *= 2.0;
        }
        p.partial.assign(n * n, 0.0);
        for (std::size_t i = 0; i < 4; ++i) {
            for (std::size_t j = 0; j < 4; ++j) {
                p.partial[at(n, 1, i, j, 0)] = i == j ? 0.0 : 0.6;
            }
        }
        gr::GeProblem one;
        one.countries = p.countries;
        one.flows = p.flows;
        one.partial = p.partial;
        one.theta = p.theta[0];
        one.imbalances = imbalances;
        const auto a = gr::solve_ge(one);
        const auto b = gr::solve_ge_sectors(p);
        for (std::size_t j = 0; j < n; ++j) {
            CHECK(b.welfare[j] == Approx(a.welfare[j]).epsilon(1e-10));
            CHECK(b.factory_price[j] == Approx(a.factory_price[j]).epsilon(1e-10));
            CHECK(b.price_index[j] == Approx(a.inward_resistance[j]).epsilon(1e-10));
            CHECK(b.exports[j] == Approx(a.exports[j]).epsilon(1e-10));
        }
        for (std::size_t f = 0; f < n * n; ++f) {
            CHECK(b.flows[f] == Approx(a.flows[f]).epsilon(1e-10));
        }
    }
}

TEST_CASE("GE sectors: a uniform tariff in a symmetric world has its closed form",
          "[models][ge_sectors]") {
    // n identical countries, two sectors, a 20 % tariff by everyone on everyone. By symmetry
    // w = 1; with d_k the domestic share in sector k at baseline and u_k = 1.2^-theta_k:
    //   P_k^-theta_k = d_k + (1 - d_k) u_k,  own share d'_k = d_k / P_k^-theta_k,
    //   E' = Y / (1 - sum_k alpha_k (1 - d'_k) t / (1 + t)),  W = E' / Y / prod_k P_k^alpha_k.
    const std::size_t n = 5, ns = 2;
    const double t = 0.2;
    const double home[2] = {6.0, 2.0}, abroad[2] = {1.0, 0.5};
    gr::GeSectorsProblem p;
    p.sectors = {"goods", "food"};
    p.theta = {4.0, 8.0};
    p.flows.resize(n * n * ns);
    p.new_tariffs.assign(n * n * ns, 0.0);
    for (std::size_t i = 0; i < n; ++i) {
        p.countries.push_back(name("C", i));
        for (std::size_t j = 0; j < n; ++j) {
            for (std::size_t k = 0; k < ns; ++k) {
                p.flows[at(n, ns, i, j, k)] = i == j ? home[k] : abroad[k];
                p.new_tariffs[at(n, ns, i, j, k)] = i == j ? 0.0 : t;
            }
        }
    }
    double spend = 0.0, tau = 0.0, log_price = 0.0;
    for (std::size_t k = 0; k < ns; ++k) {
        spend += home[k] + 4.0 * abroad[k];
    }
    for (std::size_t k = 0; k < ns; ++k) {
        const double e_k = home[k] + 4.0 * abroad[k];
        const double d = home[k] / e_k;
        const double phi = d + (1.0 - d) * std::pow(1.0 + t, -p.theta[k]);
        tau += e_k / spend * (1.0 - d / phi) * t / (1.0 + t);
        log_price += e_k / spend * std::log(phi) / -p.theta[k];
    }
    const double welfare = 1.0 / (1.0 - tau) / std::exp(log_price);
    const auto r = gr::solve_ge_sectors(p);
    for (std::size_t j = 0; j < n; ++j) {
        CHECK(r.factory_price[j] == Approx(1.0).epsilon(1e-12));
        CHECK(r.welfare[j] == Approx(welfare).epsilon(1e-11));
        // Symmetry leaves the terms of trade alone; the lost volume of taxed trade is the cost.
        CHECK(std::abs(r.decomposition.terms_of_trade[j]) < 1e-12);
        CHECK(r.decomposition.volume_of_trade[j] < 0.0);
    }
    CHECK(welfare < 1.0);
}

TEST_CASE("GE sectors: markets clear and spending is output plus deficit plus revenue",
          "[models][ge_sectors]") {
    const std::size_t n = 7, ns = 4;
    for (const auto imbalances : {gr::Imbalances::additive, gr::Imbalances::multiplicative}) {
        auto p = world(n, ns, 31);
        p.imbalances = imbalances;
        for (std::size_t k = 0; k < ns; ++k) {
            p.flows[at(n, ns, 2, 5, k)] *= 3.0; // an unbalanced pair
        }
        p.tariffs = random_tariffs(n, ns, 32, 0.05);
        p.new_tariffs = random_tariffs(n, ns, 33, 0.25);
        const auto r = gr::solve_ge_sectors(p);
        double world_output = 0.0, world_before = 0.0;
        std::vector<double> y(n, 0.0), d(n, 0.0);
        for (std::size_t f = 0; f < p.flows.size(); ++f) {
            const std::size_t i = f / ns / n, j = (f / ns) % n;
            y[i] += p.flows[f];
            d[j] += p.flows[f];
            d[i] -= p.flows[f];
            world_before += p.flows[f];
        }
        for (std::size_t i = 0; i < n; ++i) {
            double sales = 0.0, spend = 0.0, revenue = 0.0, revenue0 = 0.0;
            for (std::size_t o = 0; o < n; ++o) {
                for (std::size_t k = 0; k < ns; ++k) {
                    const std::size_t in = at(n, ns, o, i, k);
                    sales += r.flows[at(n, ns, i, o, k)];
                    spend += (1.0 + p.new_tariffs[in]) * r.flows[in];
                    revenue += p.new_tariffs[in] * r.flows[in];
                    revenue0 += p.tariffs[in] * p.flows[in];
                }
            }
            const double output = r.factory_price[i] * y[i];
            world_output += output;
            CHECK(std::abs(sales - output) < 1e-12 * world_before);
            CHECK(revenue == Approx(r.tariff_revenue[i]).epsilon(1e-12));
            CHECK(revenue0 == Approx(r.tariff_revenue_baseline[i]).epsilon(1e-12));
            CHECK(spend == Approx(output + r.deficit[i] + revenue).epsilon(1e-12));
            CHECK(spend == Approx(r.expenditure[i] * (y[i] + d[i] + revenue0)).epsilon(1e-12));
            if (imbalances == gr::Imbalances::additive) {
                CHECK(r.deficit[i] == Approx(d[i]).margin(1e-12 * world_before));
            }
        }
        CHECK(world_output == Approx(world_before).epsilon(1e-13));
        CHECK(r.max_excess_demand <= 1e-12);
    }
}

TEST_CASE("GE sectors: terms-of-trade and volume-of-trade parts add up to the welfare change",
          "[models][ge_sectors]") {
    // Caliendo & Parro (2015), welfare effects of tariff changes. The parts are first-order
    // terms integrated over the path (decomposition_steps = 6): the error, about 1e-10 here,
    // is far below 1e-8 log points, itself far below the parts.
    const std::size_t n = 6, ns = 3;
    for (const auto imbalances : {gr::Imbalances::additive, gr::Imbalances::multiplicative}) {
        auto p = world(n, ns, 41);
        p.imbalances = imbalances;
        for (std::size_t k = 0; k < ns; ++k) {
            p.flows[at(n, ns, 0, 3, k)] *= 4.0;
        }
        p.tariffs = random_tariffs(n, ns, 42, 0.05);
        p.new_tariffs = p.tariffs;
        p.partial.assign(p.flows.size(), 0.0);
        for (std::size_t j = 1; j < n; ++j) {
            for (std::size_t k = 0; k < ns; ++k) {
                p.new_tariffs[at(n, ns, j, 0, k)] += 0.3; // country 0 raises its tariffs
                p.partial[at(n, ns, 1, j, k)] = 0.2;      // and country 1 gains market access
            }
        }
        const auto r = gr::solve_ge_sectors(p);
        double largest_part = 0.0;
        for (std::size_t j = 0; j < n; ++j) {
            CHECK(log_sum(r.decomposition, j) == Approx(std::log(r.welfare[j])).margin(1e-8));
            largest_part = std::max(largest_part, std::abs(r.decomposition.volume_of_trade[j]));
        }
        CHECK(largest_part > 1e-3);
        // The tariff raises country 0's terms of trade and costs the taxed volume.
        CHECK(r.decomposition.terms_of_trade[0] > 0.0);
        CHECK(r.decomposition.nontariff_cost[1] > 0.0);
        if (imbalances == gr::Imbalances::additive) {
            CHECK(r.decomposition.deficit[0] == 0.0);
        }
    }
}

TEST_CASE("GE sectors: results are identical at 1 and 2 threads",
          "[models][ge_sectors][determinism]") {
    const std::size_t n = 70, ns = 5;
    auto p = world(n, ns, 51);
    p.new_tariffs = random_tariffs(n, ns, 52, 0.1);
    gr::GeSectorsResult one, two;
    {
        const sim::ThreadScope scope(1);
        one = gr::solve_ge_sectors(p);
    }
    {
        const sim::ThreadScope scope(2);
        two = gr::solve_ge_sectors(p);
    }
    CHECK(one.flows == two.flows);
    CHECK(one.welfare == two.welfare);
    CHECK(one.decomposition.terms_of_trade == two.decomposition.terms_of_trade);
    CHECK(one.decomposition.volume_of_trade == two.decomposition.volume_of_trade);
    CHECK(one.iterations == two.iterations);
}

TEST_CASE("GE sectors: bad input lists every problem with its country and sector",
          "[models][ge_sectors][error]") {
    SECTION("sizes and elasticities") {
        auto p = world(3, 2, 61);
        p.source = "trade.csv";
        p.theta = {4.0, 0.0};
        p.partial.assign(5, 0.0);
        p.new_tariffs.assign(18, 0.0);
        p.new_tariffs[at(3, 2, 1, 2, 1)] = -1.0;
        REQUIRE_THROWS_AS(gr::solve_ge_sectors(p), sim::InputError);
        REQUIRE_THROWS_WITH(
            gr::solve_ge_sectors(p),
            Contains("trade.csv: error: the trade elasticity theta of sector \"S1\" is 0") &&
                Contains("5 partial effects for 3 countries and 2 sectors; expected n x n x K = "
                         "18 or none") &&
                Contains("the counterfactual tariff on \"C1\" -> \"C2\" in sector \"S1\" is -1"));
    }
    SECTION("flows") {
        auto p = world(4, 2, 62);
        p.flows[at(4, 2, 0, 1, 1)] = -2.0;
        for (std::size_t j = 0; j < 4; ++j) {
            for (std::size_t k = 0; k < 2; ++k) {
                p.flows[at(4, 2, 2, j, k)] = 0.0; // country 2 makes nothing
            }
        }
        p.flows[at(4, 2, 3, 3, 0)] = 0.0; // country 3 lacks domestic sales of S0
        REQUIRE_THROWS_WITH(
            gr::solve_ge_sectors(p),
            Contains("ge: error: the flow \"C0\" -> \"C1\" in sector \"S1\" is -2") &&
                Contains("country \"C2\" has zero output") &&
                Contains("country \"C3\" makes and buys goods of sector \"S0\" but its domestic "
                         "flow is 0"));
    }
}

TEST_CASE("GE sectors: a fixed surplus that prohibitive tariffs leave unfinanceable is named",
          "[models][ge_sectors][error]") {
    // Country 1 runs a surplus of 12 % of its output. With every import taxed at 10,000 % its
    // exports fall by a factor 101^theta unless its factory price collapses, which its income
    // then cannot finance: additive imbalances have no equilibrium, while multiplicative ones
    // scale the surplus down with its income.
    const std::size_t n = 4, ns = 2;
    auto p = world(n, ns, 71);
    p.new_tariffs.assign(p.flows.size(), 0.0);
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t j = 0; j < n; ++j) {
            for (std::size_t k = 0; k < ns; ++k) {
                p.flows[at(n, ns, i, j, k)] *= i == 1 && j != 1 ? 20.0 : 1.0;
                p.new_tariffs[at(n, ns, i, j, k)] = i == j ? 0.0 : 100.0;
            }
        }
    }
    REQUIRE_THROWS_AS(gr::solve_ge_sectors(p), sim::NumericalError);
    REQUIRE_THROWS_WITH(gr::solve_ge_sectors(p),
                        Contains("country \"C1\" keeps its fixed trade deficit of -") &&
                            Contains("consider multiplicative imbalances"));
    p.imbalances = gr::Imbalances::multiplicative;
    const auto r = gr::solve_ge_sectors(p);
    CHECK(r.max_excess_demand <= 1e-12);
}
