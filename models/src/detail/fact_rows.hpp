#pragma once
// Typed access to the rows of a plain-text fact file (sim::TextTable), recording every bad
// cell with its file:line:column, shared by the world's and the network's readers.

#include "tradesim/sim/diagnostics.hpp"
#include "tradesim/sim/text_table.hpp"

#include <charconv>
#include <fmt/format.h>
#include <string>
#include <vector>

namespace tradesim::models::detail {

// Typed access to the cells of one fact-file row, recording bad cells.
class RowReader {
public:
    RowReader(const sim::TextTable& table, const sim::TextTable::Row& row,
              sim::Diagnostics& problems)
        : table_(table), row_(row), problems_(problems) {}

    std::string text(const std::string& column) {
        const int c = index(column);
        return c < 0 ? std::string{} : row_.cells[static_cast<std::size_t>(c)];
    }

    double number(const std::string& column, double lo, double hi) {
        const int c = index(column);
        if (c < 0) {
            return 0.0;
        }
        const std::string& cell = row_.cells[static_cast<std::size_t>(c)];
        double v = 0.0;
        const auto res = std::from_chars(cell.data(), cell.data() + cell.size(), v);
        if (cell.empty() || res.ec != std::errc{} || res.ptr != cell.data() + cell.size()) {
            problems_.error(table_.where(row_, static_cast<std::size_t>(c)),
                            fmt::format("{} must be a number, not \"{}\"", column, cell));
            return 0.0;
        }
        if (!(v >= lo && v <= hi)) {
            problems_.error(table_.where(row_, static_cast<std::size_t>(c)),
                            fmt::format("{} = {} is outside [{}, {}]", column, cell, lo, hi));
        }
        return v;
    }

    sim::Location where(const std::string& column) {
        const int c = table_.column_index(column);
        return table_.where(row_, c < 0 ? 0 : static_cast<std::size_t>(c));
    }

private:
    int index(const std::string& column) {
        const int c = table_.column_index(column);
        if (c < 0 && !reported_missing_) {
            // The header check below reports it once per file.
            reported_missing_ = true;
        }
        return c;
    }

    const sim::TextTable& table_;
    const sim::TextTable::Row& row_;
    sim::Diagnostics& problems_;
    bool reported_missing_ = false;
};

/// Reports every column of `columns` missing from the table's header.
void require_columns(const sim::TextTable& table, const std::vector<std::string>& columns,
                     sim::Diagnostics& problems);

} // namespace tradesim::models::detail
