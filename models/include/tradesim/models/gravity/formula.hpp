#pragma once
/// A gravity model written in fixest's formula syntax:
/// `trade ~ log(dist) + cntg | exporter^year + importer^year`.

#include <string>
#include <vector>

namespace tradesim::models::gravity {

/// One regressor: a column, or the log of a column.
struct Term {
    std::string label;  ///< normalised, as printed in results: "log(dist)" or "cntg"
    std::string column; ///< the data column it reads
    bool log = false;   ///< true for log(column)
};

/// One fixed effect: a column, or an interaction of columns (`exporter^year`).
struct FixedEffect {
    std::string label;                ///< normalised: "exporter^year"
    std::vector<std::string> columns; ///< {"exporter", "year"}
};

struct Formula {
    std::string text; ///< normalised (single spaces): "trade ~ log(dist) | exporter^year"
    std::string response;
    std::vector<Term> regressors;
    std::vector<FixedEffect> fixed_effects;
};

/// Parses `response ~ regressors [| fixed effects]`.
///
/// - The response is a bare column name.
/// - Regressors are column names or `log(column)`, joined by `+`; `1` (the intercept) may be
///   written and adds nothing, so `y ~ 1 | fe` has no regressors.
/// - Fixed effects are column names or interactions `a^b^...`, joined by `+`.
/// - At least one regressor or one fixed effect is required; whitespace is free; column
///   names match `[A-Za-z_.][A-Za-z0-9_.]*`.
///
/// Throws sim::InputError listing every problem found (a syntax error stops the parse),
/// each like a compiler error with the formula and a caret under the place:
/// ```
/// formula:1:12: error: expected a column name after '+'
///   trade ~ x +
///              ^
/// ```
/// Problems: empty formula, missing `~`, a missing or misplaced column name, an unknown
/// function (`unknown function 'exp' (known: log)`), an unbalanced parenthesis, a repeated
/// regressor or fixed effect (`a^b` and `b^a` are the same), a column repeated inside one
/// interaction, no regressor and no fixed effect.
[[nodiscard]] Formula parse_formula(const std::string& text);

} // namespace tradesim::models::gravity
