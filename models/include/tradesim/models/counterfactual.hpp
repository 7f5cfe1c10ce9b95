#pragma once
/// A scenario's tariffs as a general-equilibrium counterfactual of its world's baseline: the
/// long-run equilibrium that the monthly run reaches once sourcing has fully adjusted (the
/// Economy at full adjustment is the same system; a test holds them to each other).

#include "tradesim/models/gravity/ge_sectors.hpp"
#include "tradesim/models/scenario.hpp"

namespace tradesim::models {

/// The scenario's world: baseline flows X_ijk, its sector elasticities and deficits; no
/// baseline tariffs (a scenario's tariffs are changes from the baseline) and, as the
/// counterfactual, the tariffs in force at `step` (the policy phase's state then).
[[nodiscard]] gravity::GeSectorsProblem tariff_counterfactual(const Scenario& scenario, int step);

} // namespace tradesim::models
