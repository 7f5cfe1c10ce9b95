#pragma once
// The subcommands of `tradesim`. Each returns the process exit code; errors are thrown as
// tradesim::sim::Error and mapped to exit codes in main.

#include "tradesim/output/compare.hpp"

#include <string>
#include <vector>

namespace tradesim::tools {

struct RunOptions {
    std::string scenario;
    std::string out;
    bool force = false;
    bool quiet = false;
    bool narrate = false; ///< tell the run's story on stdout (narrate.hpp)
    int threads = 1;
};
int run_command(const RunOptions& options);

int validate_command(const std::vector<std::string>& files);

int inspect_command(const std::string& run_file);

struct ExportOptions {
    std::string run_file;
    std::string table;
    int step = -1;
};
int export_command(const ExportOptions& options);

struct EventsOptions {
    std::string run_file;
    std::vector<std::string> kinds; ///< kinds or the shorthands alerts, duties
    std::string country;            ///< a country code
    std::string from, to;           ///< YYYY-MM, both included
    std::string min_level;          ///< watch, warning or alert
};
/// `tradesim events`: the event log as a timeline. Throws UsageError for an unknown kind or
/// country, a malformed month or --from after --to.
int events_command(const EventsOptions& options);

struct BenchOptions {
    std::string scenario;
    int repeat = 5;
    bool repeat_given = false;
    std::vector<int> threads{1, 2};
    // bench firms
    std::int64_t firms = 10'000'000;
    int steps = 12;
    std::string base = "scenarios/baseline.toml";
    // bench import
    std::int64_t rows = 10'000'000;
};
int bench_command(const BenchOptions& options);
/// `tradesim bench ppml`: the PPML-HDFE benchmark on generated data.
int bench_ppml(const BenchOptions& options);

/// `tradesim bench ge`: the general-equilibrium solvers on generated worlds.
int bench_ge(const BenchOptions& options);

/// `tradesim bench firms`: the firm population of the default world, stepped month by month.
int bench_firms(const BenchOptions& options);

/// `tradesim bench corridors`: one step's assignment on a synthetic network.
int bench_corridors(const BenchOptions& options);

/// `tradesim bench import`: a generated BACI file imported in a child process per thread
/// count: rows/s, MB/s, peak memory.
int bench_import(const BenchOptions& options);

struct CounterfactualOptions {
    // Data route: one row per exporter-importer pair, domestic pairs included.
    std::string data;
    std::string exporter = "exporter";
    std::string importer = "importer";
    std::string flow = "trade";
    std::string partial; ///< column of partial effects in logs (method exact)
    std::string where;   ///< row filter, as in `estimate`
    double theta = 4.0;
    std::string imbalances = "additive"; ///< or "multiplicative"
    std::string method = "exact";        ///< exact (ge_gravity's hat algebra) or yotov
    // Method yotov (Yotov et al. 2016, ch. 2).
    double sigma = 7.0;
    std::string formula;          ///< trade-cost part, e.g. "trade ~ log(DIST) + CNTG + INTL_BRDR"
    std::vector<std::string> set; ///< counterfactual values, e.g. "INTL_BRDR=0"
    std::string reference;        ///< country whose inward resistance stays 1 (e.g. DEU)
    std::string stop = "converged"; ///< converged, or book (the book's stopping rule)
    // Scenario route: a scenario's tariff policies against its world's baseline.
    std::string scenario;
    // Output.
    std::string out; ///< result file (HDF5) for `tradesim export`
    bool force = false;
    bool json = false;
    int threads = 1;
};
int counterfactual_command(const CounterfactualOptions& options);
/// The `--method yotov` branch of counterfactual_command.
int counterfactual_yotov(const CounterfactualOptions& options);
/// The `--scenario` branch of counterfactual_command.
int counterfactual_scenario(const CounterfactualOptions& options);

struct CompareCommandOptions {
    std::string base;
    std::string other;
    output::CompareOptions compare;
};
int compare_command(const CompareCommandOptions& options);

struct EstimateOptions {
    std::string data;
    std::string formula;
    std::string cluster; ///< "col" or "col1,col2"
    std::string vcov = "cluster";
    std::string where;
    std::string ssc = "fixest";
    std::string separation = "all";
    bool keep_singletons = false;
    int max_iterations = 100;
    std::vector<std::string> extra_columns;
    bool json = false;
    int threads = 1;
};
int estimate_command(const EstimateOptions& options);

[[nodiscard]] const char* version();
/// Now, ISO 8601 UTC, for a result file's started_at.
[[nodiscard]] std::string utc_now();

} // namespace tradesim::tools
