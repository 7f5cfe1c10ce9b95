#include "detail/codes.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace tradesim::models::detail {

std::optional<Codes> resolve(detail::Fields& f, const std::string& key, bool required,
                             const std::vector<std::string>& known, const char* what) {
    const auto list = f.string_list(key, required);
    if (!list) {
        if (required) {
            return std::nullopt;
        }
        Codes all;
        all.label = "all";
        for (std::size_t i = 0; i < known.size(); ++i) {
            all.index.push_back(i);
            all.names.push_back(known[i]);
        }
        return all;
    }
    Codes out;
    bool ok = true;
    for (const auto& [code, where] : *list) {
        if (code == "all" && list->size() == 1) {
            for (std::size_t i = 0; i < known.size(); ++i) {
                out.index.push_back(i);
                out.names.push_back(known[i]);
            }
            out.label = "all";
            return out;
        }
        const auto it = std::find(known.begin(), known.end(), code);
        if (it == known.end()) {
            f.problems().error(where, fmt::format("unknown {} \"{}\" in {}{}", what, code,
                                                  f.key_path(key), sim::did_you_mean(code, known)));
            ok = false;
            continue;
        }
        out.index.push_back(static_cast<std::size_t>(it - known.begin()));
        out.names.push_back(code);
        out.label += (out.label.empty() ? "" : ";") + code;
    }
    if (!ok) {
        return std::nullopt;
    }
    return out;
}

} // namespace tradesim::models::detail
