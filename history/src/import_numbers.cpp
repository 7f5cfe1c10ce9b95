// Numbers and years as data files write them (see import_detail.hpp).

#include "import_detail.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>

namespace tradesim::history::detail {

namespace {

bool is_missing(std::string_view t) noexcept {
    return t.empty() || t == "NA" || t == "NaN" || t == "nan" || t == "." || t == "NULL";
}

} // namespace

std::string_view trim(std::string_view t) noexcept {
    while (!t.empty() && (t.front() == ' ' || t.front() == '\t')) {
        t.remove_prefix(1);
    }
    while (!t.empty() && (t.back() == ' ' || t.back() == '\t' || t.back() == '\r')) {
        t.remove_suffix(1);
    }
    return t;
}

Parsed parse_number(std::string_view text, double& value) noexcept {
    // Clinger's fast path for the common "123" and "-12.375": up to 15 digits are an exact
    // integer and 10^k (k <= 22) an exact double, so one correctly rounded division gives the
    // double nearest the decimal, as from_chars does.
    if (!text.empty() && text.size() <= 17) {
        const bool negative = text.front() == '-';
        std::uint64_t mantissa = 0;
        int digits = 0, decimals = -1;
        bool simple = true;
        for (std::size_t c = negative ? 1 : 0; c < text.size() && simple; ++c) {
            const char ch = text[c];
            if (ch >= '0' && ch <= '9') {
                mantissa = mantissa * 10 + static_cast<std::uint64_t>(ch - '0');
                ++digits;
                decimals += decimals >= 0 ? 1 : 0;
            } else if (ch == '.' && decimals < 0) {
                decimals = 0;
            } else {
                simple = false;
            }
        }
        if (simple && digits > 0 && digits <= 15) {
            static constexpr double kPowers[] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                                 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
            const double x = static_cast<double>(mantissa) / kPowers[std::max(decimals, 0)];
            value = negative ? -x : x;
            return Parsed::ok;
        }
    }
    text = trim(text);
    if (is_missing(text)) {
        return Parsed::missing;
    }
    if (text.front() == '+') {
        text.remove_prefix(1);
    }
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    return ec == std::errc{} && ptr == text.data() + text.size() && std::isfinite(value)
               ? Parsed::ok
               : Parsed::bad;
}

Parsed parse_year(std::string_view text, unsigned& year) noexcept {
    if (!text.empty() && text.size() <= 4 &&
        std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        unsigned y = 0;
        for (const char c : text) {
            y = y * 10 + static_cast<unsigned>(c - '0');
        }
        year = y;
        return y > 0 ? Parsed::ok : Parsed::bad;
    }
    text = trim(text);
    if (is_missing(text)) {
        return Parsed::missing;
    }
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), year);
    // "2016.0" (a year written as a float) is accepted; "201601" (a month period) is not.
    const bool whole =
        ptr == text.data() + text.size() ||
        (std::string_view(ptr, static_cast<std::size_t>(text.data() + text.size() - ptr))
             .find_first_not_of(".0") == std::string_view::npos);
    return ec == std::errc{} && whole && year > 0 && year < 10000 ? Parsed::ok : Parsed::bad;
}

} // namespace tradesim::history::detail
