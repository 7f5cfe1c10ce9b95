#pragma once
/// Turns a data table, a formula and options into a PPML problem: picks and transforms the
/// columns, builds (interacted) fixed effects and clusters, and drops rows with missing
/// values, counting why.

#include "tradesim/models/gravity/formula.hpp"
#include "tradesim/models/gravity/ppml.hpp"
#include "tradesim/sim/data_frame.hpp"

#include <string>
#include <vector>

namespace tradesim::models::gravity {

struct DesignOptions {
    std::vector<std::string> cluster; ///< zero, one or two columns; `a^b` = their combination
    Vcov vcov = Vcov::hetero;         ///< cluster when `cluster` is given
    std::vector<unsigned char> keep;  ///< row filter (--where); empty = all rows
};

struct Design {
    PpmlProblem problem;
    std::vector<std::size_t> rows; ///< row of the data for each problem row
    std::size_t filtered = 0;      ///< rows removed by the filter
    std::size_t missing = 0;       ///< rows with a missing value (or log of a value <= 0)
};

/// The columns of a cluster or fixed-effect specification: "a^b" -> {"a", "b"}.
[[nodiscard]] std::vector<std::string> interaction_columns(const std::string& text);

/// Throws InputError naming the first cell of a categorical `column` that is not a number,
/// with its place as `file:line` (the header is line 1), e.g. `t.csv:5: error: column "trade"
/// (response) must be numeric, but holds "x"`; `role` says what the column is for. Returns
/// when there is none (a numeric column, or every cell missing), leaving that to the caller.
void require_numeric_cells(const sim::DataFrame& data, const sim::DataColumn& column,
                           const std::string& role);

/// Throws InputError for an unknown column (with a suggestion), a categorical column used as
/// response or regressor, or a negative response (naming the first such row, 1-based as in
/// the data file, i.e. data line = row + 1 for the header).
[[nodiscard]] Design build_design(const sim::DataFrame& data, const Formula& formula,
                                  const DesignOptions& options);

} // namespace tradesim::models::gravity
