#pragma once
// Helpers for the validation tests that read the staged data in ../shared/data: each test
// skips with a message, instead of failing, where that folder is absent.

#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <string>

namespace tradesim::validation {

/// A file of the shared data folder (TRADESIM_SHARED_DATA_DIR, set by CMake).
inline std::string data_file(const std::string& relative) {
    return std::string(TRADESIM_SHARED_DATA_DIR) + "/" + relative;
}

/// Whether `path` exists; WARNs that the test is skipped when it does not.
inline bool have(const std::string& path) {
    if (std::filesystem::exists(path)) {
        return true;
    }
    WARN("skipped: " << path << " is absent (the shared data folder is needed)");
    return false;
}

/// Rounds to `digits` decimals, as a published table prints.
inline double printed(double v, int digits) {
    const double scale = std::pow(10.0, digits);
    return std::round(v * scale) / scale;
}

} // namespace tradesim::validation
