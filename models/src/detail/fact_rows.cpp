#include "detail/fact_rows.hpp"

namespace tradesim::models::detail {

void require_columns(const sim::TextTable& table, const std::vector<std::string>& columns,
                     sim::Diagnostics& problems) {
    for (const auto& c : columns) {
        if (table.column_index(c) < 0) {
            problems.error(
                sim::Location{table.file, 0, 0},
                fmt::format("missing column {}{}", c, sim::did_you_mean(c, table.header)));
        }
    }
}

} // namespace tradesim::models::detail
