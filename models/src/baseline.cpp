// Builds the baseline of a world from its facts: distances, output and spending by sector,
// trade costs from cited gravity estimates, and flows from the structural gravity system.

#include "detail/baseline.hpp"

#include "detail/fact_rows.hpp"
#include "tradesim/sim/error.hpp"
#include "tradesim/sim/text_table.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <limits>
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

// Distances: capitals by great circle; internal distance 0.67 sqrt(area / pi)
// (Head & Mayer 2002, the radius-based measure used for domestic flows). NaN where a
// location is unknown (observed worlds only).
void fill_distances(World& world) {
    const std::size_t n = world.dims.countries;
    world.distance_km.assign(n * n, 0.0);
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t j = 0; j < n; ++j) {
            const auto& ci = world.countries[i];
            const auto& cj = world.countries[j];
            const bool located = !std::isnan(ci.lat + ci.lon + cj.lat + cj.lon);
            world.distance_km[world.dims.pair(i, j)] =
                i == j ? world.gravity.internal_distance_factor *
                             std::sqrt(ci.area_km2 / std::numbers::pi)
                : located ? std::max(1.0, great_circle_km(ci.lat, ci.lon, cj.lat, cj.lon))
                          : std::numeric_limits<double>::quiet_NaN();
        }
    }
}

} // namespace

void build_baseline(World& world) {
    const std::size_t n = world.dims.countries;
    const std::size_t ns = world.dims.sectors;
    fill_distances(world);

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

void read_observed_baseline(World& world, const std::string& path) {
    const std::size_t n = world.dims.countries;
    const std::size_t ns = world.dims.sectors;
    fill_distances(world);
    sim::Diagnostics problems;
    const sim::TextTable table = sim::read_text_table(path);
    require_columns(table, {"exporter", "importer", "sector", "value_usd_bn"}, problems);
    problems.throw_if_any();
    const int ce = table.column_index("exporter");
    const int ci = table.column_index("importer");
    const int ck = table.column_index("sector");
    const auto cell = [](const sim::TextTable::Row& row, int c) -> const std::string& {
        return row.cells[static_cast<std::size_t>(c)];
    };
    world.flows.assign(world.dims.flow_count(), 0.0);
    // Line of the row that set each flow, to name both rows of a duplicate.
    std::vector<std::uint32_t> line_of(world.dims.flow_count(), 0);
    for (const auto& row : table.rows) {
        RowReader r(table, row, problems);
        const auto index = [&](int column, const std::vector<std::string>& known,
                               const char* what) {
            const std::string& code = cell(row, column);
            const auto it = std::find(known.begin(), known.end(), code);
            if (it == known.end()) {
                problems.error(
                    table.where(row, static_cast<std::size_t>(column)),
                    fmt::format("unknown {} \"{}\"{}", what, code, sim::did_you_mean(code, known)));
                return -1;
            }
            return static_cast<int>(it - known.begin());
        };
        const int e = index(ce, world.country_codes(), "country");
        const int m = index(ci, world.country_codes(), "country");
        const int k = index(ck, world.sector_codes(), "sector");
        const double value = r.number("value_usd_bn", 0.0, 1e6);
        if (e < 0 || m < 0 || k < 0) {
            continue;
        }
        const auto sector = static_cast<std::size_t>(k);
        if (e != m && value > 0.0 && !world.sectors[sector].traded) {
            problems.error(r.where("sector"),
                           fmt::format("sector {} is not traded (traded = 0 in sectors.csv), but "
                                       "this row has {} exporting to {}",
                                       world.sectors[sector].code, cell(row, ce), cell(row, ci)));
        }
        const std::size_t f =
            world.dims.flow(static_cast<std::size_t>(e), static_cast<std::size_t>(m), sector);
        if (line_of[f] != 0) {
            problems.error(table.where(row, static_cast<std::size_t>(ce)),
                           fmt::format("duplicate flow {} -> {} in {} (first on line {})",
                                       cell(row, ce), cell(row, ci), cell(row, ck), line_of[f]));
            continue;
        }
        line_of[f] = row.line;
        world.flows[f] = value;
    }
    problems.throw_if_any();

    // Output is what a country sells, expenditure what it buys (at factory-gate prices).
    world.output.assign(n * ns, 0.0);
    world.expenditure.assign(n * ns, 0.0);
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t j = 0; j < n; ++j) {
            for (std::size_t k = 0; k < ns; ++k) {
                world.output[world.dims.cs(i, k)] += world.flows[world.dims.flow(i, j, k)];
                world.expenditure[world.dims.cs(j, k)] += world.flows[world.dims.flow(i, j, k)];
            }
        }
    }
    // The economy divides by a country's income and spending: each must be positive.
    for (std::size_t i = 0; i < n; ++i) {
        double sales = 0.0, purchases = 0.0;
        for (std::size_t k = 0; k < ns; ++k) {
            sales += world.output[world.dims.cs(i, k)];
            purchases += world.expenditure[world.dims.cs(i, k)];
        }
        if (!(sales > 0.0) || !(purchases > 0.0)) {
            problems.error(sim::Location{path, 0, 0},
                           fmt::format("country {} {} nothing: every country of a world with "
                                       "observed flows must sell and buy (remove it from "
                                       "countries.csv)",
                                       world.countries[i].code, !(sales > 0.0) ? "sells" : "buys"));
        }
    }
    problems.throw_if_any();
}

} // namespace tradesim::models::detail
