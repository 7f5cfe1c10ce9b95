// Reads a scenario's [firms] table: the firm population and its behaviour (firm_params.hpp).

#include "detail/scenario_parts.hpp"

#include "detail/fields.hpp"

#include <cmath>
#include <fmt/format.h>

namespace tradesim::models::detail {
namespace {

const std::vector<std::string> firm_keys = {
    "count",         "min_per_country_sector",  "kappa",
    "sigma",         "active_share",            "export_share",
    "fixed_cost_distance_elasticity",           "sunk_cost",
    "payback_years", "exit_threshold_months",   "shock_persistence",
    "shock_volatility", "expectation_half_life_months", "pair"};
const std::vector<std::string> pair_keys = {"exporter", "importer", "fixed_cost_factor"};

// Reads an optional number into `out` when it lies in [lo, hi] (open ends when `open`).
void read_pairs(const sim::SpecNode& node, const World& world, FirmParams& p,
                sim::Diagnostics& problems) {
    if (!node.is_array()) {
        problems.error(node.where(), "firms.pair must be an array of tables: write [[firms.pair]]");
        return;
    }
    for (std::size_t t = 0; t < node.items().size(); ++t) {
        const sim::SpecNode& table = node.items()[t];
        const std::string path = fmt::format("firms.pair[{}]", t);
        if (!table.is_table()) {
            problems.error(table.where(), fmt::format("{} must be a table", path));
            continue;
        }
        Fields f(table, path, problems, pair_keys);
        const auto exporter = f.string("exporter", true);
        const auto importer = f.string("importer", true);
        const auto factor = f.number("fixed_cost_factor", true);
        f.check_unknown();
        int i = -1, j = -1;
        for (auto [code, key, index] : {std::tuple{exporter, "exporter", &i},
                                        std::tuple{importer, "importer", &j}}) {
            if (!code) {
                continue;
            }
            *index = world.country_index(*code);
            if (*index < 0) {
                f.error(key, fmt::format("unknown country \"{}\" in {}.{}{}", *code, path, key,
                                         sim::did_you_mean(*code, world.country_codes())));
            }
        }
        if (i >= 0 && i == j) {
            f.error("importer", fmt::format("{}: exporter and importer are both {}; the home "
                                            "market's fixed cost is calibrated, not set",
                                            path, *exporter));
        }
        if (factor && !(*factor > 0.0 && *factor < 1e6)) {
            f.error("fixed_cost_factor",
                    fmt::format("{}.fixed_cost_factor = {} must be positive", path, *factor));
        }
        if (i >= 0 && j >= 0 && i != j && factor && *factor > 0.0 && *factor < 1e6) {
            p.pair_factors.push_back(
                {static_cast<std::size_t>(i), static_cast<std::size_t>(j), *factor});
        }
    }
}

} // namespace

void read_firms(const sim::SpecNode& root, Scenario& s, sim::Diagnostics& problems) {
    const sim::SpecNode* node = root.find("firms");
    if (node == nullptr) {
        return;
    }
    if (!node->is_table()) {
        problems.error(node->where(), "firms must be a table: write [firms]");
        return;
    }
    FirmParams& p = s.firms;
    p.enabled = true;
    Fields f(*node, "firms", problems, firm_keys);
    if (const auto count = f.integer("count", true)) {
        if (*count < 1 || *count > 200'000'000) {
            f.error("count", fmt::format("firms.count = {} must be between 1 and 200000000",
                                         *count));
        } else {
            p.count = *count;
        }
    }
    if (const auto min = f.integer("min_per_country_sector", false)) {
        if (*min < 2 || *min > 10'000'000) {
            f.error("min_per_country_sector",
                    fmt::format("firms.min_per_country_sector = {} must be between 2 and "
                                "10000000",
                                *min));
        } else {
            p.min_per_country_sector = *min;
        }
    }
    bounded(f, "sigma", p.sigma, 1.0, 50.0, true, false, "elasticity of substitution");
    bounded(f, "kappa", p.kappa, 0.0, 100.0, true, false, "Pareto shape of productivity");
    if (!(p.kappa > p.sigma - 1.0)) {
        f.error(f.node("kappa") != nullptr ? "kappa" : "sigma",
                fmt::format("firms.kappa = {} must exceed firms.sigma - 1 = {}: otherwise "
                            "sales per firm have no finite mean",
                            p.kappa, p.sigma - 1.0));
    }
    bounded(f, "active_share", p.active_share, 0.0, 1.0, true, false,
            "share of potential firms producing at the baseline");
    bounded(f, "export_share", p.export_share, 0.0, 1.0, true, true,
            "share of producers that export at the baseline");
    bounded(f, "fixed_cost_distance_elasticity", p.fixed_cost_distance_elasticity, -5.0, 5.0,
            false, false, "elasticity of fixed costs to distance");
    bounded(f, "sunk_cost", p.sunk_cost, 0.0, 1000.0, false, false,
            "years of the market's fixed cost");
    bounded(f, "payback_years", p.payback_years, 0.0, 1000.0, true, false, "years");
    bounded(f, "exit_threshold_months", p.exit_threshold_months, 0.0, 12000.0, false, false,
            "months of the market's fixed cost");
    bounded(f, "shock_persistence", p.shock_persistence, 0.0, 1.0, false, true,
            "monthly AR(1) coefficient");
    bounded(f, "shock_volatility", p.shock_volatility, 0.0, 3.0, false, false,
            "standard deviation of log demand");
    bounded(f, "expectation_half_life_months", p.expectation_half_life_months, 0.0, 1200.0,
            false, false, "months");
    if (const auto* pairs = f.node("pair")) {
        read_pairs(*pairs, *s.world, p, problems);
    }
    f.check_unknown();

    // Expectations that adapt too fast overshoot: a price index above its equilibrium draws
    // entry that pushes it below by (kappa - sigma + 1) / (sigma - 1) times as much, and a
    // share a of each gap closed per step converges only while a (1 + that ratio) < 2.
    const double ratio = (p.kappa - p.sigma + 1.0) / (p.sigma - 1.0);
    const double months = s.calendar.months_per_step();
    const double h = p.expectation_half_life_months;
    const double a = h <= 0.0 ? 1.0 : 1.0 - std::pow(0.5, months / h);
    if (p.kappa > p.sigma - 1.0 && a * (1.0 + ratio) >= 2.0) {
        f.error("expectation_half_life_months",
                fmt::format("firms.expectation_half_life_months = {} with {}-month steps lets "
                            "expectations close {:.0f} % of a gap per step, which overshoots "
                            "when (kappa - sigma + 1) / (sigma - 1) = {:.2f}: use at least {:.2g} "
                            "months",
                            h, months, 100.0 * a, ratio,
                            months / -std::log2(1.0 - 1.9 / (1.0 + ratio))));
    }
}

void check_firm_options(const sim::SpecNode& root, const Scenario& s,
                        sim::Diagnostics& problems) {
    if (!s.firms.enabled) {
        return;
    }
    // With firms the trade elasticity of the traded sectors is kappa.
    if (const sim::SpecNode* model = root.find("model"); model != nullptr && model->is_table()) {
        for (const char* key : {"trade_elasticity", "trade_elasticity_by_sector"}) {
            if (const sim::SpecNode* n = model->find(key)) {
                problems.error(n->where(),
                               fmt::format("model.{} cannot be set with [firms]: the trade "
                                           "elasticity of traded sectors is then firms.kappa",
                                           key));
            }
        }
    }
}

} // namespace tradesim::models::detail
