#pragma once
/// Deterministic parallel loops. TBB stays inside sim; callers see plain functions.
///
/// Rules that make results independent of the thread count:
///  - a loop body writes only rows of its own range (or per-block buffers);
///  - sums use a partition into fixed blocks that does not depend on the thread count,
///    and the block results are combined serially in block order.

#include <cstddef>
#include <functional>
#include <vector>

namespace tradesim::sim {

/// Sets the number of worker threads for the whole process (call from main only).
/// 0 or 1 means serial. Stays in force until the ThreadScope is destroyed.
class ThreadScope {
public:
    explicit ThreadScope(int threads);
    ~ThreadScope();
    ThreadScope(const ThreadScope&) = delete;
    ThreadScope& operator=(const ThreadScope&) = delete;

private:
    struct Impl;
    Impl* impl_;
};

/// Threads in force (1 when serial).
[[nodiscard]] int active_threads() noexcept;

using RangeBody = std::function<void(std::size_t begin, std::size_t end)>;

/// Calls body over [0, n) in chunks of at most `grain` rows, serially or in parallel
/// depending on the ThreadScope in force. Chunk boundaries do not depend on threads.
void parallel_for(std::size_t n, std::size_t grain, const RangeBody& body);

/// Sum of f(begin, end) over fixed blocks of `block` rows, combined in block order:
/// bitwise identical for any thread count.
[[nodiscard]] double deterministic_sum(std::size_t n, std::size_t block,
                                       const std::function<double(std::size_t, std::size_t)>& f);

} // namespace tradesim::sim
