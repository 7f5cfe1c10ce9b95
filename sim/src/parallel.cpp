#include "tradesim/sim/parallel.hpp"

#include <memory>
#include <oneapi/tbb/blocked_range.h>
#include <oneapi/tbb/global_control.h>
#include <oneapi/tbb/parallel_for.h>

namespace tradesim::sim {

namespace {
int g_threads = 1;
} // namespace

struct ThreadScope::Impl {
    std::unique_ptr<tbb::global_control> control;
    int previous = 1;
};

ThreadScope::ThreadScope(int threads) : impl_(new Impl) {
    impl_->previous = g_threads;
    g_threads = threads <= 1 ? 1 : threads;
    impl_->control = std::make_unique<tbb::global_control>(
        tbb::global_control::max_allowed_parallelism, static_cast<std::size_t>(g_threads));
}

ThreadScope::~ThreadScope() {
    g_threads = impl_->previous;
    delete impl_;
}

int active_threads() noexcept {
    return g_threads;
}

void parallel_for(std::size_t n, std::size_t grain, const RangeBody& body) {
    if (n == 0) {
        return;
    }
    grain = grain == 0 ? 1 : grain;
    const std::size_t blocks = (n + grain - 1) / grain;
    if (g_threads <= 1 || blocks == 1) {
        for (std::size_t b = 0; b < blocks; ++b) {
            body(b * grain, std::min(n, (b + 1) * grain));
        }
        return;
    }
    // Iterate over block indices so chunk boundaries are the same as in the serial driver.
    tbb::parallel_for(
        tbb::blocked_range<std::size_t>(0, blocks, 1),
        [&](const tbb::blocked_range<std::size_t>& r) {
            for (std::size_t b = r.begin(); b != r.end(); ++b) {
                body(b * grain, std::min(n, (b + 1) * grain));
            }
        },
        tbb::simple_partitioner());
}

double deterministic_sum(std::size_t n, std::size_t block,
                         const std::function<double(std::size_t, std::size_t)>& f) {
    block = block == 0 ? 1 : block;
    const std::size_t blocks = (n + block - 1) / block;
    std::vector<double> partial(blocks, 0.0);
    parallel_for(n, block, [&](std::size_t begin, std::size_t end) {
        partial[begin / block] = f(begin, end);
    });
    double total = 0.0;
    for (double p : partial) {
        total += p;
    }
    return total;
}

} // namespace tradesim::sim
