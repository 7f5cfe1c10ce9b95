// Calibration of the firm population to the world's baseline flows: demand per market, fixed
// costs that put each market's marginal firm at zero profit, and one scale of export fixed
// costs that makes the target share of producers export.

#include "state.hpp"
#include "tradesim/sim/error.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>

namespace tradesim::models {

namespace {

// The cutoff between firm m-1 (the last one in) and firm m (the first one out), as a value of
// a: their geometric mean, so that neither sits on the edge of its decision.
double cutoff(const std::vector<float>& a, std::size_t begin, std::size_t n, std::size_t m) {
    const double last = a[begin + m - 1];
    if (m < n) {
        return std::sqrt(last * static_cast<double>(a[begin + m]));
    }
    return 0.9 * last;
}

struct CountrySector {
    std::size_t begin = 0, n = 0, active = 0;
    std::vector<double> prefix; ///< prefix[m] = sum of a over the m most productive firms
    double reference_fixed = 0; ///< domestic-style fixed cost from total output
};

// Firms serving a market with sales x and fixed cost at least `fixed`: the largest m <= limit
// whose m-th firm still covers the fixed cost when the m firms share x (at least one).
std::size_t firms_for(const CountrySector& c, const std::vector<float>& a, double x, double fixed,
                      double sigma) {
    std::size_t lo = 1, hi = c.active;
    const auto covers = [&](std::size_t m) {
        return x * static_cast<double>(a[c.begin + m - 1]) / (c.prefix[m] * sigma) >= fixed;
    };
    if (!covers(1)) {
        return 1;
    }
    while (lo < hi) {
        const std::size_t mid = (lo + hi + 1) / 2;
        if (covers(mid)) {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    return lo;
}

} // namespace

void FirmPopulation::Impl::calibrate() {
    const World& w = *scenario.world;
    const std::size_t n = dims.countries;
    const std::size_t ns = dims.sectors;
    const double sigma = p.sigma;

    e0.assign(n * ns, 0.0);
    spend0.assign(n, 0.0);
    pi0.assign(dims.flow_count(), 0.0);
    for (std::size_t j = 0; j < n; ++j) {
        for (std::size_t k = 0; k < ns; ++k) {
            e0[dims.cs(j, k)] = w.expenditure[dims.cs(j, k)];
            spend0[j] += w.expenditure[dims.cs(j, k)];
        }
    }
    for (std::size_t f = 0; f < dims.flow_count(); ++f) {
        const std::size_t jk = ((f / ns) % n) * ns + f % ns; // importer-sector of flow f
        pi0[f] = e0[jk] > 0.0 ? w.flows[f] / e0[jk] : 0.0;
    }

    // Per country-sector: prefix sums and the reference fixed cost.
    std::vector<CountrySector> cs_info(n * ns);
    for (std::size_t cs = 0; cs < n * ns; ++cs) {
        CountrySector& c = cs_info[cs];
        c.begin = cs_begin[cs];
        c.n = cs_begin[cs + 1] - c.begin;
        if (c.n == 0) {
            continue;
        }
        c.active = std::clamp<std::size_t>(
            static_cast<std::size_t>(std::llround(p.active_share * static_cast<double>(c.n))), 1,
            c.n);
        c.prefix.assign(c.n + 1, 0.0);
        for (std::size_t m = 0; m < c.n; ++m) {
            c.prefix[m + 1] = c.prefix[m] + a[c.begin + m];
        }
        c.reference_fixed =
            w.output[cs] / c.prefix[c.active] * cutoff(a, c.begin, c.n, c.active) / sigma;
    }

    // Fixed cost factors of foreign markets: distance and per-pair multipliers.
    std::vector<double> factor(n * n, 1.0);
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t j = 0; j < n; ++j) {
            if (p.fixed_cost_distance_elasticity != 0.0) {
                // A world calibrated from data may lack coordinates (e.g. a rest of world).
                if (std::isnan(w.distance_km[dims.pair(i, j)])) {
                    throw sim::InputError(fmt::format(
                        "{}/countries.csv: error: firms: no distance between {} and {} (a country "
                        "without "
                        "coordinates) for the fixed costs of exporting: give its lat, lon and "
                        "area in countries.csv or set [firms] fixed_cost_distance_elasticity = 0",
                        w.directory, w.countries[i].code, w.countries[j].code));
                }
                factor[dims.pair(i, j)] = std::pow(w.distance_km[dims.pair(i, j)] / 1000.0,
                                                   p.fixed_cost_distance_elasticity);
            }
        }
    }
    for (const auto& pf : p.pair_factors) {
        factor[dims.pair(pf.exporter, pf.importer)] *= pf.factor;
    }

    // Firms serving each market for an export cost scale; the share of producers exporting.
    std::vector<std::size_t> serving(dims.flow_count(), 0);
    const auto assign = [&](double scale) {
        std::size_t producers = 0, exporters = 0;
        for (std::size_t cs = 0; cs < n * ns; ++cs) {
            const CountrySector& c = cs_info[cs];
            if (c.n == 0) {
                continue;
            }
            const std::size_t i = cs / ns;
            const std::size_t k = cs % ns;
            std::size_t widest = 0;
            for (std::size_t j = 0; j < n; ++j) {
                const std::size_t f = dims.flow(i, j, k);
                const double x = w.flows[f];
                std::size_t m = 0;
                if (x > 0.0) {
                    m = j == i
                            ? c.active
                            : firms_for(c, a, x,
                                        scale * c.reference_fixed * factor[dims.pair(i, j)], sigma);
                }
                serving[f] = m;
                if (j != i) {
                    widest = std::max(widest, m);
                }
            }
            producers += std::max(widest, serving[dims.flow(i, i, k)]);
            exporters += widest;
        }
        return producers > 0 ? static_cast<double>(exporters) / static_cast<double>(producers)
                             : 0.0;
    };
    // The share falls as the scale rises: bisection on its logarithm.
    double lo = -30.0, hi = 30.0;
    for (int iter = 0; iter < 200 && hi - lo > 1e-12; ++iter) {
        const double mid = 0.5 * (lo + hi);
        if (assign(std::exp(mid)) > p.export_share) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    calibration.export_share = assign(std::exp(hi));
    calibration.export_cost_scale = std::exp(hi);
    calibration.firms = firm_count;

    // Demand per unit of a and fixed costs from the firms that serve each market.
    b.assign(dims.flow_count(), 0.0);
    fixed.assign(dims.flow_count(), firms::infinite);
    for (std::size_t cs = 0; cs < n * ns; ++cs) {
        const CountrySector& c = cs_info[cs];
        if (c.n == 0) {
            continue;
        }
        ++calibration.country_sectors;
        const std::size_t i = cs / ns;
        const std::size_t k = cs % ns;
        for (std::size_t j = 0; j < n; ++j) {
            const std::size_t f = dims.flow(i, j, k);
            const std::size_t m = serving[f];
            if (m == 0) {
                continue;
            }
            b[f] = w.flows[f] / c.prefix[m];
            fixed[f] = b[f] * cutoff(a, c.begin, c.n, m) / sigma;
        }
    }

    // Initial links: the m most productive firms serve each market.
    for (firms::Block& blk : blocks) {
        const std::size_t i = blk.cs / ns;
        const std::size_t k = blk.cs % ns;
        blk.links.clear();
        for (std::size_t f = blk.begin; f < blk.end; ++f) {
            const std::size_t rank = f - cs_begin[blk.cs];
            link_begin[f] = static_cast<std::uint32_t>(blk.links.size());
            std::uint16_t count = 0, foreign = 0;
            for (std::size_t j = 0; j < n; ++j) {
                if (rank < serving[dims.flow(i, j, k)]) {
                    blk.links.push_back(firms::Link{.market = static_cast<std::uint16_t>(j)});
                    ++count;
                    if (j != i) {
                        ++foreign;
                    }
                }
            }
            link_count[f] = count;
            foreign_count[f] = foreign;
        }
    }
}

} // namespace tradesim::models
