#include "tradesim/sim/agent_columns.hpp"

namespace tradesim::sim {

namespace {
std::size_t field_bytes(const AgentColumns::Field& f) {
    return std::visit(
        [](const auto& v) { return v.size() * sizeof(typename std::decay_t<decltype(v)>::value_type); },
        f.data);
}
} // namespace

std::size_t AgentColumns::bytes(Temperature temperature) const noexcept {
    std::size_t total = 0;
    for (const Field& f : fields_) {
        if (f.temperature == temperature) {
            total += field_bytes(f);
        }
    }
    return total;
}

std::size_t AgentColumns::bytes() const noexcept {
    return bytes(Temperature::hot) + bytes(Temperature::cold);
}

} // namespace tradesim::sim
