// Firm accounting after market clearing: realized sales and profits of every firm, the
// step's firm tables, and the update of the firms' expectations of price indices.

#include "state.hpp"

#include "tradesim/sim/parallel.hpp"

#include <algorithm>
#include <cmath>

namespace tradesim::models {

using firms::Block;

namespace {

// The q-quantile (0-1) of a histogram of log10 sales, interpolated within its bin; USD mn/yr.
double quantile(const std::vector<double>& hist, double total, double q) {
    if (total <= 0.0) {
        return 0.0;
    }
    const double target = q * total;
    double cum = 0.0;
    for (std::size_t b = 0; b < hist.size(); ++b) {
        if (hist[b] > 0.0 && cum + hist[b] >= target) {
            const double within = (target - cum) / hist[b];
            return std::pow(10.0, firms::hist_low +
                                      (static_cast<double>(b) + within) * firms::hist_width);
        }
        cum += hist[b];
    }
    return std::pow(10.0, firms::hist_low +
                              static_cast<double>(hist.size()) * firms::hist_width);
}

} // namespace

void FirmPopulation::account(const PolicyState& policy, const Economy& economy) {
    Impl& m = *impl_;
    const Dims& dims = m.dims;
    const std::size_t n = dims.countries;
    const std::size_t ns = dims.sectors;
    const double sigma = m.p.sigma;
    const auto& wage = economy.wages();
    const auto& price = economy.sector_prices();
    const auto& spend = economy.spending();
    const auto& tariff = policy.tariff;

    // Realized factory-gate sales per unit of a * shock, and fixed costs, per market.
    std::vector<double> sale(dims.flow_count(), 0.0);
    std::vector<double> fixed_now(dims.flow_count(), 0.0);
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t j = 0; j < n; ++j) {
            const double spend_hat = m.spend0[j] > 0.0 ? spend[j] / m.spend0[j] : 0.0;
            for (std::size_t k = 0; k < ns; ++k) {
                const std::size_t f = dims.flow(i, j, k);
                if (!(m.b[f] > 0.0)) {
                    continue;
                }
                const double gross = 1.0 + tariff[f];
                const double tau = policy.trade_cost.empty() ? 1.0 : policy.trade_cost[f];
                sale[f] = m.b[f] * std::pow(wage[i] * tau * gross, 1.0 - sigma) *
                          std::pow(price[dims.cs(j, k)], sigma - 1.0) * spend_hat / gross;
                fixed_now[f] = m.fixed[f] * spend_hat / gross;
            }
        }
    }
    const double year_share = m.months / 12.0;
    const double width = firms::hist_width;
    sim::parallel_for(m.blocks.size(), 1, [&](std::size_t first, std::size_t last) {
        for (std::size_t bi = first; bi < last; ++bi) {
            Block& blk = m.blocks[bi];
            const std::size_t i = blk.cs / ns;
            const std::size_t k = blk.cs % ns;
            std::fill(blk.sales.begin(), blk.sales.end(), 0.0);
            std::fill(blk.histogram.begin(), blk.histogram.end(), 0);
            blk.producers = blk.exporters = 0;
            blk.sales_sum = 0.0;
            for (std::size_t f = blk.begin; f < blk.end; ++f) {
                const double af = m.a[f];
                const double pct = m.percentile(f, blk.cs);
                double total = 0.0, abroad = 0.0, profit = 0.0;
                const firms::Link* links = blk.links.data() + m.link_begin[f];
                for (std::uint16_t l = 0; l < m.link_count[f]; ++l) {
                    const std::size_t j = links[l].market;
                    const std::size_t flow = dims.flow(i, j, k);
                    const double s = sale[flow] * af * links[l].demand;
                    const double c_cut = m.cut[dims.pair(i, j)];
                    const bool small = c_cut > 0.0 && pct < m.small_pct[dims.pair(i, j)];
                    total += s;
                    abroad += j != i ? s : 0.0;
                    profit += s / sigma - fixed_now[flow] * (small ? 1.0 - c_cut : 1.0);
                    blk.sales[j] += s;
                }
                m.sales[f] = static_cast<float>(total);
                m.export_sales[f] = static_cast<float>(abroad);
                m.cash[f] += static_cast<float>(profit * year_share);
                if (m.link_count[f] == 0) {
                    continue;
                }
                ++blk.producers;
                blk.exporters += m.foreign_count[f] > 0 ? 1 : 0;
                blk.sales_sum += total;
                const double log_mn = std::log10(std::max(total * 1000.0, 1e-300));
                const double bin = std::floor((log_mn - firms::hist_low) / width);
                const auto b = static_cast<std::size_t>(
                    std::clamp(bin, 0.0, static_cast<double>(firms::hist_bins - 1)));
                ++blk.histogram[b];
            }
        }
    });

    // Tables, merged in block order.
    FirmTables& t = m.tables;
    const FirmCountryColumns& c = m.cols;
    const auto& flows = economy.flows();
    for (std::size_t f = 0; f < dims.flow_count(); ++f) {
        t.sales_per_firm[f] = t.firms_serving[f] > 0.0 ? 1000.0 * flows[f] / t.firms_serving[f]
                                                       : 0.0;
    }
    std::vector<std::vector<double>> hist(n, std::vector<double>(firms::hist_bins, 0.0));
    std::vector<double> firms_of(n, 0.0), producers(n, 0.0), exporters(n, 0.0), sales_sum(n, 0.0);
    std::vector<double> ee(n, 0.0), ex(n, 0.0), pe(n, 0.0), px(n, 0.0), exports(n, 0.0);
    for (const Block& blk : m.blocks) {
        const std::size_t i = blk.cs / ns;
        firms_of[i] += static_cast<double>(blk.end - blk.begin);
        producers[i] += blk.producers;
        exporters[i] += blk.exporters;
        sales_sum[i] += blk.sales_sum;
        ee[i] += blk.export_entries;
        ex[i] += blk.export_exits;
        pe[i] += blk.producer_entries;
        px[i] += blk.producer_exits;
        for (std::size_t j = 0; j < n; ++j) {
            if (j != i) {
                exports[i] += blk.sales[j];
            }
        }
        for (std::size_t b = 0; b < firms::hist_bins; ++b) {
            hist[i][b] += blk.histogram[b];
        }
    }
    for (std::size_t i = 0; i < n; ++i) {
        t.countries.at(c.firms, i) = firms_of[i];
        t.countries.at(c.producers, i) = producers[i];
        t.countries.at(c.exporters, i) = exporters[i];
        t.countries.at(c.export_share, i) = producers[i] > 0.0 ? exporters[i] / producers[i] : 0.0;
        t.countries.at(c.export_entries, i) = ee[i];
        t.countries.at(c.export_exits, i) = ex[i];
        t.countries.at(c.producer_entries, i) = pe[i];
        t.countries.at(c.producer_exits, i) = px[i];
        t.countries.at(c.mean_sales, i) =
            producers[i] > 0.0 ? 1000.0 * sales_sum[i] / producers[i] : 0.0;
        t.countries.at(c.sales_p10, i) = quantile(hist[i], producers[i], 0.10);
        t.countries.at(c.sales_p50, i) = quantile(hist[i], producers[i], 0.50);
        t.countries.at(c.sales_p90, i) = quantile(hist[i], producers[i], 0.90);
        t.countries.at(c.sales_p99, i) = quantile(hist[i], producers[i], 0.99);
        t.countries.at(c.exports_per_exporter, i) =
            exporters[i] > 0.0 ? 1000.0 * exports[i] / exporters[i] : 0.0;
    }

    // Expectations of P^(sigma-1) close part of their gap to the observed index.
    for (std::size_t jk = 0; jk < n * ns; ++jk) {
        const double observed = std::pow(price[jk], sigma - 1.0);
        m.expect[jk] += m.expect_adjust * (observed - m.expect[jk]);
    }
}

} // namespace tradesim::models
