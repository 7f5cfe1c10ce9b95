#include "tradesim/sim/data_frame.hpp"

#include <cmath>
#include <fmt/format.h>
#include <stdexcept>

namespace tradesim::sim {

std::vector<std::string> DataColumn::texts() const {
    std::vector<std::string> out;
    if (kind == Kind::numeric) {
        out.reserve(numbers.size());
        for (double v : numbers) {
            out.push_back(std::isnan(v) ? std::string{} : fmt::format("{}", v));
        }
    } else {
        out.reserve(codes.size());
        for (std::int32_t c : codes) {
            out.push_back(c < 0 ? std::string{} : levels[static_cast<std::size_t>(c)]);
        }
    }
    return out;
}

const DataColumn* DataFrame::find(const std::string& name) const noexcept {
    for (const auto& c : columns_) {
        if (c.name == name) {
            return &c;
        }
    }
    return nullptr;
}

std::vector<std::string> DataFrame::names() const {
    std::vector<std::string> out;
    for (const auto& c : columns_) {
        out.push_back(c.name);
    }
    return out;
}

void DataFrame::add(DataColumn column) {
    const std::size_t n =
        column.kind == DataColumn::Kind::numeric ? column.numbers.size() : column.codes.size();
    if (!columns_.empty() && n != rows_) {
        throw std::logic_error(fmt::format("DataFrame: column {} has {} rows, expected {}",
                                           column.name, n, rows_));
    }
    rows_ = n;
    columns_.push_back(std::move(column));
}

} // namespace tradesim::sim
