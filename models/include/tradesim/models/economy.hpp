#pragma once
/// Country agents trading in many sectors with CES (Armington) demand, one factor per country
/// (mobile across sectors), tariffs whose revenue goes to the importer, and sourcing shares
/// that adjust partially each step toward the equilibrium ones.
///
/// Equations (hat algebra relative to the baseline; Dekle, Eaton & Kortum 2007; with
/// sectors and tariffs as in Caliendo & Parro 2015, eq. 7-10, without input-output links):
///   c_ijk   = w_i * tau_ijk * (1 + t_ijk)                    unit cost of i's good in j
///   pi*_ijk = pi0_ijk c_ijk^-theta_k / sum_l pi0_ljk c_ljk^-theta_k
///   pi_ijk  = (1 - a) pi_ijk(prev) + a pi*_ijk                 partial adjustment, a per step
///   E_j     = (w_j L_j + D_j) + R_j,  R_j = sum_ik t_ijk X_ijk  tariff revenue to the importer
///   X_ijk   = pi_ijk alpha_jk E_j / (1 + t_ijk)              flow at factory-gate value
///   w_i L_i = sum_jk X_ijk                                   market clearing (solved for w)
///   P_jk    = (sum_i pi0_ijk c_ijk^-theta_k)^(-1/theta_k),  P_j = prod_k P_jk^alpha_jk
///   welfare change W_j = (E_j / E0_j) / P_j
/// World nominal GDP is the numeraire (sum_i w_i L_i constant).

#include "tradesim/models/scenario.hpp"
#include "tradesim/sim/table.hpp"

#include <vector>

namespace tradesim::models {

/// Column ids of the country table (see Economy::countries()).
struct CountryColumns {
    std::size_t gdp, wage, expenditure, exports, imports, tariff_revenue, price_index, real_income,
        welfare_change, domestic_share, trade_balance;
};

class Economy {
public:
    /// Baseline state of `scenario`'s world under its parameters.
    explicit Economy(const Scenario& scenario);

    /// Market clearing: prices clear markets given `policy` and this step's partial
    /// adjustment of sourcing shares; flows follow. Throws NumericalError (naming the worst
    /// country) if it does not converge.
    void step(const PolicyState& policy, int months);
    /// Market clearing with sourcing weights given from outside (the firm population):
    /// shares are pi_ijk = weight_ijk w_i^-theta_k / sum_l weight_ljk w_l^-theta_k, with
    /// no partial adjustment; `weight` already holds the tariffs' effect on prices and is 1
    /// in sum over exporters at the baseline, so that P_jk stays an index (baseline 1).
    void step_with_weights(const PolicyState& policy, const std::vector<double>& weight,
                           const std::vector<double>& theta);
    /// Accounting: fills the country table (GDP, spending, trade, revenue, prices, welfare)
    /// from the flows and prices of the last step.
    void account();

    [[nodiscard]] const Dims& dims() const noexcept { return dims_; }
    /// Country agents: one row per country, columns listed in CountryColumns.
    [[nodiscard]] const sim::ColumnTable& countries() const noexcept { return countries_; }
    [[nodiscard]] const CountryColumns& columns() const noexcept { return cols_; }
    /// Flows X_ijk of the current step, USD bn at an annual rate, factory-gate value.
    [[nodiscard]] const std::vector<double>& flows() const noexcept { return flows_; }
    /// Factory-gate price w_i of each country (baseline 1).
    [[nodiscard]] const std::vector<double>& wages() const noexcept { return wage_; }
    /// Sector price indices P_jk (N*K, baseline 1).
    [[nodiscard]] const std::vector<double>& sector_prices() const noexcept { return price_; }
    /// Spending E_j of each country incl. tariff revenue and deficit (USD bn/yr).
    [[nodiscard]] const std::vector<double>& spending() const noexcept { return spending_; }
    /// Iterations the last solve took.
    [[nodiscard]] int iterations() const noexcept { return iterations_; }

private:
    void prepare_costs(const PolicyState& policy);
    void clear_markets();
    double evaluate(const std::vector<double>& wage, std::vector<double>& excess);
    double newton(std::vector<double>& wage, std::vector<double>& excess, double world_gdp,
                  int& iter);

    const Scenario& scenario_;
    Dims dims_;
    std::vector<double> labour_;    ///< L_i: baseline GDP (USD bn)
    std::vector<double> deficit_;   ///< D_j: baseline deficit (USD bn)
    std::vector<double> alpha_;     ///< alpha_jk expenditure shares (N*K)
    std::vector<double> pi0_;       ///< baseline sourcing shares (N*N*K)
    std::vector<double> pi_prev_;   ///< shares at the end of the previous step
    std::vector<double> pi_;        ///< shares this step
    std::vector<double> cost_term_; ///< pi0 * (tau (1+t))^-theta for the step
    std::vector<double> tariff_;    ///< tariffs of the step
    std::vector<double> wage_;      ///< w_i
    std::vector<double> flows_;
    std::vector<double> price_; ///< P_jk
    std::vector<double> theta_; ///< elasticity of sourcing to prices per sector, this step
    std::vector<double> spending_; ///< E_j
    double adjust_ = 1.0;       ///< share of the gap closed this step
    int iterations_ = 0;
    sim::ColumnTable countries_;
    CountryColumns cols_{};
};

} // namespace tradesim::models
