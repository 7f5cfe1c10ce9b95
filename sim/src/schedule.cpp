#include "tradesim/sim/schedule.hpp"

#include <stdexcept>

namespace tradesim::sim {

const char* to_string(Phase phase) noexcept {
    switch (phase) {
    case Phase::policy:
        return "policy";
    case Phase::corridors:
        return "corridors";
    case Phase::trade_costs:
        return "trade_costs";
    case Phase::firms:
        return "firms";
    case Phase::market_clearing:
        return "market_clearing";
    case Phase::settlement:
        return "settlement";
    case Phase::accounting:
        return "accounting";
    case Phase::friction:
        return "friction";
    case Phase::record:
        return "record";
    }
    return "?";
}

void Schedule::set(Phase phase, std::string name, Function fn) {
    auto& slot = slots_[static_cast<std::size_t>(phase)];
    if (slot.fn) {
        throw std::logic_error("Schedule: phase " + std::string(to_string(phase)) +
                               " already runs " + slot.name + "; cannot add " + name);
    }
    slot = {std::move(name), std::move(fn)};
}

bool Schedule::has(Phase phase) const noexcept {
    return static_cast<bool>(slots_[static_cast<std::size_t>(phase)].fn);
}

const std::string& Schedule::name(Phase phase) const noexcept {
    return slots_[static_cast<std::size_t>(phase)].name;
}

void Schedule::run_step(int step) const {
    for (const auto& slot : slots_) {
        if (slot.fn) {
            slot.fn(step);
        }
    }
}

} // namespace tradesim::sim
