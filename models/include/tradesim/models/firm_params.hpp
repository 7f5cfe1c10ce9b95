#pragma once
/// The [firms] table of a scenario: a population of heterogeneous firms (Melitz 2003,
/// Chaney 2008) for the traded sectors, with its documented defaults (README, "Firms").

#include <cstdint>
#include <string>
#include <vector>

namespace tradesim::models {

/// A per-pair multiplier of the fixed (and sunk) cost of serving a market.
struct PairCostFactor {
    std::size_t exporter = 0;
    std::size_t importer = 0;
    double factor = 1.0;
};

struct FirmParams {
    bool enabled = false; ///< true when the scenario has a [firms] table
    /// Firm agents in all; split across traded country-sectors in proportion to output.
    std::int64_t count = 0;
    /// Fewest agents of any country-sector with output, so that small economies still have
    /// an extensive margin.
    std::int64_t min_per_country_sector = 100;
    /// Pareto shape of productivity kappa (the aggregate trade elasticity) and CES demand
    /// elasticity sigma: Melitz & Redding (2015), after Bernard, Redding & Schott (2007).
    double kappa = 4.25;
    double sigma = 4.0;
    /// Share of the potential firms of a country-sector that produce at the baseline; the
    /// rest are potential entrants below the domestic cutoff (Chaney's fixed pool).
    double active_share = 0.5;
    /// Share of producing firms that export at the baseline, the calibration target of the
    /// export fixed costs: 18 % of US manufacturing firms exported in 2002 (Bernard, Jensen,
    /// Redding & Schott 2007, "Firms in International Trade", J. Econ. Perspectives).
    double export_share = 0.18;
    /// Elasticity of a market's fixed cost to distance; 0 keeps fixed costs equal across
    /// foreign markets, so the number of exporters to a market follows its sales as Eaton,
    /// Kortum & Kramarz (2011) find for French firms.
    double fixed_cost_distance_elasticity = 0.0;
    /// Per-pair multipliers of fixed and sunk costs ([[firms.pair]] tables).
    std::vector<PairCostFactor> pair_factors;
    /// Sunk cost of entering a market, in years of that market's fixed cost, and the years
    /// over which a firm wants it paid back: it enters when its expected annual profit in
    /// the market covers the fixed cost plus sunk_cost / payback_years of it.
    /// Defaults are assumptions of scale, not estimates: Roberts & Tybout (1997, AER) and
    /// Das, Roberts & Tybout (2007, Econometrica) find sunk entry costs large and significant.
    double sunk_cost = 2.0;
    double payback_years = 3.0;
    /// Losses a firm bears in a market before it leaves, in months of that market's fixed
    /// cost; 0 leaves as soon as the market stops paying its fixed cost.
    double exit_threshold_months = 6.0;
    /// Log demand shocks of each firm in each market: AR(1) per month with this persistence,
    /// stationary standard deviation `shock_volatility`, half common to the firm's markets
    /// and half specific to the market (assumed values; 0 turns shocks off).
    double shock_persistence = 0.9;
    double shock_volatility = 0.3;
    /// Months for firms' expectations of a market's price index to close half their gap to
    /// the last observed one (adaptive expectations; 0 expects last step's index).
    double expectation_half_life_months = 1.0;
};

} // namespace tradesim::models
