#pragma once
// Country or sector codes of a policy table ("USA", ["DEU", "FRA"] or "all"), resolved to
// indices with every unknown code reported.

#include "detail/fields.hpp"

#include <optional>
#include <string>
#include <vector>

namespace tradesim::models::detail {

struct Codes {
    std::vector<std::size_t> index;
    std::vector<std::string> names;
    std::string label; ///< "USA", "all" or "DEU;FRA"
};

/// Resolves `key` of `f` against `known`; an absent key means every code unless `required`.
std::optional<Codes> resolve(Fields& f, const std::string& key, bool required,
                             const std::vector<std::string>& known, const char* what);

} // namespace tradesim::models::detail
