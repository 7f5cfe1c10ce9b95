#pragma once
/// Poisson pseudo-maximum likelihood with high-dimensional fixed effects (Santos Silva &
/// Tenreyro 2006; Correia, Guimaraes & Zylkin 2020): iteratively reweighted least squares
/// whose weighted least-squares step partials the fixed effects out by alternating
/// projections (Gaure 2013), with fixest's convergence rule and small-sample corrections.

#include <cstdint>
#include <string>
#include <vector>

namespace tradesim::models::gravity {

enum class Vcov { hetero, cluster };

/// Small-sample correction of the standard errors: fixest's default (n-1)/(n-K) times
/// G/(G-1), with fixed effects nested in a cluster not counted in K; or G/(G-1) alone, as in
/// the Stata and R replication files of Yotov et al. (2016).
enum class SmallSample { fixest, cluster_only };

/// An estimation problem, already free of missing values.
struct PpmlProblem {
    std::vector<double> y;              ///< outcome, >= 0
    std::vector<std::vector<double>> x; ///< regressors, one vector per column (may be none)
    /// Known part of the linear predictor (log scale), as fixest's `offset`; empty = none.
    std::vector<double> offset;
    std::vector<std::string> x_names;
    std::vector<std::vector<std::int32_t>> fe; ///< fixed effects: a code per row, 0..G-1
    std::vector<std::string> fe_names;
    std::vector<std::vector<std::int32_t>> clusters; ///< one or two clustering variables
    std::vector<std::string> cluster_names;
    Vcov vcov = Vcov::hetero;
};

struct PpmlOptions {
    double tolerance = 1e-8; ///< relative change in deviance, as fixest
    double demean_tolerance =
        1e-9; ///< alternating projections stop when a sweep moves no value by more (relative)
    int max_iterations = 100; ///< IRLS iterations
    int max_demean_iterations = 100000;
    SmallSample small_sample = SmallSample::fixest;
    /// Drop observations alone in a fixed-effect group, as ppmlhdfe does: they are fitted
    /// perfectly, tell nothing about the coefficients and would only shrink the standard
    /// errors. fixest keeps them (fixef.rm = "perfect").
    bool drop_singletons = true;
    /// Look for separation by combinations of regressors and fixed effects when the fit shows
    /// its sign: a zero outcome whose fitted mean still falls steeply at the last iteration.
    bool check_separation = true;
};

struct PpmlResult {
    std::vector<std::string> names; ///< kept regressors
    std::vector<double> coefficients;
    std::vector<double> std_errors;
    std::vector<double> vcov;           ///< row-major, names.size() squared
    std::vector<std::string> collinear; ///< regressors dropped as collinear
    std::size_t observations = 0;       ///< used in the fit
    std::size_t dropped_separation = 0; ///< in fixed-effect groups whose outcome is all zero
    std::size_t dropped_separation_regressors = 0; ///< separated by regressors and effects
    std::size_t dropped_singletons = 0;            ///< alone in a fixed-effect group
    std::vector<std::size_t> fe_sizes;  ///< levels per fixed effect, after dropping
    std::vector<std::vector<double>>
        fe_values;                   ///< estimated fixed effects by level (NaN if dropped)
    std::vector<unsigned char> used; ///< per input row: 1 when it entered the fit
    std::vector<double> fitted;      ///< per input row: fitted mean (NaN when not used)
    int iterations = 0;
    double deviance = 0;
    double null_deviance = 0;
    double log_likelihood = 0;
    double pseudo_r2 = 0; ///< 1 - deviance / null deviance
    std::vector<std::size_t> cluster_sizes;
    std::string vcov_label; ///< e.g. "clustered by Origin"
    std::vector<std::string> notes; ///< what the user should know, e.g. an inconclusive check
};

/// Fits the model. Throws InputError for negative outcomes or no observations left,
/// NumericalError when IRLS does not converge.
[[nodiscard]] PpmlResult fit_ppml(const PpmlProblem& problem, const PpmlOptions& options = {});

} // namespace tradesim::models::gravity
