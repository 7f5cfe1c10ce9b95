#pragma once
// The numeraire of every general-equilibrium solver here (ge_gravity's): world output stays
// at its baseline value.

#include <cmath>
#include <vector>

namespace tradesim::models::gravity::detail {

/// Shifts log factory prices `lw` so that sum_i y_i exp(lw_i) equals `world`.
inline void keep_world_output(const std::vector<double>& y, double world, std::vector<double>& lw) {
    double total = 0.0;
    for (std::size_t i = 0; i < y.size(); ++i) {
        total += y[i] * std::exp(lw[i]);
    }
    const double shift = std::log(world / total);
    for (double& v : lw) {
        v += shift;
    }
}

} // namespace tradesim::models::gravity::detail
