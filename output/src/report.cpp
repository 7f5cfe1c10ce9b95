#include "tradesim/output/report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

namespace tradesim::output {

namespace {

enum class Change { percent, points };

struct Block {
    const char* title;
    const char* column;
    Change change;
};

// Exports and imports are levels, so their change is relative; welfare_change is already a
// percent change against the baseline, so subtracting gives percentage points.
constexpr Block blocks[] = {
    {"Exports", "exports", Change::percent},
    {"Imports", "imports", Change::percent},
    {"Welfare", "welfare_change", Change::points},
};

// The firm table (runs with [firms]).
constexpr Block firm_blocks[] = {
    {"Exporting firms", "exporters", Change::percent},
    {"Producing firms", "producers", Change::percent},
};

double change_of(double first, double last, Change change) {
    if (change == Change::points) {
        return last - first;
    }
    return first != 0.0 ? (last / first - 1.0) * 100.0 : std::nan("");
}

void write_block(std::string& out, const Block& block, const std::vector<std::string>& codes,
                 const sim::ColumnTable& first, const sim::ColumnTable& last, std::size_t top,
                 std::size_t code_width) {
    const auto column_first = first.find(block.column);
    const auto column_last = last.find(block.column);
    if (!column_first || !column_last) {
        fmt::format_to(std::back_inserter(out), "{}: no column \"{}\" in the country table\n",
                       block.title, block.column);
        return;
    }
    const std::string& unit = first.info(*column_first).unit;
    const char* suffix = block.change == Change::percent ? "%" : "pp";
    fmt::format_to(std::back_inserter(out), "{}{} - largest changes, first to last step ({})\n",
                   block.title, unit.empty() ? "" : fmt::format(" [{}]", unit),
                   block.change == Change::percent ? "percent" : "percentage points");
    fmt::format_to(std::back_inserter(out), "  {:<{}} {:>14} {:>14} {:>11}\n", "country",
                   code_width, "first", "last", "change");

    std::vector<double> change(codes.size());
    for (std::size_t i = 0; i < codes.size(); ++i) {
        change[i] = change_of(first.at(*column_first, i), last.at(*column_last, i), block.change);
    }
    std::vector<std::size_t> order(codes.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    // Largest absolute change first; changes that cannot be computed (zero base) go last, and
    // ties keep country order so the report is the same on every run.
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        const bool a_ok = std::isfinite(change[a]);
        const bool b_ok = std::isfinite(change[b]);
        if (a_ok != b_ok) {
            return a_ok;
        }
        return a_ok && std::abs(change[a]) > std::abs(change[b]);
    });
    order.resize(std::min(top, order.size()));
    // Values that round to zero print as 0.00, never as -0.00.
    const auto tidy = [](double v) { return std::abs(v) < 5e-3 ? 0.0 : v; };
    for (const std::size_t i : order) {
        const std::string shown = std::isfinite(change[i])
                                      ? fmt::format("{:+.2f} {}", tidy(change[i]), suffix)
                                      : std::string("n/a");
        fmt::format_to(std::back_inserter(out), "  {:<{}} {:>14.2f} {:>14.2f} {:>11}\n", codes[i],
                       code_width, tidy(first.at(*column_first, i)), tidy(last.at(*column_last, i)),
                       shown);
    }
}

} // namespace

namespace {

template <std::size_t N>
std::string summary(const Block (&list)[N], const std::vector<std::string>& country_codes,
                    const sim::ColumnTable& first, const sim::ColumnTable& last, int top) {
    if (first.rows() != country_codes.size() || last.rows() != country_codes.size()) {
        throw std::logic_error(
            fmt::format("change_summary: {} country codes but tables of {} and {} rows",
                        country_codes.size(), first.rows(), last.rows()));
    }
    const std::size_t shown = top > 0 ? static_cast<std::size_t>(top) : country_codes.size();
    std::size_t code_width = 7; // "country"
    for (const std::string& code : country_codes) {
        code_width = std::max(code_width, code.size());
    }
    std::string out;
    for (const Block& block : list) {
        if (!out.empty()) {
            out += '\n';
        }
        write_block(out, block, country_codes, first, last, shown, code_width);
    }
    return out;
}

} // namespace

std::string change_summary(const std::vector<std::string>& country_codes,
                           const sim::ColumnTable& first, const sim::ColumnTable& last, int top) {
    return summary(blocks, country_codes, first, last, top);
}

std::string firm_summary(const std::vector<std::string>& country_codes,
                         const sim::ColumnTable& first, const sim::ColumnTable& last, int top) {
    return summary(firm_blocks, country_codes, first, last, top);
}

} // namespace tradesim::output
