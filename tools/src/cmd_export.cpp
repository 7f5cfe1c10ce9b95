#include "commands.hpp"
#include "tradesim/output/run_store.hpp"

#include <iostream>

namespace tradesim::tools {

int export_command(const ExportOptions& options) {
    const output::RunReader run(options.run_file);
    run.write_csv(options.table, options.step, std::cout);
    std::cout.flush();
    return 0;
}

} // namespace tradesim::tools
