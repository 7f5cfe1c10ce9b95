#pragma once
// The baseline of a world: distances, output and expenditure by sector, and bilateral flows
// by sector from structural gravity (README, "Default world").

#include "tradesim/models/world.hpp"

namespace tradesim::models::detail {

/// Fills distance_km, output, expenditure and flows of a world whose facts are loaded.
/// Throws NumericalError when the gravity fit does not converge.
void build_baseline(World& world);

} // namespace tradesim::models::detail
