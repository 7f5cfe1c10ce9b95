#pragma once
// Pieces shared by the routes of `tradesim counterfactual` (cmd_counterfactual*.cpp).

#include <filesystem>
#include <string>

namespace tradesim::tools {

/// A data file's name without its folder and all its extensions ("a/b.csv.gz" -> "b"): the
/// scenario name of a result file solved from data.
inline std::string data_stem(const std::string& path) {
    std::filesystem::path stem = std::filesystem::path(path).filename();
    while (stem.has_extension()) {
        stem = stem.stem();
    }
    return stem.string();
}

} // namespace tradesim::tools
