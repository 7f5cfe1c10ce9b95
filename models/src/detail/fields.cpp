#include "detail/fields.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace tradesim::models::detail {

Fields::Fields(const sim::SpecNode& table, std::string path, sim::Diagnostics& problems,
               std::vector<std::string> known)
    : table_(table), path_(std::move(path)), problems_(problems), known_(std::move(known)) {}

const sim::SpecNode* Fields::node(const std::string& key) const {
    return table_.find(key);
}

std::string Fields::key_path(const std::string& key) const {
    return path_.empty() ? key : path_ + "." + key;
}

void Fields::error(const std::string& key, const std::string& message) {
    const sim::SpecNode* n = node(key);
    problems_.error(n != nullptr ? n->where() : table_.where(), message);
}

const sim::SpecNode* Fields::typed(const std::string& key, bool required, bool ok_kind,
                                   const char* wanted) {
    const sim::SpecNode* n = node(key);
    if (n == nullptr) {
        if (required) {
            problems_.error(table_.where(), fmt::format("missing required key {}", key_path(key)));
        }
        return nullptr;
    }
    if (!ok_kind) {
        problems_.error(n->where(), fmt::format("{} must be {}, not {}", key_path(key), wanted,
                                                n->kind_name()));
        return nullptr;
    }
    return n;
}

std::optional<std::string> Fields::string(const std::string& key, bool required) {
    const sim::SpecNode* n = node(key);
    if (const auto* t = typed(key, required, n != nullptr && n->is_string(), "a string")) {
        return t->as_string();
    }
    return std::nullopt;
}

std::optional<double> Fields::number(const std::string& key, bool required) {
    const sim::SpecNode* n = node(key);
    if (const auto* t = typed(key, required, n != nullptr && n->is_number(), "a number")) {
        return t->as_number();
    }
    return std::nullopt;
}

std::optional<std::int64_t> Fields::integer(const std::string& key, bool required) {
    const sim::SpecNode* n = node(key);
    if (const auto* t = typed(key, required, n != nullptr && n->is_integer(), "an integer")) {
        return t->as_integer();
    }
    return std::nullopt;
}

std::optional<std::vector<std::pair<std::string, sim::Location>>>
Fields::string_list(const std::string& key, bool required) {
    const sim::SpecNode* n = node(key);
    const bool ok = n != nullptr &&
                    (n->is_string() ||
                     (n->is_array() && std::all_of(n->items().begin(), n->items().end(),
                                                   [](const auto& i) { return i.is_string(); })));
    const auto* t = typed(key, required, ok, "a string or an array of strings");
    if (t == nullptr) {
        return std::nullopt;
    }
    std::vector<std::pair<std::string, sim::Location>> out;
    if (t->is_string()) {
        out.emplace_back(t->as_string(), t->where());
    } else {
        for (const auto& item : t->items()) {
            out.emplace_back(item.as_string(), item.where());
        }
        if (out.empty()) {
            problems_.error(t->where(), fmt::format("{} must not be empty", key_path(key)));
            return std::nullopt;
        }
    }
    return out;
}

void Fields::check_unknown() {
    for (const auto& [key, value] : table_.members()) {
        if (std::find(known_.begin(), known_.end(), key) == known_.end()) {
            problems_.error(value.key_where(), fmt::format("unknown key {}{}", key_path(key),
                                                           sim::did_you_mean(key, known_)));
        }
    }
}

void bounded(Fields& f, const std::string& key, double& out, double lo, double hi, bool open_lo,
             bool open_hi, const char* meaning) {
    const auto v = f.number(key, false);
    if (!v) {
        return;
    }
    const bool ok = (open_lo ? *v > lo : *v >= lo) && (open_hi ? *v < hi : *v <= hi);
    if (!ok) {
        f.error(key, fmt::format("{} = {} must be in {}{}, {}{} ({})", f.key_path(key), *v,
                                 open_lo ? "(" : "[", lo, hi, open_hi ? ")" : "]", meaning));
        return;
    }
    out = *v;
}

} // namespace tradesim::models::detail
