// `tradesim counterfactual --method yotov`: the general-equilibrium procedure of Yotov et al.
// (2016), ch. 2, with trade costs estimated by PPML on one cross-section of the data.

#include "commands.hpp"
#include "tradesim/history/csv.hpp"
#include "tradesim/models/gravity/formula.hpp"
#include "tradesim/models/gravity/ge_yotov.hpp"
#include "tradesim/models/gravity/where.hpp"
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
    if (!o.out.empty()) {
        problems.emplace_back("--out is not available with --method yotov; use --json");
    }
    if (!problems.empty()) {
        throw sim::UsageError(
            fmt::format("counterfactual --method yotov: {}",
                        fmt::join(problems, "\ncounterfactual --method yotov: ")));
    }
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

    const auto start = std::chrono::steady_clock::now();
    const sim::DataFrame data = history::read_csv(options.data);
    if (!options.where.empty()) {
        spec.keep = gr::evaluate_where(options.where, data);
    }
    const gr::YotovProblem problem = gr::yotov_problem(data, spec);
    const gr::YotovOptions solve;
    const gr::YotovResult r = gr::solve_yotov(problem, solve);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const std::size_t n = r.countries.size();

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
    fmt::print("\nfull endowment: {} re-estimations, until no price or resistance moves by more "
               "than {:.0e} (last {:.1e})\n\n",
               r.iterations, solve.tolerance, r.last_change);
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
    return 0;
}

} // namespace tradesim::tools
