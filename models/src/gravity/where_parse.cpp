// The `--where` parser: tokens to type-checked nodes (detail/where_ast.hpp).

#include "gravity/detail/where_ast.hpp"
#include "tradesim/sim/diagnostics.hpp"
#include "tradesim/sim/error.hpp"

#include <cstdint>
#include <fmt/format.h>
#include <string_view>
#include <utility>

namespace tradesim::models::gravity::detail {

namespace {

// Builds the tree and checks types as it goes, so every problem has its position. Unknown
// columns and type errors are collected and parsing goes on; a syntax error stops it.
class Parser {
public:
    Parser(const std::string& text, const sim::DataFrame& data)
        : text_(text), data_(data), tokens_(lex_where(text)) {}

    /// The nodes, children before parents, and the root's id.
    std::pair<std::vector<Node>, std::int32_t> parse() {
        if (peek().kind == Token::Kind::end) {
            fail(0, "the filter is empty (expected e.g. year == 2006)");
        }
        const std::int32_t root = either();
        if (peek().kind != Token::Kind::end) {
            if (peek().kind == Token::Kind::close) {
                fail(peek().pos, "')' without a matching '('");
            }
            fail(peek().pos, fmt::format("unexpected {}: expected '&&', '||' or the end of the "
                                         "filter",
                                         describe(peek())));
        }
        const Node& r = nodes_[static_cast<std::size_t>(root)];
        if (r.type != Type::condition && r.type != Type::invalid) {
            error(r.start, fmt::format("the filter must be a condition such as year == 2006, but "
                                       "it is {}",
                                       what(r)));
        }
        if (!problems_.empty()) {
            throw sim::InputError(fmt::format("{}", fmt::join(problems_, "\n")));
        }
        return {std::move(nodes_), root};
    }

private:
    const Token& peek() const { return tokens_[at_]; }
    bool peek_op(std::string_view op) const {
        return peek().kind == Token::Kind::op && peek().text == op;
    }
    Token next() {
        const Token t = tokens_[at_];
        if (t.kind != Token::Kind::end) {
            ++at_;
        }
        return t;
    }
    static std::string describe(const Token& t) {
        if (t.kind == Token::Kind::end) {
            return "the end of the filter";
        }
        if (t.kind == Token::Kind::text) {
            return fmt::format("\"{}\"", t.text);
        }
        return fmt::format("'{}'", t.text);
    }

    void error(std::size_t pos, const std::string& message) {
        problems_.push_back(located(text_, pos, message));
    }
    [[noreturn]] void fail(std::size_t pos, const std::string& message) {
        error(pos, message);
        throw sim::InputError(fmt::format("{}", fmt::join(problems_, "\n")));
    }

    const Node& node(std::int32_t id) const { return nodes_[static_cast<std::size_t>(id)]; }
    std::int32_t add(Node n) {
        nodes_.push_back(std::move(n));
        return static_cast<std::int32_t>(nodes_.size() - 1);
    }
    std::int32_t binary(Op op, Type type, std::int32_t lhs, std::int32_t rhs, std::size_t pos) {
        Node n;
        n.op = op;
        n.type = type;
        n.lhs = lhs;
        n.rhs = rhs;
        n.pos = pos;
        n.start = node(lhs).start;
        return add(std::move(n));
    }

    // What a node is, for messages: `column "year" (numeric)`, `the text "USA"`, `a number`.
    static std::string what(const Node& n) {
        switch (n.op) {
        case Op::column:
            return fmt::format("column \"{}\" ({})", n.text,
                               n.type == Type::number ? "numeric" : "text");
        case Op::number:
            return fmt::format("the number {}", n.text);
        case Op::text:
            return fmt::format("the text \"{}\"", n.text);
        default:
            return n.type == Type::condition ? "a condition" : "a number";
        }
    }
    bool wrong(std::int32_t id, Type expected) const {
        const Type t = node(id).type;
        return t != expected && t != Type::invalid;
    }
    // `&&` and `||` take conditions, arithmetic takes numbers; the result has the same type.
    std::int32_t operation(Op op, Type type, const Token& token, std::int32_t lhs,
                           std::int32_t rhs) {
        const char* needs = type == Type::condition ? "joins conditions" : "needs numbers";
        for (const auto& [id, side] : {std::pair{lhs, "left"}, std::pair{rhs, "right"}}) {
            if (wrong(id, type)) {
                error(token.pos, fmt::format("'{}' {}, but its {} side is {}", token.text, needs,
                                             side, what(node(id))));
            }
        }
        return binary(op, type, lhs, rhs, token.pos);
    }
    // `!` takes a condition, unary `-` a number; the result has the same type.
    std::int32_t prefix(Op op, Type type, const Token& token, std::int32_t operand) {
        if (wrong(operand, type)) {
            error(token.pos, fmt::format("'{}' needs {}, but found {}", token.text,
                                         type == Type::condition ? "a condition" : "a number",
                                         what(node(operand))));
        }
        Node n;
        n.op = op;
        n.type = type;
        n.lhs = operand;
        n.pos = token.pos;
        n.start = token.pos;
        return add(std::move(n));
    }

    std::int32_t either() {
        std::int32_t lhs = both();
        while (peek_op("||")) {
            const Token op = next();
            lhs = operation(Op::either, Type::condition, op, lhs, both());
        }
        return lhs;
    }
    std::int32_t both() {
        std::int32_t lhs = negation();
        while (peek_op("&&")) {
            const Token op = next();
            lhs = operation(Op::both, Type::condition, op, lhs, negation());
        }
        return lhs;
    }
    std::int32_t negation() {
        if (!peek_op("!")) {
            return comparison();
        }
        const Token op = next();
        return prefix(Op::negation, Type::condition, op, negation());
    }

    static bool comparison_op(const Token& t, Op& op) {
        if (t.kind != Token::Kind::op) {
            return false;
        }
        static constexpr std::pair<std::string_view, Op> ops[] = {{"==", Op::eq}, {"!=", Op::ne},
                                                                  {"<", Op::lt},  {"<=", Op::le},
                                                                  {">", Op::gt},  {">=", Op::ge}};
        for (const auto& [text, o] : ops) {
            if (t.text == text) {
                op = o;
                return true;
            }
        }
        return false;
    }
    std::int32_t comparison() {
        const std::int32_t lhs = additive();
        Op op = Op::eq;
        if (!comparison_op(peek(), op)) {
            return lhs;
        }
        const Token token = next();
        const std::int32_t rhs = additive();
        if (Op ignored = Op::eq; comparison_op(peek(), ignored)) {
            fail(peek().pos, "comparisons cannot be chained: join them with '&&'");
        }
        const Node& l = node(lhs);
        const Node& r = node(rhs);
        const auto valid = [](const Node& n) {
            return n.type == Type::number || n.type == Type::text;
        };
        if (l.type != Type::invalid && r.type != Type::invalid &&
            (!valid(l) || !valid(r) || l.type != r.type)) {
            std::string hint;
            const Node& text_side = l.type == Type::text ? l : r;
            if (valid(l) && valid(r) && text_side.op == Op::column) {
                const auto& levels = text_side.column->levels;
                hint = fmt::format(" (write text in double quotes, e.g. \"{}\")",
                                   levels.empty() ? std::string("USA") : levels.front());
            } else if (valid(l) && valid(r)) {
                hint = " (write numbers without quotes)";
            }
            error(token.pos, fmt::format("cannot compare {} with {}{}", what(l), what(r), hint));
        }
        return binary(op, Type::condition, lhs, rhs, token.pos);
    }

    std::int32_t additive() {
        std::int32_t lhs = multiplicative();
        while (peek_op("+") || peek_op("-")) {
            const Token op = next();
            lhs = operation(op.text == "+" ? Op::add : Op::subtract, Type::number, op, lhs,
                            multiplicative());
        }
        return lhs;
    }
    std::int32_t multiplicative() {
        std::int32_t lhs = unary();
        while (peek_op("*") || peek_op("/") || peek_op("%")) {
            const Token op = next();
            const Op o = op.text == "*" ? Op::multiply : op.text == "/" ? Op::divide : Op::modulo;
            lhs = operation(o, Type::number, op, lhs, unary());
        }
        return lhs;
    }
    std::int32_t unary() {
        if (!peek_op("-")) {
            return primary();
        }
        const Token op = next();
        return prefix(Op::negate, Type::number, op, unary());
    }

    std::int32_t primary() {
        const Token t = next();
        Node n;
        n.pos = t.pos;
        n.start = t.pos;
        n.text = t.text;
        switch (t.kind) {
        case Token::Kind::number:
            n.op = Op::number;
            n.type = Type::number;
            n.number = t.number;
            return add(std::move(n));
        case Token::Kind::text:
            n.op = Op::text;
            n.type = Type::text;
            return add(std::move(n));
        case Token::Kind::name:
            if (peek().kind == Token::Kind::open) {
                fail(t.pos,
                     fmt::format("unknown function '{}': filters have no functions", t.text));
            }
            n.op = Op::column;
            n.column = data_.find(t.text);
            if (n.column == nullptr) {
                std::string hint = sim::did_you_mean(t.text, data_.names());
                if (hint.empty()) {
                    hint = fmt::format(" (columns: {})", fmt::join(data_.names(), ", "));
                }
                error(t.pos, fmt::format("unknown column \"{}\"{}", t.text, hint));
                n.type = Type::invalid;
            } else {
                n.type =
                    n.column->kind == sim::DataColumn::Kind::numeric ? Type::number : Type::text;
            }
            return add(std::move(n));
        case Token::Kind::open: {
            const std::int32_t inner = either();
            if (peek().kind != Token::Kind::close) {
                fail(peek().pos, fmt::format("expected ')' to close the '(' at column {}, found {}",
                                             t.pos + 1, describe(peek())));
            }
            next();
            nodes_[static_cast<std::size_t>(inner)].start = t.pos;
            return inner;
        }
        default:
            fail(t.pos,
                 fmt::format("expected a column, a number or \"text\", found {}", describe(t)));
        }
    }

    const std::string& text_;
    const sim::DataFrame& data_;
    std::vector<Token> tokens_;
    std::size_t at_ = 0;
    std::vector<Node> nodes_;
    std::vector<std::string> problems_;
};

} // namespace

std::pair<std::vector<Node>, std::int32_t> parse_where(const std::string& text,
                                                       const sim::DataFrame& data) {
    return Parser(text, data).parse();
}

} // namespace tradesim::models::gravity::detail
