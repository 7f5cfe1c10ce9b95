#include "commands.hpp"
#include "tradesim/models/scenario.hpp"
#include "tradesim/sim/error.hpp"

#include <fmt/format.h>
#include <iostream>

namespace tradesim::tools {

int validate_command(const std::vector<std::string>& files) {
    // Check every file, report each, and exit with the worst code.
    int worst = 0;
    for (const auto& file : files) {
        try {
            const models::Scenario s = models::load_scenario(file);
            fmt::print("{}: ok ({} steps from {}, {} policies)\n", file, s.calendar.steps(),
                       s.calendar.start().str(), s.policies.size());
        } catch (const sim::Error& e) {
            std::cerr << e.what() << '\n';
            worst = std::max(worst, static_cast<int>(e.code()));
        }
    }
    return worst;
}

} // namespace tradesim::tools
