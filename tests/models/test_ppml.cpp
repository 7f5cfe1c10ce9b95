// PPML on generated data: what the estimator drops and why, determinism across thread
// counts, recovered fixed effects, and its errors. Published results are in
// tests/validation/test_ppml_published.cpp.

#include "tradesim/models/gravity/ppml.hpp"
#include "tradesim/sim/error.hpp"
#include "tradesim/sim/parallel.hpp"
#include "tradesim/sim/random.hpp"

#include <catch2/catch.hpp>
#include <cmath>

namespace gr = tradesim::models::gravity;
using tradesim::sim::RandomStream;

namespace {

// 40 exporters x 30 importers, y ~ Poisson(exp(0.5 x1 + a_exp + b_imp)), some zeros.
gr::PpmlProblem panel(std::uint64_t seed = 7) {
    gr::PpmlProblem p;
    p.x_names = {"x1"};
    p.fe_names = {"exp", "imp"};
    p.x.resize(1);
    p.fe.resize(2);
    RandomStream rng(seed, 0, 0, 0);
    std::vector<double> a(40), b(30);
    for (auto& v : a) {
        v = 0.5 * rng.normal();
    }
    for (auto& v : b) {
        v = 0.5 * rng.normal();
    }
    for (std::int32_t i = 0; i < 40; ++i) {
        for (std::int32_t j = 0; j < 30; ++j) {
            const double x1 = rng.normal();
            p.x[0].push_back(x1);
            p.fe[0].push_back(i);
            p.fe[1].push_back(j);
            p.y.push_back(rng.poisson(std::exp(0.5 * x1 + a[static_cast<std::size_t>(i)] +
                                               b[static_cast<std::size_t>(j)])));
        }
    }
    return p;
}

// The problem without the rows where drop[r] is set.
gr::PpmlProblem without(const gr::PpmlProblem& p, const std::vector<unsigned char>& drop) {
    gr::PpmlProblem q = p;
    q.y.clear();
    for (auto& c : q.x) {
        c.clear();
    }
    for (auto& c : q.fe) {
        c.clear();
    }
    for (std::size_t r = 0; r < p.y.size(); ++r) {
        if (drop[r]) {
            continue;
        }
        q.y.push_back(p.y[r]);
        for (std::size_t k = 0; k < p.x.size(); ++k) {
            q.x[k].push_back(p.x[k][r]);
        }
        for (std::size_t d = 0; d < p.fe.size(); ++d) {
            q.fe[d].push_back(p.fe[d][r]);
        }
    }
    return q;
}

} // namespace

TEST_CASE("PPML: random data with zeros has nothing separated", "[ppml]") {
    const auto p = panel();
    std::size_t zeros = 0;
    for (double v : p.y) {
        zeros += v == 0.0 ? 1 : 0;
    }
    REQUIRE(zeros > 100); // the check has work to do
    const auto r = gr::fit_ppml(p);
    CHECK(r.dropped_separation == 0);
    CHECK(r.dropped_separation_regressors == 0);
    CHECK(r.dropped_singletons == 0);
    CHECK(r.observations == 1200);
    CHECK(r.coefficients.at(0) == Approx(0.5).margin(0.1));
}

TEST_CASE("PPML: a regressor that is positive only where trade is zero separates those rows",
          "[ppml]") {
    auto p = panel();
    // d = 1 on five rows with y = 0, else 0: z = d is a certificate (0 where y > 0, >= 0
    // where y = 0), so those rows have no finite fitted value and d no finite coefficient.
    p.x_names.push_back("d");
    p.x.emplace_back(p.y.size(), 0.0);
    std::vector<unsigned char> marked(p.y.size(), 0);
    int left = 5;
    for (std::size_t r = 0; r < p.y.size() && left > 0; r += 7) {
        if (p.y[r] == 0.0) {
            p.x[1][r] = 1.0;
            marked[r] = 1;
            --left;
        }
    }
    REQUIRE(left == 0);
    const auto r = gr::fit_ppml(p);
    CHECK(r.dropped_separation_regressors == 5);
    REQUIRE(r.collinear == std::vector<std::string>{"d"}); // all zero once they are gone
    for (std::size_t i = 0; i < p.y.size(); ++i) {
        CHECK(r.used[i] == (marked[i] ? 0 : 1));
    }
    // Same estimate as fitting without those rows by hand.
    const auto clean = gr::fit_ppml(without(p, marked));
    CHECK(r.coefficients.at(0) == Approx(clean.coefficients.at(0)).epsilon(1e-10));
    CHECK(r.std_errors.at(0) == Approx(clean.std_errors.at(0)).epsilon(1e-10));

    // fixest's behaviour: no such check; the rows stay and d's coefficient runs off.
    gr::PpmlOptions fe_only;
    fe_only.check_separation = false;
    fe_only.max_iterations = 200;
    const auto loose = gr::fit_ppml(p, fe_only);
    CHECK(loose.dropped_separation_regressors == 0);
    CHECK(loose.observations == 1200);
}

TEST_CASE("PPML: fixed-effect groups with only zeros and singletons are dropped and counted",
          "[ppml]") {
    auto p = panel();
    // Exporter 0 never trades; importer 29 has a single row left.
    std::vector<unsigned char> drop(p.y.size(), 0);
    for (std::size_t r = 0; r < p.y.size(); ++r) {
        if (p.fe[0][r] == 0) {
            p.y[r] = 0.0;
        }
        if (p.fe[1][r] == 29 && p.fe[0][r] != 5) {
            drop[r] = 1;
        }
    }
    p = without(p, drop);
    const std::size_t n = p.y.size();
    std::size_t exporter0 = 0;
    for (std::size_t r = 0; r < n; ++r) {
        exporter0 += p.fe[0][r] == 0 ? 1 : 0;
        if (p.fe[0][r] == 5 && p.fe[1][r] == 29) {
            p.y[r] = 3.0; // a positive singleton: fitted exactly by its own effect
        }
    }
    const auto r = gr::fit_ppml(p);
    CHECK(r.dropped_separation == exporter0);
    CHECK(r.dropped_singletons == 1);
    CHECK(r.observations == n - exporter0 - 1);
    CHECK(r.fe_sizes == std::vector<std::size_t>{39, 29});
    // Keeping the singleton changes nothing but the count (and the degrees of freedom).
    gr::PpmlOptions keep;
    keep.drop_singletons = false;
    const auto k = gr::fit_ppml(p, keep);
    CHECK(k.dropped_singletons == 0);
    CHECK(k.observations == r.observations + 1);
    CHECK(k.coefficients.at(0) == Approx(r.coefficients.at(0)).epsilon(1e-8));
}

TEST_CASE("PPML: bitwise identical at one and two threads", "[ppml][determinism]") {
    auto p = panel(11);
    p.clusters = {p.fe[0], p.fe[1]};
    p.cluster_names = {"exp", "imp"};
    p.vcov = gr::Vcov::cluster;
    gr::PpmlResult one, two;
    {
        const tradesim::sim::ThreadScope scope(1);
        one = gr::fit_ppml(p);
    }
    {
        const tradesim::sim::ThreadScope scope(2);
        two = gr::fit_ppml(p);
    }
    CHECK(one.coefficients == two.coefficients);
    CHECK(one.vcov == two.vcov);
    CHECK(one.deviance == two.deviance);
    CHECK(one.fe_values == two.fe_values);
}

TEST_CASE("PPML: fitted values are exp(x b + fixed effects)", "[ppml]") {
    const auto p = panel(3);
    const auto r = gr::fit_ppml(p);
    for (std::size_t i = 0; i < p.y.size(); i += 37) {
        const double eta = r.coefficients[0] * p.x[0][i] +
                           r.fe_values[0][static_cast<std::size_t>(p.fe[0][i])] +
                           r.fe_values[1][static_cast<std::size_t>(p.fe[1][i])];
        CHECK(std::exp(eta) == Approx(r.fitted[i]).epsilon(1e-8));
    }
    CHECK(r.fe_values[1][0] == 0.0); // normalised at the first level
}

TEST_CASE("PPML: errors", "[ppml][errors]") {
    auto p = panel();
    SECTION("too few iterations is a numerical failure") {
        gr::PpmlOptions o;
        o.max_iterations = 2;
        CHECK_THROWS_AS(gr::fit_ppml(p, o), tradesim::sim::NumericalError);
    }
    SECTION("a negative outcome names its row") {
        p.y[4] = -1.0;
        CHECK_THROWS_WITH(gr::fit_ppml(p), Catch::Contains("row 5"));
    }
    SECTION("nothing left") {
        for (auto& v : p.y) {
            v = 0.0;
        }
        CHECK_THROWS_AS(gr::fit_ppml(p), tradesim::sim::InputError);
    }
}

TEST_CASE("PPML: an offset fixes part of the linear predictor", "[ppml]") {
    const auto p = panel(5);
    const auto free = gr::fit_ppml(p);
    // Offset b * x1 and no regressors: the same fit, fixed effects and all.
    gr::PpmlProblem q = p;
    q.offset.resize(p.y.size());
    for (std::size_t i = 0; i < p.y.size(); ++i) {
        q.offset[i] = free.coefficients[0] * p.x[0][i];
    }
    q.x.clear();
    q.x_names.clear();
    const auto fixed = gr::fit_ppml(q);
    CHECK(fixed.coefficients.empty());
    CHECK(fixed.deviance == Approx(free.deviance).epsilon(1e-9));
    for (std::size_t i = 0; i < p.y.size(); i += 41) {
        CHECK(fixed.fitted[i] == Approx(free.fitted[i]).epsilon(1e-7));
    }
    CHECK(fixed.fe_values[0][3] == Approx(free.fe_values[0][3]).epsilon(1e-7));
}

TEST_CASE("PPML: a regressor the fixed effects absorb is dropped as collinear", "[ppml]") {
    auto p = panel(9);
    // Constant within each exporter: a combination of the exporter effects.
    p.x_names.push_back("size");
    p.x.emplace_back();
    for (std::size_t r = 0; r < p.y.size(); ++r) {
        p.x[1].push_back(0.1 * static_cast<double>(p.fe[0][r]) + 3.0);
    }
    const auto r = gr::fit_ppml(p);
    CHECK(r.collinear == std::vector<std::string>{"size"});
    REQUIRE(r.names == std::vector<std::string>{"x1"});
    p.x.pop_back();
    p.x_names.pop_back();
    CHECK(r.coefficients[0] == Approx(gr::fit_ppml(p).coefficients[0]).epsilon(1e-10));
}
