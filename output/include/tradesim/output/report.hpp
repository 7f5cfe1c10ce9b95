#pragma once
/// Short text reports of a run for the terminal.

#include "tradesim/models/world.hpp"
#include "tradesim/sim/table.hpp"

#include <string>
#include <vector>

namespace tradesim::output {

/// The largest changes from the first to the last step in exports, imports and welfare:
/// for each, the `top` countries with the largest absolute percentage change, as a text table.
[[nodiscard]] std::string change_summary(const std::vector<std::string>& country_codes,
                                         const sim::ColumnTable& first,
                                         const sim::ColumnTable& last, int top);
/// The same for the firm table of a run with [firms]: exporting and producing firms (percent).
[[nodiscard]] std::string firm_summary(const std::vector<std::string>& country_codes,
                                       const sim::ColumnTable& first,
                                       const sim::ColumnTable& last, int top);

} // namespace tradesim::output
