#pragma once
/// Counter-based random streams (Random123 Philox4x64): the draws depend only on
/// (seed, agent, step, purpose, draw number), never on which thread asks or in what order,
/// so results are identical for any thread count.

#include <array>
#include <cstdint>

namespace tradesim::sim {

class RandomStream {
public:
    RandomStream(std::uint64_t seed, std::uint64_t agent, std::uint64_t step,
                 std::uint64_t purpose) noexcept;

    /// Uniform 64-bit integer.
    std::uint64_t next_u64() noexcept;
    /// Uniform on the open interval (0, 1).
    double uniform() noexcept;
    /// Standard normal (Marsaglia & Tsang's ziggurat: usually one 64-bit word per draw).
    double normal() noexcept;
    /// Poisson with the given mean, by Knuth's product of uniforms: exact, and fast for the
    /// small means of generated test and benchmark data (cost grows with the mean).
    double poisson(double mean) noexcept;

private:
    void refill() noexcept;

    std::array<std::uint64_t, 4> counter_{};
    std::array<std::uint64_t, 2> key_{};
    std::array<std::uint64_t, 4> buffer_{};
    unsigned used_ = 4;
};

/// Purposes, so that two uses of randomness for the same agent and step never share draws.
/// Later issues add theirs here.
enum class Purpose : std::uint64_t {
    test = 0,
    demand_shock = 1,
    settlement_choice = 2, ///< a firm-market link's choice of settlement currency
    fx_rate = 3,           ///< a currency's exchange-rate shock
};

} // namespace tradesim::sim
