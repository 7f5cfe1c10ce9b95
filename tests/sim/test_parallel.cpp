#include "tradesim/sim/parallel.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstring>
#include <mutex>
#include <utility>
#include <vector>

using namespace tradesim::sim;

namespace {

using Chunks = std::vector<std::pair<std::size_t, std::size_t>>;

Chunks chunks_at(int threads, std::size_t n, std::size_t grain) {
    const ThreadScope scope(threads);
    Chunks chunks;
    std::mutex m;
    parallel_for(n, grain, [&](std::size_t begin, std::size_t end) {
        const std::lock_guard<std::mutex> lock(m);
        chunks.emplace_back(begin, end);
    });
    std::sort(chunks.begin(), chunks.end());
    return chunks;
}

/// Terms of very different magnitude and alternating sign, so that any change in the
/// order of additions changes the rounded result.
double term(std::size_t i) {
    static constexpr double scales[] = {1.0, 1e-8, 1e8, 1e-3, 1e5};
    const double sign = (i % 2 == 0) ? 1.0 : -1.0;
    return sign * scales[i % 5] / static_cast<double>(i + 1);
}

double block_sum(std::size_t begin, std::size_t end) {
    double s = 0.0;
    for (std::size_t i = begin; i < end; ++i) {
        s += term(i);
    }
    return s;
}

double sum_at(int threads, std::size_t n, std::size_t block) {
    const ThreadScope scope(threads);
    return deterministic_sum(n, block, block_sum);
}

} // namespace

TEST_CASE("Parallel: ThreadScope sets active_threads and restores it on destruction",
          "[sim][parallel]") {
    const int before = active_threads();
    CHECK(before == 1);
    {
        const ThreadScope outer(4);
        CHECK(active_threads() == 4);
        {
            const ThreadScope inner(2);
            CHECK(active_threads() == 2);
        }
        CHECK(active_threads() == 4);
        {
            const ThreadScope serial(0);
            CHECK(active_threads() == 1);
        }
        CHECK(active_threads() == 4);
        {
            const ThreadScope negative(-3);
            CHECK(active_threads() == 1);
        }
        CHECK(active_threads() == 4);
    }
    CHECK(active_threads() == before);
}

TEST_CASE("Parallel: parallel_for visits every index once in thread-independent chunks",
          "[sim][parallel][determinism]") {
    const std::size_t n = 1003;
    const std::size_t grain = 10;
    const Chunks serial = chunks_at(1, n, grain);

    REQUIRE(serial.size() == 101);
    CHECK(serial.front() == std::make_pair(std::size_t{0}, std::size_t{10}));
    CHECK(serial.back() == std::make_pair(std::size_t{1000}, std::size_t{1003}));
    std::size_t next = 0;
    for (const auto& [begin, end] : serial) {
        CHECK(begin == next);
        CHECK(end > begin);
        CHECK(end - begin <= grain);
        next = end;
    }
    CHECK(next == n);

    CHECK(chunks_at(2, n, grain) == serial);
    CHECK(chunks_at(4, n, grain) == serial);
}

TEST_CASE("Parallel: parallel_for writes every row exactly once at 4 threads",
          "[sim][parallel][determinism]") {
    const ThreadScope scope(4);
    std::vector<int> visits(100000, 0);
    parallel_for(visits.size(), 97, [&](std::size_t begin, std::size_t end) {
        for (std::size_t i = begin; i < end; ++i) {
            ++visits[i];
        }
    });
    CHECK(std::all_of(visits.begin(), visits.end(), [](int v) { return v == 1; }));
}

TEST_CASE("Parallel: parallel_for handles empty ranges and a zero grain", "[sim][parallel]") {
    CHECK(chunks_at(4, 0, 10).empty());
    const Chunks one_each = chunks_at(2, 3, 0);
    CHECK(one_each == Chunks{{0, 1}, {1, 2}, {2, 3}});
    const Chunks single = chunks_at(4, 5, 100);
    CHECK(single == Chunks{{0, 5}});
}

TEST_CASE("Parallel: deterministic_sum is bitwise identical at 1, 2 and 4 threads",
          "[sim][parallel][determinism]") {
    const std::size_t n = 1000000;
    const std::size_t block = 1000;
    const double s1 = sum_at(1, n, block);
    const double s2 = sum_at(2, n, block);
    const double s4 = sum_at(4, n, block);
    CHECK(std::memcmp(&s1, &s2, sizeof(double)) == 0);
    CHECK(std::memcmp(&s1, &s4, sizeof(double)) == 0);

    // It is the documented sum: blocks of `block` rows, combined serially in block order.
    double expected = 0.0;
    for (std::size_t b = 0; b < n; b += block) {
        expected += block_sum(b, std::min(n, b + block));
    }
    CHECK(std::memcmp(&s1, &expected, sizeof(double)) == 0);

    // A partial last block, at several thread counts.
    const double p1 = sum_at(1, 12345, 100);
    const double p4 = sum_at(4, 12345, 100);
    CHECK(std::memcmp(&p1, &p4, sizeof(double)) == 0);
    CHECK(p1 == Approx(block_sum(0, 12345)).epsilon(1e-9));
}

TEST_CASE("Parallel: deterministic_sum of nothing is zero", "[sim][parallel]") {
    CHECK(deterministic_sum(0, 10, block_sum) == 0.0);
}
