#include "tradesim/sim/random.hpp"

#include <Random123/philox.h>
#include <cmath>
#include <array>

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

namespace {

// Marsaglia & Tsang's ziggurat (2000, "The Ziggurat Method for Generating Random Variables",
// J. Statistical Software 5(8)) with 256 layers of equal area v under f(x) = exp(-x^2/2):
// x[1] = r, x[i+1] = f^-1(v / x[i] + f(x[i])), and x[0] = v / f(r) the width of the base
// layer, whose part beyond r is the tail. Most draws cost one 64-bit word and a compare.
struct Ziggurat {
    static constexpr int layers = 256;
    static constexpr double r = 3.6541528853610088;
    static constexpr double v = 4.92867323399e-3;
    std::array<double, layers + 1> x{};
    std::array<double, layers + 1> f{};
    Ziggurat() {
        x[0] = v / std::exp(-0.5 * r * r);
        x[1] = r;
        for (int i = 1; i < layers - 1; ++i) {
            x[i + 1] = std::sqrt(-2.0 * std::log(v / x[i] + std::exp(-0.5 * x[i] * x[i])));
        }
        x[layers] = 0.0;
        for (int i = 0; i <= layers; ++i) {
            f[i] = std::exp(-0.5 * x[i] * x[i]);
        }
    }
};

const Ziggurat& ziggurat() {
    static const Ziggurat table;
    return table;
}

} // namespace

double RandomStream::normal() noexcept {
    const Ziggurat& z = ziggurat();
    for (;;) {
        const std::uint64_t bits = next_u64();
        const auto i = static_cast<int>(bits & 0xFF);
        const bool negative = ((bits >> 8) & 1U) != 0;
        const double u = static_cast<double>(bits >> 11) * 0x1.0p-53;
        const double x = u * z.x[i];
        if (x < z.x[i + 1]) {
            return negative ? -x : x; // inside the layer's part that lies under the curve
        }
        if (i == 0) {
            // The tail beyond r (Marsaglia 1964).
            double a = 0.0, b = 0.0;
            do {
                a = -std::log(uniform()) / Ziggurat::r;
                b = -std::log(uniform());
            } while (b + b < a * a);
            return negative ? -(Ziggurat::r + a) : Ziggurat::r + a;
        }
        // The wedge between the layer's rectangle and the curve.
        const double y = z.f[i] + uniform() * (z.f[i + 1] - z.f[i]);
        if (y < std::exp(-0.5 * x * x)) {
            return negative ? -x : x;
        }
    }
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
