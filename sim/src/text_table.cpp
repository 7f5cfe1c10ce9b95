#include "tradesim/sim/text_table.hpp"

#include "tradesim/sim/error.hpp"

#include <filesystem>
#include <fmt/format.h>
#include <fstream>

namespace tradesim::sim {

int TextTable::column_index(const std::string& name) const noexcept {
    for (std::size_t i = 0; i < header.size(); ++i) {
        if (header[i] == name) {
            return static_cast<int>(i);
        }
    }
    return -1;
}

Location TextTable::where(const Row& row, std::size_t cell) const {
    return Location{file, row.line, cell < row.columns.size() ? row.columns[cell] : 0};
}

namespace {

std::string trim(const std::string& s) {
    const auto b = s.find_first_not_of(" \t\r");
    if (b == std::string::npos) {
        return {};
    }
    const auto e = s.find_last_not_of(" \t\r");
    return s.substr(b, e - b + 1);
}

void split(const std::string& line, TextTable::Row& row) {
    std::size_t start = 0;
    while (true) {
        const std::size_t comma = line.find(',', start);
        const std::string cell =
            line.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        row.cells.push_back(trim(cell));
        // Point at the cell's first visible character.
        const std::size_t lead = std::min(cell.find_first_not_of(" \t"), cell.size());
        row.columns.push_back(static_cast<std::uint32_t>(start + lead + 1));
        if (comma == std::string::npos) {
            break;
        }
        start = comma + 1;
    }
}

} // namespace

TextTable read_text_table(const std::string& path) {
    std::ifstream in(path);
    if (!in || std::filesystem::is_directory(path)) {
        throw IoError(fmt::format("{}: error: cannot open file", path));
    }
    TextTable table;
    table.file = path;
    Diagnostics problems;
    std::string line;
    std::uint32_t number = 0;
    bool have_header = false;
    while (std::getline(in, line)) {
        ++number;
        const std::string t = trim(line);
        if (t.empty() || t.front() == '#') {
            continue;
        }
        TextTable::Row row;
        row.line = number;
        split(line, row);
        if (!have_header) {
            table.header = row.cells;
            have_header = true;
            continue;
        }
        if (row.cells.size() != table.header.size()) {
            problems.error(Location{path, number, 1},
                           fmt::format("row has {} fields, the header has {}", row.cells.size(),
                                       table.header.size()));
            continue;
        }
        table.rows.push_back(std::move(row));
    }
    if (!have_header) {
        problems.error(Location{path, 0, 0}, "no header row");
    }
    problems.throw_if_any();
    return table;
}

} // namespace tradesim::sim
