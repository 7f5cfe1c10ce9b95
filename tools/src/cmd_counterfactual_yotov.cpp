// `tradesim counterfactual --method yotov`: the general-equilibrium procedure of Yotov et al.
// (2016), ch. 2, with trade costs estimated by PPML on one cross-section of the data.

#include "commands.hpp"
#include "counterfactual_common.hpp"
#include "tradesim/history/csv.hpp"
#include "tradesim/models/gravity/formula.hpp"
#include "tradesim/models/gravity/ge_yotov.hpp"
#include "tradesim/models/gravity/where.hpp"
#include "tradesim/output/equilibrium_store.hpp"
#include "tradesim/sim/error.hpp"
#include "tradesim/sim/parallel.hpp"

#include <chrono>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <iostream>
#include <nlohmann/json.hpp>

namespace tradesim::tools {

namespace {

namespace gr = models::gravity;

double percent(double ratio) {
    return (ratio - 1.0) * 100.0;
}

void check_options(const CounterfactualOptions& o) {
    std::vector<std::string> problems;
    if (o.data.empty()) {
        problems.emplace_back("--data FILE is required: one row per exporter-importer pair of "
                              "one year, domestic pairs included");
    }
    if (o.formula.empty()) {
        problems.emplace_back("--formula is required: the flow and its trade costs, e.g. "
                              "\"trade ~ log(DIST) + CNTG + INTL_BRDR\"");
    }
    if (o.set.empty()) {
        problems.emplace_back(
            "--set is required: the counterfactual trade costs, e.g. --set INTL_BRDR=0");
    }
    if (o.reference.empty()) {
        problems.emplace_back("--reference COUNTRY is required: its inward multilateral "
                              "resistance stays 1 (the book uses DEU)");
    }
    if (!o.partial.empty()) {
        problems.emplace_back("--partial belongs to --method exact; --method yotov estimates "
                              "the trade costs from --formula and --set");
    }
    if (!problems.empty()) {
        throw sim::UsageError(
            fmt::format("counterfactual --method yotov: {}",
                        fmt::join(problems, "\ncounterfactual --method yotov: ")));
    }
}

// What was solved, for the result file: the full-endowment equilibrium is the counterfactual
// step; the conditional exports, which have no step of their own, are a variable.
output::Equilibrium equilibrium_record(const CounterfactualOptions& options,
                                       const gr::YotovProblem& problem, const gr::YotovResult& r) {
    const std::size_t n = r.countries.size();
    output::Equilibrium eq;
    eq.countries = r.countries;
    const auto level = [&](const std::vector<double>& ratio) {
        std::vector<double> out(n);
        for (std::size_t i = 0; i < n; ++i) {
            out[i] = r.exports[i] * ratio[i];
        }
        return out;
    };
    const std::vector<double> ones(n, 1.0);
    const char* fitted = "as the data's flows (baseline fitted by PPML)";
    eq.variables = {
        {"exports", fitted, r.exports, level(r.exports_full)},
        {"exports_cdl", fitted, r.exports, level(r.exports_cdl)},
        {"factory_price", "index, baseline 1", ones, r.factory_price},
        {"inward_resistance", "index, baseline 1", ones, r.imr_full},
        {"outward_resistance", "index, baseline 1", ones, r.omr_full},
        {"real_gdp", "index, baseline 1", ones, r.real_gdp},
    };
    // Pairs absent from the data (not estimated) stay 0 in both tables.
    eq.baseline_flows.assign(n * n, 0.0);
    eq.counterfactual_flows.assign(n * n, 0.0);
    for (std::size_t k = 0; k < problem.flows.size(); ++k) {
        const auto ij = static_cast<std::size_t>(problem.exporter[k]) * n +
                        static_cast<std::size_t>(problem.importer[k]);
        eq.baseline_flows[ij] = problem.flows[k];
        eq.counterfactual_flows[ij] = r.flows_full[k];
    }
    eq.iterations = r.iterations;
    // The procedure imposes no market clearing to measure: 0, with last_change in `solved`.
    eq.max_excess_demand = 0;
    eq.solved = {{"method", "yotov"},
                 {"data", options.data},
                 {"where", options.where},
                 {"exporter", options.exporter},
                 {"importer", options.importer},
                 {"formula", options.formula},
                 {"set", fmt::format("{}", fmt::join(options.set, ", "))},
                 {"sigma", fmt::format("{}", options.sigma)},
                 {"reference", options.reference},
                 {"stop", options.stop},
                 {"last_change", fmt::format("{}", r.last_change)}};
    eq.name = data_stem(options.data);
    eq.source = options.data;
    return eq;
}

} // namespace

int counterfactual_yotov(const CounterfactualOptions& options) {
    check_options(options);
    gr::YotovSpec spec;
    spec.formula = gr::parse_formula(options.formula);
    if (options.flow != "trade" && options.flow != spec.formula.response) {
        throw sim::UsageError(fmt::format("counterfactual --method yotov: --flow {} differs from "
                                          "the formula's response {}",
                                          options.flow, spec.formula.response));
    }
    spec.exporter = options.exporter;
    spec.importer = options.importer;
    spec.set = options.set;
    spec.sigma = options.sigma;
    spec.reference = options.reference;

    const std::string started_at = utc_now();
    if (!options.out.empty()) {
        output::check_result_path(options.out, options.force); // refuse before the work
    }
    const auto start = std::chrono::steady_clock::now();
    const sim::DataFrame data = history::read_csv(options.data);
    if (!options.where.empty()) {
        spec.keep = gr::evaluate_where(options.where, data);
    }
    const gr::YotovProblem problem = gr::yotov_problem(data, spec);
    gr::YotovOptions solve;
    solve.stop = options.stop == "book" ? gr::YotovStop::book : gr::YotovStop::converged;
    const gr::YotovResult r = gr::solve_yotov(problem, solve);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const std::size_t n = r.countries.size();
    if (!options.out.empty()) {
        output::write_equilibrium(options.out, options.force,
                                  equilibrium_record(options, problem, r),
                                  {version(), sim::active_threads(), started_at});
    }

    if (options.json) {
        nlohmann::ordered_json j;
        j["method"] = "yotov";
        j["formula"] = spec.formula.text;
        j["data"] = options.data;
        j["where"] = options.where;
        j["set"] = options.set;
        j["sigma"] = options.sigma;
        j["reference"] = options.reference;
        j["nobs"] = r.observations;
        j["dropped"] = r.dropped;
        auto& coefs = j["coefficients"];
        coefs = nlohmann::ordered_json::object();
        for (std::size_t k = 0; k < r.names.size(); ++k) {
            coefs[r.names[k]] = {{"estimate", r.coefficients[k]}, {"se", r.std_errors[k]}};
        }
        j["stop"] = options.stop;
        j["iterations"] = r.iterations;
        j["tolerance"] = solve.tolerance;
        j["last_change"] = r.last_change;
        j["units"] = "percent change, except output_baseline (flow units)";
        auto& rows = j["countries"];
        rows = nlohmann::ordered_json::array();
        for (std::size_t c = 0; c < n; ++c) {
            rows.push_back({{"country", r.countries[c]},
                            {"output_baseline", r.output[c]},
                            {"exports_cdl", percent(r.exports_cdl[c])},
                            {"exports_full", percent(r.exports_full[c])},
                            {"factory_price_full", percent(r.factory_price[c])},
                            {"imr_cdl", percent(r.imr_cdl[c])},
                            {"imr_full", percent(r.imr_full[c])},
                            {"omr_cdl", percent(r.omr_cdl[c])},
                            {"omr_full", percent(r.omr_full[c])},
                            {"real_gdp_full", percent(r.real_gdp[c])}});
        }
        j["seconds"] = seconds;
        if (!options.out.empty()) {
            j["out"] = options.out;
        }
        std::cout << j.dump(2) << '\n';
        return 0;
    }
    fmt::print("general equilibrium, Yotov et al. (2016) ch. 2: {}\n", spec.formula.text);
    fmt::print("data: {} ({} rows{}), {} countries, {} pairs in the fit ({} dropped)\n",
               options.data, data.rows(),
               options.where.empty() ? "" : fmt::format(", where {}", options.where), n,
               r.observations, r.dropped);
    fmt::print("counterfactual: {}; sigma {}; reference {} (inward resistance fixed at 1)\n\n",
               fmt::join(options.set, ", "), options.sigma, options.reference);
    fmt::print("baseline PPML, exporter and importer fixed effects, robust standard errors\n");
    for (std::size_t k = 0; k < r.names.size(); ++k) {
        fmt::print("  {:<24} {:>14.7g} {:>12.6g}\n", r.names[k], r.coefficients[k],
                   r.std_errors[k]);
    }
    if (solve.stop == gr::YotovStop::book) {
        fmt::print("\nfull endowment: {} re-estimations, by the book's stopping rule (the next "
                   "would move a price or resistance by {:.1e})\n\n",
                   r.iterations, r.last_change);
    } else {
        fmt::print("\nfull endowment: {} re-estimations, until no price or resistance moves by "
                   "more than {:.0e} (last {:.1e})\n\n",
                   r.iterations, solve.tolerance, r.last_change);
    }
    fmt::print("changes in percent; CDL conditional, FULL full endowment general equilibrium\n");
    fmt::print("{:<8} {:>14} {:>12} {:>12} {:>14} {:>10} {:>10}\n", "country", "output BLN",
               "exports CDL", "exports FULL", "factory price", "IMR FULL", "real GDP");
    for (std::size_t c = 0; c < n; ++c) {
        fmt::print("{:<8} {:>14.2f} {:>12.2f} {:>12.2f} {:>14.2f} {:>10.2f} {:>10.2f}\n",
                   r.countries[c], r.output[c], percent(r.exports_cdl[c]),
                   percent(r.exports_full[c]), percent(r.factory_price[c]), percent(r.imr_full[c]),
                   percent(r.real_gdp[c]));
    }
    fmt::print("\ntook {:.3f} s on {} thread(s)\n", seconds, sim::active_threads());
    if (!options.out.empty()) {
        fmt::print("result    {}\n", options.out);
    }
    return 0;
}

} // namespace tradesim::tools
