#pragma once
/// Firms as agents: a population of heterogeneous firms (Melitz 2003 with Chaney's 2008 fixed
/// pool of potential firms) for every traded country-sector, deciding each step which markets
/// to serve, with sunk entry costs, fixed costs, persistent demand shocks and exit.
///
/// Model (per traded sector k; firm f of country i with productivity phi_f, Pareto(kappa)):
///   revenue in j       r_fj = b_ijk a_f m_fj (c_ijk / P_jk)^(1-sigma) E_jk / E0_jk
///                      a_f = phi_f^(sigma-1), c_ijk = w_i tau_ijk (1 + t_ijk) (baseline 1),
///                      m_fj = exp(z_f + z_fj - v/2) the demand shock (mean 1)
///   margin             r_fj / sigma against the fixed cost F_ijk E_jk / E0_jk (USD bn/yr)
///   enter j when       expected margin >= F (1 + sunk_cost / payback_years)
///   leave j when       expected losses have summed to exit_threshold_months of F
///   expected margin    at the current costs (last step's wages, this step's tariffs) and
///                      the expected P_jk^(sigma-1), adapting to the observed one
/// Fixed costs are stated at destination prices and scale with the destination's spending:
/// with Pareto productivity the market shares then follow the gravity equation with trade
/// elasticity kappa and the price index its structural-gravity value (Arkolakis, Costinot &
/// Rodriguez-Clare 2012), so without sunk costs and shocks the steady state is the general
/// equilibrium of the GE solver with theta = kappa (a test holds them to each other).
///
/// Calibration to the world's baseline flows X0_ijk: firm m of a country-sector's n stands for
/// the m-th 1/n slice of the Pareto quantiles (its mean a), so that the distribution's heavy
/// top is represented exactly at any n; active_share of each country-sector's firms produce; b_ijk makes the
/// active firms' sales equal X0_ijk; F_ijk puts the marginal firm at zero profit, with export
/// fixed costs scaled by one factor chosen so that export_share of producers export.
///
/// Parallel and deterministic: firms live in fixed blocks of one country-sector; a block
/// writes only its own firms, links and sums, merged in block order; random draws come from
/// counter-based streams keyed by (seed, firm, step).

#include "tradesim/models/economy.hpp"
#include "tradesim/models/policy.hpp"
#include "tradesim/models/scenario.hpp"
#include "tradesim/models/settlement.hpp"
#include "tradesim/sim/table.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

namespace tradesim::models {

/// What the firm population looked like in one step (recorded with the run).
struct FirmTables {
    /// Per exporter, importer, sector (Dims::flow); the diagonal is the home market.
    std::vector<double> firms_serving;        ///< firms selling in the market
    std::vector<double> entries;              ///< firms that entered the market this step
    std::vector<double> exits;                ///< firms that left it this step
    std::vector<double> sales_per_firm;       ///< X_ijk / firms_serving, USD mn/yr
    /// One row per country: columns listed in FirmCountryColumns.
    sim::ColumnTable countries;
};

struct FirmCountryColumns {
    std::size_t firms, producers, exporters, export_share, export_entries, export_exits,
        producer_entries, producer_exits, mean_sales, sales_p10, sales_p50, sales_p90, sales_p99,
        exports_per_exporter;
};

/// Calibration results, for reports and tests.
struct FirmCalibration {
    std::size_t firms = 0;                ///< agents in all
    std::size_t country_sectors = 0;      ///< country-sectors with firms
    double export_cost_scale = 0;         ///< export fixed cost / domestic fixed cost (median pair)
    double export_share = 0;              ///< share of producers that export, after burn-in
    int burn_in_steps = 0;
};

class FirmPopulation {
public:
    /// Draws and calibrates the population of `scenario` ([firms] must be enabled). Throws
    /// InputError when the parameters cannot be met (e.g. too many country-sectors).
    explicit FirmPopulation(const Scenario& scenario);
    ~FirmPopulation();
    FirmPopulation(const FirmPopulation&) = delete;
    FirmPopulation& operator=(const FirmPopulation&) = delete;

    /// Firm decisions of `step`: shocks move, firms enter and leave markets given `policy`,
    /// last step's wages and their expectations of price indices. Fills weights().
    void decide(const PolicyState& policy, int step, const Economy& economy);
    /// Sourcing weights for market clearing (Economy::step_with_weights) and their
    /// elasticities per sector (sigma - 1 where firms trade, theta elsewhere).
    [[nodiscard]] const std::vector<double>& weights() const noexcept;
    [[nodiscard]] const std::vector<double>& elasticities() const noexcept;
    /// Per flow (Dims::flow): the sum over the firms serving the market of a x demand shock,
    /// the firms' part of weights() before costs and prices.
    [[nodiscard]] const std::vector<double>& sourcing() const noexcept;

    /// Settlement currencies (issue 7): with a settlement set, each firm-market link keeps a
    /// currency and at every decide() re-chooses it with probability
    /// settlement->rechoose(months), always when the link is new or its currency's target is
    /// 0 (barred), drawing from settlement->targets() of its flow (a counter-based stream
    /// per firm and step, so any thread count gives the same choices). Links that exist when
    /// it is set choose anew at the next decide(). Set before the run; null (the default)
    /// turns it off, and then the sweep does no extra work. The settlement must outlive the
    /// population's use of it. Throws std::invalid_argument when its flows are not the
    /// population's.
    void use_settlement(const Settlement* settlement);
    /// Per flow slot (Settlement::offsets() layout): the sum of a x demand shock over the
    /// links settling in the slot's currency after the last decide(); what Settlement::step
    /// takes as firm weights. Empty without a settlement.
    [[nodiscard]] const std::vector<double>& settlement_weights() const noexcept;
    /// After market clearing: realized sales and profits of every firm, the step's tables,
    /// and the update of expectations.
    void account(const PolicyState& policy, const Economy& economy);
    [[nodiscard]] const FirmTables& tables() const noexcept;
    [[nodiscard]] const FirmCountryColumns& columns() const noexcept;
    [[nodiscard]] const FirmCalibration& calibration() const noexcept;

    [[nodiscard]] std::size_t size() const noexcept;
    /// Per firm, as the last step left it (for tests and reports): factory-gate sales and
    /// export sales (USD bn/yr), markets served and foreign markets served; firms of a
    /// country-sector are contiguous from first_firm(i, k), most productive first.
    [[nodiscard]] std::span<const float> sales() const noexcept;
    [[nodiscard]] std::span<const float> export_sales() const noexcept;
    [[nodiscard]] std::span<const std::uint16_t> markets() const noexcept;
    [[nodiscard]] std::span<const std::uint16_t> foreign_markets() const noexcept;
    [[nodiscard]] std::size_t first_firm(std::size_t country, std::size_t sector) const noexcept;
    /// Active firm-market links.
    [[nodiscard]] std::size_t links() const noexcept;
    /// Bytes of per-firm state (hot and cold arrays of sim::AgentColumns), of its hot part
    /// alone, and of the links.
    [[nodiscard]] std::size_t firm_state_bytes() const noexcept;
    [[nodiscard]] std::size_t hot_state_bytes() const noexcept;
    [[nodiscard]] std::size_t link_bytes() const noexcept;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

} // namespace tradesim::models
