// tradesim: parse arguments, call the library, map errors to exit codes
// (0 ok, 1 internal, 2 usage, 3 bad input, 4 I/O, 5 numerical failure).

#include "commands.hpp"
#include "tradesim/sim/error.hpp"
#include "tradesim/sim/parallel.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <iostream>

namespace tt = tradesim::tools;

const char* tt::version() {
    return TRADESIM_VERSION;
}

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
    run_cmd->add_option("--threads,-t", run.threads, "Worker threads (0 or 1 = serial)")
        ->check(CLI::Range(0, 1024));

    std::vector<std::string> validate_files;
    auto* validate_cmd =
        app.add_subcommand("validate", "Check scenario files without running them");
    validate_cmd->add_option("files", validate_files, "Scenario files")->required();

    std::string inspect_file;
    auto* inspect_cmd = app.add_subcommand("inspect", "Show what a result file holds");
    inspect_cmd->add_option("run", inspect_file, "Result file (.h5)")->required();

    tt::ExportOptions exp;
    auto* export_cmd = app.add_subcommand("export", "Write one table of a result file as CSV");
    export_cmd->add_option("run", exp.run_file, "Result file (.h5)")->required();
    export_cmd->add_option("table", exp.table, "countries, flows, events or steps")->required();
    export_cmd->add_option("--step", exp.step, "Only this step (0-based)")
        ->check(CLI::NonNegativeNumber);

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

    tt::BenchOptions bench;
    auto* bench_cmd = app.add_subcommand("bench", "Time whole runs of a scenario (no result file), "
                                                  "or `bench ppml`, at several thread counts");
    bench_cmd->add_option("scenario", bench.scenario, "Scenario file, or ppml")->required();
    bench_cmd->add_option("--repeat,-r", bench.repeat, "Runs per thread count")
        ->check(CLI::Range(1, 1000));
    bench_cmd->add_option("--threads,-t", bench.threads, "Thread counts to compare")
        ->delimiter(',')
        ->check(CLI::Range(1, 1024));

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
        if (*compare_cmd)
            return tt::compare_command(cmp);
        if (*bench_cmd)
            return tt::bench_command(bench);
        if (*estimate_cmd) {
            const tradesim::sim::ThreadScope threads(est.threads);
            return tt::estimate_command(est);
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
