#pragma once
// The baseline of a world: distances, output and expenditure by sector, and bilateral flows
// by sector from structural gravity (README, "Default world").

#include "tradesim/models/world.hpp"

#include <string>

namespace tradesim::models::detail {

/// Fills distance_km, output, expenditure and flows of a world whose facts are loaded.
/// Throws NumericalError when the gravity fit does not converge.
void build_baseline(World& world);

/// Fills distance_km, flows (from the observed flows file at `path`: exporter, importer,
/// sector, value_usd_bn), and output and expenditure as their row and column sums of a world
/// whose facts are loaded. Throws InputError listing every bad row (file:line:column):
/// unknown codes, bad or negative values, duplicates, trade in a non-traded sector, and
/// countries that sell or buy nothing.
void read_observed_baseline(World& world, const std::string& path);

} // namespace tradesim::models::detail
