// The `--where` lexer: text to tokens (detail/where_ast.hpp).

#include "gravity/detail/lexing.hpp"
#include "gravity/detail/where_ast.hpp"
#include "tradesim/sim/error.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <fmt/format.h>
#include <iterator>
#include <string_view>
#include <utility>

namespace tradesim::models::gravity::detail {

std::vector<Token> lex_where(const std::string& text) {
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

} // namespace tradesim::models::gravity::detail
