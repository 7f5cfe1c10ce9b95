// tradesim: parse arguments, call the library, map errors to exit codes
// (0 ok, 1 internal, 2 usage, 3 bad input, 4 I/O, 5 numerical failure).

#include "commands.hpp"
#include "history_commands.hpp"
#include "tradesim/sim/error.hpp"
#include "tradesim/sim/parallel.hpp"

#include <CLI/CLI.hpp>
#include <array>
#include <fmt/format.h>
#include <iostream>

namespace tt = tradesim::tools;

const char* tt::version() {
    return TRADESIM_VERSION;
}

namespace {

// A lower bound that excludes itself (theta > 0, sigma > 1) and refuses NaN, which
// CLI::PositiveNumber lets through.
CLI::Validator greater_than(double bound) {
    return CLI::Validator(
        [bound](std::string& text) -> std::string {
            double value = 0;
            if (!CLI::detail::lexical_cast(text, value) || !(value > bound)) {
                return fmt::format("must be a number > {}, not {}", bound, text);
            }
            return {};
        },
        ""); // the help text states the bound
}

} // namespace

int main(int argc, char** argv) {
    CLI::App app{"tradesim: agent-based simulator of trade along the Belt and Road"};
    app.set_version_flag("--version", std::string("tradesim ") + tt::version());
    app.require_subcommand(1);
    app.footer("Exit codes: 0 ok, 1 internal error, 2 usage, 3 bad input, 4 I/O error, "
               "5 numerical failure.");

    tt::RunOptions run;
    auto* run_cmd = app.add_subcommand("run", "Simulate a scenario and write its result file");
    run_cmd->add_option("scenario", run.scenario, "Scenario file (TOML)")->required();
    run_cmd->add_option("--out,-o", run.out, "Result file (default runs/<scenario name>.h5)");
    run_cmd->add_flag("--force,-f", run.force, "Overwrite an existing result file");
    run_cmd->add_flag("--quiet,-q", run.quiet, "No progress line and no summary table");
    run_cmd->add_flag("--narrate", run.narrate,
                      "Tell the run step by step on stdout: each step's events (policies, "
                      "friction alerts, duties), the trade of the pairs they name, and every 12 "
                      "months welfare and trade balance per country (no progress line)");
    run_cmd->add_option("--threads,-t", run.threads, "Worker threads (0 or 1 = serial)")
        ->check(CLI::Range(0, 1024));

    std::vector<std::string> validate_files;
    auto* validate_cmd =
        app.add_subcommand("validate", "Check scenario files without running them");
    validate_cmd->add_option("files", validate_files, "Scenario files")->required();

    std::string inspect_file;
    auto* inspect_cmd =
        app.add_subcommand("inspect", "Show what a result file or a panel file holds");
    inspect_cmd->add_option("run", inspect_file, "Result file or panel file (.h5)")->required();

    tt::ExportOptions exp;
    auto* export_cmd =
        app.add_subcommand("export", "Write one table of a result file or a panel file as CSV");
    export_cmd->add_option("run", exp.run_file, "Result file or panel file (.h5)")->required();
    export_cmd
        ->add_option("table", exp.table,
                     "countries, flows, tariffs (per step, exporter, importer and sector: the "
                     "tariff in percent points above the 2017 baseline, only rows other than "
                     "0), events, steps; in runs with [firms] also firms (per "
                     "country) or firm_pairs (per exporter, importer, sector; rows without "
                     "firms, entries or exits left out); in runs of a world with a transport "
                     "network also corridors (per link: TEU, value, utilisation, cost, days, "
                     "open), routes (per exporter and importer: mode shares, days, cost, "
                     "routes) or paths (per route carrying at least 0.1 % of its pair's "
                     "containers: the nodes it passes, mode, share, TEU, value, days); in runs "
                     "with currency settlement also currencies, settlement or payments; in "
                     "runs with friction on also friction (per step, exporter, importer and "
                     "sector: index, level and the six indicators, only for watched "
                     "pair-sectors with an index above 0 or a level above none). Of a panel "
                     "file (tradesim import): flows (reported pairs), countries, "
                     "country_variables, pair_variables, totals (per year)")
        ->required();
    export_cmd->add_option("--step", exp.step, "Only this step (0-based)")
        ->check(CLI::NonNegativeNumber);

    tt::EventsOptions events;
    auto* events_cmd = app.add_subcommand(
        "events", "Print the event log of a result file as a timeline in plain words");
    events_cmd->add_option("run", events.run_file, "Result file (.h5)")->required();
    events_cmd
        ->add_option("--kind,-k", events.kinds,
                     "Only these kinds (repeatable or a comma list), e.g. tariff, alert; "
                     "alerts = watch,warning,alert,eased; duties = retaliation, anti_dumping, "
                     "safeguard, negotiation, investigation, their _end kinds, tariff and "
                     "tariff_end")
        ->delimiter(',');
    events_cmd->add_option("--country,-c", events.country,
                           "Only events whose importer or exporter is this country (code); "
                           "events for all importers or exporters concern every country");
    events_cmd->add_option("--from", events.from, "From this month on (YYYY-MM)");
    events_cmd->add_option("--to", events.to, "Up to this month, included (YYYY-MM)");
    events_cmd
        ->add_option("--min-level", events.min_level,
                     "Friction alerts at this level or above only: watch, warning or alert "
                     "(eased alerts are left out); other events are kept")
        ->check(CLI::IsMember({"watch", "warning", "alert"}));

    tt::CompareCommandOptions cmp;
    auto* compare_cmd = app.add_subcommand(
        "compare", "Compare a country variable between two runs of the same world");
    compare_cmd->add_option("base", cmp.base, "Result file of the reference run")->required();
    compare_cmd->add_option("other", cmp.other, "Result file to compare with it")->required();
    compare_cmd->add_option("--variable,-v", cmp.compare.variable,
                            "Country variable (default welfare_change)");
    compare_cmd->add_option("--step", cmp.compare.step, "Step (default: the last both have)")
        ->check(CLI::NonNegativeNumber);
    compare_cmd->add_option("--top", cmp.compare.top, "Rows shown, largest first (0 = all)")
        ->check(CLI::NonNegativeNumber);

    tt::EstimateOptions est;
    auto* estimate_cmd = app.add_subcommand(
        "estimate", "Estimate a gravity equation by PPML with high-dimensional fixed effects");
    estimate_cmd->add_option("--data,-d", est.data, "CSV file, plain or gzip")->required();
    estimate_cmd
        ->add_option("--formula,-f", est.formula,
                     "fixest syntax: \"trade ~ log(dist) + cntg | exporter^year + importer^year\"")
        ->required();
    estimate_cmd->add_option("--cluster", est.cluster,
                             "Cluster column, or two separated by a comma (two-way)");
    estimate_cmd
        ->add_option("--vcov", est.vcov,
                     "hetero or cluster (default: cluster when "
                     "--cluster is given)")
        ->check(CLI::IsMember({"hetero", "cluster"}));
    estimate_cmd->add_option("--where", est.where,
                             "Row filter, e.g. \"exporter != importer && year % 4 == 2\"");
    estimate_cmd
        ->add_option("--ssc", est.ssc,
                     "Small-sample correction: fixest (default) or cluster_only "
                     "(G/(G-1) alone, as Stata's ppmlhdfe replication files)")
        ->check(CLI::IsMember({"fixest", "cluster_only"}));
    estimate_cmd->add_flag("--keep-singletons", est.keep_singletons,
                           "Keep observations alone in a fixed-effect group (as fixest; "
                           "ppmlhdfe drops them, and so does tradesim by default)");
    estimate_cmd
        ->add_option("--separation", est.separation,
                     "all (default): drop observations separated by fixed-effect groups with "
                     "only zero outcomes or by any combination of regressors and fixed "
                     "effects; fe: only the former (as fixest)")
        ->check(CLI::IsMember({"all", "fe"}));
    estimate_cmd
        ->add_option("--max-iterations", est.max_iterations,
                     "IRLS iterations before giving up (exit 5)")
        ->check(CLI::Range(1, 100000));
    estimate_cmd->add_flag("--json", est.json, "Print the result as one JSON object");
    estimate_cmd->add_option("--threads,-t", est.threads, "Worker threads (0 or 1 = serial)")
        ->check(CLI::Range(0, 1024));

    tt::CounterfactualOptions cf;
    auto* cf_cmd = app.add_subcommand(
        "counterfactual",
        "General-equilibrium counterfactual of structural gravity: trade, prices and welfare");
    auto* cf_input = cf_cmd->add_option_group("input", "The baseline (one of)");
    cf_input->add_option("--data,-d", cf.data,
                         "CSV file, plain or gzip: one row per exporter-importer pair, "
                         "domestic pairs included; for --method exact a missing pair is zero "
                         "trade, --method yotov leaves it out of the estimation");
    cf_input->add_option("--scenario", cf.scenario,
                         "Scenario file (TOML): its tariffs against its world's baseline");
    cf_input->require_option(1);
    cf_cmd->add_option("--exporter", cf.exporter, "Exporter column")->capture_default_str();
    cf_cmd->add_option("--importer", cf.importer, "Importer column")->capture_default_str();
    cf_cmd->add_option("--flow", cf.flow, "Trade flow column (>= 0)")->capture_default_str();
    cf_cmd->add_option("--partial", cf.partial,
                       "Column of partial effects in logs, beta * dz_ij (0 = no change); "
                       "required with --method exact");
    cf_cmd->add_option("--where", cf.where, "Row filter, as in estimate, e.g. \"year == 2000\"");
    cf_cmd->add_option("--theta", cf.theta, "Trade elasticity theta = sigma - 1 (> 0)")
        ->capture_default_str()
        ->check(greater_than(0.0));
    cf_cmd
        ->add_option("--imbalances", cf.imbalances,
                     "additive: deficits fixed in levels; multiplicative: fixed as a share of "
                     "expenditure")
        ->capture_default_str()
        ->check(CLI::IsMember({"additive", "multiplicative"}));
    cf_cmd
        ->add_option("--method", cf.method,
                     "exact: hat algebra on the data's flows and --partial (ge_gravity); "
                     "yotov: trade costs from --formula, changed by --set (Yotov et al. 2016, "
                     "ch. 2)")
        ->capture_default_str()
        ->check(CLI::IsMember({"exact", "yotov"}));
    cf_cmd->add_option("--sigma", cf.sigma, "yotov: elasticity of substitution (> 1)")
        ->capture_default_str()
        ->check(greater_than(1.0));
    cf_cmd
        ->add_option("--stop", cf.stop,
                     "yotov: converged: re-estimate until prices stop moving; book: the book's "
                     "stopping rule, to reproduce Yotov et al.'s printed table")
        ->capture_default_str()
        ->check(CLI::IsMember({"converged", "book"}));
    cf_cmd->add_option("--formula", cf.formula,
                       "yotov: trade-cost part, e.g. \"trade ~ log(DIST) + CNTG + INTL_BRDR\"");
    cf_cmd->add_option("--set", cf.set,
                       "yotov: a counterfactual value, e.g. INTL_BRDR=0 (repeatable)");
    cf_cmd->add_option("--reference", cf.reference,
                       "yotov: country whose inward multilateral resistance is held at 1 "
                       "(the book's DEU)");
    cf_cmd->add_option("--out,-o", cf.out,
                       "Result file (HDF5) with the baseline and the counterfactual as two steps, "
                       "for inspect and export");
    cf_cmd->add_flag("--force,-f", cf.force, "Overwrite an existing result file");
    cf_cmd->add_flag("--json", cf.json, "Print the result as one JSON object");
    cf_cmd->add_option("--threads,-t", cf.threads, "Worker threads (0 or 1 = serial)")
        ->check(CLI::Range(0, 1024));
    cf_cmd->parse_complete_callback([&cf] {
        if (cf.scenario.empty() && cf.method == "exact" && cf.partial.empty()) {
            throw CLI::RequiredError("--partial (the column of partial effects, for --method "
                                     "exact)");
        }
    });

    tt::BenchOptions bench;
    auto* bench_cmd = app.add_subcommand(
        "bench", "Time whole runs of a scenario (no result file), or `bench ppml`, `bench ge`, "
                 "`bench firms`, `bench corridors`, `bench import`, at several thread counts");
    bench_cmd
        ->add_option("scenario", bench.scenario,
                     "Scenario file, ppml, ge, firms, corridors or import")
        ->required();
    bench_cmd
        ->add_option("--rows", bench.rows,
                     "import: rows of the generated BACI file (default 10000000)")
        ->check(CLI::Range(std::int64_t{1000}, std::int64_t{1'000'000'000}));
    bench_cmd->add_option("--firms", bench.firms, "firms: firm agents (default 10000000)")
        ->check(CLI::Range(std::int64_t{1000}, std::int64_t{200'000'000}));
    bench_cmd->add_option("--steps", bench.steps, "firms: monthly steps to time (default 12)")
        ->check(CLI::Range(1, 1200));
    bench_cmd->add_option("--base", bench.base,
                          "firms: scenario whose world the firms populate "
                          "(default scenarios/baseline.toml)");
    bench_cmd->add_option("--repeat,-r", bench.repeat, "Runs per thread count (import: 1)")
        ->check(CLI::Range(1, 1000));
    bench_cmd->add_option("--threads,-t", bench.threads, "Thread counts to compare")
        ->delimiter(',')
        ->check(CLI::Range(1, 1024));

    // Historical data: each command file adds its own subcommand.
    const std::array history_commands{tt::add_import_command(app), tt::add_calibrate_command(app),
                                      tt::add_backtest_command(app)};

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        const int code = app.exit(e);
        return code == 0 ? 0 : static_cast<int>(tradesim::sim::ExitCode::usage);
    }

    try {
        if (*run_cmd)
            return tt::run_command(run);
        if (*validate_cmd)
            return tt::validate_command(validate_files);
        if (*inspect_cmd)
            return tt::inspect_command(inspect_file);
        if (*export_cmd)
            return tt::export_command(exp);
        if (*events_cmd)
            return tt::events_command(events);
        if (*compare_cmd)
            return tt::compare_command(cmp);
        if (*bench_cmd) {
            bench.repeat_given = bench_cmd->count("--repeat") > 0;
            return tt::bench_command(bench);
        }
        if (*estimate_cmd) {
            const tradesim::sim::ThreadScope threads(est.threads);
            return tt::estimate_command(est);
        }
        if (*cf_cmd) {
            const tradesim::sim::ThreadScope threads(cf.threads);
            return tt::counterfactual_command(cf);
        }
        for (const auto& command : history_commands) {
            if (*command.app) {
                return command.run();
            }
        }
    } catch (const tradesim::sim::Error& e) {
        std::cerr << e.what() << '\n';
        return static_cast<int>(e.code());
    } catch (const std::exception& e) {
        std::cerr << "tradesim: internal error: " << e.what() << '\n';
        return static_cast<int>(tradesim::sim::ExitCode::internal);
    }
    return 0;
}
