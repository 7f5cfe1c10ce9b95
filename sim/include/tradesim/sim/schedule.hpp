#pragma once
/// The fixed order of phases in a step. Each phase has at most one function; later issues
/// fill the phases that are still empty (corridors, firms, settlement, friction).

#include <array>
#include <functional>
#include <string>

namespace tradesim::sim {

enum class Phase {
    policy,          ///< scheduled policy events take effect
    corridors,       ///< transport network: routes, congestion
    trade_costs,     ///< bilateral trade costs and tariffs for the step
    firms,           ///< firm entry, exit, pricing
    market_clearing, ///< prices and flows
    settlement,      ///< currency choice and payments
    accounting,      ///< income, revenue, welfare
    friction,        ///< friction indicators, alerts, government reactions
    record,          ///< results leave the engine
};
inline constexpr std::size_t phase_count = 9;

[[nodiscard]] const char* to_string(Phase phase) noexcept;

class Schedule {
public:
    using Function = std::function<void(int step)>;

    /// Installs `fn` for `phase`; throws std::logic_error if the phase already has one,
    /// so two behaviours can never race to write the same state.
    void set(Phase phase, std::string name, Function fn);
    [[nodiscard]] bool has(Phase phase) const noexcept;
    /// Name installed for the phase, or "".
    [[nodiscard]] const std::string& name(Phase phase) const noexcept;
    /// Runs every installed phase in order.
    void run_step(int step) const;

private:
    struct Slot {
        std::string name;
        Function fn;
    };
    std::array<Slot, phase_count> slots_{};
};

} // namespace tradesim::sim
