// `tradesim calibrate --history PANEL.h5 --year Y --out DIR`: a world from a panel year.
#include "history_commands.hpp"
#include "tradesim/history/calibrate.hpp"
#include "tradesim/output/panel_store.hpp"
#include "tradesim/sim/parallel.hpp"

#include <fmt/format.h>
#include <memory>

namespace tradesim::tools {

namespace {

struct CalibrateArgs {
    std::string history;
    history::CalibrateOptions options;
    int threads = 1;
};

} // namespace

Subcommand add_calibrate_command(CLI::App& app) {
    auto args = std::make_shared<CalibrateArgs>();
    CLI::App* cmd = app.add_subcommand(
        "calibrate",
        "Build a world folder from one year of a panel file: observed flows as the baseline, "
        "PPML gravity estimates of the same year recorded; any scenario can then use it");
    cmd->add_option("--history", args->history, "Panel file written by `tradesim import`")
        ->required();
    cmd->add_option("--year", args->options.year, "Year of the panel to build the world from")
        ->required();
    cmd->add_option("--out,-o", args->options.out_dir, "World folder to write")->required();
    cmd->add_option("--geo", args->options.geo_file,
                    "CEPII GeoDist geo_cepii.csv: coordinates, areas and names, and distances "
                    "for the fit when the panel has none");
    cmd->add_option("--without", args->options.without,
                    "Regressors to leave out of the fit: dist, contig, rta, border")
        ->delimiter(',');
    cmd->add_option("--trade-elasticity", args->options.trade_elasticity,
                    "The world's default trade elasticity theta (default 5)");
    cmd->add_flag("--force,-f", args->options.overwrite, "Replace a world already in --out");
    cmd->add_option("--threads,-t", args->threads, "Worker threads for the fit (0 or 1 = serial)")
        ->check(CLI::Range(0, 1024));
    return {cmd, [args]() -> int {
                const sim::ThreadScope threads(args->threads);
                const models::TradePanel panel = output::read_panel(args->history);
                const history::CalibrateResult result = history::calibrate(panel, args->options);
                fmt::print("{}", history::format_calibration(result));
                return 0;
            }};
}

} // namespace tradesim::tools
