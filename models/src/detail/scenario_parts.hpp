#pragma once
// Parts of the scenario reader that live in their own files.

#include "tradesim/models/scenario.hpp"
#include "tradesim/sim/diagnostics.hpp"
#include "tradesim/sim/spec.hpp"

namespace tradesim::models::detail {

/// Reads [firms] into s.firms (needs s.world and s.calendar).
void read_firms(const sim::SpecNode& root, Scenario& s, sim::Diagnostics& problems);
/// Problems between [firms] and other tables.
void check_firm_options(const sim::SpecNode& root, const Scenario& s, sim::Diagnostics& problems);
/// Reads [currencies] into s.settlement: enabled by default when the world has currencies.
void read_currencies(const sim::SpecNode& root, Scenario& s, sim::Diagnostics& problems);
/// Reads [friction] into s.friction and every [[government]] table into s.governments (needs
/// s.world and s.calendar).
void read_friction(const sim::SpecNode& root, Scenario& s, sim::Diagnostics& problems);
/// Problems between currency policies in force at the same time: regime changes of one
/// currency that disagree, mandates on a pair adding up to more than all of it or on a barred
/// currency, sanctions that leave a pair no currency.
void check_currency_policies(const Scenario& s, sim::Diagnostics& problems);
/// Every pair that trades at the baseline keeps a route over the network at every step, as the
/// corridor policies in force leave it (corridors/connectivity.cpp); otherwise a problem at the
/// policy that cuts the pair off, naming the pair and the date.
void check_routes(const Scenario& s, sim::Diagnostics& problems);

} // namespace tradesim::models::detail
