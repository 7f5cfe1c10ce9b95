// `tradesim bench corridors`: one step's congested logit assignment on a synthetic network of
// 5,000 nodes and 50,000 links with 200 economies (40,000 pairs, ten sectors), at several
// thread counts: seconds and iterations to a relative residual of 1e-6, and the time to find
// the candidate routes (done again only when the network changes).

#include "commands.hpp"
#include "tradesim/models/corridors.hpp"
#include "tradesim/sim/parallel.hpp"

#include <fmt/format.h>

namespace tradesim::tools {

int bench_corridors(const BenchOptions& options) {
    constexpr std::size_t nodes = 5000, links = 50000, economies = 200;
    constexpr std::uint64_t seed = 20240101;
    models::AssignmentOptions assign;
    assign.tolerance = 1e-6;
    fmt::print("bench corridors: {} nodes, {} links, {} economies ({} pairs, 10 sectors), "
               "residual {}\n",
               nodes, links, economies, economies * (economies - 1), assign.tolerance);
    fmt::print("{:>8} {:>10} {:>10} {:>11} {:>12} {:>9}\n", "threads", "routes s", "assign s",
               "iterations", "residual", "routes");
    double two = -1.0;
    for (int threads : options.threads) {
        const sim::ThreadScope scope(threads);
        const auto r = models::bench_assignment(nodes, links, economies, seed, assign);
        fmt::print("{:>8} {:>10.3f} {:>10.3f} {:>11} {:>12.2e} {:>9}\n", threads,
                   r.route_seconds, r.assign_seconds, r.iterations, r.residual, r.routes);
        if (threads == 2) {
            two = r.assign_seconds;
        }
    }
    if (two >= 0.0) {
        fmt::print("goal: one step's assignment under 1 s at 2 threads: {} ({:.3f} s)\n",
                   two < 1.0 ? "met" : "not met", two);
    }
    return 0;
}

} // namespace tradesim::tools
