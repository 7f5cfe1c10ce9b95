// The firm population: drawing the firms, the burn-in of their shocks, and the public face.

#include "state.hpp"

#include "tradesim/sim/error.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <stdexcept>

namespace tradesim::models {

using firms::Block;
using firms::block_size;

FirmPopulation::Impl::Impl(const Scenario& s) : scenario(s), p(s.firms), dims(s.world->dims) {
    const World& w = *s.world;
    const std::size_t n = dims.countries;
    const std::size_t ns = dims.sectors;
    if (n > 65535) {
        throw sim::InputError(
            fmt::format("firms: {} countries; firms support at most 65535", n));
    }
    firm_sector.assign(ns, 0);
    double traded_output = 0.0;
    for (std::size_t k = 0; k < ns; ++k) {
        if (!w.sectors[k].traded) {
            continue;
        }
        for (std::size_t i = 0; i < n; ++i) {
            traded_output += w.output[dims.cs(i, k)];
            if (w.output[dims.cs(i, k)] > 0.0) {
                firm_sector[k] = 1;
            }
        }
    }
    // Agents per country-sector: in proportion to output, at least the minimum.
    cs_begin.assign(n * ns + 1, 0);
    for (std::size_t cs = 0; cs < n * ns; ++cs) {
        const double y = w.output[cs];
        std::size_t count = 0;
        if (firm_sector[cs % ns] != 0 && y > 0.0) {
            const double share = static_cast<double>(p.count) * y / traded_output;
            count = std::max(static_cast<std::size_t>(p.min_per_country_sector),
                             static_cast<std::size_t>(std::llround(share)));
        }
        cs_begin[cs + 1] = cs_begin[cs] + count;
    }
    firm_count = cs_begin.back();
    if (firm_count > 0xFFFFFFFFULL) {
        throw sim::InputError(fmt::format("firms: {} agents is more than 2^32", firm_count));
    }
    a.resize(firm_count);
    shock.assign(firm_count, 0.0F);
    cash.assign(firm_count, 0.0F);
    sales.assign(firm_count, 0.0F);
    export_sales.assign(firm_count, 0.0F);
    link_begin.assign(firm_count, 0);
    link_count.assign(firm_count, 0);
    foreign_count.assign(firm_count, 0);

    // Productivity: firm m of n stands for the m-th slice of the Pareto quantiles from the top,
    // u in [m/n, (m+1)/n), phi = u^(-1/kappa), and takes the slice's mean of a = phi^(sigma-1):
    //   a_m = n^g ((m+1)^(1-g) - m^(1-g)) / (1-g),  g = (sigma-1)/kappa.
    // The sum of a over the top m firms is then the continuum's integral, so aggregates are
    // exact at every integer number of firms, and no single draw from the heavy upper tail
    // (a has infinite variance when kappa < 2 (sigma-1)) can dominate a country-sector.
    const double g = (p.sigma - 1.0) / p.kappa;
    for (std::size_t cs = 0; cs < n * ns; ++cs) {
        const std::size_t begin = cs_begin[cs];
        const std::size_t count = cs_begin[cs + 1] - begin;
        const double scale = std::pow(static_cast<double>(count), g) / (1.0 - g);
        for (std::size_t m = 0; m < count; ++m) {
            const auto x = static_cast<double>(m);
            a[begin + m] = static_cast<float>(scale * (std::pow(x + 1.0, 1.0 - g) -
                                                       std::pow(x, 1.0 - g)));
        }
        for (std::size_t b0 = begin; b0 < begin + count; b0 += block_size) {
            Block blk;
            blk.cs = cs;
            blk.begin = b0;
            blk.end = std::min(begin + count, b0 + block_size);
            blk.weight.assign(n, 0.0);
            blk.serving.assign(n, 0);
            blk.entries.assign(n, 0);
            blk.exits.assign(n, 0);
            blk.sales.assign(n, 0.0);
            blk.histogram.assign(firms::hist_bins, 0);
            blocks.push_back(std::move(blk));
        }
    }

    months = std::max(1, s.calendar.months_per_step());
    const double h = p.expectation_half_life_months;
    expect_adjust = h <= 0.0 ? 1.0 : 1.0 - std::pow(0.5, months / h);
    shocks = p.shock_volatility > 0.0;
    // Two independent parts, each with half the stationary variance.
    part_variance = 0.5 * p.shock_volatility * p.shock_volatility;
    half_variance = part_variance; // (v_firm + v_market) / 2
    expect.assign(n * ns, 1.0);
    cut.assign(n * n, 0.0);
    small_pct.assign(n * n, 0.0);
    weights.assign(dims.flow_count(), 0.0);
    elasticities = s.params.theta;
    for (std::size_t k = 0; k < ns; ++k) {
        if (firm_sector[k] != 0) {
            elasticities[k] = p.sigma - 1.0;
        }
    }

    calibrate();
    if (shocks) {
        // Let the shock process and the entries and exits it causes reach their steady state
        // at baseline prices, then rescale demand so that the firms' sales are the baseline
        // flows again; fixed costs scale with demand, so nobody's decision changes.
        burn();
    }
    calibration.burn_in_steps = burn_in;

    tables.firms_serving.assign(dims.flow_count(), 0.0);
    tables.entries.assign(dims.flow_count(), 0.0);
    tables.exits.assign(dims.flow_count(), 0.0);
    tables.sales_per_firm.assign(dims.flow_count(), 0.0);
    auto& t = tables.countries;
    t = sim::ColumnTable(n);
    cols.firms = t.add_column("firms", "count", "firm agents of the country's traded sectors");
    cols.producers = t.add_column("producers", "count", "firms selling in at least one market");
    cols.exporters = t.add_column("exporters", "count", "firms selling abroad");
    cols.export_share = t.add_column("export_share", "share", "exporters / producers");
    cols.export_entries =
        t.add_column("export_entries", "count", "firms that started exporting this step");
    cols.export_exits =
        t.add_column("export_exits", "count", "firms that stopped exporting this step");
    cols.producer_entries =
        t.add_column("producer_entries", "count", "firms that started selling this step");
    cols.producer_exits =
        t.add_column("producer_exits", "count", "firms that stopped selling this step");
    cols.mean_sales = t.add_column("mean_sales", "USD mn/yr", "sales per producer");
    cols.sales_p10 = t.add_column("sales_p10", "USD mn/yr", "10th percentile of producer sales");
    cols.sales_p50 = t.add_column("sales_p50", "USD mn/yr", "median producer sales");
    cols.sales_p90 = t.add_column("sales_p90", "USD mn/yr", "90th percentile of producer sales");
    cols.sales_p99 = t.add_column("sales_p99", "USD mn/yr", "99th percentile of producer sales");
    cols.exports_per_exporter =
        t.add_column("exports_per_exporter", "USD mn/yr", "exports / exporters");
}

void FirmPopulation::Impl::burn() {
    const std::vector<double> wage(dims.countries, 1.0);
    const std::vector<double> tariff(dims.flow_count(), 0.0);
    prepare(wage, tariff, {});
    const int fine = (firms::burn_in_fine_months + static_cast<int>(months) - 1) /
                     static_cast<int>(months);
    burn_in = firms::burn_in_coarse_steps + fine;
    for (int step = 0; step < burn_in; ++step) {
        sweep(static_cast<std::uint64_t>(step),
              step < firms::burn_in_coarse_steps ? firms::burn_in_coarse_months : months);
    }
    // Demand that makes the firms' expected sales the baseline flows.
    std::vector<double> sum(dims.flow_count(), 0.0);
    for (const Block& blk : blocks) {
        const std::size_t i = blk.cs / dims.sectors;
        const std::size_t k = blk.cs % dims.sectors;
        for (std::size_t j = 0; j < dims.countries; ++j) {
            sum[dims.flow(i, j, k)] += blk.weight[j];
        }
    }
    const World& w = *scenario.world;
    for (std::size_t f = 0; f < dims.flow_count(); ++f) {
        if (b[f] > 0.0 && sum[f] > 0.0) {
            const double scale = w.flows[f] / (b[f] * sum[f]);
            b[f] *= scale;
            fixed[f] *= scale;
        }
    }
    std::fill(cash.begin(), cash.end(), 0.0F);
    // Producers that export after the burn-in.
    std::size_t producers = 0, exporters = 0;
    for (std::size_t f = 0; f < firm_count; ++f) {
        producers += link_count[f] > 0 ? 1 : 0;
        exporters += foreign_count[f] > 0 ? 1 : 0;
    }
    calibration.export_share =
        producers > 0 ? static_cast<double>(exporters) / static_cast<double>(producers) : 0.0;
}

FirmPopulation::FirmPopulation(const Scenario& scenario)
    : impl_(std::make_unique<Impl>(scenario)) {}

FirmPopulation::~FirmPopulation() = default;

void FirmPopulation::decide(const PolicyState& policy, int step, const Economy& economy) {
    Impl& m = *impl_;
    if (!policy.small_firm_cost_cut.empty()) {
        m.cut = policy.small_firm_cost_cut;
        m.small_pct = policy.small_firm_percentile;
    } else {
        std::fill(m.cut.begin(), m.cut.end(), 0.0);
    }
    m.prepare(economy.wages(), policy.tariff, policy.trade_cost);
    if (m.settlement != nullptr) {
        m.prepare_choice();
    }
    m.sweep(static_cast<std::uint64_t>(m.burn_in + step), m.months);
    m.build_weights(policy.tariff, policy.trade_cost);
    if (m.settlement != nullptr) {
        m.merge_settlement();
    }
}

void FirmPopulation::use_settlement(const Settlement* settlement) {
    Impl& m = *impl_;
    const std::size_t slots = Settlement::slots;
    if (settlement != nullptr) {
        const auto& offset = settlement->offsets();
        bool fits = offset.size() == m.dims.flow_count() + 1;
        for (std::size_t f = 0; fits && f < m.dims.flow_count(); ++f) {
            fits = offset[f + 1] >= offset[f] && offset[f + 1] - offset[f] <= slots;
        }
        if (!fits) {
            throw std::invalid_argument(
                "FirmPopulation::use_settlement: the settlement's flows are not the firms' "
                "(another world?)");
        }
    }
    m.settlement = settlement;
    m.choice.clear();
    m.settlement_weights.clear();
    for (Block& blk : m.blocks) {
        if (settlement != nullptr) {
            blk.settle.assign(m.dims.countries * slots, 0.0);
            // Every link chooses at the next decision, from the targets then in force (at the
            // first step, the steady state the settlement was built at).
            for (firms::Link& link : blk.links) {
                link.currency = firms::no_currency;
            }
        } else {
            blk.settle = {};
        }
    }
    if (settlement != nullptr) {
        m.settlement_weights.assign(settlement->offsets().back(), 0.0);
    }
}

const std::vector<double>& FirmPopulation::settlement_weights() const noexcept {
    return impl_->settlement_weights;
}

const std::vector<double>& FirmPopulation::sourcing() const noexcept { return impl_->sourcing; }

const std::vector<double>& FirmPopulation::weights() const noexcept { return impl_->weights; }
const std::vector<double>& FirmPopulation::elasticities() const noexcept {
    return impl_->elasticities;
}
const FirmTables& FirmPopulation::tables() const noexcept { return impl_->tables; }
const FirmCountryColumns& FirmPopulation::columns() const noexcept { return impl_->cols; }
const FirmCalibration& FirmPopulation::calibration() const noexcept { return impl_->calibration; }
std::size_t FirmPopulation::size() const noexcept { return impl_->firm_count; }
std::span<const float> FirmPopulation::sales() const noexcept { return impl_->sales; }
std::span<const float> FirmPopulation::export_sales() const noexcept {
    return impl_->export_sales;
}
std::span<const std::uint16_t> FirmPopulation::markets() const noexcept {
    return impl_->link_count;
}
std::span<const std::uint16_t> FirmPopulation::foreign_markets() const noexcept {
    return impl_->foreign_count;
}
std::size_t FirmPopulation::first_firm(std::size_t country, std::size_t sector) const noexcept {
    return impl_->cs_begin[impl_->dims.cs(country, sector)];
}

std::size_t FirmPopulation::links() const noexcept {
    std::size_t total = 0;
    for (const auto& blk : impl_->blocks) {
        total += blk.links.size();
    }
    return total;
}

std::size_t FirmPopulation::firm_state_bytes() const noexcept {
    return impl_->columns.bytes();
}

std::size_t FirmPopulation::hot_state_bytes() const noexcept {
    return impl_->columns.bytes(sim::Temperature::hot);
}

std::size_t FirmPopulation::link_bytes() const noexcept {
    return links() * sizeof(firms::Link);
}

} // namespace tradesim::models
