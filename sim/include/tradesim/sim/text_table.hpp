#pragma once
/// Small comma-separated fact files (the default world): `#` comment lines, a header row,
/// then data rows. Every cell remembers its line and column for error messages.

#include "tradesim/sim/diagnostics.hpp"

#include <string>
#include <vector>

namespace tradesim::sim {

struct TextTable {
    std::string file;
    std::vector<std::string> header;
    struct Row {
        std::uint32_t line = 0;
        std::vector<std::string> cells;
        std::vector<std::uint32_t> columns; ///< 1-based column where each cell starts
    };
    std::vector<Row> rows;

    /// Index of a header name, or -1.
    [[nodiscard]] int column_index(const std::string& name) const noexcept;
    [[nodiscard]] Location where(const Row& row, std::size_t cell) const;
};

/// Reads a fact file. Throws IoError if unreadable; InputError listing every row whose
/// number of cells differs from the header's.
[[nodiscard]] TextTable read_text_table(const std::string& path);

} // namespace tradesim::sim
