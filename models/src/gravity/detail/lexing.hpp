#pragma once
// Character classes shared by the formula and filter lexers, so that a name means the same
// thing in `--formula` and `--where`.

#include <cctype>

namespace tradesim::models::gravity::detail {

// The casts keep <cctype> defined for bytes above 127 (UTF-8).
inline bool digit(char c) {
    return std::isdigit(static_cast<unsigned char>(c)) != 0;
}
// '.' belongs in names as in R (`log.dist`).
inline bool name_start(char c) {
    return std::isalpha(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '.';
}
inline bool name_char(char c) {
    return name_start(c) || digit(c);
}

} // namespace tradesim::models::gravity::detail
