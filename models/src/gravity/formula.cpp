#include "tradesim/models/gravity/formula.hpp"

#include "gravity/detail/lexing.hpp"
#include "tradesim/sim/diagnostics.hpp"
#include "tradesim/sim/error.hpp"

#include <algorithm>
#include <cctype>
#include <fmt/format.h>
#include <type_traits>
#include <utility>

namespace tradesim::models::gravity {

namespace {

using detail::digit;
using detail::name_char;
using detail::name_start;

// `formula:line:column: error: message`, the line of text and a caret under `pos`.
std::string located(const std::string& text, std::size_t pos, const std::string& message) {
    return sim::caret_message("formula", text, pos, message);
}

struct Token {
    enum class Kind { name, number, tilde, plus, bar, hat, open, close, other, end };
    Kind kind = Kind::end;
    std::string text;
    std::size_t pos = 0;
};

std::vector<Token> lex(const std::string& text) {
    std::vector<Token> out;
    std::size_t i = 0;
    while (i < text.size()) {
        const char c = text[i];
        if (std::isspace(static_cast<unsigned char>(c)) != 0) {
            ++i;
            continue;
        }
        const std::size_t start = i;
        Token::Kind kind = Token::Kind::other;
        if (name_start(c)) {
            while (i < text.size() && name_char(text[i])) {
                ++i;
            }
            kind = Token::Kind::name;
        } else if (digit(c)) {
            while (i < text.size() && name_char(text[i])) {
                ++i;
            }
            kind = Token::Kind::number;
        } else {
            ++i;
            switch (c) {
            case '~':
                kind = Token::Kind::tilde;
                break;
            case '+':
                kind = Token::Kind::plus;
                break;
            case '|':
                kind = Token::Kind::bar;
                break;
            case '^':
                kind = Token::Kind::hat;
                break;
            case '(':
                kind = Token::Kind::open;
                break;
            case ')':
                kind = Token::Kind::close;
                break;
            default:
                // Keep a whole UTF-8 character together for the message.
                while (i < text.size() && (static_cast<unsigned char>(text[i]) & 0xC0U) == 0x80U) {
                    ++i;
                }
                break;
            }
        }
        out.push_back({kind, text.substr(start, i - start), start});
    }
    out.push_back({Token::Kind::end, {}, text.size()});
    return out;
}

class Parser {
public:
    explicit Parser(const std::string& text) : text_(text), tokens_(lex(text)) {}

    Formula parse() {
        Formula f;
        if (peek().kind == Token::Kind::end) {
            fail(0, "the formula is empty (expected e.g. \"trade ~ log(dist) | exporter^year\")");
        }
        const Token response = next();
        if (response.kind != Token::Kind::name) {
            fail(response.pos, fmt::format("expected the response column at the start of the "
                                           "formula, found {}",
                                           describe(response)));
        }
        if (peek().kind == Token::Kind::open) {
            fail(response.pos, fmt::format("the response must be a bare column name, not {}(...)",
                                           response.text));
        }
        f.response = response.text;
        if (peek().kind != Token::Kind::tilde) {
            fail(peek().pos, fmt::format("expected '~' after the response \"{}\", found {}",
                                         f.response, describe(peek())));
        }
        next();

        const std::size_t rhs = peek().pos;
        std::vector<std::size_t> term_pos;
        std::string after = "'~'";
        while (true) {
            const Token t = next();
            if (t.kind == Token::Kind::number && t.text == "1") {
                // `1` is the intercept, always present (or absorbed by the fixed effects).
            } else if (t.kind == Token::Kind::name) {
                Term term =
                    peek().kind == Token::Kind::open ? function(t) : Term{t.text, t.text, false};
                add_unique(f.regressors, term_pos, std::move(term), t.pos);
            } else {
                fail(t.pos, fmt::format("expected a column name{} after {}",
                                        after == "'~'" ? " or 1" : "", after));
            }
            if (peek().kind != Token::Kind::plus) {
                break;
            }
            next();
            after = "'+'";
        }

        if (peek().kind == Token::Kind::bar) {
            next();
            std::vector<std::size_t> fe_pos;
            after = "'|'";
            while (true) {
                const std::size_t pos = peek().pos;
                FixedEffect fe = fixed_effect(after);
                add_unique(f.fixed_effects, fe_pos, std::move(fe), pos);
                if (peek().kind != Token::Kind::plus) {
                    break;
                }
                next();
                after = "'+'";
            }
            if (peek().kind != Token::Kind::end) {
                unexpected("expected '+' or the end of the formula");
            }
        } else if (peek().kind != Token::Kind::end) {
            unexpected("expected '+', '|' or the end of the formula");
        }

        if (f.regressors.empty() && f.fixed_effects.empty()) {
            error(rhs, "the formula needs at least one regressor or fixed effect");
        }
        throw_if_any();

        std::vector<std::string> labels;
        for (const auto& t : f.regressors) {
            labels.push_back(t.label);
        }
        // The intercept adds nothing to a model with regressors: print it only when alone.
        f.text = fmt::format("{} ~ {}", f.response,
                             labels.empty() ? std::string("1")
                                            : fmt::format("{}", fmt::join(labels, " + ")));
        if (!f.fixed_effects.empty()) {
            labels.clear();
            for (const auto& fe : f.fixed_effects) {
                labels.push_back(fe.label);
            }
            f.text += fmt::format(" | {}", fmt::join(labels, " + "));
        }
        return f;
    }

private:
    const Token& peek() const { return tokens_[at_]; }
    Token next() {
        const Token t = tokens_[at_];
        if (t.kind != Token::Kind::end) {
            ++at_;
        }
        return t;
    }

    static std::string describe(const Token& t) {
        return t.kind == Token::Kind::end ? std::string("the end of the formula")
                                          : fmt::format("'{}'", t.text);
    }

    void error(std::size_t pos, const std::string& message) {
        problems_.push_back(located(text_, pos, message));
    }
    void throw_if_any() const {
        if (!problems_.empty()) {
            throw sim::InputError(fmt::format("{}", fmt::join(problems_, "\n")));
        }
    }
    // A syntax error: nothing after it can be trusted, so stop with what was found so far.
    [[noreturn]] void fail(std::size_t pos, const std::string& message) {
        error(pos, message);
        throw sim::InputError(fmt::format("{}", fmt::join(problems_, "\n")));
    }
    [[noreturn]] void unexpected(const std::string& expected) {
        if (peek().kind == Token::Kind::close) {
            fail(peek().pos, "')' without a matching '('");
        }
        fail(peek().pos, fmt::format("unexpected {}: {}", describe(peek()), expected));
    }

    // `name(column)`, with `name` already read and '(' next.
    Term function(const Token& name) {
        const Token open = next();
        const Token arg = next();
        if (arg.kind != Token::Kind::name) {
            fail(arg.pos, fmt::format("expected a column name inside {}(...), found {}", name.text,
                                      describe(arg)));
        }
        if (peek().kind == Token::Kind::open) {
            fail(peek().pos,
                 fmt::format("functions cannot be nested: {}({}(...))", name.text, arg.text));
        }
        if (peek().kind != Token::Kind::close) {
            fail(peek().pos, fmt::format("expected ')' to close the '(' at column {}, found {}",
                                         open.pos + 1, describe(peek())));
        }
        next();
        if (name.text != "log") {
            error(name.pos, fmt::format("unknown function '{}' (known: log)", name.text));
        }
        return {fmt::format("{}({})", name.text, arg.text), arg.text, true};
    }

    FixedEffect fixed_effect(const std::string& after) {
        FixedEffect fe;
        std::vector<std::size_t> pos;
        std::string context = after;
        std::string expected = "a fixed-effect column";
        while (true) {
            const Token t = next();
            if (t.kind != Token::Kind::name) {
                fail(t.pos, fmt::format("expected {} after {}", expected, context));
            }
            if (peek().kind == Token::Kind::open) {
                fail(t.pos, fmt::format("fixed effects are columns or interactions such as a^b, "
                                        "not {}(...)",
                                        t.text));
            }
            const auto seen = std::find(fe.columns.begin(), fe.columns.end(), t.text);
            if (seen != fe.columns.end()) {
                error(t.pos,
                      fmt::format("column \"{}\" appears twice in one interaction (first at "
                                  "column {})",
                                  t.text,
                                  pos[static_cast<std::size_t>(seen - fe.columns.begin())] + 1));
            }
            fe.columns.push_back(t.text);
            pos.push_back(t.pos);
            if (peek().kind != Token::Kind::hat) {
                break;
            }
            next();
            context = "'^'";
            expected = "a column name";
        }
        fe.label = fmt::format("{}", fmt::join(fe.columns, "^"));
        return fe;
    }

    static bool same(const Term& a, const Term& b) { return a.label == b.label; }
    static bool same(const FixedEffect& a, const FixedEffect& b) {
        auto x = a.columns;
        auto y = b.columns;
        std::sort(x.begin(), x.end());
        std::sort(y.begin(), y.end());
        return x == y;
    }

    template <class T>
    void add_unique(std::vector<T>& items, std::vector<std::size_t>& positions, T item,
                    std::size_t pos) {
        const char* kind = std::is_same_v<T, Term> ? "regressor" : "fixed effect";
        for (std::size_t k = 0; k < items.size(); ++k) {
            if (same(items[k], item)) {
                error(pos, items[k].label == item.label
                               ? fmt::format("duplicate {} {} (first at column {})", kind,
                                             item.label, positions[k] + 1)
                               : fmt::format("duplicate {} {} (same as {} at column {})", kind,
                                             item.label, items[k].label, positions[k] + 1));
                return;
            }
        }
        items.push_back(std::move(item));
        positions.push_back(pos);
    }

    const std::string& text_;
    std::vector<Token> tokens_;
    std::size_t at_ = 0;
    std::vector<std::string> problems_;
};

} // namespace

Formula parse_formula(const std::string& text) {
    return Parser(text).parse();
}

} // namespace tradesim::models::gravity
