#pragma once
/// Trade friction: indicators of friction per country pair and sector, the composite index and
/// its levels (watch, warning, alert), and the governments' behaviours that answer them with
/// duties. Behaviours change policy through the run's Timeline, so their measures and the
/// event log are the same mechanism as scheduled policies.
///
/// Indicators of importer j against exporter i in sector k at step t, over a window of W steps
/// (b = max(0, t - W); all from steps <= t, i.e. what a government has seen by then):
///   surge            X_ijk(t) / X_ijk(b) - 1                       growth of imports
///   imbalance        max(0, (M - X) / (M + X)), M = sum_k X_ijk, X = sum_k X_jik   j's deficit
///   imbalance_change imbalance(t) - imbalance(b)
///   undercut         1 - r(t) / r(b), r = p_ijk / p_jjk, p_ijk = w_i tau_ijk        relative
///                    fall of i's landed price (before duty) against j's own producers' price
///   share_gain       pi_ijk(t) - pi_ijk(b), pi = X_ijk / sum_l X_ljk              i's share of
///                    j's purchases of k
///   partner_tariff   100 (t_jik(t) - t_jik(b)), averaged over sectors with the baseline flows
///                    X0_jik as weights: how far i raised its tariffs on j's goods (points)
/// Composite index = sum_m weight_m * clamp(indicator_m / full_m, 0, 1), in [0, 1]. Level:
/// watch, warning, alert when the index reaches their thresholds; a level falls only when the
/// index drops `hysteresis` below the level's threshold (no flapping).

#include "tradesim/models/policy.hpp"
#include "tradesim/models/world.hpp"
#include "tradesim/sim/table.hpp"

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace tradesim::models {

struct Scenario;

enum class Indicator { surge, imbalance, imbalance_change, undercut, share_gain, partner_tariff };
inline constexpr std::size_t indicator_count = 6;
/// "surge", "imbalance", ... in Indicator order.
[[nodiscard]] const std::array<std::string, indicator_count>& indicator_names();

/// Levels of friction of a pair and sector.
enum class Level : std::uint8_t { none = 0, watch = 1, warning = 2, alert = 3 };
[[nodiscard]] const char* to_string(Level level) noexcept;

/// [friction] parameters, with their documented defaults (README, "Trade friction").
struct FrictionParams {
    bool enabled = true;
    int window_months = 12; ///< W in months (at least one step)
    double min_flow = 0.1; ///< USD bn/yr at the baseline: smaller pair-sector flows are not watched
    /// Indicator value that counts in full (surge 30 %, imbalance 0.5, change 0.1, undercut 5 %,
    /// share gain 5 points, partner tariff 10 points), in Indicator order.
    std::array<double, indicator_count> full = {0.30, 0.5, 0.10, 0.05, 0.05, 10.0};
    /// Weights of the composite index, in Indicator order; they add up to 1. A judgement, not
    /// an estimate (README, "Trade friction"): a partner's tariff rise in full (10 points) is
    /// a watch by itself, with a deficit or a price fall a warning; an alert needs imports
    /// that surge or gain share as well.
    std::array<double, indicator_count> weight = {0.25, 0.10, 0.05, 0.15, 0.15, 0.30};
    double watch = 0.25, warning = 0.45, alert = 0.65;
    double hysteresis = 0.05;
    /// No behaviour raises a tariff above this (percent): escalation stops at the cap.
    double cap_pct = 100.0;
};

/// What the friction phase computed for a step. Arrays are per flow (Dims::flow(i, j, k):
/// exporter i, importer j, sector k); entries of pairs and sectors not watched are 0.
struct FrictionTables {
    /// indicator[m][flow]
    std::array<std::vector<double>, indicator_count> indicator;
    std::vector<double> index;         ///< composite index, 0-1
    std::vector<std::uint8_t> level;   ///< Level
    std::vector<std::uint8_t> watched; ///< 1 when the pair-sector is watched
};

/// What governments have seen by the end of step `step` (never anything later).
struct Observed {
    int step = 0;
    int months_per_step = 1;
    const Dims& dims;
    const World& world;
    const FrictionParams& params;
    const FrictionTables& friction;
    const std::vector<double>& flows;          ///< X_ijk of the step
    const std::vector<double>& baseline_flows; ///< X0_ijk
    const std::vector<double>& tariff;         ///< tariffs in force at the step (fractions)
    const std::vector<double>& tariff_before;  ///< tariffs in force the step before
    const std::vector<double>& welfare_change; ///< per country, percent from the baseline
    /// Flows `back` steps ago (0 = this step), back <= window steps; earlier than the start
    /// gives the first step's.
    std::function<const std::vector<double>&(int back)> flows_ago;
    [[nodiscard]] int window_steps() const noexcept;
    /// Months to steps, rounded up, at least one step.
    [[nodiscard]] int steps_of(int months) const noexcept;
};

/// What behaviours decided at a step: policies that start at a later step, and the run's
/// policies added so far (to see what is in force or pending).
class Decisions {
public:
    Decisions(int step, int steps, const std::vector<const Policy*>& added,
              std::vector<Event>& events)
        : step_(step), steps_(steps), added_(added), events_(events) {}
    /// Adds `policy`; its start step must lie after the current step (a behaviour never acts
    /// on the step it observes). Policies starting after the run are dropped.
    void add(std::unique_ptr<Policy> policy);
    [[nodiscard]] int step() const noexcept { return step_; }
    [[nodiscard]] int steps() const noexcept { return steps_; }
    /// Policies added by behaviours before this step and at it.
    [[nodiscard]] std::vector<const Policy*> added() const;
    /// Logs an event of this step (e.g. an investigation opened).
    void note(Event event) { events_.push_back(std::move(event)); }
    [[nodiscard]] std::vector<std::unique_ptr<Policy>> take() { return std::move(new_); }

private:
    int step_, steps_;
    const std::vector<const Policy*>& added_;
    std::vector<Event>& events_;
    std::vector<std::unique_ptr<Policy>> new_;
};

/// A duty set by a behaviour: per importer, exporter and sector an increase of the tariff in
/// percentage points (negative for a cut); rises never lift a tariff above cap_pct.
struct DutySpec {
    std::string kind; ///< event kind: "retaliation", "anti_dumping", "safeguard", "negotiation"
    int start = 0, end = 0; ///< steps; end = the run's steps for no end
    std::string start_date, end_date;
    std::size_t government = 0; ///< the country that sets it (for the event)
    std::vector<std::size_t> importers, exporters;
    std::vector<std::size_t> sectors;
    std::vector<double> points; ///< per entry of sectors
    double cap_pct = 100.0;
    std::string importer_label, exporter_label, sector_label;
    std::string message, end_message;
    double value = 0; ///< for the event: mean points
};
[[nodiscard]] std::unique_ptr<Policy> make_duty(DutySpec spec);
/// The duty's spec when `policy` is one made by make_duty, else null.
[[nodiscard]] const DutySpec* duty_of(const Policy& policy) noexcept;

/// A government behaviour, frozen in the scenario; run_scenario clones it, and the clone
/// keeps whatever it needs to remember during the run.
class Behaviour {
public:
    virtual ~Behaviour() = default;
    [[nodiscard]] virtual const std::string& name() const noexcept = 0;
    [[nodiscard]] virtual std::unique_ptr<Behaviour> clone() const = 0;
    /// Called in the friction phase of every step, after the indicators, in the order of
    /// the scenario's [[government]] tables.
    virtual void react(const Observed& seen, Decisions& out) = 0;
    [[nodiscard]] std::size_t government() const noexcept { return government_; }

protected:
    std::size_t government_ = 0;
};

struct BehaviourContext {
    const World& world;
    const sim::Calendar& calendar;
    const FrictionParams& params;
    std::string key_path; ///< "government[2]"
    std::size_t government = 0;
    sim::Diagnostics& problems;
};

/// Reads one [[government]] table for one country (its `country` and `behaviour` already
/// read); adds problems and returns null when invalid; lists the keys it knows in keys_used.
using BehaviourReader = std::function<std::unique_ptr<Behaviour>(
    const sim::SpecNode& table, BehaviourContext& ctx, std::vector<std::string>& keys_used)>;

class BehaviourRegistry {
public:
    /// Every built-in behaviour: one file each under models/src/behaviour/.
    static const BehaviourRegistry& builtin();
    void add(const std::string& name, BehaviourReader reader);
    [[nodiscard]] const BehaviourReader* find(const std::string& name) const;
    [[nodiscard]] std::vector<std::string> names() const;

private:
    std::map<std::string, BehaviourReader> readers_;
};

/// The friction phase: keeps the window of past steps, computes indicators and levels in
/// parallel (each task writes its own importers), logs level changes as events, and lets the
/// behaviours react.
class Friction {
public:
    explicit Friction(const Scenario& scenario);
    ~Friction();
    Friction(const Friction&) = delete;
    Friction& operator=(const Friction&) = delete;

    /// Indicators and levels of `step` from its flows, the factory-gate prices (wages), the
    /// step's trade costs relative to the baseline and tariffs; level changes go to `events`.
    void observe(int step, const std::vector<double>& flows, const std::vector<double>& wages,
                 const PolicyState& policy, const sim::ColumnTable& countries,
                 std::size_t welfare_column, std::vector<Event>& events);
    /// The behaviours' decisions on what `observe` saw at `step` (policies starting later);
    /// what they note now goes to `events`.
    [[nodiscard]] std::vector<std::unique_ptr<Policy>>
    react(int step, const std::vector<const Policy*>& added, std::vector<Event>& events);
    [[nodiscard]] const FrictionTables& tables() const noexcept;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

} // namespace tradesim::models
