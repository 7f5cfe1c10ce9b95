#pragma once
// What the run-store tests share: bit patterns for exact comparisons, a table exported as CSV
// lines, and an empty folder of their own for result files.

#include "tradesim/output/run_store.hpp"

#include <bit>
#include <cstdint>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

namespace tradesim::test {

/// The bit patterns of `values`: equal only when the doubles are identical.
inline std::vector<std::uint64_t> bits(const std::vector<double>& values) {
    std::vector<std::uint64_t> out;
    for (const double v : values) {
        out.push_back(std::bit_cast<std::uint64_t>(v));
    }
    return out;
}

/// The lines of `text`.
inline std::vector<std::string> split_lines(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        out.push_back(line);
    }
    return out;
}

/// `tradesim export`'s CSV of `table` (at `step`, or every step), line by line.
inline std::vector<std::string> lines(const output::RunReader& reader, const std::string& table,
                                      int step = -1) {
    std::ostringstream out;
    reader.write_csv(table, step, out);
    return split_lines(out.str());
}

/// An empty folder TRADESIM_TEST_OUTPUT_DIR/group/name.
inline std::filesystem::path fresh_dir(const std::string& group, const std::string& name) {
    const auto dir = std::filesystem::path(TRADESIM_TEST_OUTPUT_DIR) / group / name;
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    return dir;
}

} // namespace tradesim::test
