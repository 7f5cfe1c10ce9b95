#include "tradesim/sim/random.hpp"

#include <Random123/philox.h>
#include <cmath>
#include <numbers>

namespace tradesim::sim {

RandomStream::RandomStream(std::uint64_t seed, std::uint64_t agent, std::uint64_t step,
                           std::uint64_t purpose) noexcept {
    counter_ = {agent, step, purpose, 0};
    key_ = {seed, 0x7472616465ULL}; // second key word: constant "trade"
}

void RandomStream::refill() noexcept {
    r123::Philox4x64 rng;
    const r123::Philox4x64::ctr_type ctr = {{counter_[0], counter_[1], counter_[2], counter_[3]}};
    const r123::Philox4x64::key_type key = {{key_[0], key_[1]}};
    const auto out = rng(ctr, key);
    for (unsigned i = 0; i < 4; ++i) {
        buffer_[i] = out.v[i];
    }
    ++counter_[3];
    used_ = 0;
}

std::uint64_t RandomStream::next_u64() noexcept {
    if (used_ == 4) {
        refill();
    }
    return buffer_[used_++];
}

double RandomStream::uniform() noexcept {
    // 52 random bits, shifted by half a unit so that neither 0 nor 1 is ever returned
    // (with 53 bits, x + 0.5 could round up to 2^53 and give exactly 1).
    return (static_cast<double>(next_u64() >> 12) + 0.5) * 0x1.0p-52;
}

double RandomStream::normal() noexcept {
    const double u1 = uniform();
    const double u2 = uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
}

double RandomStream::poisson(double mean) noexcept {
    const double limit = std::exp(-mean);
    double product = uniform();
    double k = 0.0;
    while (product > limit) {
        product *= uniform();
        k += 1.0;
    }
    return k;
}

} // namespace tradesim::sim
