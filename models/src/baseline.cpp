// Builds the baseline of a world from its facts: distances, output and spending by sector,
// trade costs from cited gravity estimates, and flows from the structural gravity system.

#include "detail/baseline.hpp"

#include "tradesim/sim/error.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <numbers>

namespace tradesim::models::detail {

namespace {

// Doubly constrained gravity by iterative proportional fitting: X_ij = a_i b_j K_ij with
// row sums Y_i and column sums E_j. Equivalent to solving the structural gravity system for
// the multilateral resistances (Anderson & van Wincoop 2003; Yotov et al. 2016, ch. 1).
void fit_gravity(const std::vector<double>& kernel, const std::vector<double>& y,
                 const std::vector<double>& e, std::vector<double>& x, const std::string& sector) {
    const std::size_t n = y.size();
    std::vector<double> a(n, 1.0), b(n, 1.0);
    for (int iter = 0; iter < 100000; ++iter) {
        for (std::size_t i = 0; i < n; ++i) {
            double s = 0.0;
            for (std::size_t j = 0; j < n; ++j) {
                s += kernel[i * n + j] * b[j];
            }
            a[i] = s > 0.0 ? y[i] / s : 0.0;
        }
        double worst = 0.0;
        for (std::size_t j = 0; j < n; ++j) {
            double s = 0.0;
            for (std::size_t i = 0; i < n; ++i) {
                s += kernel[i * n + j] * a[i];
            }
            b[j] = s > 0.0 ? e[j] / s : 0.0;
        }
        // Row sums after the column step measure the remaining misfit.
        for (std::size_t i = 0; i < n; ++i) {
            double s = 0.0;
            for (std::size_t j = 0; j < n; ++j) {
                s += kernel[i * n + j] * a[i] * b[j];
            }
            if (y[i] > 0.0) {
                worst = std::max(worst, std::abs(s - y[i]) / y[i]);
            }
        }
        if (worst < 1e-13) {
            for (std::size_t i = 0; i < n; ++i) {
                for (std::size_t j = 0; j < n; ++j) {
                    x[i * n + j] = a[i] * b[j] * kernel[i * n + j];
                }
            }
            return;
        }
    }
    throw sim::NumericalError(
        fmt::format("baseline gravity for sector {} did not converge", sector));
}

} // namespace

void build_baseline(World& world) {
    const std::size_t n = world.dims.countries;
    const std::size_t ns = world.dims.sectors;
    // Distances: capitals by great circle; internal distance 0.67 sqrt(area / pi)
    // (Head & Mayer 2002, the radius-based measure used for domestic flows).
    world.distance_km.assign(n * n, 0.0);
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t j = 0; j < n; ++j) {
            const auto& ci = world.countries[i];
            const auto& cj = world.countries[j];
            world.distance_km[world.dims.pair(i, j)] =
                i == j ? world.gravity.internal_distance_factor *
                             std::sqrt(ci.area_km2 / std::numbers::pi)
                       : std::max(1.0, great_circle_km(ci.lat, ci.lon, cj.lat, cj.lon));
        }
    }

    // Output by sector from value-added shares (README, "Default world"): agriculture from
    // agri_pct, mineral products from resource_pct, manufacturing split by manuf_split,
    // services the rest of GDP.
    world.output.assign(n * ns, 0.0);
    for (std::size_t i = 0; i < n; ++i) {
        const auto& c = world.countries[i];
        double goods = 0.0;
        for (std::size_t k = 0; k < ns; ++k) {
            const auto& s = world.sectors[k];
            double share = 0.0;
            if (s.code == "AGR") {
                share = c.agri_pct / 100.0;
            } else if (s.code == "MIN") {
                share = c.resource_pct / 100.0;
            } else if (s.code != "SRV") {
                share = c.manuf_pct / 100.0 * s.manuf_split;
            }
            world.output[world.dims.cs(i, k)] = c.gdp_usd_bn * share;
            goods += c.gdp_usd_bn * share;
        }
        world.output[world.dims.cs(i, static_cast<std::size_t>(world.sector_index("SRV")))] =
            c.gdp_usd_bn - goods;
    }

    // Expenditure: services are consumed where produced; goods spending is goods output
    // less the trade balance (trade_balance_pct of GDP), split across goods sectors in world
    // output proportions, so world supply equals world demand sector by sector. The rest of
    // the world takes the balance that makes the world's balances sum to zero. Because this
    // world's goods output is value added, a surplus is capped at 75 % of goods output.
    world.expenditure.assign(n * ns, 0.0);
    std::vector<double> world_output(ns, 0.0);
    double world_goods = 0.0;
    for (std::size_t k = 0; k < ns; ++k) {
        for (std::size_t i = 0; i < n; ++i) {
            world_output[k] += world.output[world.dims.cs(i, k)];
        }
        if (world.sectors[k].traded) {
            world_goods += world_output[k];
        }
    }
    std::vector<double> goods_output(n, 0.0), balance(n, 0.0);
    for (std::size_t j = 0; j < n; ++j) {
        for (std::size_t k = 0; k < ns; ++k) {
            if (world.sectors[k].traded) {
                goods_output[j] += world.output[world.dims.cs(j, k)];
            }
        }
    }
    const int row = world.country_index("ROW");
    double total = 0.0;
    for (std::size_t j = 0; j < n; ++j) {
        if (static_cast<int>(j) == row) {
            continue;
        }
        const auto& c = world.countries[j];
        balance[j] = std::min(c.gdp_usd_bn * c.trade_balance_pct / 100.0, 0.75 * goods_output[j]);
        total += balance[j];
    }
    if (row >= 0) {
        const auto r = static_cast<std::size_t>(row);
        balance[r] = std::min(-total, 0.75 * goods_output[r]);
        total += balance[r];
    }
    if (std::abs(total) > 1e-9 * world_goods) {
        // No rest-of-world row can absorb it: spread the residual over all in output shares.
        for (std::size_t j = 0; j < n; ++j) {
            balance[j] -= total * goods_output[j] / world_goods;
        }
    }
    for (std::size_t j = 0; j < n; ++j) {
        const double goods_spending = goods_output[j] - balance[j];
        for (std::size_t k = 0; k < ns; ++k) {
            world.expenditure[world.dims.cs(j, k)] =
                world.sectors[k].traded ? goods_spending * world_output[k] / world_goods
                                        : world.output[world.dims.cs(j, k)];
        }
    }

    // Trade cost kernel from the cited gravity estimates, then per-sector fit.
    std::vector<double> kernel(n * n);
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t j = 0; j < n; ++j) {
            const std::size_t p = world.dims.pair(i, j);
            kernel[p] = std::exp(world.gravity.distance * std::log(world.distance_km[p]) +
                                 world.gravity.contiguity * world.contiguous[p] +
                                 world.gravity.rta * world.rta[p] +
                                 world.gravity.border * (i == j ? 0.0 : 1.0));
        }
    }
    world.flows.assign(world.dims.flow_count(), 0.0);
    std::vector<double> y(n), e(n), x(n * n);
    for (std::size_t k = 0; k < ns; ++k) {
        for (std::size_t i = 0; i < n; ++i) {
            y[i] = world.output[world.dims.cs(i, k)];
            e[i] = world.expenditure[world.dims.cs(i, k)];
        }
        if (world.sectors[k].traded) {
            fit_gravity(kernel, y, e, x, world.sectors[k].code);
        } else {
            std::fill(x.begin(), x.end(), 0.0);
            for (std::size_t i = 0; i < n; ++i) {
                x[i * n + i] = y[i];
            }
        }
        for (std::size_t i = 0; i < n; ++i) {
            for (std::size_t j = 0; j < n; ++j) {
                world.flows[world.dims.flow(i, j, k)] = x[i * n + j];
            }
        }
    }
}

} // namespace tradesim::models::detail
