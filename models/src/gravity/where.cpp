#include "tradesim/models/gravity/where.hpp"

#include "tradesim/sim/diagnostics.hpp"
#include "tradesim/sim/error.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <fmt/format.h>
#include <functional>
#include <string_view>
#include <utility>

namespace tradesim::models::gravity {

namespace {

// `where:line:column: error: message`, the line of text and a caret under `pos`.
std::string located(const std::string& text, std::size_t pos, const std::string& message) {
    return sim::caret_message("where", text, pos, message);
}

bool name_start(char c) {
    return std::isalpha(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '.';
}
bool name_char(char c) {
    return name_start(c) || std::isdigit(static_cast<unsigned char>(c)) != 0;
}
bool digit(char c) {
    return std::isdigit(static_cast<unsigned char>(c)) != 0;
}

struct Token {
    enum class Kind { name, number, text, op, open, close, end };
    Kind kind = Kind::end;
    std::string text; ///< as written; for a string literal, its unescaped content
    std::size_t pos = 0;
    double number = 0.0;
};

std::vector<Token> lex(const std::string& text) {
    const auto fail = [&](std::size_t pos, const std::string& message) {
        throw sim::InputError(located(text, pos, message));
    };
    std::vector<Token> out;
    std::size_t i = 0;
    while (i < text.size()) {
        const char c = text[i];
        const std::size_t start = i;
        if (std::isspace(static_cast<unsigned char>(c)) != 0) {
            ++i;
        } else if (digit(c) || (c == '.' && i + 1 < text.size() && digit(text[i + 1]))) {
            double v = 0.0;
            const auto [end, ec] = std::from_chars(text.data() + i, text.data() + text.size(), v);
            i = static_cast<std::size_t>(end - text.data());
            if (ec != std::errc{} || (i < text.size() && name_char(text[i]))) {
                while (i < text.size() && name_char(text[i])) {
                    ++i;
                }
                fail(start, fmt::format("invalid number '{}'", text.substr(start, i - start)));
            }
            out.push_back({Token::Kind::number, text.substr(start, i - start), start, v});
        } else if (name_start(c)) {
            while (i < text.size() && name_char(text[i])) {
                ++i;
            }
            out.push_back({Token::Kind::name, text.substr(start, i - start), start});
        } else if (c == '"') {
            std::string value;
            ++i;
            while (i < text.size() && text[i] != '"') {
                if (text[i] == '\\' && i + 1 < text.size()) {
                    ++i;
                }
                value += text[i++];
            }
            if (i == text.size()) {
                fail(start, "unterminated text: a '\"' is missing");
            }
            ++i;
            out.push_back({Token::Kind::text, std::move(value), start});
        } else if (c == '\'') {
            fail(start, "text goes in double quotes: \"USA\", not 'USA'");
        } else if (c == '(' || c == ')') {
            ++i;
            out.push_back({c == '(' ? Token::Kind::open : Token::Kind::close, {c}, start});
        } else {
            const std::string_view rest(text.data() + i, text.size() - i);
            static constexpr std::string_view ops[] = {"==", "!=", "<=", ">=", "&&", "||", "<",
                                                       ">",  "!",  "+",  "-",  "*",  "/",  "%"};
            const auto* op = std::find_if(std::begin(ops), std::end(ops), [&](std::string_view o) {
                return rest.substr(0, o.size()) == o;
            });
            if (op == std::end(ops)) {
                if (c == '=') {
                    fail(start, "'=' is not an operator: write '==' to compare");
                }
                if (c == '&' || c == '|') {
                    fail(start, fmt::format("write '{0}{0}' for {1}", c, c == '&' ? "and" : "or"));
                }
                std::size_t n = 1;
                while (i + n < text.size() &&
                       (static_cast<unsigned char>(text[i + n]) & 0xC0U) == 0x80U) {
                    ++n;
                }
                fail(start, fmt::format("unexpected character '{}'", text.substr(i, n)));
            }
            i += op->size();
            out.push_back({Token::Kind::op, std::string(*op), start});
        }
    }
    out.push_back({Token::Kind::end, {}, text.size()});
    return out;
}

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
    const sim::DataColumn* column = nullptr;
    std::size_t pos = 0;   ///< the operator or the leaf, for messages
    std::size_t start = 0; ///< where the whole expression starts
};

// Builds the tree and checks types as it goes, so every problem has its position. Unknown
// columns and type errors are collected and parsing goes on; a syntax error stops it.
class Parser {
public:
    Parser(const std::string& text, const sim::DataFrame& data)
        : text_(text), data_(data), tokens_(lex(text)) {}

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

    std::int32_t either() {
        std::int32_t lhs = both();
        while (peek_op("||")) {
            const Token op = next();
            lhs = logical(Op::either, op, lhs, both());
        }
        return lhs;
    }
    std::int32_t both() {
        std::int32_t lhs = negation();
        while (peek_op("&&")) {
            const Token op = next();
            lhs = logical(Op::both, op, lhs, negation());
        }
        return lhs;
    }
    std::int32_t logical(Op op, const Token& token, std::int32_t lhs, std::int32_t rhs) {
        for (const auto& [id, side] : {std::pair{lhs, "left"}, std::pair{rhs, "right"}}) {
            if (wrong(id, Type::condition)) {
                error(token.pos, fmt::format("'{}' joins conditions, but its {} side is {}",
                                             token.text, side, what(node(id))));
            }
        }
        return binary(op, Type::condition, lhs, rhs, token.pos);
    }
    std::int32_t negation() {
        if (!peek_op("!")) {
            return comparison();
        }
        const Token op = next();
        const std::int32_t operand = negation();
        if (wrong(operand, Type::condition)) {
            error(op.pos, fmt::format("'!' needs a condition, but found {}", what(node(operand))));
        }
        Node n;
        n.op = Op::negation;
        n.type = Type::condition;
        n.lhs = operand;
        n.pos = op.pos;
        n.start = op.pos;
        return add(std::move(n));
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

    std::int32_t arithmetic(Op op, const Token& token, std::int32_t lhs, std::int32_t rhs) {
        for (const auto& [id, side] : {std::pair{lhs, "left"}, std::pair{rhs, "right"}}) {
            if (wrong(id, Type::number)) {
                error(token.pos, fmt::format("'{}' needs numbers, but its {} side is {}",
                                             token.text, side, what(node(id))));
            }
        }
        return binary(op, Type::number, lhs, rhs, token.pos);
    }
    std::int32_t additive() {
        std::int32_t lhs = multiplicative();
        while (peek_op("+") || peek_op("-")) {
            const Token op = next();
            lhs = arithmetic(op.text == "+" ? Op::add : Op::subtract, op, lhs, multiplicative());
        }
        return lhs;
    }
    std::int32_t multiplicative() {
        std::int32_t lhs = unary();
        while (peek_op("*") || peek_op("/") || peek_op("%")) {
            const Token op = next();
            const Op o = op.text == "*" ? Op::multiply : op.text == "/" ? Op::divide : Op::modulo;
            lhs = arithmetic(o, op, lhs, unary());
        }
        return lhs;
    }
    std::int32_t unary() {
        if (!peek_op("-")) {
            return primary();
        }
        const Token op = next();
        const std::int32_t operand = unary();
        if (wrong(operand, Type::number)) {
            error(op.pos, fmt::format("'-' needs a number, but found {}", what(node(operand))));
        }
        Node n;
        n.op = Op::negate;
        n.type = Type::number;
        n.lhs = operand;
        n.pos = op.pos;
        n.start = op.pos;
        return add(std::move(n));
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

using Flags = std::vector<unsigned char>;

// A numeric value over all rows: a constant, a column read in place, or a computed vector.
struct Numbers {
    bool constant = false;
    double value = 0.0;
    const double* borrowed = nullptr;
    std::vector<double> owned;
    [[nodiscard]] const double* data() const {
        return borrowed != nullptr ? borrowed : owned.data();
    }
};

// Evaluates one node at a time over every row (a loop per node, not a tree walk per row), so
// that a million rows cost a few passes over contiguous arrays.
class Evaluator {
public:
    Evaluator(const std::vector<Node>& nodes, std::size_t rows) : nodes_(nodes), rows_(rows) {}

    Flags condition(std::int32_t id) const {
        const Node& n = node(id);
        switch (n.op) {
        case Op::both:
        case Op::either: {
            Flags a = condition(n.lhs);
            const Flags b = condition(n.rhs);
            if (n.op == Op::both) {
                for (std::size_t i = 0; i < rows_; ++i) {
                    a[i] = static_cast<unsigned char>(a[i] & b[i]);
                }
            } else {
                for (std::size_t i = 0; i < rows_; ++i) {
                    a[i] = static_cast<unsigned char>(a[i] | b[i]);
                }
            }
            return a;
        }
        case Op::negation: {
            Flags a = condition(n.lhs);
            for (auto& v : a) {
                v = static_cast<unsigned char>(v ^ 1U);
            }
            return a;
        }
        default:
            return with_comparison(n.op, [&](auto cmp) {
                return node(n.lhs).type == Type::number
                           ? compare(numbers(n.lhs), numbers(n.rhs), cmp)
                           : compare_text(node(n.lhs), node(n.rhs), cmp);
            });
        }
    }

private:
    const Node& node(std::int32_t id) const { return nodes_[static_cast<std::size_t>(id)]; }

    template <class Visit> static Flags with_comparison(Op op, Visit visit) {
        switch (op) {
        case Op::eq:
            return visit(std::equal_to<>{});
        case Op::ne:
            return visit(std::not_equal_to<>{});
        case Op::lt:
            return visit(std::less<>{});
        case Op::le:
            return visit(std::less_equal<>{});
        case Op::gt:
            return visit(std::greater<>{});
        default:
            return visit(std::greater_equal<>{});
        }
    }

    Numbers numbers(std::int32_t id) const {
        const Node& n = node(id);
        Numbers out;
        switch (n.op) {
        case Op::column:
            out.borrowed = n.column->numbers.data();
            return out;
        case Op::number:
            out.constant = true;
            out.value = n.number;
            return out;
        case Op::negate: {
            Numbers zero;
            zero.constant = true;
            return arithmetic(zero, numbers(n.lhs), std::minus<>{});
        }
        case Op::add:
            return arithmetic(numbers(n.lhs), numbers(n.rhs), std::plus<>{});
        case Op::subtract:
            return arithmetic(numbers(n.lhs), numbers(n.rhs), std::minus<>{});
        case Op::multiply:
            return arithmetic(numbers(n.lhs), numbers(n.rhs), std::multiplies<>{});
        case Op::divide:
            return arithmetic(numbers(n.lhs), numbers(n.rhs), std::divides<>{});
        default:
            return arithmetic(numbers(n.lhs), numbers(n.rhs),
                              [](double x, double y) { return std::fmod(x, y); });
        }
    }

    // Calls f(x, y) for every row, with separate loops for constant sides so that each loop
    // is a plain pass over arrays.
    template <class Out, class F>
    void each_row(const Numbers& a, const Numbers& b, Out* out, F f) const {
        if (a.constant && b.constant) {
            std::fill(out, out + rows_, f(a.value, b.value));
        } else if (a.constant) {
            const double* y = b.data();
            for (std::size_t i = 0; i < rows_; ++i) {
                out[i] = f(a.value, y[i]);
            }
        } else if (b.constant) {
            const double* x = a.data();
            for (std::size_t i = 0; i < rows_; ++i) {
                out[i] = f(x[i], b.value);
            }
        } else {
            const double* x = a.data();
            const double* y = b.data();
            for (std::size_t i = 0; i < rows_; ++i) {
                out[i] = f(x[i], y[i]);
            }
        }
    }

    template <class F> Numbers arithmetic(const Numbers& a, const Numbers& b, F f) const {
        Numbers out;
        if (a.constant && b.constant) {
            out.constant = true;
            out.value = f(a.value, b.value);
            return out;
        }
        out.owned.resize(rows_);
        each_row(a, b, out.owned.data(), [f](double x, double y) -> double { return f(x, y); });
        return out;
    }

    // NaN is missing: every comparison with it is false, != included.
    template <class F> Flags compare(const Numbers& a, const Numbers& b, F f) const {
        Flags out(rows_);
        each_row(a, b, out.data(), [f](double x, double y) {
            return static_cast<unsigned char>(!std::isnan(x) && !std::isnan(y) && f(x, y));
        });
        return out;
    }

    // Text compares by characters: each side's levels get their rank in the sorted union of
    // both sides' levels, so codes from different level lists become comparable.
    template <class F> Flags compare_text(const Node& a, const Node& b, F f) const {
        const auto levels = [](const Node& n) {
            std::vector<std::string_view> out;
            if (n.op == Op::column) {
                out.assign(n.column->levels.begin(), n.column->levels.end());
            } else {
                out.emplace_back(n.text);
            }
            return out;
        };
        const auto la = levels(a);
        const auto lb = levels(b);
        std::vector<std::string_view> all(la);
        all.insert(all.end(), lb.begin(), lb.end());
        std::sort(all.begin(), all.end());
        all.erase(std::unique(all.begin(), all.end()), all.end());
        const auto ranks = [&](const std::vector<std::string_view>& ls) {
            std::vector<std::int32_t> out;
            for (const auto& l : ls) {
                out.push_back(static_cast<std::int32_t>(
                    std::lower_bound(all.begin(), all.end(), l) - all.begin()));
            }
            return out;
        };
        const auto ra = ranks(la);
        const auto rb = ranks(lb);
        const std::int32_t* ca = a.op == Op::column ? a.column->codes.data() : nullptr;
        const std::int32_t* cb = b.op == Op::column ? b.column->codes.data() : nullptr;
        Flags out(rows_);
        for (std::size_t i = 0; i < rows_; ++i) {
            const std::int32_t x = ca != nullptr ? ca[i] : 0;
            const std::int32_t y = cb != nullptr ? cb[i] : 0;
            out[i] = static_cast<unsigned char>(
                x >= 0 && y >= 0 &&
                f(ra[static_cast<std::size_t>(x)], rb[static_cast<std::size_t>(y)]));
        }
        return out;
    }

    const std::vector<Node>& nodes_;
    std::size_t rows_;
};

} // namespace

std::vector<unsigned char> evaluate_where(const std::string& expression,
                                          const sim::DataFrame& data) {
    const auto [nodes, root] = Parser(expression, data).parse();
    return Evaluator(nodes, data.rows()).condition(root);
}

} // namespace tradesim::models::gravity
