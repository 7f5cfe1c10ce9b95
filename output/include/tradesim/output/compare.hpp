#pragma once
/// Comparison of two runs of the same world, country by country.

#include "tradesim/output/run_store.hpp"

#include <string>

namespace tradesim::output {

struct CompareOptions {
    std::string variable = "welfare_change"; ///< a country variable
    int step = -1;                           ///< -1: the last step both runs have
    int top = 10;                            ///< rows shown, largest differences first; 0 = all
};

/// A text table of `variable` at one step in `base` and `other`, with the difference, largest
/// absolute differences first. Throws InputError when the runs have different countries and
/// UsageError for an unknown variable (with a suggestion) or a step neither run has.
[[nodiscard]] std::string compare_runs(const RunReader& base, const RunReader& other,
                                       const CompareOptions& options);

} // namespace tradesim::output
