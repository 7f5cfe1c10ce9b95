#pragma once
// A `--where` filter in its stages: tokens (where_lex.cpp), type-checked nodes
// (where_parse.cpp), which the evaluator (where.cpp) runs over the rows.

#include "tradesim/sim/data_frame.hpp"
#include "tradesim/sim/diagnostics.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace tradesim::models::gravity::detail {

// `where:line:column: error: message`, the line of text and a caret under `pos`.
inline std::string located(const std::string& text, std::size_t pos, const std::string& message) {
    return sim::caret_message("where", text, pos, message);
}

struct Token {
    enum class Kind { name, number, text, op, open, close, end };
    Kind kind = Kind::end;
    std::string text; ///< as written; for a string literal, its unescaped content
    std::size_t pos = 0;
    double number = 0.0;
};

/// The tokens of `text`, ending with one of kind `end`. Throws sim::InputError at the first
/// problem: a malformed number, unterminated text or a character that starts no token.
[[nodiscard]] std::vector<Token> lex_where(const std::string& text);

enum class Type { condition, number, text, invalid };
// Leaves: column, number, text. Numbers to a number: negate ... modulo. Numbers or texts to a
// condition: eq ... ge. Conditions to a condition: both (&&), either (||), negation (!).
enum class Op {
    column,
    number,
    text,
    negate,
    add,
    subtract,
    multiply,
    divide,
    modulo,
    eq,
    ne,
    lt,
    le,
    gt,
    ge,
    both,
    either,
    negation
};

struct Node {
    Op op = Op::number;
    Type type = Type::invalid;
    std::int32_t lhs = -1;
    std::int32_t rhs = -1;
    double number = 0.0;
    std::string text; ///< literal as written (number) or its content (text); column name
    const sim::DataColumn* column = nullptr; ///< in `data`, which must outlive the nodes
    std::size_t pos = 0;                     ///< the operator or the leaf, for messages
    std::size_t start = 0;                   ///< where the whole expression starts
};

/// The nodes of `text`, children before parents, and the root's id; the root is a condition.
/// Throws sim::InputError listing every problem (see evaluate_where).
[[nodiscard]] std::pair<std::vector<Node>, std::int32_t> parse_where(const std::string& text,
                                                                     const sim::DataFrame& data);

} // namespace tradesim::models::gravity::detail
