#pragma once
/// The result file of a general-equilibrium counterfactual (`tradesim counterfactual --out`):
/// a run file (format "tradesim-run", see run_store.hpp) with two steps, dated "baseline"
/// and "counterfactual", so that `tradesim inspect` and `tradesim export` read it unchanged.
///
/// Beyond a run file's layout:
///   /   attributes: kind = "counterfactual", iterations, max_excess_demand, and one string
///       attribute per entry of Equilibrium::solved (method, theta, imbalances, data, ...)
///   /metadata/scenario_text   a description of what was solved, one `key = value` a line
/// The seed is 0, calendar_start is "", step_length is "equilibrium", the events are empty,
/// and steps/solver_iterations holds 0 for the baseline and the solver's iterations for the
/// counterfactual.

#include <string>
#include <utility>
#include <vector>

namespace tradesim::output {

/// One equilibrium pair, in plain vectors (n countries, K sectors).
struct Equilibrium {
    std::vector<std::string> countries; ///< n codes
    std::vector<std::string> sectors;   ///< K codes; empty = one sector, "all"
    /// A country variable with its baseline and counterfactual values (n each).
    struct Variable {
        std::string name;
        std::string unit;
        std::vector<double> baseline;
        std::vector<double> counterfactual;
    };
    std::vector<Variable> variables;
    std::vector<double> baseline_flows;       ///< X_ijk, exporter-major, n * n * K
    std::vector<double> counterfactual_flows; ///< X'_ijk, same shape
    int iterations = 0;
    double max_excess_demand = 0;
    /// What was solved, as (key, value) pairs: stored as root attributes and in
    /// /metadata/scenario_text.
    std::vector<std::pair<std::string, std::string>> solved;
    std::string name;   ///< scenario_name attribute (e.g. the data file's stem)
    std::string source; ///< scenario_path attribute (the data or scenario file)
};

struct EquilibriumInfo {
    std::string program_version;
    int threads = 1;
    std::string started_at; ///< ISO 8601 UTC
};

/// Throws IoError when `path` exists and `force` is false, so that a command can refuse
/// before it computes anything.
void check_result_path(const std::string& path, bool force);

/// Writes `equilibrium` to `path` (creating missing parent folders). Throws IoError when the
/// file exists and `force` is false or it cannot be written; std::invalid_argument when the
/// sizes do not agree with the number of countries and sectors.
void write_equilibrium(const std::string& path, bool force, const Equilibrium& equilibrium,
                       const EquilibriumInfo& info);

} // namespace tradesim::output
