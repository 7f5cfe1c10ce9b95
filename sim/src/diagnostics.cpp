#include "tradesim/sim/diagnostics.hpp"

#include "tradesim/sim/error.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace tradesim::sim {

std::string Location::str() const {
    if (line == 0) {
        return file;
    }
    if (column == 0) {
        return fmt::format("{}:{}", file, line);
    }
    return fmt::format("{}:{}:{}", file, line, column);
}

void Diagnostics::error(const Location& where, std::string message) {
    errors_.push_back({where, std::move(message)});
}

std::string Diagnostics::format() const {
    std::string out;
    for (const auto& d : errors_) {
        out += fmt::format("{}: error: {}\n", d.where.str(), d.message);
    }
    if (!out.empty()) {
        out.pop_back();
    }
    return out;
}

void Diagnostics::throw_if_any() const {
    if (!errors_.empty()) {
        throw InputError(format());
    }
}

void Diagnostics::append(const Diagnostics& other) {
    errors_.insert(errors_.end(), other.errors_.begin(), other.errors_.end());
}

namespace {

std::size_t edit_distance(const std::string& a, const std::string& b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) {
        row[j] = j;
    }
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diag = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t up = row[j];
            const bool same = std::tolower(static_cast<unsigned char>(a[i - 1])) ==
                              std::tolower(static_cast<unsigned char>(b[j - 1]));
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (same ? 0 : 1)});
            diag = up;
        }
    }
    return row[b.size()];
}

} // namespace

std::string closest_match(const std::string& word, const std::vector<std::string>& candidates) {
    std::string best;
    std::size_t best_distance = std::max<std::size_t>(2, word.size() / 3) + 1;
    for (const auto& c : candidates) {
        const std::size_t d = edit_distance(word, c);
        if (d < best_distance) {
            best_distance = d;
            best = c;
        }
    }
    return best;
}

std::string did_you_mean(const std::string& word, const std::vector<std::string>& candidates) {
    const std::string m = closest_match(word, candidates);
    return m.empty() ? std::string{} : fmt::format(" (did you mean \"{}\"?)", m);
}

std::string caret_message(const std::string& source, const std::string& text, std::size_t pos,
                          const std::string& message) {
    pos = std::min(pos, text.size());
    const std::size_t newline = pos == 0 ? std::string::npos : text.rfind('\n', pos - 1);
    const std::size_t begin = newline == std::string::npos ? 0 : newline + 1;
    const std::size_t end = std::min(text.find('\n', pos), text.size());
    const auto line = 1 + std::count(text.begin(), text.begin() + static_cast<long>(begin), '\n');
    std::string pad;
    for (std::size_t i = begin; i < pos; ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if ((c & 0xC0U) != 0x80U) {
            pad += c == '\t' ? '\t' : ' ';
        }
    }
    return fmt::format("{}:{}:{}: error: {}\n  {}\n  {}^", source, line, pos - begin + 1, message,
                       text.substr(begin, end - begin), pad);
}

} // namespace tradesim::sim
