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

struct BenchOptions {
    std::string scenario;
    int repeat = 5;
    std::vector<int> threads{1, 2};
};
int bench_command(const BenchOptions& options);
/// `tradesim bench ppml`: the PPML-HDFE benchmark on generated data.
int bench_ppml(const BenchOptions& options);

struct CompareCommandOptions {
    std::string base;
    std::string other;
    output::CompareOptions compare;
};
int compare_command(const CompareCommandOptions& options);

struct EstimateOptions {
    std::string data;
    std::string formula;
    std::string cluster;   ///< "col" or "col1,col2"
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

} // namespace tradesim::tools
