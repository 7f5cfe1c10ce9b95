#pragma once
/// General-equilibrium counterfactuals with many sectors and tariffs: Caliendo & Parro (2015)
/// without input-output links, in exact hat algebra relative to the baseline. It is the
/// system of the monthly models::Economy at full adjustment, with the same conventions
/// (flows at factory-gate value, tariff revenue spent by the importer, world nominal GDP as
/// the numeraire), so a scenario solved here matches the long run of a monthly run.
///
/// Baseline, from the flows X_ijk (exporter i, importer j, sector k) and tariffs t_ijk:
///   Y_i = sum_jk X_ijk,  R_j = sum_ik t_ijk X_ijk,  E_jk = sum_i (1 + t_ijk) X_ijk,
///   E_j = sum_k E_jk = Y_j + D_j + R_j,  alpha_jk = E_jk / E_j,
///   pi_ijk = (1 + t_ijk) X_ijk / E_jk.
/// Counterfactual, for factory-gate price changes w_i (Caliendo & Parro 2015, eq. 7-10):
///   c_ijk = w_i (1 + t'_ijk) / (1 + t_ijk) b_ijk^(-1/theta_k),  b_ijk = exp(partial_ijk),
///   P_jk^-theta_k = sum_i pi_ijk c_ijk^-theta_k,
///   pi'_ijk = pi_ijk c_ijk^-theta_k / P_jk^-theta_k,
///   E'_j = w_j Y_j + D'_j + R'_j,  R'_j = sum_ik t'_ijk X'_ijk,
///   X'_ijk = pi'_ijk alpha_jk E'_j / (1 + t'_ijk),
///   w_i Y_i = sum_jk X'_ijk                      (market clearing, solved for w),
///   sum_i w_i Y_i = sum_i Y_i                    (numeraire),
///   welfare W_j = (E'_j / E_j) / P_j,  P_j = prod_k P_jk^alpha_jk.
/// Deficits D'_j: additive keeps D_j fixed; multiplicative keeps the ratio of non-tariff
/// spending to output, (w_j Y_j + D'_j) / (w_j Y_j), at its baseline value up to one world
/// factor that keeps world deficits summing to zero (without it markets could not clear).

#include "tradesim/models/gravity/ge.hpp"

#include <string>
#include <vector>

namespace tradesim::models::gravity {

struct GeSectorsProblem {
    std::vector<std::string> countries; ///< n names
    std::vector<std::string> sectors;   ///< K names
    /// Baseline flows X_ijk at factory-gate value, index (i * n + j) * K + k (models::Dims::
    /// flow), domestic flows included. Each country needs positive output and a positive
    /// domestic flow in every sector it both produces and buys.
    std::vector<double> flows;
    std::vector<double> theta; ///< trade elasticity theta_k per sector, > 0
    /// Baseline ad valorem tariffs t_ijk levied by importer j on goods from i, indexed like
    /// `flows`, > -1. Empty = none.
    std::vector<double> tariffs;
    /// Counterfactual tariffs t'_ijk, indexed like `flows`. Empty = the baseline tariffs.
    std::vector<double> new_tariffs;
    /// Non-tariff partial effects in logs, indexed like `flows`: the counterfactual flow is
    /// exp(partial) times its baseline at unchanged prices. Empty = no shock.
    std::vector<double> partial;
    Imbalances imbalances = Imbalances::additive;
    /// Where the data came from (e.g. a file name): starts every error line. "" = "ge".
    std::string source;
};

/// GeOptions::tolerance and max_iterations (per equilibrium) apply; anderson_memory does not.
struct GeSectorsOptions : GeOptions {
    /// M: the welfare decomposition is integrated over equilibria at M + 1 points of the
    /// path from baseline to counterfactual (0 skips it; each point costs a solve).
    int decomposition_steps = 6;
};

/// Welfare decomposition of Caliendo & Parro (2015, welfare effects of tariff changes), without
/// input-output links, for country j in log points; the four parts add up to ln W_j:
///   d ln W_j = (1 / E_j) [ sum_k sum_i (X_jik d ln w_j - X_ijk d ln w_i)     terms of trade
///                        + sum_k sum_i t_ijk X_ijk (d ln X_ijk - d ln w_i)   volume of trade
///                        + sum_k sum_i (1 + t_ijk) X_ijk d ln b_ijk / theta_k non-tariff costs
///                        + d D_j ]                                             deficit
/// These are for small changes: here they are integrated along the path on which ln(1 + t)
/// and ln b are linear in s = 0..1, through the equilibria at the Chebyshev-Lobatto points
/// s_m = (1 - cos(pi m / M)) / 2, exactly for the polynomials of degree M through them
/// (Chebyshev interpolation), so the integration error falls geometrically with M. The split
/// between the parts depends on the path; their sum does not.
struct WelfareDecomposition {
    std::vector<double> terms_of_trade;  ///< n
    std::vector<double> volume_of_trade; ///< n
    std::vector<double> nontariff_cost;  ///< n, direct price effect of the partial effects
    std::vector<double> deficit;         ///< n, change in the deficit (multiplicative only)
    /// n, ln W_j less the four parts: the integration error, to compare with the parts.
    /// At M = 6 it is about 1e-11 to 1e-8 for tariff changes of 25-50 points and 1e-3 to
    /// 1e-2 for prohibitive ones (200 % to 5000 %), which M = 12 brings to 1e-6 to 1e-4.
    std::vector<double> residual;
    std::vector<double> terms_of_trade_by_sector;  ///< n x K, row = country
    std::vector<double> volume_of_trade_by_sector; ///< n x K
    int steps = 0; ///< M; 0 when skipped (no shock or M = 0), and then every part is 0
};

/// Per-country changes are ratios counterfactual / baseline (1 = no change); levels are in
/// the units of the input flows, counterfactual ones at the numeraire (world output fixed).
struct GeSectorsResult {
    std::vector<std::string> countries;
    std::vector<std::string> sectors;
    std::vector<double> welfare;                 ///< real income E'_j / E_j / P_j
    std::vector<double> real_wage;               ///< w_i / P_i
    std::vector<double> factory_price;           ///< w_i (= Y'_i / Y_i)
    std::vector<double> expenditure;             ///< E'_j / E_j, tariff revenue included
    std::vector<double> price_index;             ///< P_j
    std::vector<double> sector_price_index;      ///< P_jk, n x K
    std::vector<double> exports;                 ///< international exports (factory-gate), ratio
    std::vector<double> imports;                 ///< international imports (factory-gate), ratio
    std::vector<double> tariff_revenue_baseline; ///< R_j, level
    std::vector<double> tariff_revenue;          ///< R'_j, level
    std::vector<double> deficit;                 ///< D'_j, level
    std::vector<double> flows;                   ///< X'_ijk, indexed like the input flows
    WelfareDecomposition decomposition;
    int iterations = 0;           ///< Newton steps, over all equilibria of the path
    int jacobians = 0;            ///< Jacobians formed (each O(n^3 K)); steps in between reuse one
    double max_excess_demand = 0; ///< at the solution, relative to world output
};

/// Solves for the counterfactual equilibrium and decomposes its welfare effects: Newton's
/// method on ln w with an analytic Jacobian (O(n^3 K), formed rarely) and Broyden's updates
/// in between, continued along the path for large shocks; each evaluation is O(n^2 K) and
/// parallel over importers. Results are bitwise identical for any thread count. A zero
/// shock returns the baseline flows exactly in 0 iterations.
///
/// Throws sim::InputError listing every problem, each naming the country, pair or sector
/// (sizes that do not match, a negative or non-finite flow, zero output or expenditure, a
/// missing domestic flow, theta_k <= 0, a tariff <= -1, a non-finite partial effect), and
/// sim::NumericalError when it does not converge (e.g. an additive deficit that the
/// counterfactual leaves no income to finance).
[[nodiscard]] GeSectorsResult solve_ge_sectors(const GeSectorsProblem& problem,
                                               const GeSectorsOptions& options = {});

} // namespace tradesim::models::gravity
