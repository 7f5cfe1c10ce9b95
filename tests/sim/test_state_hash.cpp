#include "tradesim/sim/state_hash.hpp"

#include <catch2/catch.hpp>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

using namespace tradesim::sim;

namespace {

std::string hash_of(const std::vector<double>& values, const std::vector<std::int64_t>& ids,
                    const std::string& label) {
    StateHash h;
    h.add(values);
    h.add(ids);
    h.add(label);
    return h.hex();
}

} // namespace

TEST_CASE("StateHash: the same data gives the same 16-digit hex",
          "[sim][state_hash][determinism]") {
    const std::vector<double> values{1.0, -2.5, 3.25e10, 0.0};
    const std::vector<std::int64_t> ids{1, 2, 3};
    const std::string a = hash_of(values, ids, "step 3");
    const std::string b = hash_of(values, ids, "step 3");
    CHECK(a == b);
    REQUIRE(a.size() == 16);
    CHECK(a.find_first_not_of("0123456789abcdef") == std::string::npos);

    StateHash h;
    h.add(values);
    h.add(ids);
    h.add("step 3");
    CHECK(std::stoull(h.hex(), nullptr, 16) == h.value());
    CHECK(h.hex() == a);
}

TEST_CASE("StateHash: one flipped bit in a double changes the hash", "[sim][state_hash]") {
    std::vector<double> values{1.0, -2.5, 3.25e10, 0.1};
    const std::string before = hash_of(values, {}, "");
    std::uint64_t bits = 0;
    std::memcpy(&bits, &values[3], sizeof bits);
    bits ^= 1U; // lowest mantissa bit
    std::memcpy(&values[3], &bits, sizeof bits);
    CHECK(hash_of(values, {}, "") != before);
}

TEST_CASE("StateHash: hashes the bytes in order, however they are split", "[sim][state_hash]") {
    const std::vector<double> all{1.0, 2.0, 3.0, 4.0, 5.0};
    StateHash whole;
    whole.add(all);
    StateHash parts;
    parts.add(std::span<const double>(all).first(2));
    parts.add(std::span<const double>(all).subspan(2));
    CHECK(parts.value() == whole.value());

    StateHash swapped;
    const std::vector<double> other{2.0, 1.0, 3.0, 4.0, 5.0};
    swapped.add(other);
    CHECK(swapped.value() != whole.value());

    StateHash empty;
    StateHash text;
    text.add("x");
    CHECK(empty.value() != text.value());
}
