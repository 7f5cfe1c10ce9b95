#pragma once
/// A 64-bit hash of simulation state (xxHash XXH3), to prove bitwise identical results
/// across thread counts and runs.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace tradesim::sim {

class StateHash {
public:
    StateHash();
    ~StateHash();
    StateHash(const StateHash&) = delete;
    StateHash& operator=(const StateHash&) = delete;

    void add(std::span<const double> values);
    void add(std::span<const std::int64_t> values);
    void add(std::string_view text);
    [[nodiscard]] std::uint64_t value() const;
    /// 16 hexadecimal digits.
    [[nodiscard]] std::string hex() const;

private:
    void* state_;
};

} // namespace tradesim::sim
