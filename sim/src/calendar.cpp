#include "tradesim/sim/calendar.hpp"

#include <charconv>
#include <fmt/format.h>

namespace tradesim::sim {

std::string YearMonth::str() const {
    return fmt::format("{:04d}-{:02d}", year, month);
}

namespace {
bool parse_int(const std::string& s, std::size_t pos, std::size_t len, int& out) {
    if (pos + len > s.size()) {
        return false;
    }
    for (std::size_t i = pos; i < pos + len; ++i) {
        if (s[i] < '0' || s[i] > '9') {
            return false;
        }
    }
    return std::from_chars(s.data() + pos, s.data() + pos + len, out).ec == std::errc{};
}
} // namespace

std::optional<YearMonth> parse_year_month(const std::string& text) {
    YearMonth ym;
    if (text.size() != 7 && text.size() != 10) {
        return std::nullopt;
    }
    if (!parse_int(text, 0, 4, ym.year) || text[4] != '-' || !parse_int(text, 5, 2, ym.month)) {
        return std::nullopt;
    }
    if (ym.month < 1 || ym.month > 12) {
        return std::nullopt;
    }
    if (text.size() == 10) {
        int day = 0;
        if (text[7] != '-' || !parse_int(text, 8, 2, day) || day < 1 || day > 31) {
            return std::nullopt;
        }
    }
    return ym;
}

std::optional<StepLength> parse_step_length(const std::string& text) {
    if (text == "month")
        return StepLength::month;
    if (text == "quarter")
        return StepLength::quarter;
    if (text == "year")
        return StepLength::year;
    return std::nullopt;
}

const char* to_string(StepLength length) noexcept {
    switch (length) {
    case StepLength::month:
        return "month";
    case StepLength::quarter:
        return "quarter";
    case StepLength::year:
        return "year";
    }
    return "month";
}

YearMonth Calendar::date_of(int step) const noexcept {
    return YearMonth::from_index(start_.index() + step * months_per_step());
}

std::optional<int> Calendar::step_of(YearMonth date) const noexcept {
    const int offset = date.index() - start_.index();
    if (offset < 0) {
        return std::nullopt;
    }
    const int step = offset / months_per_step();
    if (step >= steps_) {
        return std::nullopt;
    }
    return step;
}

} // namespace tradesim::sim
