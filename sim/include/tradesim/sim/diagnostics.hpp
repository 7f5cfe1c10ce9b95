#pragma once
/// Source locations and a collector of problems found in an input file, so that a user sees
/// every problem at once rather than only the first.

#include <cstdint>
#include <string>
#include <vector>

namespace tradesim::sim {

/// A place in a text file; line and column start at 1, 0 means unknown.
struct Location {
    std::string file;
    std::uint32_t line = 0;
    std::uint32_t column = 0;

    /// `file:line:column`, or fewer parts when they are unknown.
    [[nodiscard]] std::string str() const;
};

struct Diagnostic {
    Location where;
    std::string message;
};

/// Collects errors; throws them all together as one InputError.
class Diagnostics {
public:
    void error(const Location& where, std::string message);
    [[nodiscard]] bool empty() const noexcept { return errors_.empty(); }
    [[nodiscard]] const std::vector<Diagnostic>& errors() const noexcept { return errors_; }
    /// One line per problem: `file:line:column: error: message`, in the order found.
    [[nodiscard]] std::string format() const;
    /// Throws InputError with format() when any error was recorded.
    void throw_if_any() const;
    void append(const Diagnostics& other);

private:
    std::vector<Diagnostic> errors_;
};

/// Closest candidate by edit distance, or "" when none is close enough to suggest.
[[nodiscard]] std::string closest_match(const std::string& word,
                                        const std::vector<std::string>& candidates);

/// ` (did you mean "x"?)` or "" — ready to append to a message.
[[nodiscard]] std::string did_you_mean(const std::string& word,
                                       const std::vector<std::string>& candidates);

/// `source:line:column: error: message`, then the offending line of `text` and a caret under
/// byte `pos` (tabs kept, UTF-8 continuation bytes skipped so the caret lines up), for
/// one-line languages such as formulas and filters.
[[nodiscard]] std::string caret_message(const std::string& source, const std::string& text,
                                        std::size_t pos, const std::string& message);

} // namespace tradesim::sim
