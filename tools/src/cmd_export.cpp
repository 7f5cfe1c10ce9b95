#include "commands.hpp"
#include "tradesim/output/panel_store.hpp"
#include "tradesim/output/run_store.hpp"
#include "tradesim/sim/error.hpp"

#include <fmt/format.h>
#include <iostream>

namespace tradesim::tools {

int export_command(const ExportOptions& options) {
    // Panel files (`tradesim import`) and run files share the command; the format attribute
    // tells them apart.
    if (output::is_panel_file(options.run_file)) {
        if (options.step >= 0) {
            throw sim::UsageError(fmt::format("{}: --step applies to run files; a panel file "
                                              "holds years (see the year column)",
                                              options.run_file));
        }
        output::write_panel_csv(output::read_panel(options.run_file), options.table, std::cout);
        std::cout.flush();
        return 0;
    }
    const output::RunReader run(options.run_file);
    run.write_csv(options.table, options.step, std::cout);
    std::cout.flush();
    return 0;
}

} // namespace tradesim::tools
