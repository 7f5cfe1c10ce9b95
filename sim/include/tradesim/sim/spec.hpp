#pragma once
/// A parsed configuration file (TOML) as a frozen tree of values that remember where in the
/// file they came from, so that later checks can report `file:line:column`.
/// toml++ stays inside sim; the rest of tradesim sees only SpecNode.

#include "tradesim/sim/diagnostics.hpp"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace tradesim::sim {

class SpecNode {
public:
    enum class Kind { table, array, string, integer, floating, boolean };

    SpecNode() = default;
    static SpecNode make_table(Location where);
    static SpecNode make_array(Location where);
    static SpecNode make_string(std::string value, Location where);
    static SpecNode make_integer(std::int64_t value, Location where);
    static SpecNode make_floating(double value, Location where);
    static SpecNode make_boolean(bool value, Location where);

    [[nodiscard]] Kind kind() const noexcept { return kind_; }
    [[nodiscard]] const Location& where() const noexcept { return where_; }
    /// Where the key naming this node stands (table members); where() otherwise.
    [[nodiscard]] const Location& key_where() const noexcept {
        return key_where_.line != 0 ? key_where_ : where_;
    }
    void set_key_where(Location where) { key_where_ = std::move(where); }
    [[nodiscard]] bool is_table() const noexcept { return kind_ == Kind::table; }
    [[nodiscard]] bool is_array() const noexcept { return kind_ == Kind::array; }
    [[nodiscard]] bool is_string() const noexcept { return kind_ == Kind::string; }
    [[nodiscard]] bool is_integer() const noexcept { return kind_ == Kind::integer; }
    /// Integers count as numbers too.
    [[nodiscard]] bool is_number() const noexcept {
        return kind_ == Kind::integer || kind_ == Kind::floating;
    }
    [[nodiscard]] bool is_boolean() const noexcept { return kind_ == Kind::boolean; }
    /// "table", "array", "string", "integer", "float" or "boolean", for messages.
    [[nodiscard]] const char* kind_name() const noexcept;

    [[nodiscard]] const std::string& as_string() const noexcept { return text_; }
    [[nodiscard]] std::int64_t as_integer() const noexcept { return integer_; }
    [[nodiscard]] double as_number() const noexcept;
    [[nodiscard]] bool as_boolean() const noexcept { return integer_ != 0; }

    /// Table members in file order.
    [[nodiscard]] const std::vector<std::pair<std::string, SpecNode>>& members() const noexcept {
        return members_;
    }
    /// Member `key` of a table, or nullptr.
    [[nodiscard]] const SpecNode* find(const std::string& key) const noexcept;
    /// Array items in file order.
    [[nodiscard]] const std::vector<SpecNode>& items() const noexcept { return items_; }

    /// Adds or replaces a table member.
    void set(const std::string& key, SpecNode value);
    void push_back(SpecNode value);
    void erase(const std::string& key);

private:
    Kind kind_ = Kind::table;
    Location where_;
    Location key_where_;
    std::string text_;
    std::int64_t integer_ = 0;
    double floating_ = 0.0;
    std::vector<std::pair<std::string, SpecNode>> members_;
    std::vector<SpecNode> items_;
};

/// Parses TOML text; `name` is the file name used in locations. Throws InputError
/// (`name:line:column: error: ...`) when the text is not valid TOML. TOML dates and times
/// become strings in their ISO form.
[[nodiscard]] SpecNode parse_spec(const std::string& text, const std::string& name);

/// Reads and parses a TOML file; throws IoError when it cannot be read.
[[nodiscard]] SpecNode parse_spec_file(const std::string& path);

/// Layers `over` on `base`: tables merge key by key, arrays of tables are appended
/// (so a scenario that extends another adds to its policy timeline), anything else is
/// replaced by the value from `over`.
[[nodiscard]] SpecNode merge_specs(const SpecNode& base, const SpecNode& over);

/// Writes the tree back as TOML (used to store the resolved scenario with a run).
[[nodiscard]] std::string to_toml(const SpecNode& node);

} // namespace tradesim::sim
