#pragma once
// The firm population's state, shared by its calibration, decision and accounting files.
//
// Firms of a country-sector are contiguous and ordered by productivity, highest first (the
// stratified draw makes that order the draw order). Hot per-firm arrays: a = phi^(sigma-1),
// the firm's demand shock, cash, last sales, where its links start and how many. A block is
// a fixed range of one country-sector's firms; it owns its firms' links (sorted by market)
// and its partial sums, so blocks run in parallel and merge in block order.

#include "tradesim/models/firms.hpp"
#include "tradesim/models/settlement.hpp"
#include "tradesim/sim/agent_columns.hpp"

#include <cstdint>
#include <limits>
#include <vector>

namespace tradesim::models::firms {

/// Firms per block: blocks, not threads, fix the partition of every sum.
constexpr std::size_t block_size = 2048;
/// Histogram of firm sales: log10(USD mn/yr) from hist_low in bins of hist_width.
constexpr double hist_low = -6.0;
constexpr double hist_width = 0.02;
constexpr std::size_t hist_bins = 600;
/// Burn-in before the first step: entries and exits under sunk costs and shocks take about ten
/// years to balance, so 18 years in half-year steps, then two years month by month.
constexpr int burn_in_coarse_steps = 36;
constexpr double burn_in_coarse_months = 6.0;
constexpr int burn_in_fine_months = 24;
constexpr double infinite = std::numeric_limits<double>::infinity();

/// Currency slot of a link that has not chosen yet (a new relation, or every link when the
/// settlement is first set), or whose every candidate is barred.
constexpr std::uint8_t no_currency = 0xFF;

/// A firm selling in a market.
struct Link {
    std::uint16_t market = 0; ///< importer j
    /// Settlement currency: slot within the flow's slots (Settlement::offsets()), with a
    /// settlement set; no_currency until the link first chooses.
    std::uint8_t currency = no_currency;
    float shock = 0;  ///< market part of the log demand shock
    float loss = 0;   ///< expected losses summed while they last (USD bn, per E0)
    float demand = 1; ///< exp(firm shock + market shock - v/2) of this step
};
static_assert(sizeof(Link) == 16, "a link stays 16 bytes: the sweep streams them");

/// What a re-choosing link of exporter-sector cs in market j draws from: the cumulative
/// targets of the flow's slots, scaled to end at 1, with the last slot that can be drawn set
/// to 2 so that a uniform on (0, 1) always lands (barred slots take no width).
struct CurrencyChoice {
    double cumulative[Settlement::slots] = {};
    std::uint8_t count = 0;  ///< slots of the flow; 0 for the home market
    std::uint8_t barred = 0; ///< bit s: slot s has target 0 (a link in it must move)
};

struct Block {
    std::size_t cs = 0;    ///< country-sector i*K + k
    std::size_t begin = 0; ///< first firm
    std::size_t end = 0;   ///< one past the last firm
    std::vector<Link> links, next;
    // Decision sums, per market j.
    std::vector<double> weight; ///< sum of a * demand shock over firms serving j
    /// With a settlement: the same sum per market and currency slot (j * Settlement::slots + s).
    std::vector<double> settle;
    std::vector<std::uint32_t> serving, entries, exits;
    // Accounting sums.
    std::vector<double> sales; ///< factory-gate sales per market (USD bn/yr)
    std::vector<std::uint32_t> histogram;
    std::uint32_t producers = 0, exporters = 0;
    std::uint32_t producer_entries = 0, producer_exits = 0;
    std::uint32_t export_entries = 0, export_exits = 0;
    double sales_sum = 0; ///< USD bn/yr over producers
};

/// Per exporter-importer-sector numbers of one step's decisions.
struct MarketTerms {
    std::vector<double> unit;      ///< expected revenue per unit of a (per E_jk/E0_jk)
    std::vector<double> stay;      ///< a * shock needed to cover the fixed cost
    std::vector<double> enter;     ///< ... to cover fixed and annualized sunk cost
    std::vector<double> enter_low; ///< enter, for the firms with the largest e-commerce cut
    std::vector<std::uint16_t> order; ///< per country-sector: markets by enter_low, ascending
    std::vector<std::uint16_t> order_count; ///< per country-sector: markets that can be entered
};

} // namespace tradesim::models::firms

namespace tradesim::models {

struct FirmPopulation::Impl {
    const Scenario& scenario;
    FirmParams p;
    Dims dims;
    std::size_t firm_count = 0;
    std::vector<std::size_t> cs_begin; ///< N*K + 1 firm offsets
    std::vector<unsigned char> firm_sector; ///< K: 1 when the sector has firms

    // Per-firm state in sim's typed column store: hot arrays are streamed every step.
    sim::AgentColumns columns;
    using T = sim::Temperature;
    std::vector<float>& a = columns.add<float>("a", "phi^(sigma-1)", T::hot);
    std::vector<float>& shock =
        columns.add<float>("shock", "log demand, firm part", T::hot);
    std::vector<float>& cash = columns.add<float>("cash", "USD bn, profit summed", T::hot);
    std::vector<float>& sales =
        columns.add<float>("sales", "USD bn/yr, factory-gate, last step", T::hot);
    std::vector<std::uint32_t>& link_begin =
        columns.add<std::uint32_t>("link_begin", "offset into the block's links", T::hot);
    std::vector<std::uint16_t>& link_count =
        columns.add<std::uint16_t>("link_count", "markets served", T::hot);
    std::vector<std::uint16_t>& foreign_count =
        columns.add<std::uint16_t>("foreign_count", "foreign markets served", T::hot);
    std::vector<float>& export_sales =
        columns.add<float>("export_sales", "USD bn/yr, abroad, last step", T::cold);

    std::vector<firms::Block> blocks;

    // Calibrated per exporter-importer-sector (Dims::flow).
    std::vector<double> b;     ///< revenue per unit of a at baseline prices (USD bn/yr)
    std::vector<double> fixed; ///< fixed cost F_ijk (USD bn/yr at baseline spending)
    std::vector<double> e0;    ///< baseline spending E0_jk (N*K)
    std::vector<double> spend0; ///< baseline spending E0_j (N)
    std::vector<double> pi0;   ///< baseline shares, for sectors without firms

    // Dynamics.
    std::vector<double> expect; ///< expected P_jk^(sigma-1) (N*K)
    double expect_adjust = 1.0; ///< share of the gap closed per step
    double part_variance = 0;   ///< stationary variance of each part of the log shock
    double half_variance = 0;   ///< v / 2 of the summed log shock, for a mean of 1
    double months = 1;
    bool shocks = false;
    int burn_in = 0;
    std::vector<double> cut;        ///< e-commerce cost cut per pair (N*N)
    std::vector<double> small_pct;  ///< e-commerce percentile per pair (N*N)

    firms::MarketTerms terms;
    std::vector<double> weights, elasticities;
    std::vector<double> sourcing; ///< per flow: sum of a * demand shock over its links

    // Settlement currency of each link (issue 7), when a settlement is set.
    const Settlement* settlement = nullptr;
    std::vector<firms::CurrencyChoice> choice; ///< per exporter-sector and market (cs * N + j)
    std::vector<double> settlement_weights;    ///< per flow slot (Settlement::offsets())
    FirmTables tables;
    FirmCountryColumns cols{};
    FirmCalibration calibration;

    explicit Impl(const Scenario& s);
    void calibrate();
    void burn();
    /// Thresholds of a step from wages, tariffs and expectations.
    void prepare(const std::vector<double>& wage, const std::vector<double>& tariff,
                 const std::vector<double>& trade_cost);
    /// Decisions of one step of `step_months` months, with the draws of step `rng_step`; with
    /// a settlement, links also (re-)choose their currency from `choice`.
    void sweep(std::uint64_t rng_step, double step_months);
    template <bool Settle>
    void sweep_blocks(std::uint64_t rng_step, double step_months);
    /// choice from the settlement's current targets.
    void prepare_choice();
    /// settlement_weights from the blocks' sums, in block order.
    void merge_settlement();
    void build_weights(const std::vector<double>& tariff, const std::vector<double>& trade_cost);
    /// Productivity percentile of firm f from the bottom of its country-sector (0-100).
    [[nodiscard]] double percentile(std::size_t f, std::size_t cs) const noexcept {
        const double n = static_cast<double>(cs_begin[cs + 1] - cs_begin[cs]);
        return 100.0 * (1.0 - (static_cast<double>(f - cs_begin[cs]) + 0.5) / n);
    }
};

} // namespace tradesim::models
