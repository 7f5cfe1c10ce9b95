#pragma once
// The commands on historical data (import, calibrate, backtest). Each cmd_<name>.cpp adds its
// subcommand with its options to the application and returns it with the function that runs
// it; the options live in that function's closure. main() calls `run` when the subcommand was
// given and maps the exceptions it throws to exit codes.

#include <CLI/CLI.hpp>
#include <functional>

namespace tradesim::tools {

struct Subcommand {
    CLI::App* app = nullptr;
    std::function<int()> run;
};

/// `tradesim import FORMAT FILE... --out PANEL.h5`: public trade datasets into a panel file.
Subcommand add_import_command(CLI::App& app);
/// `tradesim calibrate --history PANEL.h5 --year Y --out DIR`: a world from a panel year.
Subcommand add_calibrate_command(CLI::App& app);
/// `tradesim backtest --history PANEL.h5 --from Y0 --to Y1`: predictions against history.
Subcommand add_backtest_command(CLI::App& app);

} // namespace tradesim::tools
