#pragma once
/// The result file of a run: one HDF5 file holding metadata and per-step tables, written as
/// the run goes (chunked, compressed, flushed regularly) so that a killed run leaves a file
/// readable up to its last flushed step. HDF5 stays inside output/.
///
/// Layout (format "tradesim-run", version 1):
///   /                 attributes: format, format_version, program_version, scenario_name,
///                     scenario_path, seed, threads, started_at, finished_at, status
///                     ("running" | "complete" | "failed"), steps_planned, calendar_start,
///                     step_length
///   /metadata/scenario_text       the scenario file(s) as given (string)
///   /metadata/scenario_resolved   the merged scenario as TOML (string)
///   /metadata/countries           country codes (string[N])
///   /metadata/country_names       names (string[N])
///   /metadata/sectors             sector codes (string[K])
///   /metadata/country_variables   variable names (string[V]); attribute-free companion
///   /metadata/country_units       their units (string[V])
///   /steps/date                   YYYY-MM per step (string[S], extendible)
///   /steps/state_hash             XXH3 of the step's state (uint64[S])
///   /steps/solver_iterations      (int32[S])
///   /countries                    float64[S][N][V]
///   /flows                        float64[S][N][N][K], exporter, importer, sector
///   /tariffs                      float64[S][N][N][K] exporter, importer, sector: the tariff
///                                 the step ran under, scheduled and added by governments'
///                                 behaviours, as a change from the 2017 baseline in percent
///                                 points (25 = 25 %); all 0 where the writer had no policy
///                                 state (counterfactual files); absent in files of tradesim
///                                 versions before it
///   /events/{step,date,kind,importer,exporter,sector,value,message}   columns, extendible
/// Only when the scenario has [firms] (created at the first step):
///   /metadata/firm_country_variables   firm country variable names (string[W])
///   /metadata/firm_country_units       their units (string[W])
///   /firms            attributes from the calibration: firms, country_sectors (uint64),
///                     export_cost_scale, export_share (float64), burn_in_steps (int64)
///   /firms/countries              float64[S][N][W]: firms, producers, exporters, ...
///   /firms/serving                float64[S][N][N][K] firms selling in the market, exporter,
///                                 importer, sector (the diagonal is the home market)
///   /firms/entries, /firms/exits  float64[S][N][N][K] firms entering, leaving it that step
///   /firms/sales_per_firm         float64[S][N][N][K] flow / firms serving, USD mn/yr
/// Only when the world has a transport network (created at the first step):
///   /metadata/link_ids            ids of the network's links, access legs left out (string[L])
///   /metadata/link_modes          their modes: rail, sea, road, air (string[L])
///   /metadata/link_variables      teu, value, utilisation, cost_per_teu, days, open (string[6])
///   /metadata/link_units          their units (string[6])
///   /metadata/pair_variables      rail_share, sea_share, road_share, air_share, days,
///                                 cost_pct, routes (string[7])
///   /metadata/pair_units          their units (string[7])
///   /corridors        attributes from the calibration: rail_constant, rail_share_target,
///                     rail_share (float64), capacities_raised, links (uint64)
///   /corridors/links              float64[S][L][6] link, variable: TEU/month, USD bn/yr of
///                                 goods, load/capacity, USD/TEU with congestion, days, 1/0 open
///   /corridors/pairs              float64[S][N][N][7] exporter, importer, variable: mode
///                                 shares by TEU, mean days, generalized cost in % of value,
///                                 candidate routes (the diagonal is all zeros)
///   /corridors/paths              the routes met in the run as node ids joined by ">" (string[P],
///                                 appended as the network changes)
///   /corridors/route_keys         int32[R][5] step, exporter, importer, path (index into
///                                 paths), mode (0 rail, 1 sea, 2 road, 3 air): one row per route
///                                 carrying at least 0.1 % of its pair's TEU, per step
///   /corridors/route_values       float64[R][4] share of the pair's TEU, TEU/month, USD bn/yr of
///                                 goods, transit days (congestion included)
///   /corridors/assignment         float64[S][2] iterations and relative residual of the step's
///                                 assignment of loads to links
/// Only when the scenario has currency settlement (created at the first step; C currencies):
///   /currencies       attributes from the settlement parameters: spread_min, spread_max, half,
///                     eta, risk, scale, inertia, depth_weight, price_reset_months,
///                     managed_pull (float64), fx_paths ("random" | "fixed")
///   /currencies/codes             currency codes (string[C])
///   /currencies/regime            their regimes in currencies.csv: peg, managed, float
///                                 (string[C])
///   /currencies/slot_currency     int32[N][N][5] exporter, importer, slot: the currency (index
///                                 into codes) a pair's trade may settle in, -1 unused; written
///                                 once (the slots do not change in a run)
///   /currencies/world_share       float64[S][C] share of world trade (value) settled in c
///   /currencies/payments          float64[S][C] USD bn/yr settled in c
///   /currencies/fx_turnover       float64[S][C] USD bn/yr of conversions with c on one side
///   /currencies/rate              float64[S][C] value in USD relative to the run's start
///   /currencies/country_share     float64[S][N][C] share of the economy's exports plus imports
///                                 settled in c
///   /currencies/pair_share        float64[S][N][N][5] exporter, importer, slot: share of the
///                                 pair's trade settled in the slot's currency
///   /currencies/pair_payment      float64[S][N][N][5] payments from importer to exporter in it,
///                                 USD bn/yr
///   /currencies/cost              float64[S] trade-weighted mean settlement cost, share of value
///   /currencies/price_gap         float64[S] trade-weighted mean |pass-through wedge| of import
///                                 prices
/// Only when the scenario has friction on (created at the first step; `[friction] enabled =
/// false` leaves it out):
///   /metadata/indicator_names     surge, imbalance, imbalance_change, undercut, share_gain,
///                                 partner_tariff (string[6])
///   /friction         attributes from the scenario's [friction]: window_months (int64),
///                     min_flow_bn, cap_pct, watch, warning, alert, hysteresis (float64), and one
///                     float64 per indicator for its weight and its full value: weight_surge, ...,
///                     weight_partner_tariff, full_surge, ..., full_partner_tariff
///   /friction/watched             int32[N][N][K] exporter, importer, sector: 1 when the
///                                 pair-sector is watched (baseline flow >= min_flow_bn), else 0;
///                                 written once (the set does not change in a run)
///   /friction/index               float64[S][N][N][K] composite friction index, 0-1 (0 where
///                                 not watched)
///   /friction/level               int32[S][N][N][K] 0 none, 1 watch, 2 warning, 3 alert
///   /friction/indicators          float64[S][N][N][K][6] exporter, importer, sector, indicator
///                                 (in indicator_names order; units in models/friction.hpp)
/// Every step-indexed dataset has one step per chunk; a step counts once it is in all of them.

#include "tradesim/models/scenario.hpp"
#include "tradesim/models/simulation.hpp"

#include <cstdint>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

namespace tradesim::output {

struct RunInfo {
    std::string program_version;
    int threads = 1;
    std::string started_at; ///< ISO 8601 UTC
};

/// Writes a run file. Implements RunObserver so it can be handed to run_scenario().
class RunWriter : public models::RunObserver {
public:
    /// Creates `path` (and missing parent folders). Throws IoError if it exists and `force`
    /// is false, or if it cannot be created.
    RunWriter(const std::string& path, const models::Scenario& scenario, const RunInfo& info,
              bool force);
    ~RunWriter() override;
    RunWriter(const RunWriter&) = delete;
    RunWriter& operator=(const RunWriter&) = delete;

    void on_step(const models::StepView& view) override;
    /// Marks the run complete (or failed), writes finished_at and closes the file.
    void finish(bool ok);
    [[nodiscard]] const std::string& path() const noexcept;

    /// Steps between flushes to disk (default 12; every step is flushed when 1).
    void set_flush_interval(int steps);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

/// Reads a run file. Throws IoError when the file is missing or not a tradesim run file.
class RunReader {
public:
    explicit RunReader(const std::string& path);
    ~RunReader();
    RunReader(const RunReader&) = delete;
    RunReader& operator=(const RunReader&) = delete;

    [[nodiscard]] std::string attribute(const std::string& name) const; ///< "" when absent
    [[nodiscard]] int steps() const;                                    ///< steps written
    [[nodiscard]] std::vector<std::string> countries() const;
    [[nodiscard]] std::vector<std::string> sectors() const;
    [[nodiscard]] std::vector<std::string> country_variables() const;
    [[nodiscard]] std::vector<std::string> dates() const;
    [[nodiscard]] std::vector<std::uint64_t> state_hashes() const;
    [[nodiscard]] std::string scenario_text() const;
    [[nodiscard]] std::string scenario_resolved() const;
    /// countries[step][country][variable], row-major.
    [[nodiscard]] std::vector<double> country_values(int step) const;
    /// flows[step][exporter][importer][sector], row-major.
    [[nodiscard]] std::vector<double> flow_values(int step) const;
    /// True when the file has /tariffs (files written before it have none).
    [[nodiscard]] bool has_tariffs() const;
    /// tariffs[step][exporter][importer][sector] in percent points, row-major. Throws
    /// UsageError without /tariffs or for a step out of range.
    [[nodiscard]] std::vector<double> tariff_values(int step) const;
    [[nodiscard]] std::vector<models::Event> events() const;

    /// True when the run has firm tables (its scenario has [firms]).
    [[nodiscard]] bool has_firms() const;
    /// Firm country variable names; empty without firm tables.
    [[nodiscard]] std::vector<std::string> firm_country_variables() const;
    /// An attribute of /firms (calibration: firms, country_sectors, export_cost_scale,
    /// export_share, burn_in_steps); "" when absent or without firm tables.
    [[nodiscard]] std::string firm_attribute(const std::string& name) const;
    /// An attribute of /corridors as text ("" when absent or the run has no network).
    [[nodiscard]] std::string corridor_attribute(const std::string& name) const;
    /// firms/countries[step][country][variable], row-major. Throws UsageError without firm
    /// tables or for a step out of range.
    [[nodiscard]] std::vector<double> firm_country_values(int step) const;
    /// firms/NAME[step][exporter][importer][sector], row-major; `name` is one of serving,
    /// entries, exits, sales_per_firm. Throws UsageError for another name, without firm tables
    /// or for a step out of range.
    [[nodiscard]] std::vector<double> firm_pair_values(const std::string& name, int step) const;

    /// True when the run has corridor tables (its world has a transport network).
    [[nodiscard]] bool has_corridors() const;
    /// Ids of the links in the corridor tables (/metadata/link_ids); empty without them.
    [[nodiscard]] std::vector<std::string> link_ids() const;
    /// Modes of those links (rail, sea, road, air); empty without corridor tables.
    [[nodiscard]] std::vector<std::string> link_modes() const;
    /// corridors/links[step][link][variable], row-major; variables teu, value, utilisation,
    /// cost_per_teu, days, open. Throws UsageError without corridor tables or for a step out
    /// of range.
    [[nodiscard]] std::vector<double> link_values(int step) const;
    /// corridors/pairs[step][exporter][importer][variable], row-major; variables rail_share,
    /// sea_share, road_share, air_share, days, cost_pct, routes. Throws as link_values.
    [[nodiscard]] std::vector<double> pair_values(int step) const;
    /// corridors/assignment[step]: {iterations, residual} of the step's assignment. Throws as
    /// link_values.
    [[nodiscard]] std::vector<double> assignment_values(int step) const;
    /// One row of the route table (/corridors/route_keys and route_values).
    struct RouteRow {
        int step = 0, exporter = 0, importer = 0;
        std::string path, mode;
        double share = 0, teu = 0, value = 0, days = 0;
    };
    /// The route rows of steps [first, last) in file order. Throws as link_values.
    [[nodiscard]] std::vector<RouteRow> route_rows(int first, int last) const;

    /// True when the run has currency tables (its scenario has currency settlement).
    [[nodiscard]] bool has_currencies() const;
    /// Currency codes (/currencies/codes); empty without currency tables.
    [[nodiscard]] std::vector<std::string> currency_codes() const;
    /// Their regimes as currencies.csv gives them (peg, managed, float); empty without currency
    /// tables.
    [[nodiscard]] std::vector<std::string> currency_regimes() const;
    /// currencies/slot_currency[exporter][importer][slot], row-major: index into
    /// currency_codes(), -1 for an unused slot. Throws UsageError without currency tables.
    [[nodiscard]] std::vector<std::int32_t> slot_currency() const;
    /// An attribute of /currencies as text (the settlement parameters); "" when absent or the
    /// run has no currency tables.
    [[nodiscard]] std::string currency_attribute(const std::string& name) const;
    /// The settlement tables of `step` as the run had them (layouts as in SettlementTables).
    /// Throws UsageError without currency tables or for a step out of range.
    [[nodiscard]] models::SettlementTables settlement_tables(int step) const;

    /// True when the run has friction tables (its scenario has friction on).
    [[nodiscard]] bool has_friction() const;
    /// Names of the indicators in the last dimension of /friction/indicators; empty without
    /// friction tables.
    [[nodiscard]] std::vector<std::string> indicator_names() const;
    /// An attribute of /friction as text (the [friction] parameters); "" when absent or the run
    /// has no friction tables.
    [[nodiscard]] std::string friction_attribute(const std::string& name) const;
    /// The friction tables of `step` as the run had them (layouts as in FrictionTables, watched
    /// included). Throws UsageError without friction tables or for a step out of range.
    [[nodiscard]] models::FrictionTables friction_tables(int step) const;

    /// Names of the tables `export` knows: countries, flows, tariffs (not in files written
    /// before /tariffs), events, steps, firms, firm_pairs
    /// (these two only in runs with firm tables), corridors, routes, paths (these three only
    /// in runs with corridor tables), currencies, settlement, payments (these three only in
    /// runs with currency tables), friction (only in runs with friction tables).
    [[nodiscard]] static std::vector<std::string> table_names();
    /// Writes `table` as CSV (header row first) for every step, or only `step` when >= 0.
    /// tariffs leaves out tariffs of 0; firm_pairs leaves out exporter-importer-sector rows
    /// without firms, entries or exits;
    /// routes leaves out the diagonal (an economy with itself); settlement leaves out shares of
    /// 0 and payments unused slots and payments of 0; friction holds only watched
    /// exporter-importer-sectors with an index above 0 or a level above none.
    /// Throws UsageError for an unknown table, a step out of range, a firm table of a run
    /// without firms, a corridor table of a run without a transport network, a currency
    /// table of a run without currency settlement, friction of a run without friction, or
    /// tariffs of a file without /tariffs.
    void write_csv(const std::string& table, int step, std::ostream& out) const;

    /// Datasets with shape and stored (compressed) bytes, for `inspect`.
    struct DatasetInfo {
        std::string path;
        std::vector<std::uint64_t> shape;
        std::uint64_t stored_bytes = 0;
    };
    [[nodiscard]] std::vector<DatasetInfo> datasets() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

} // namespace tradesim::output
