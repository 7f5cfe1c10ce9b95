#pragma once
/// A column-wise table of observations read from a data file: numeric columns (doubles, NaN
/// for missing) and categorical columns (integer codes into a list of levels, -1 for
/// missing). Readers (history/) fill it; estimators (models/gravity) read it.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace tradesim::sim {

struct DataColumn {
    enum class Kind { numeric, categorical };
    std::string name;
    Kind kind = Kind::numeric;
    std::vector<double> numbers;       ///< numeric: one value per row, NaN = missing
    std::vector<std::int32_t> codes;   ///< categorical: index into levels, -1 = missing
    std::vector<std::string> levels;   ///< categorical: distinct values in order of first use
    std::vector<std::string> texts() const; ///< any column as text ("" for missing)
};

class DataFrame {
public:
    [[nodiscard]] std::size_t rows() const noexcept { return rows_; }
    [[nodiscard]] const std::vector<DataColumn>& columns() const noexcept { return columns_; }
    /// Column by name, or nullptr.
    [[nodiscard]] const DataColumn* find(const std::string& name) const noexcept;
    [[nodiscard]] std::vector<std::string> names() const;
    /// Adds a column; all columns must have the same number of rows.
    void add(DataColumn column);
    /// The file it came from, for messages.
    std::string source;

private:
    std::size_t rows_ = 0;
    std::vector<DataColumn> columns_;
};

} // namespace tradesim::sim
