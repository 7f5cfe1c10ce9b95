#pragma once
// Reads the fields of one scenario or world table, recording every problem with its location
// and key path, and reporting keys nobody asked for as unknown (with a suggestion).

#include "tradesim/sim/diagnostics.hpp"
#include "tradesim/sim/spec.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace tradesim::models::detail {

class Fields {
public:
    /// `path` is the table's key path ("" at the top level); `known` every key it may hold.
    Fields(const sim::SpecNode& table, std::string path, sim::Diagnostics& problems,
           std::vector<std::string> known);

    [[nodiscard]] const sim::SpecNode* node(const std::string& key) const;
    [[nodiscard]] std::string key_path(const std::string& key) const;
    [[nodiscard]] const sim::Location& where() const noexcept { return table_.where(); }
    [[nodiscard]] sim::Diagnostics& problems() noexcept { return problems_; }

    std::optional<std::string> string(const std::string& key, bool required);
    std::optional<double> number(const std::string& key, bool required);
    std::optional<std::int64_t> integer(const std::string& key, bool required);
    /// A string, or an array of strings; nullopt (with an error) for anything else.
    std::optional<std::vector<std::pair<std::string, sim::Location>>>
    string_list(const std::string& key, bool required);

    void error(const std::string& key, const std::string& message);
    /// Reports keys of the table that are not in `known`.
    void check_unknown();

private:
    const sim::SpecNode* typed(const std::string& key, bool required, bool ok_kind,
                               const char* wanted);

    const sim::SpecNode& table_;
    std::string path_;
    sim::Diagnostics& problems_;
    std::vector<std::string> known_;
};

/// Reads the optional number `key` into `out` when it lies between lo and hi (open or closed at
/// either end); otherwise an error naming the range and what the number means.
void bounded(Fields& f, const std::string& key, double& out, double lo, double hi, bool open_lo,
             bool open_hi, const char* meaning);

} // namespace tradesim::models::detail
