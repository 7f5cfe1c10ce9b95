#pragma once
/// General-equilibrium effects of a change in trade costs by the procedure of Yotov,
/// Piermartini, Monteiro & Larch (2016) "An Advanced Guide to Trade Policy Analysis", ch. 2
/// (after Anderson, Larch & Yotov 2015, "GEPPML"), where trade costs and the baseline come
/// from PPML fixed effects estimated on one cross-section of flows, domestic ones included:
///  1. baseline: PPML of X_ij on trade-cost regressors z_ij with exporter and importer fixed
///     effects; t_ij = exp(z_ij b) and t'_ij = exp(z'_ij b) for the counterfactual z';
///  2. conditional ("CDL"): PPML of X_ij on the fixed effects alone with offset ln t'_ij,
///     output and expenditure held at the baseline;
///  3. full endowment ("FULL"): factory prices p_i, output Y_i = p_i Q_i and expenditure
///     E_j = phi_j Y_j adjust; the fixed effects are re-estimated until prices stop moving.
/// Multilateral resistances follow from the fixed effects with the reference country's inward
/// resistance fixed at 1: OMR_i = Y_i E_R / exp(pi_i), IMR_j = E_j / (exp(chi_j) E_R), and the
/// factory-price change is (d exp(pi_i) / d E_R)^(1/(1-sigma)) (book's TradeWithoutBorder.do).

#include "tradesim/models/gravity/formula.hpp"
#include "tradesim/models/gravity/ppml.hpp"
#include "tradesim/sim/data_frame.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace tradesim::models::gravity {

/// One cross-section: a row per exporter-importer pair (each pair at most once).
struct YotovProblem {
    std::vector<std::string> countries;              ///< n names
    std::vector<std::int32_t> exporter;              ///< per row, index into countries
    std::vector<std::int32_t> importer;              ///< per row, index into countries
    std::vector<double> flows;                       ///< per row, X_ij >= 0
    std::vector<std::string> cost_names;             ///< trade-cost regressors, e.g. "log(DIST)"
    std::vector<std::vector<double>> costs;          ///< baseline z_ij, one vector per regressor
    std::vector<std::vector<double>> counterfactual; ///< z'_ij, same shape as costs
    double sigma = 7.0;                              ///< elasticity of substitution, > 1
    std::int32_t reference = 0;                      ///< country whose inward resistance stays 1
};

enum class YotovStop {
    /// Until one more re-estimation would move no factory price, no inward resistance and no
    /// outward resistance (relative to the reference expenditure) by more than `tolerance`:
    /// the loop's fixed point, where output equals sales, sum_j X_ij = p_i Y_i. (The loop
    /// leaves the nominal scale free and alternates between two; no index depends on it.)
    converged,
    /// The book's rule (TradeWithoutBorder.do): stop once the sample standard deviation and
    /// the largest value, over all pairs, of the difference between the two previous
    /// iterations' factory-price changes are both at most 0.01. On the book's data it stops
    /// after 5 re-estimations while prices still move by 2 % per re-estimation.
    book,
};

struct YotovOptions {
    YotovStop stop = YotovStop::converged;
    double tolerance = 1e-12; ///< for YotovStop::converged
    int max_iterations = 10000;
    /// The baseline and conditional estimations. Tighter than PPML's default so that the
    /// loop's fixed point, not the estimator's tolerance, limits the digits.
    PpmlOptions ppml = [] {
        PpmlOptions o;
        o.tolerance = 1e-12;
        o.demean_tolerance = 1e-13;
        o.drop_singletons = false;
        return o;
    }();
};

/// Per-country changes are ratios counterfactual / baseline (1 = no change).
struct YotovResult {
    std::vector<std::string> countries;
    // Baseline PPML (Stata's ppml reports heteroskedasticity-robust errors).
    std::vector<std::string> names;
    std::vector<double> coefficients;
    std::vector<double> std_errors;
    std::size_t observations = 0; ///< pairs in the fit
    std::size_t dropped = 0;      ///< pairs PPML dropped (separated zeros), left out after
    std::vector<double> output;   ///< Y_i, baseline level (sum of flows)
    std::vector<double> exports;  ///< baseline international exports, fitted level
    // Conditional general equilibrium.
    std::vector<double> exports_cdl; ///< international exports sum_{j != i} X_ij
    std::vector<double> omr_cdl;     ///< outward resistance Pi_i = OMR^(1/(1-sigma))
    std::vector<double> imr_cdl;     ///< inward resistance P_j = IMR^(1/(1-sigma))
    // Full endowment general equilibrium.
    std::vector<double> exports_full;
    std::vector<double> factory_price; ///< p_i (= Y_i change)
    std::vector<double> omr_full;
    std::vector<double> imr_full;
    std::vector<double> real_gdp; ///< Y_i / P_i
    /// Levels per problem row (0 for pairs PPML dropped): conditional X_ij, and full
    /// endowment X_ij = Y_i E_j t'_ij / (OMR_i IMR_j) with Y_i = p_i Y_i(baseline). The
    /// procedure does not impose the importers' budgets: column sums of the full-endowment
    /// flows differ from E_j = phi_j Y_j (by up to 5 % on the book's data).
    std::vector<double> flows_cdl;
    std::vector<double> flows_full;
    int iterations = 0;     ///< re-estimations in the full-endowment loop
    double last_change = 0; ///< largest move the next one would make (see converged)
};

/// Solves the problem. Throws sim::InputError listing every problem with the inputs (sizes,
/// codes out of range, a pair given twice, a negative or non-finite value, a country without
/// positive output or expenditure, sigma <= 1, a regressor collinear with the fixed effects),
/// sim::NumericalError when PPML or the loop does not converge.
[[nodiscard]] YotovResult solve_yotov(const YotovProblem& problem,
                                      const YotovOptions& options = {});

/// How to read a problem from a table with one row per pair of one year.
struct YotovSpec {
    std::string exporter = "exporter";
    std::string importer = "importer";
    /// `flow ~ regressors`; fixed effects, if written, must be `exporter + importer`.
    Formula formula;
    /// Counterfactual values, `column=number` or `column=other_column`; the column is one a
    /// regressor reads (`INTL_BRDR=0`; for `log(DIST)` the log is taken after the change).
    std::vector<std::string> set;
    std::vector<unsigned char> keep; ///< row filter (e.g. from --where); empty = all rows
    double sigma = 7.0;
    std::string reference; ///< a country name, e.g. "DEU"
};

/// Builds the problem from `data`. Columns are matched by name, or ignoring case when that
/// finds exactly one (the book's Stata files spell DIST and CNTG in capitals); a regressor
/// named INTL_BRDR that is not in the data is the book's international-border dummy,
/// 1 when exporter != importer. Throws sim::InputError listing every problem (unknown or
/// non-numeric column, missing value, bad `set` entry, unknown reference country, a pair
/// present more than once, naming its rows, e.g. when a year filter is missing).
[[nodiscard]] YotovProblem yotov_problem(const sim::DataFrame& data, const YotovSpec& spec);

} // namespace tradesim::models::gravity
