#include "tradesim/sim/parallel.hpp"
#include "tradesim/sim/random.hpp"

#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <vector>

using namespace tradesim::sim;

namespace {

std::vector<std::uint64_t> draws(RandomStream s, std::size_t count) {
    std::vector<std::uint64_t> out(count);
    for (auto& x : out) {
        x = s.next_u64();
    }
    return out;
}

constexpr auto test_purpose = static_cast<std::uint64_t>(Purpose::test);
constexpr auto shock_purpose = static_cast<std::uint64_t>(Purpose::demand_shock);

} // namespace

TEST_CASE("RandomStream: the same keys give the same sequence", "[sim][random][determinism]") {
    const auto a = draws(RandomStream(42, 7, 3, test_purpose), 101);
    const auto b = draws(RandomStream(42, 7, 3, test_purpose), 101);
    CHECK(a == b);
    // Not a constant stream.
    CHECK(a[0] != a[1]);
    CHECK(a[3] != a[4]); // across the refill of the 4-word buffer
    CHECK(a[4] != a[8]);
}

TEST_CASE("RandomStream: changing any one key changes the sequence", "[sim][random]") {
    const auto base = draws(RandomStream(42, 7, 3, test_purpose), 16);
    CHECK(draws(RandomStream(43, 7, 3, test_purpose), 16) != base);
    CHECK(draws(RandomStream(42, 8, 3, test_purpose), 16) != base);
    CHECK(draws(RandomStream(42, 7, 4, test_purpose), 16) != base);
    CHECK(draws(RandomStream(42, 7, 3, shock_purpose), 16) != base);
    // Keys are not interchangeable.
    CHECK(draws(RandomStream(42, 3, 7, test_purpose), 16) != base);
    // No shared draws at all between neighbouring agents.
    const auto other = draws(RandomStream(42, 8, 3, test_purpose), 16);
    for (const auto x : base) {
        CHECK(std::find(other.begin(), other.end(), x) == other.end());
    }
}

TEST_CASE("RandomStream: uniform draws lie in (0, 1) with mean 1/2", "[sim][random]") {
    RandomStream s(2024, 1, 0, test_purpose);
    const int n = 100000;
    double sum = 0.0;
    double lo = 1.0;
    double hi = 0.0;
    int below_tenth = 0;
    for (int i = 0; i < n; ++i) {
        const double u = s.uniform();
        REQUIRE(u > 0.0);
        REQUIRE(u < 1.0);
        sum += u;
        lo = std::min(lo, u);
        hi = std::max(hi, u);
        below_tenth += u < 0.1 ? 1 : 0;
    }
    CHECK(std::abs(sum / n - 0.5) < 0.01);
    CHECK(lo < 1e-3);
    CHECK(hi > 1.0 - 1e-3);
    CHECK(std::abs(below_tenth / static_cast<double>(n) - 0.1) < 0.01);
}

TEST_CASE("RandomStream: normal draws have mean 0 and variance 1", "[sim][random]") {
    RandomStream s(2024, 2, 5, shock_purpose);
    const int n = 100000;
    double sum = 0.0;
    double sum_sq = 0.0;
    int beyond_two = 0;
    for (int i = 0; i < n; ++i) {
        const double z = s.normal();
        REQUIRE(std::isfinite(z));
        sum += z;
        sum_sq += z * z;
        beyond_two += std::abs(z) > 2.0 ? 1 : 0;
    }
    const double mean = sum / n;
    const double variance = sum_sq / n - mean * mean;
    CHECK(std::abs(mean) < 0.02);
    CHECK(std::abs(variance - 1.0) < 0.02);
    // P(|Z| > 2) = 0.0455.
    CHECK(std::abs(beyond_two / static_cast<double>(n) - 0.0455) < 0.005);
}

TEST_CASE("RandomStream: draws for many agents are the same in parallel and serially",
          "[sim][random][determinism]") {
    const std::size_t agents = 20000;
    const std::size_t per_agent = 6;
    const auto fill = [&](int threads) {
        const ThreadScope scope(threads);
        std::vector<double> out(agents * per_agent);
        parallel_for(agents, 64, [&](std::size_t begin, std::size_t end) {
            for (std::size_t a = begin; a < end; ++a) {
                RandomStream s(99, a, 12, shock_purpose);
                for (std::size_t k = 0; k < per_agent; k += 2) {
                    out[a * per_agent + k] = s.uniform();
                    out[a * per_agent + k + 1] = s.normal();
                }
            }
        });
        return out;
    };
    const auto serial = fill(1);
    const auto parallel = fill(4);
    REQUIRE(serial.size() == parallel.size());
    CHECK(serial == parallel);
    CHECK(serial[0] != serial[per_agent]); // agents differ
}

TEST_CASE("RandomStream: Poisson draws have the right mean and variance", "[random]") {
    tradesim::sim::RandomStream rng(5, 1, 2, 3);
    const int n = 20000;
    const double mean = 2.5;
    double sum = 0.0, sum2 = 0.0;
    for (int i = 0; i < n; ++i) {
        const double k = rng.poisson(mean);
        REQUIRE(k == std::floor(k));
        sum += k;
        sum2 += k * k;
    }
    const double m = sum / n;
    const double v = sum2 / n - m * m;
    // Mean within 4 standard errors (sqrt(mean / n) = 0.011); variance equals the mean.
    CHECK(std::abs(m - mean) < 4.0 * std::sqrt(mean / n));
    CHECK(v == Approx(mean).epsilon(0.05));
    CHECK(rng.poisson(0.0) == 0.0);
}
