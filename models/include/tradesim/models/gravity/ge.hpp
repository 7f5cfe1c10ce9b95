#pragma once
/// General-equilibrium counterfactuals of the one-sector structural gravity model (exact hat
/// algebra: Dekle, Eaton & Kortum 2007; Baier, Yotov & Zylkin 2019 "ge_gravity"; Yotov et
/// al. 2016 ch. 2). Equations in ../shared/DESIGN.md, 3.1:
///   X'_ij = X_ij b_ij w_i^-theta / P_j^-theta * E'_j / E_j,
///   P_j^-theta = sum_i pi_ij b_ij w_i^-theta   (pi_ij = X_ij / E_j),
///   Y'_i = w_i Y_i = sum_j X'_ij,
///   E'_j = Y'_j + D_j (additive imbalances) or mu E_j w_j (multiplicative),
///   welfare W_j = (E'_j / E_j) / P_j.
///
/// Numeraire: world output is unchanged, sum_i Y_i w_i = sum_i Y_i (ge_gravity's step 1.5).
/// With it, the counterfactual flows and welfare equal ge_gravity's (checked against its
/// published EU-enlargement output in tests/validation/test_ge_published.cpp). In the
/// additive case the numeraire matters for real outcomes: the deficits D_j stay fixed in
/// units of world output.
///
/// Multiplicative imbalances keep each E_j / Y_j fixed up to one world factor mu (reported
/// as GeResult::expenditure_scale), mu = sum_i Y'_i / sum_j E_j w_j, so that world
/// expenditure equals world output and every goods market clears. ge_gravity's `mult`
/// option uses E'_j = E_j w_j without mu: its w and P are the same as here, its flows are
/// X'_ij / mu and its welfare is the real wage w_j / P_j (GeResult::real_wage).

#include <string>
#include <vector>

namespace tradesim::models::gravity {

enum class Imbalances { additive, multiplicative };

struct GeProblem {
    std::vector<std::string> countries; ///< n names
    /// Baseline flows X_ij, row-major n x n: row = exporter i, column = importer j. The
    /// diagonal (domestic flows) must be positive; other flows finite and >= 0.
    std::vector<double> flows;
    /// Partial effects in logs (beta * dz_ij), row-major n x n; b_ij = exp(partial). Empty =
    /// no shock. Applied to every pair given, domestic ones included (ge_gravity resets a
    /// non-zero domestic partial to 0 with a warning; do that before calling to match it).
    std::vector<double> partial;
    double theta = 4.0; ///< trade elasticity (sigma - 1), > 0
    Imbalances imbalances = Imbalances::additive;
    /// Where the data came from (e.g. a file name): starts every error line. "" = "ge".
    std::string source;
};

struct GeOptions {
    /// Convergence: the largest |excess demand| sum_j X'_ij - Y'_i relative to world output.
    double tolerance = 1e-12;
    int max_iterations = 10000;
    /// Past iterates the Anderson acceleration combines (0 = plain Newton-Jacobi steps,
    /// slower but with no least-squares step).
    int anderson_memory = 6;
};

/// Per-country changes are ratios counterfactual / baseline (1 = no change).
struct GeResult {
    std::vector<std::string> countries;
    std::vector<double> welfare;       ///< real expenditure E'_j / E_j / P_j
    std::vector<double> real_wage;     ///< w_i / P_i
    std::vector<double> factory_price; ///< w_i (the numeraire: world output unchanged)
    std::vector<double> output;        ///< Y'_i / Y_i (= w_i)
    std::vector<double> expenditure;   ///< E'_j / E_j
    /// International exports sum_{j != i} X'_ij, ratio; 1 when there are none at baseline
    /// (a zero flow stays zero).
    std::vector<double> exports;
    std::vector<double> imports;           ///< international imports, ratio (as exports)
    std::vector<double> inward_resistance; ///< P_j (price index change)
    /// Pi_i: Pi_i^-theta = sum_j (X_ij / Y_i) b_ij (E'_j / E_j) / P_j^-theta (Yotov et al.
    /// 2016, ch. 2, with world output unchanged).
    std::vector<double> outward_resistance;
    std::vector<double> flows; ///< counterfactual X'_ij, row-major n x n
    /// mu of the multiplicative case (1 for additive imbalances).
    double expenditure_scale = 1.0;
    int iterations = 0;           ///< solver steps (0 when the baseline already clears)
    double max_excess_demand = 0; ///< at the solution, relative to world output
};

/// Solves for the counterfactual equilibrium by Newton-Jacobi steps on log w with Anderson
/// acceleration; O(n^2) per step, parallel over countries, bitwise identical for any thread
/// count. A zero shock returns the baseline flows exactly in 0 iterations.
///
/// Throws sim::InputError, one line per problem found (`source: error: message`), naming the
/// country or pair, for inputs with no solution: a missing (zero) or negative domestic flow,
/// zero output or expenditure, a negative or non-finite flow, a non-finite partial effect
/// (or one whose exp overflows, or that leave no flow into a country), sizes that do not
/// match, duplicate country names, no countries, theta <= 0. Throws
/// sim::NumericalError when it does not converge in max_iterations or an expenditure would
/// fall to zero or below (with additive imbalances, a fixed trade surplus larger than the
/// country's counterfactual income: then there is no equilibrium).
[[nodiscard]] GeResult solve_ge(const GeProblem& problem, const GeOptions& options = {});

} // namespace tradesim::models::gravity
