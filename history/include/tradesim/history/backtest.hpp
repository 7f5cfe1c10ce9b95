#pragma once
/// Backtesting the structural gravity model against history: start from the flows of year Y0
/// of a panel, apply what changed between Y0 and Y1, and compare the predicted Y1 flows with
/// the observed ones, beside two naive predictions.
///
/// The model's prediction, for the flows summed over sectors (the panels at hand have one
/// sector or sector outputs the data does not give):
///  1. Base: X0_ij, the Y0 flows, domestic ones included when the panel has them. Otherwise
///     a proxy for domestic sales, D_ii = GDP_i - exports_i (gross exports can exceed value
///     added in entrepot economies such as SGP or HKG: then D_ii = 0), when the panel has
///     `gdp_usd`; without GDP the country has no domestic flow. Output Y0_i = sum_j X0_ij,
///     expenditure E0_j = sum_i X0_ij.
///  2. Partial effects b_ij (international pairs only; domestic pairs keep b = 1):
///     (a) agreements: exp(beta_rta (rta1_ij - rta0_ij)) with the pair variable `rta`
///         (any nonzero value, e.g. an agreement id, counts as an agreement in force);
///         beta_rta from PPML on the panel's years <= Y0 only (no peeking at Y1): exporter-
///         year, importer-year and pair fixed effects when there are >= 2 such years with
///         agreements that change (Yotov et al. 2016, ch. 1, eq. 1.6); else a cross-section
///         of Y0 with log distance and exporter and importer fixed effects when the panel
///         has `dist`; else the literature value 0.557 (Yotov et al. 2016, ch. 1, Table 3,
///         col. 4: PPML with pair fixed effects). BacktestOptions::rta_effect overrides all.
///     (b) tariffs: ((1 + t1_ij) / (1 + t0_ij))^-theta with the pair variable `tariff` in
///         percent, theta = BacktestOptions::theta (5: Head & Mayer 2014's median).
///     (c) a scenario's tariffs: BacktestOptions::scenario_partial (see scenario_partial).
///  3. Output growth: g_i = gdp_usd(Y1) / gdp_usd(Y0); countries without both values get
///     the GDP-weighted mean growth of the others (counted in `imputed_growth`).
///     Y1_i = g_i Y0_i; E1_j = mu g_j E0_j, mu making world expenditure equal world output
///     (multiplicative imbalances: each E/Y ratio kept up to one world factor).
///  4. Conditional general equilibrium (Yotov et al. 2016, ch. 2, "conditional" step): outputs
///     and expenditures are given, only the multilateral resistances adjust:
///     X1_ij = X0_ij b_ij a_i c_j with sum_j X1_ij = Y1_i and sum_i X1_ij = E1_j, solved by
///     iterative proportional fitting as the baseline's fit_gravity does. The full GE solver
///     (gravity/ge.hpp) is not used: it makes output endogenous (factory prices), while
///     here output growth is the observed macro data, i.e. exogenous.
/// Naive predictions: no change (X1 = X0) and uniform growth (X1 = g X0, g the world GDP
/// growth over countries with GDP in both years). Without GDP data there is no uniform
/// growth prediction: the growth of total trade would peek at Y1.
///
/// Results are identical at any thread count (row and column sums are serial per row).

#include "tradesim/models/panel.hpp"

#include <cmath>
#include <cstddef>
#include <limits>
#include <string>
#include <vector>

namespace tradesim::history {

struct BacktestOptions {
    int from = 0; ///< Y0, a year of the panel
    int to = 0;   ///< Y1 > Y0, a year of the panel
    double theta = 5.0;
    /// beta_rta to use instead of estimating it; NaN = estimate (see the header comment).
    double rta_effect = std::numeric_limits<double>::quiet_NaN();
    /// Log partial effects from a scenario, [exporter][importer] in the panel's country
    /// order (scenario_partial); empty = none.
    std::vector<double> scenario_partial;
    std::string scenario_name;    ///< recorded with the estimates
    double ipf_tolerance = 1e-12; ///< largest relative misfit of a row or column margin
    int ipf_max_iterations = 20000;
};

/// The four metrics over a set of international pairs with X0 > 0 and X1 > 0 observed.
struct Metrics {
    std::size_t pairs = 0;
    /// Pearson correlation of predicted and observed log changes; NaN when either is
    /// constant (no-change and uniform-growth predictions: their changes are all equal).
    double correlation = std::numeric_limits<double>::quiet_NaN();
    double rmse_log = std::numeric_limits<double>::quiet_NaN(); ///< sqrt mean (ln P - ln X1)^2
    double twape = std::numeric_limits<double>::quiet_NaN();    ///< sum |P - X1| / sum X1
    /// Share of pairs with sign(P - X0) == sign(X1 - X0); a zero predicted change is never
    /// right.
    double right_sign = std::numeric_limits<double>::quiet_NaN();
};

/// Metrics of the three predictions on one set of pairs.
struct ScopeMetrics {
    std::string scope; ///< "all", a country code, or "CHN-BRI"
    Metrics model, no_change, uniform;
    double observed_trade = 0; ///< sum of X1 over the pairs (USD)
};

struct RtaEstimate {
    double beta = std::numeric_limits<double>::quiet_NaN();
    double std_error = std::numeric_limits<double>::quiet_NaN();
    std::string method; ///< "three-way PPML ...", "cross-section PPML ...", "literature ..."
    std::size_t observations = 0;
    std::vector<int> years; ///< years used in the estimation
};

struct BacktestResult {
    std::vector<std::string> countries;
    int from = 0, to = 0;
    /// [exporter][importer], summed over sectors, USD; domestic flows included (proxies
    /// where the data has none, see `domestic_proxy`).
    std::vector<double> observed0, observed1, model, no_change, uniform;
    /// 1 for pairs whose X0 and X1 the data reports, > 0, international: the evaluated pairs.
    std::vector<unsigned char> evaluated;
    std::vector<double> output0, output1, expenditure0, expenditure1; ///< margins, n each
    std::vector<double> growth;                                       ///< g_i, n
    std::vector<unsigned char> growth_imputed;                        ///< n
    std::size_t imputed_growth = 0; ///< among the countries that trade in Y0
    bool domestic_proxy = false;    ///< the panel had no domestic flows in Y0
    double world_growth = std::numeric_limits<double>::quiet_NaN(); ///< NaN: no GDP data
    bool has_uniform = false;
    RtaEstimate rta;
    bool has_rta = false, has_tariff = false, has_scenario = false;
    std::size_t rta_changes = 0; ///< international pairs whose rta changed Y0 -> Y1
    int ipf_iterations = 0;
    double ipf_misfit = 0; ///< largest relative margin misfit at the end
    ScopeMetrics overall;
    std::vector<ScopeMetrics> per_country; ///< countries with evaluated pairs, panel order
    ScopeMetrics china_bri;
    std::vector<std::string> notes; ///< what the user should know
};

/// Runs the backtest. Throws sim::UsageError when a year is not in the panel or Y1 <= Y0,
/// sim::InputError when Y0 has no flows, sim::NumericalError when the estimation fails.
[[nodiscard]] BacktestResult run_backtest(const models::TradePanel& panel,
                                          const BacktestOptions& options);

/// Metrics of prediction `pred` against observed `x1` from base `x0`, over the pairs where
/// `mask` is 1 (all flat vectors of the same size). Pairs with pred <= 0 count as a wrong
/// sign and enter RMSE with ln(pred) taken at the smallest positive prediction.
[[nodiscard]] Metrics compute_metrics(const std::vector<double>& x0, const std::vector<double>& x1,
                                      const std::vector<double>& pred,
                                      const std::vector<unsigned char>& mask);

/// ISO alpha-3 codes of the countries that have signed Belt and Road cooperation documents
/// with China (source in backtest_bri.cpp), ascending.
[[nodiscard]] const std::vector<std::string>& belt_and_road_partners();

/// The log partial effects of the tariffs a scenario's policies have set by the end of its
/// calendar (against none at its start), for the panel's countries: for a pair of countries
/// both in the scenario's world, ln sum_k w_ijk (1 + t_ijk)^-theta_k with w_ijk the world's
/// baseline sector shares of the pair's trade and theta_k its sector elasticities; 0 for
/// other pairs. `shared` receives the number of panel countries found in the world.
/// Throws as models::load_scenario.
[[nodiscard]] std::vector<double> scenario_partial(const models::TradePanel& panel,
                                                   const std::string& scenario_path,
                                                   std::size_t& shared);

} // namespace tradesim::history
