#pragma once
/// General-equilibrium counterfactuals of the one-sector structural gravity model (exact hat
/// algebra: Dekle, Eaton & Kortum 2007; Baier, Yotov & Zylkin 2019 "ge_gravity"; Yotov et
/// al. 2016 ch. 2). Equations in ../shared/DESIGN.md, 3.1:
///   X'_ij = X_ij b_ij w_i^-theta / P_j^-theta * E'_j / E_j,
///   P_j^-theta = sum_i pi_ij b_ij w_i^-theta   (pi_ij = X_ij / E_j),
///   Y'_i = w_i Y_i = sum_j X'_ij,
///   E'_j = Y'_j + D_j (additive imbalances) or E_j w_j (multiplicative),
///   welfare W_j = (E'_j / E_j) / P_j.

#include <string>
#include <vector>

namespace tradesim::models::gravity {

enum class Imbalances { additive, multiplicative };

struct GeProblem {
    std::vector<std::string> countries; ///< n names
    /// Baseline flows X_ij, row-major n x n: row = exporter i, column = importer j. The
    /// diagonal (domestic flows) must be positive.
    std::vector<double> flows;
    /// Partial effects in logs (beta * dz_ij), row-major n x n; b_ij = exp(partial). Empty =
    /// no shock.
    std::vector<double> partial;
    double theta = 4.0; ///< trade elasticity (sigma - 1), > 0
    Imbalances imbalances = Imbalances::additive;
};

struct GeOptions {
    double tolerance = 1e-12; ///< largest excess demand relative to world output
    int max_iterations = 10000;
};

/// Per-country changes are ratios counterfactual / baseline (1 = no change).
struct GeResult {
    std::vector<std::string> countries;
    std::vector<double> welfare;       ///< real expenditure E'_j / E_j / P_j
    std::vector<double> real_wage;     ///< w_i / P_i
    std::vector<double> factory_price; ///< w_i (the numeraire: world output unchanged)
    std::vector<double> output;        ///< Y'_i / Y_i (= w_i)
    std::vector<double> expenditure;   ///< E'_j / E_j
    std::vector<double> exports;       ///< international exports, ratio
    std::vector<double> imports;       ///< international imports, ratio
    std::vector<double> inward_resistance;  ///< P_j (price index change)
    std::vector<double> outward_resistance; ///< Pi_i
    std::vector<double> flows;              ///< counterfactual X'_ij, row-major n x n
    int iterations = 0;
    double max_excess_demand = 0; ///< at the solution, relative to world output
};

/// Solves for the counterfactual equilibrium. Throws sim::InputError naming the country for
/// inputs with no solution (a missing or non-positive domestic flow, zero output or
/// expenditure, a negative or non-finite flow, sizes that do not match, theta <= 0), and
/// sim::NumericalError when it does not converge.
[[nodiscard]] GeResult solve_ge(const GeProblem& problem, const GeOptions& options = {});

} // namespace tradesim::models::gravity
