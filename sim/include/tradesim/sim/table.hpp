#pragma once
/// Column-wise agent tables: one contiguous array per field, rows are agent ids.

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace tradesim::sim {

struct ColumnInfo {
    std::string name;
    std::string unit;
    std::string description;
};

/// A table of double-valued columns over `rows` agents. Column ids are stable indices.
class ColumnTable {
public:
    ColumnTable() = default;
    explicit ColumnTable(std::size_t rows) : rows_(rows) {}

    /// Adds a zero-filled column and returns its id; throws std::logic_error on a duplicate name.
    std::size_t add_column(std::string name, std::string unit, std::string description);

    [[nodiscard]] std::size_t rows() const noexcept { return rows_; }
    [[nodiscard]] std::size_t columns() const noexcept { return info_.size(); }
    [[nodiscard]] const ColumnInfo& info(std::size_t column) const { return info_.at(column); }
    [[nodiscard]] std::optional<std::size_t> find(const std::string& name) const noexcept;

    [[nodiscard]] std::span<double> column(std::size_t id) noexcept { return data_[id]; }
    [[nodiscard]] std::span<const double> column(std::size_t id) const noexcept {
        return data_[id];
    }
    [[nodiscard]] double& at(std::size_t column, std::size_t row) noexcept {
        return data_[column][row];
    }
    [[nodiscard]] double at(std::size_t column, std::size_t row) const noexcept {
        return data_[column][row];
    }

private:
    std::size_t rows_ = 0;
    std::vector<ColumnInfo> info_;
    std::vector<std::vector<double>> data_;
};

} // namespace tradesim::sim
