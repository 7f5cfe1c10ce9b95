#pragma once
// Field checks shared by the row handlers of the import formats: each drops and counts the row
// (with its reason) when a field is not usable.

#include "import_detail.hpp"

#include "tradesim/sim/error.hpp"

#include <algorithm>
#include <cctype>
#include <fmt/format.h>
#include <fmt/ranges.h>

namespace tradesim::history::detail {

inline bool same_name(std::string_view a, std::string_view b) noexcept {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

// Header lookup, case-insensitive; collects what is missing so one message lists it all.
class Header {
public:
    Header(const FormatContext& context, const Fields& fields)
        : context_(context), fields_(fields) {}
    // Index of the first of `names` present, or -1.
    int find(std::initializer_list<std::string_view> names) const {
        for (const auto name : names) {
            for (std::size_t c = 0; c < fields_.size(); ++c) {
                if (same_name(fields_[c], name)) {
                    return static_cast<int>(c);
                }
            }
        }
        return -1;
    }
    int require(std::initializer_list<std::string_view> names) {
        const int c = find(names);
        if (c < 0) {
            missing_.emplace_back(*names.begin());
        }
        return c;
    }
    int require(const std::string& name) { return require({std::string_view(name)}); }
    void check(const std::string& expected) const {
        if (missing_.empty()) {
            return;
        }
        std::vector<std::string> found(fields_.begin(), fields_.end());
        throw sim::InputError(fmt::format(
            "{}:1: error: not a {} file: missing column{} {} (expected {}; found {})",
            context_.path, format_name(context_.options.format), missing_.size() > 1 ? "s" : "",
            fmt::join(missing_, ", "), expected, fmt::join(found, ",")));
    }

private:
    const FormatContext& context_;
    const Fields& fields_;
    std::vector<std::string> missing_;
};

// "name" or "name=column".
inline std::pair<std::string, std::string> named_column(const std::string& spec) {
    const auto eq = spec.find('=');
    return eq == std::string::npos ? std::pair{spec, spec}
                                   : std::pair{spec.substr(0, eq), spec.substr(eq + 1)};
}

struct VariableColumn {
    int slot = 0;
    int column = 0;
    double scale = 1;
    int times = -1; // another column multiplied in (PWT's cgdpo * pl_gdpo)
};

// Reads the variable columns of a row into `map` under key(slot).
template <class Key>
inline void read_variables(const std::vector<VariableColumn>& columns, const Fields& fields,
                           Key key, FlatMap& map) {
    for (const auto& v : columns) {
        double x = 0;
        if (parse_number(fields[static_cast<std::size_t>(v.column)], x) != Parsed::ok) {
            continue;
        }
        if (v.times >= 0) {
            double y = 0;
            if (parse_number(fields[static_cast<std::size_t>(v.times)], y) != Parsed::ok) {
                continue;
            }
            x *= y;
        }
        map.insert_if_absent(key(static_cast<unsigned>(v.slot)), x * v.scale);
    }
}

// Looks up a country field; false (and the row dropped) when it is missing or not a country.
inline bool country(const CountryTable& table, std::string_view code, int& index, std::size_t line,
                    std::string_view text, BlockResult& out) {
    if (code.empty()) {
        out.drop(kMissingField, line, text);
        return false;
    }
    // Codes are a few bytes: a loop beats calling memcmp.
    const auto same = [&](std::string_view memo) {
        if (memo.size() != code.size()) {
            return false;
        }
        for (std::size_t c = 0; c < code.size(); ++c) {
            if (memo[c] != code[c]) {
                return false;
            }
        }
        return true;
    };
    const int hit = same(out.memo_code[0]) ? 0 : same(out.memo_code[1]) ? 1 : -1;
    if (hit >= 0) {
        index = out.memo_index[static_cast<std::size_t>(hit)];
        out.memo_last = hit;
    } else {
        // Replace the entry not used last: exporter and importer codes alternate.
        const auto e = static_cast<std::size_t>(1 - out.memo_last);
        index = table.lookup(code);
        out.memo_code[e] = code;
        out.memo_index[e] = index;
        out.memo_last = static_cast<int>(e);
    }
    if (index >= 0) {
        return true;
    }
    out.drop(index == kAggregate ? kAggregateCode : kUnknownCountryCode, line, text);
    return false;
}

// Value of a flow: false (row dropped) when missing, not a number or negative, except that
// `missing_ok` rows (CEPII Gravity has every pair, traded or not) are counted but kept for
// their variables (`has_value` false).
inline bool flow_value(std::string_view field, double scale, bool missing_ok, double& value,
                       bool& has_value, std::size_t line, std::string_view text, BlockResult& out) {
    has_value = false;
    switch (parse_number(field, value)) {
    case Parsed::missing:
        out.drop(kMissingValue, line, text);
        return missing_ok;
    case Parsed::bad:
        out.drop(kNonNumeric, line, text);
        return false;
    case Parsed::ok:
        break;
    }
    if (value < 0) {
        out.drop(kNegative, line, text);
        return false;
    }
    value *= scale;
    has_value = true;
    return true;
}

inline bool year_of(std::string_view field, unsigned& year, std::size_t line, std::string_view text,
                    BlockResult& out) {
    switch (parse_year(field, year)) {
    case Parsed::ok:
        return true;
    case Parsed::missing:
        out.drop(kMissingField, line, text);
        return false;
    case Parsed::bad:
        break;
    }
    out.drop(kNonNumeric, line, text);
    return false;
}

// Sector of a product field (kUnknownProduct: dropped); sets the packed product code.
inline int sector_of(const Concordance& concordance, std::string_view field, std::uint32_t& product,
                     std::size_t line, std::string_view text, BlockResult& out) {
    if (field.empty()) {
        out.drop(kMissingField, line, text);
        return kUnknownProduct;
    }
    const auto code = Concordance::product_code(field);
    const int sector = code < 0 ? kUnknownProduct
                       : static_cast<std::uint32_t>(code) == kTotalProduct
                           ? kTotalSector
                           : concordance.sector_of(static_cast<std::uint32_t>(code));
    if (sector == kUnknownProduct) {
        out.drop(kUnknownProductCode, line, text);
    } else {
        product = static_cast<std::uint32_t>(code);
    }
    return sector;
}

} // namespace tradesim::history::detail
