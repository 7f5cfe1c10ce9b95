#pragma once
/// A row filter over a data table (the `--where` option of `tradesim estimate`):
/// `exporter != importer && year % 4 == 2`.

#include "tradesim/sim/data_frame.hpp"

#include <string>
#include <vector>

namespace tradesim::models::gravity {

/// Evaluates `expression` on every row of `data`; returns one byte per row, 1 = keep.
///
/// Grammar, loosest binding first:
///   `||`;  `&&`;  `!`;  one comparison `== != < <= > >=` (not chained);
///   `+ -`;  `* / %`;  unary `-`;  a column, a number, "text" in double quotes, `( ... )`.
/// `!` applies to the comparison after it, so `!year == 2006` means `!(year == 2006)`.
///
/// Types: numeric columns and numbers are numbers; categorical columns and "text" are text.
/// Arithmetic takes numbers (`%` is std::fmod, so the sign follows the left side). Text
/// compares by its characters, never by level codes, so two categorical columns with
/// different level lists compare correctly (`exporter != importer`); `<` etc. on text are
/// byte-wise lexicographic.
/// Missing values (NaN, code -1) make every comparison false, `!=` included;
/// `!(x == "A")` is then true.
///
/// Throws sim::InputError listing every problem found (a syntax error stops the parse),
/// each like a compiler error with the expression and a caret under the place:
/// ```
/// where:1:10: error: unknown column "expoter" (did you mean "exporter"?)
/// ```
/// Problems: a syntax error, an unknown column, text compared with a number, arithmetic on
/// text or on a condition, `&&`/`||`/`!` on something that is not a condition, an
/// expression that is not a condition as a whole.
[[nodiscard]] std::vector<unsigned char> evaluate_where(const std::string& expression,
                                                        const sim::DataFrame& data);

} // namespace tradesim::models::gravity
