#pragma once
/// Runs a scenario step by step through the fixed schedule of phases and hands each step's
/// results to an observer (the run store, a test, a progress display).

#include "tradesim/models/corridors.hpp"
#include "tradesim/models/economy.hpp"
#include "tradesim/models/firms.hpp"
#include "tradesim/models/friction.hpp"
#include "tradesim/models/policy.hpp"
#include "tradesim/models/scenario.hpp"
#include "tradesim/models/settlement.hpp"
#include "tradesim/sim/table.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace tradesim::models {

/// What one step produced; valid only during the observer call.
struct StepView {
    int step = 0;
    std::string date; ///< YYYY-MM of the step's first month
    const sim::ColumnTable& countries;
    const std::vector<double>& flows; ///< X_ijk, exporter-major (Dims::flow)
    const std::vector<Event>& events; ///< events of this step
    std::uint64_t state_hash = 0;     ///< hash of countries, flows and firm tables (XXH3)
    int solver_iterations = 0;
    /// The firm tables of the step; null when the scenario has no [firms].
    const FirmTables* firms = nullptr;
    /// The firm population (for calibration figures); null without [firms].
    const FirmPopulation* firm_population = nullptr;
    /// The corridors (tables, link ids); null when the world has no network.
    const Corridors* corridors = nullptr;
    /// Currency settlement (tables, slots, currencies); null when the scenario has none.
    const Settlement* settlement = nullptr;
    /// Friction indicators, index and levels of the step; null when friction is off.
    const FrictionTables* friction = nullptr;
    /// The policy state the step ran under (tariffs incl. the behaviours' duties).
    const PolicyState* policy = nullptr;
};

class RunObserver {
public:
    virtual ~RunObserver() = default;
    /// Called after every step, in step order.
    virtual void on_step(const StepView& view) = 0;
};

struct RunResult {
    int steps = 0;
    std::uint64_t final_hash = 0;
    /// Country tables of the first and last step, for summaries.
    sim::ColumnTable first;
    sim::ColumnTable last;
    /// Firm country tables of the first and last step (empty without [firms]).
    sim::ColumnTable firms_first;
    sim::ColumnTable firms_last;
    std::vector<Event> events;
};

/// Runs every step of `scenario`. Thread count comes from the sim::ThreadScope in force.
/// Throws NumericalError when a step does not clear.
RunResult run_scenario(const Scenario& scenario, RunObserver& observer);

/// The policy state at `step` from the scenario's scheduled policies: the baseline with every
/// policy in force then applied, in timeline order. Duties that governments' behaviours add
/// during a run are not in it: StepView::policy has the state a step actually ran under.
[[nodiscard]] PolicyState policy_at(const Scenario& scenario, int step);

} // namespace tradesim::models
