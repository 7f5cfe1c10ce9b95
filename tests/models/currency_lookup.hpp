#pragma once
// Index lookups the currency tests share: an economy or a currency of a loaded scenario by code,
// failing the test when it is missing.

#include "tradesim/models/scenario.hpp"

#include <catch2/catch.hpp>

#include <cstddef>

namespace tradesim::test {

inline std::size_t country(const models::Scenario& s, const char* code) {
    const int i = s.world->country_index(code);
    REQUIRE(i >= 0);
    return static_cast<std::size_t>(i);
}

inline std::size_t currency(const models::Scenario& s, const char* code) {
    const int c = s.world->currencies->index(code);
    REQUIRE(c >= 0);
    return static_cast<std::size_t>(c);
}

} // namespace tradesim::test
