#pragma once
/// A scenario: the world, the calendar, the seed, model parameters and a policy timeline,
/// read from a TOML file (which may `extends` another) and frozen before the run.

#include "tradesim/models/firm_params.hpp"
#include "tradesim/models/friction.hpp"
#include "tradesim/models/policy.hpp"
#include "tradesim/models/settlement.hpp"
#include "tradesim/models/world.hpp"
#include "tradesim/sim/calendar.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace tradesim::models {

/// [model] parameters, with their documented defaults.
struct ModelParams {
    /// Trade elasticity theta per sector (sigma - 1); default from world.toml.
    std::vector<double> theta;
    /// Months for half of the gap between actual and equilibrium sourcing shares to close.
    /// Default 12 (see README, "Model").
    double adjustment_half_life_months = 12.0;
    /// Market clearing tolerance: max |excess demand| / output.
    double tolerance = 1e-12;
    int max_iterations = 10000;
};

struct Scenario {
    std::string path; ///< file as given
    std::string name;
    std::string description;
    std::string text;     ///< the file's text as given (extends chain: every file)
    std::string resolved; ///< the merged scenario as TOML
    std::shared_ptr<const World> world;
    /// The world's network with the links that corridor_opening policies add (closed until
    /// their date); null when the world has no network.
    std::shared_ptr<Network> network;
    sim::Calendar calendar;
    std::uint64_t seed = 0;
    ModelParams params;
    FirmParams firms; ///< [firms]; disabled when the scenario has none
    /// [currencies]; enabled by default when the world has currencies.
    SettlementParams settlement;
    std::vector<std::unique_ptr<Policy>> policies; ///< in timeline order (date, then file order)
    /// [friction]: indicators and alerts, on unless `enabled = false`.
    FrictionParams friction;
    /// [[government]] behaviours, one per country and table, in file order (none: left out).
    std::vector<std::unique_ptr<Behaviour>> governments;
};

/// Reads and checks a scenario file and the world it names. Throws InputError listing every
/// problem as `file:line:column: error: ...` (with the key path, and a suggestion where one
/// exists), among them corridor closures that leave a pair that trades without a route (at the
/// closure, with the pair and the date); IoError when a file cannot be read.
[[nodiscard]] Scenario load_scenario(const std::string& path);

} // namespace tradesim::models
