// `tradesim counterfactual --scenario FILE`: the tariffs a scenario has in force at its last
// step, solved as a general-equilibrium counterfactual of its world's baseline (many sectors,
// Caliendo & Parro 2015 without input-output links): where the monthly run settles once
// sourcing has fully adjusted.

#include "commands.hpp"
#include "tradesim/models/counterfactual.hpp"
#include "tradesim/output/equilibrium_store.hpp"
#include "tradesim/sim/parallel.hpp"

#include <algorithm>
#include <chrono>
#include <fmt/format.h>
#include <iostream>
#include <nlohmann/json.hpp>
#include <numeric>

namespace tradesim::tools {

namespace {

namespace gr = models::gravity;

double pct(double ratio) {
    return 100.0 * (ratio - 1.0);
}

// Baseline output, expenditure and trade of the problem, per country.
struct Levels {
    std::vector<double> output, expenditure, exports, imports;
};

Levels baseline_levels(const gr::GeSectorsProblem& p) {
    const std::size_t n = p.countries.size();
    const std::size_t k = p.sectors.size();
    Levels l{std::vector<double>(n, 0.0), std::vector<double>(n, 0.0), std::vector<double>(n, 0.0),
             std::vector<double>(n, 0.0)};
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t j = 0; j < n; ++j) {
            for (std::size_t s = 0; s < k; ++s) {
                const double x = p.flows[(i * n + j) * k + s];
                l.output[i] += x;
                l.expenditure[j] += x;
                if (i != j) {
                    l.exports[i] += x;
                    l.imports[j] += x;
                }
            }
        }
    }
    return l;
}

output::Equilibrium record(const CounterfactualOptions& options, const gr::GeSectorsProblem& p,
                           const gr::GeSectorsResult& r, int step) {
    const Levels base = baseline_levels(p);
    const std::size_t n = p.countries.size();
    output::Equilibrium eq;
    eq.countries = p.countries;
    eq.sectors = p.sectors;
    auto scaled = [&](const std::vector<double>& level, const std::vector<double>& ratio) {
        std::vector<double> out(n);
        for (std::size_t i = 0; i < n; ++i) {
            out[i] = level[i] * ratio[i];
        }
        return out;
    };
    const std::vector<double> ones(n, 1.0);
    eq.variables = {
        {"output", "flow units/yr", base.output, scaled(base.output, r.factory_price)},
        {"expenditure", "flow units/yr", base.expenditure, scaled(base.expenditure, r.expenditure)},
        {"exports", "flow units/yr", base.exports, scaled(base.exports, r.exports)},
        {"imports", "flow units/yr", base.imports, scaled(base.imports, r.imports)},
        {"tariff_revenue", "flow units/yr", r.tariff_revenue_baseline, r.tariff_revenue},
        {"welfare", "index", ones, r.welfare},
        {"real_wage", "index", ones, r.real_wage},
        {"factory_price", "index", ones, r.factory_price},
        {"price_index", "index", ones, r.price_index},
    };
    eq.baseline_flows = p.flows;
    eq.counterfactual_flows = r.flows;
    eq.iterations = r.iterations;
    eq.max_excess_demand = r.max_excess_demand;
    eq.solved = {{"method", "sectors"},
                 {"scenario", options.scenario},
                 {"tariffs_at_step", std::to_string(step)},
                 {"imbalances", "additive"}};
    eq.name = p.source;
    eq.source = options.scenario;
    return eq;
}

} // namespace

int counterfactual_scenario(const CounterfactualOptions& options) {
    const std::string started_at = utc_now();
    if (!options.out.empty()) {
        output::check_result_path(options.out, options.force); // refuse before the work
    }
    const auto start = std::chrono::steady_clock::now();
    const models::Scenario scenario = models::load_scenario(options.scenario);
    // Behaviours act only as a run goes; the equilibrium takes the tariffs the file schedules.
    for (const auto& g : scenario.governments) {
        if (g->name() != "none") {
            fmt::print(stderr,
                       "note: {}'s [[government]] behaviours ({} for {}, ...) act only in "
                       "`tradesim run`; the counterfactual takes the scheduled tariffs alone\n",
                       options.scenario, g->name(),
                       scenario.world->countries[g->government()].code);
            break;
        }
    }
    const int step = scenario.calendar.steps() - 1;
    const gr::GeSectorsProblem problem = models::tariff_counterfactual(scenario, step);
    const gr::GeSectorsResult r = gr::solve_ge_sectors(problem);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (!options.out.empty()) {
        auto eq = record(options, problem, r, step);
        eq.name = scenario.name;
        output::write_equilibrium(options.out, options.force, eq,
                                  {version(), sim::active_threads(), started_at});
    }

    const std::size_t n = r.countries.size();
    const auto& d = r.decomposition;
    const bool decomposed = d.steps > 0;
    if (options.json) {
        nlohmann::ordered_json j;
        j["method"] = "sectors";
        j["scenario"] = options.scenario;
        j["tariffs_at"] = scenario.calendar.date_of(step).str();
        j["sectors"] = r.sectors;
        auto& countries = j["countries"];
        countries = nlohmann::ordered_json::object();
        for (std::size_t i = 0; i < n; ++i) {
            auto& c = countries[r.countries[i]];
            c["welfare_pct"] = pct(r.welfare[i]);
            c["terms_of_trade_pct"] = decomposed ? 100.0 * d.terms_of_trade[i] : 0.0;
            c["volume_of_trade_pct"] = decomposed ? 100.0 * d.volume_of_trade[i] : 0.0;
            c["real_wage_pct"] = pct(r.real_wage[i]);
            c["factory_price_pct"] = pct(r.factory_price[i]);
            c["price_index_pct"] = pct(r.price_index[i]);
            c["exports_pct"] = pct(r.exports[i]);
            c["imports_pct"] = pct(r.imports[i]);
            c["tariff_revenue_baseline"] = r.tariff_revenue_baseline[i];
            c["tariff_revenue"] = r.tariff_revenue[i];
        }
        j["iterations"] = r.iterations;
        j["max_excess_demand"] = r.max_excess_demand;
        j["seconds"] = seconds;
        std::cout << j.dump(2) << '\n';
        return 0;
    }
    fmt::print("General equilibrium of {} ({}): tariffs in force at {}, against the baseline\n",
               scenario.name, options.scenario, scenario.calendar.date_of(step).str());
    fmt::print("{} countries x {} sectors; Caliendo & Parro (2015) without input-output links; "
               "changes in %\n\n",
               n, r.sectors.size());
    fmt::print("{:<8} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9} {:>12}\n", "country", "welfare", "ToT",
               "VoT", "real wage", "exports", "imports", "tariff rev.");
    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return r.welfare[a] > r.welfare[b]; });
    for (std::size_t i : order) {
        fmt::print("{:<8} {:>9.4f} {:>9.4f} {:>9.4f} {:>9.4f} {:>9.3f} {:>9.3f} {:>12.3f}\n",
                   r.countries[i], pct(r.welfare[i]),
                   decomposed ? 100.0 * d.terms_of_trade[i] : 0.0,
                   decomposed ? 100.0 * d.volume_of_trade[i] : 0.0, pct(r.real_wage[i]),
                   pct(r.exports[i]), pct(r.imports[i]), r.tariff_revenue[i]);
    }
    fmt::print("\nToT and VoT: terms-of-trade and volume-of-trade parts of the welfare change "
               "(log points x 100, integrated over {} steps of the path).\n",
               d.steps);
    fmt::print("{} Newton steps, max excess demand {:.2e} of world output, {:.3f} s\n",
               r.iterations, r.max_excess_demand, seconds);
    if (!options.out.empty()) {
        fmt::print("result: {}\n", options.out);
    }
    return 0;
}

} // namespace tradesim::tools
