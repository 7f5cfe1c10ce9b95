#include "tradesim/sim/state_hash.hpp"

#include <fmt/format.h>
#include <xxhash.h>

namespace tradesim::sim {

StateHash::StateHash() : state_(XXH3_createState()) {
    XXH3_64bits_reset(static_cast<XXH3_state_t*>(state_));
}

StateHash::~StateHash() {
    XXH3_freeState(static_cast<XXH3_state_t*>(state_));
}

void StateHash::add(std::span<const double> values) {
    XXH3_64bits_update(static_cast<XXH3_state_t*>(state_), values.data(), values.size_bytes());
}

void StateHash::add(std::span<const std::int64_t> values) {
    XXH3_64bits_update(static_cast<XXH3_state_t*>(state_), values.data(), values.size_bytes());
}

void StateHash::add(std::string_view text) {
    XXH3_64bits_update(static_cast<XXH3_state_t*>(state_), text.data(), text.size());
}

std::uint64_t StateHash::value() const {
    return XXH3_64bits_digest(static_cast<XXH3_state_t*>(state_));
}

std::string StateHash::hex() const {
    return fmt::format("{:016x}", value());
}

} // namespace tradesim::sim
