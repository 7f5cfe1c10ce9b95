#include "commands.hpp"
#include "tradesim/output/compare.hpp"
#include "tradesim/output/run_store.hpp"

#include <fmt/format.h>

namespace tradesim::tools {

int compare_command(const CompareCommandOptions& options) {
    const output::RunReader base(options.base);
    const output::RunReader other(options.other);
    fmt::print("{}", output::compare_runs(base, other, options.compare));
    return 0;
}

} // namespace tradesim::tools
