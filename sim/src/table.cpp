#include "tradesim/sim/table.hpp"

#include <stdexcept>

namespace tradesim::sim {

std::size_t ColumnTable::add_column(std::string name, std::string unit, std::string description) {
    if (find(name)) {
        throw std::logic_error("ColumnTable: duplicate column " + name);
    }
    info_.push_back({std::move(name), std::move(unit), std::move(description)});
    data_.emplace_back(rows_, 0.0);
    return info_.size() - 1;
}

std::optional<std::size_t> ColumnTable::find(const std::string& name) const noexcept {
    for (std::size_t i = 0; i < info_.size(); ++i) {
        if (info_[i].name == name) {
            return i;
        }
    }
    return std::nullopt;
}

} // namespace tradesim::sim
