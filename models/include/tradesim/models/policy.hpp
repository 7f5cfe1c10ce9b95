#pragma once
/// Policies on a scenario's timeline, and the registry that maps a scenario's `kind = "..."`
/// to the code that reads and applies it. Adding a kind means adding a file under
/// models/src/policy/ that defines `register_policy_<file name>(PolicyRegistry&)`.

#include "tradesim/models/currencies.hpp"
#include "tradesim/models/network.hpp"
#include "tradesim/models/world.hpp"
#include "tradesim/sim/calendar.hpp"
#include "tradesim/sim/diagnostics.hpp"
#include "tradesim/sim/spec.hpp"

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace tradesim::models {

/// The state of the transport network that corridor policies write (empty when the world has
/// no network): per link of the scenario's network (Scenario::network) whether it is open, and
/// factors on its freight cost, capacity and transit days; per node extra days of waiting.
struct NetworkState {
    std::vector<unsigned char> open;
    std::vector<double> cost_factor, capacity_factor, days_factor;
    std::vector<double> node_delay;
};

/// The state of settlement that currency policies write (empty when the world has no
/// currencies). C = the world's currencies (Currencies::currencies, in file order), N economies;
/// "pair" is Dims::pair(exporter, importer).
struct SettlementPolicy {
    std::size_t currencies = 0; ///< C
    /// Per pair and currency (pair * C + c): cut in the cost of settling the pair's trade in c,
    /// share of value (settlement_incentive).
    std::vector<double> cut;
    /// Per pair and currency: share 0-1 of c's liquidity premium (its conversion spread above
    /// the deepest market's) removed on the pair's trade (swap_line).
    std::vector<double> swap;
    /// Per pair and currency: minimum share 0-1 of the pair's trade settled in c
    /// (settlement_mandate); 0 = none.
    std::vector<double> floor;
    /// Per economy and currency (i * C + c): 1 when c cannot settle any trade of i
    /// (clearing_sanction).
    std::vector<unsigned char> barred;
    /// Per currency: jump of its log value against USD (fx_shock: ln(1 + change_pct / 100)),
    /// summed over the shocks in force.
    std::vector<double> fx_jump;
    /// Per currency: exchange-rate regime, anchor ("" floating, a code, or "basket"), band and
    /// volatility (percent) in force: currencies.csv, changed by regime_change.
    std::vector<FxRegime> regime;
    std::vector<std::string> anchor;
    std::vector<double> band, volatility;

    /// No settlement policy: every vector sized for `set` and `countries`, regimes as the file.
    [[nodiscard]] static SettlementPolicy baseline(const Currencies& set, std::size_t countries);
};

/// Mutable policy state of the economy that policies write in the policy phase.
struct PolicyState {
    Dims dims;
    std::vector<double> tariff; ///< ad valorem tariff t_ijk as a fraction (0.25 = 25 %)
    /// Cross-border e-commerce, per (exporter, importer) pair (Dims::pair): the share of
    /// the fixed and sunk costs of serving the market that small firms no longer pay, and
    /// which firms are small: those below this productivity percentile (0-100) of their
    /// country-sector, i.e. below it in size at the baseline. Empty when no policy set them.
    std::vector<double> small_firm_cost_cut;
    std::vector<double> small_firm_percentile;
    /// The network (corridor policies); empty without a network.
    NetworkState network;
    /// Trade costs of the step relative to the baseline, tau_ijk / tau0_ijk (Dims::flow),
    /// written by the corridors phase from the network; empty means all 1.
    std::vector<double> trade_cost;
    /// Currency settlement (currency policies); empty without currencies.
    SettlementPolicy settlement;

    /// The baseline: no tariffs, no e-commerce measures.
    [[nodiscard]] static PolicyState baseline(const Dims& dims) {
        return PolicyState{dims, std::vector<double>(dims.flow_count(), 0.0), {}, {}, {}, {}, {}};
    }
};

/// One line in a run's event log.
struct Event {
    int step = 0;
    std::string date; ///< YYYY-MM
    std::string kind; ///< e.g. "tariff", "tariff_end"
    std::string importer;
    std::string exporter;
    std::string sector; ///< sector code, "all" or a list joined by ';'
    double value = 0;   ///< kind-specific number (tariff: rate or increase in percent)
    std::string message;
};

/// A policy read from a scenario, frozen before the run.
class Policy {
public:
    virtual ~Policy() = default;
    [[nodiscard]] virtual const std::string& kind() const noexcept = 0;
    /// First step in force.
    [[nodiscard]] int start_step() const noexcept { return start_step_; }
    /// First step no longer in force (steps() when it never ends in the run).
    [[nodiscard]] int end_step() const noexcept { return end_step_; }
    /// Writes this policy's effect on `state`; called every step it is in force, in
    /// timeline order, after the state was reset to the baseline.
    virtual void apply(PolicyState& state) const = 0;
    /// Event logged on the step the policy starts (and ends, with `ending`).
    [[nodiscard]] virtual Event describe(bool ending) const = 0;
    /// Its key path ("policy[3]") and where its table starts in the scenario file, for
    /// problems found after it was read (set by load_scenario).
    [[nodiscard]] const std::string& key_path() const noexcept { return key_path_; }
    [[nodiscard]] const sim::Location& where() const noexcept { return where_; }
    void set_source(std::string key_path, sim::Location where) {
        key_path_ = std::move(key_path);
        where_ = std::move(where);
    }

protected:
    int start_step_ = 0;
    int end_step_ = 0;

private:
    std::string key_path_;
    sim::Location where_;
};

/// Everything a policy reader needs to check its fields.
struct PolicyContext {
    const World& world;
    const sim::Calendar& calendar;
    std::string key_path; ///< e.g. "policy[3]" for messages
    int start_step = 0;
    int end_step = 0;
    sim::Diagnostics& problems;
    bool firms = false; ///< the scenario has a firm population
    /// The scenario's network (null without one); corridor_opening adds its link to it.
    Network* network = nullptr;
    /// The world's currencies (null without them): currency policies need them.
    const Currencies* currencies = nullptr;
};

/// Reads one [[policy]] table (date, kind and `end` already checked); adds problems to
/// ctx.problems and returns nullptr when the table is invalid. Must consume every key
/// it knows in `keys_used` so the caller can report unknown ones.
using PolicyReader = std::function<std::unique_ptr<Policy>(
    const sim::SpecNode& table, PolicyContext& ctx, std::vector<std::string>& keys_used)>;

class PolicyRegistry {
public:
    /// The registry with every built-in kind.
    static const PolicyRegistry& builtin();
    void add(const std::string& kind, PolicyReader reader);
    [[nodiscard]] const PolicyReader* find(const std::string& kind) const;
    [[nodiscard]] std::vector<std::string> kinds() const;

private:
    std::map<std::string, PolicyReader> readers_;
};

} // namespace tradesim::models
