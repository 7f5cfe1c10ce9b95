#include "commands.hpp"
#include "tradesim/history/csv.hpp"
#include "tradesim/models/gravity/design.hpp"
#include "tradesim/models/gravity/formula.hpp"
#include "tradesim/models/gravity/ppml.hpp"
#include "tradesim/models/gravity/where.hpp"
#include "tradesim/sim/error.hpp"
#include "tradesim/sim/parallel.hpp"

#include <chrono>
#include <cmath>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <iostream>
#include <nlohmann/json.hpp>

namespace tradesim::tools {

namespace {

namespace gr = models::gravity;

std::vector<std::string> split_commas(const std::string& text) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start <= text.size()) {
        const std::size_t comma = text.find(',', start);
        std::string part =
            text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        part.erase(0, part.find_first_not_of(' '));
        part.erase(part.find_last_not_of(' ') + 1);
        if (!part.empty()) {
            out.push_back(part);
        }
        if (comma == std::string::npos) {
            break;
        }
        start = comma + 1;
    }
    return out;
}

// Two-sided p-value of a standard normal z.
double p_value(double z) {
    return std::erfc(std::abs(z) / std::sqrt(2.0));
}

} // namespace

int estimate_command(const EstimateOptions& options) {
    const gr::Formula formula = gr::parse_formula(options.formula);
    // Read only the columns the model needs.
    history::CsvOptions csv;
    csv.columns.push_back(formula.response);
    for (const auto& t : formula.regressors) {
        csv.columns.push_back(t.column);
    }
    for (const auto& fe : formula.fixed_effects) {
        csv.columns.insert(csv.columns.end(), fe.columns.begin(), fe.columns.end());
    }
    const auto clusters = split_commas(options.cluster);
    for (const auto& c : clusters) {
        const auto parts = gr::interaction_columns(c);
        csv.columns.insert(csv.columns.end(), parts.begin(), parts.end());
    }
    csv.columns.insert(csv.columns.end(), options.extra_columns.begin(),
                       options.extra_columns.end());
    std::sort(csv.columns.begin(), csv.columns.end());
    csv.columns.erase(std::unique(csv.columns.begin(), csv.columns.end()), csv.columns.end());
    if (!options.where.empty()) {
        // The filter may name any column: read them all.
        csv.columns.clear();
    }
    const auto start = std::chrono::steady_clock::now();
    const sim::DataFrame data = history::read_csv(options.data, csv);

    gr::DesignOptions design_options;
    design_options.cluster = clusters;
    design_options.vcov =
        clusters.empty() || options.vcov == "hetero" ? gr::Vcov::hetero : gr::Vcov::cluster;
    if (!options.where.empty()) {
        design_options.keep = gr::evaluate_where(options.where, data);
    }
    const gr::Design design = gr::build_design(data, formula, design_options);
    gr::PpmlOptions ppml;
    ppml.small_sample =
        options.ssc == "cluster_only" ? gr::SmallSample::cluster_only : gr::SmallSample::fixest;
    ppml.drop_singletons = !options.keep_singletons;
    ppml.check_separation = options.separation == "all";
    ppml.max_iterations = options.max_iterations;
    const gr::PpmlResult r = gr::fit_ppml(design.problem, ppml);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

    if (options.json) {
        nlohmann::ordered_json j;
        j["formula"] = formula.text;
        j["data"] = options.data;
        auto& coefs = j["coefficients"];
        coefs = nlohmann::ordered_json::object();
        for (std::size_t k = 0; k < r.names.size(); ++k) {
            const double z = r.coefficients[k] / r.std_errors[k];
            coefs[r.names[k]] = {{"estimate", r.coefficients[k]},
                                 {"se", r.std_errors[k]},
                                 {"z", z},
                                 {"p", p_value(z)}};
        }
        j["vcov"] = r.vcov_label;
        j["nobs"] = r.observations;
        j["dropped"] = {{"separation", r.dropped_separation},
                        {"separation_regressors", r.dropped_separation_regressors},
                        {"singletons", r.dropped_singletons},
                        {"missing", design.missing},
                        {"where", design.filtered}};
        j["collinear"] = r.collinear;
        j["notes"] = r.notes;
        auto& fe = j["fixed_effects"];
        fe = nlohmann::ordered_json::object();
        for (std::size_t d = 0; d < r.fe_sizes.size(); ++d) {
            fe[design.problem.fe_names[d]] = r.fe_sizes[d];
        }
        j["iterations"] = r.iterations;
        j["log_likelihood"] = r.log_likelihood;
        j["deviance"] = r.deviance;
        j["null_deviance"] = r.null_deviance;
        j["pseudo_r2"] = r.pseudo_r2;
        j["seconds"] = seconds;
        std::cout << j.dump(2) << '\n';
        return 0;
    }
    fmt::print("PPML: {}\n", formula.text);
    fmt::print("data: {} ({} rows)\n", options.data, data.rows());
    fmt::print("observations: {}", r.observations);
    fmt::print("  (dropped: {} by --where, {} missing, {} in all-zero fixed-effect groups, {} "
               "separated by regressors, {} singletons)\n",
               design.filtered, design.missing, r.dropped_separation,
               r.dropped_separation_regressors, r.dropped_singletons);
    for (std::size_t d = 0; d < r.fe_sizes.size(); ++d) {
        fmt::print("fixed effect {}: {} levels\n", design.problem.fe_names[d], r.fe_sizes[d]);
    }
    fmt::print("standard errors: {}\n\n", r.vcov_label);
    fmt::print("  {:<24} {:>14} {:>12} {:>9} {:>10}\n", "", "estimate", "std. error", "z", "p");
    for (std::size_t k = 0; k < r.names.size(); ++k) {
        const double z = r.coefficients[k] / r.std_errors[k];
        fmt::print("  {:<24} {:>14.7g} {:>12.6g} {:>9.3f} {:>10.3g}\n", r.names[k],
                   r.coefficients[k], r.std_errors[k], z, p_value(z));
    }
    for (const auto& c : r.collinear) {
        fmt::print("  {:<24} dropped: collinear with the other regressors and fixed effects\n", c);
    }
    for (const auto& note : r.notes) {
        fmt::print("note: {}\n", note);
    }
    fmt::print("\niterations {}, log pseudo-likelihood {:.8g}, deviance {:.8g}, pseudo-R2 {:.6f}\n",
               r.iterations, r.log_likelihood, r.deviance, r.pseudo_r2);
    fmt::print("took {:.3f} s on {} thread(s)\n", seconds, sim::active_threads());
    return 0;
}

} // namespace tradesim::tools
