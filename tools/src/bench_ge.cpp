// `tradesim bench ge`: the general-equilibrium solvers on worlds generated with a fixed seed,
// at several thread counts. (a) One sector, 200 countries, solve_ge: a trade agreement among
// 30 of them (partial effect 0.5 in logs). (b) 50 sectors, 200 countries, solve_ge_sectors:
// the 20 largest economies raise their tariffs on each other's goods by 25 points, from
// baseline tariffs of 0-10 %, with and without the welfare decomposition.

#include "commands.hpp"
#include "tradesim/models/gravity/ge.hpp"
#include "tradesim/models/gravity/ge_sectors.hpp"
#include "tradesim/sim/parallel.hpp"
#include "tradesim/sim/random.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fmt/format.h>
#include <numeric>

namespace tradesim::tools {

namespace {

namespace gr = models::gravity;
constexpr std::uint64_t seed = 20240101;
constexpr std::size_t countries = 200;
constexpr std::size_t sectors = 50;
constexpr std::size_t members = 30; // of the agreement in (a)
constexpr std::size_t warring = 20; // economies raising tariffs in (b)

// Goals at 2 threads.
constexpr double one_sector_goal = 0.005;
constexpr double many_sector_goal = 0.5;

struct Geography {
    std::vector<double> size, lat, lon;
};

Geography geography() {
    Geography g;
    for (std::size_t c = 0; c < countries; ++c) {
        sim::RandomStream rng(seed, c, 0, 0);
        g.size.push_back(std::exp(1.5 * rng.normal()));
        g.lat.push_back(120.0 * rng.uniform() - 60.0);
        g.lon.push_back(360.0 * rng.uniform() - 180.0);
    }
    return g;
}

// Gravity: X_ij ~ size_i size_j / distance, with a home bias for domestic sales.
double gravity(const Geography& g, std::size_t i, std::size_t j) {
    const double km = std::hypot(g.lat[i] - g.lat[j], g.lon[i] - g.lon[j]) * 111.0 + 500.0;
    return g.size[i] * g.size[j] / km * (i == j ? 50.0 : 1.0);
}

std::string name(std::size_t c) {
    return fmt::format("C{:03}", c);
}

gr::GeProblem one_sector(const Geography& g) {
    gr::GeProblem p;
    p.source = "bench ge (one sector)";
    p.theta = 5.0;
    p.flows.resize(countries * countries);
    p.partial.assign(countries * countries, 0.0);
    for (std::size_t i = 0; i < countries; ++i) {
        p.countries.push_back(name(i));
        for (std::size_t j = 0; j < countries; ++j) {
            p.flows[i * countries + j] = gravity(g, i, j);
            if (i != j && i < members && j < members) {
                p.partial[i * countries + j] = 0.5;
            }
        }
    }
    return p;
}

gr::GeSectorsProblem many_sectors(const Geography& g) {
    gr::GeSectorsProblem p;
    p.source = "bench ge (50 sectors)";
    std::vector<double> skill(countries * sectors);
    for (std::size_t i = 0; i < countries; ++i) {
        p.countries.push_back(name(i));
        sim::RandomStream rng(seed, i, 1, 0);
        for (std::size_t k = 0; k < sectors; ++k) {
            skill[i * sectors + k] = std::exp(0.7 * rng.normal());
        }
    }
    for (std::size_t k = 0; k < sectors; ++k) {
        p.sectors.push_back(fmt::format("S{:02}", k));
        p.theta.push_back(2.0 + 8.0 * static_cast<double>(k) / static_cast<double>(sectors));
    }
    // The largest economies, by their generated size.
    std::vector<std::size_t> order(countries);
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::sort(order.begin(), order.end(),
              [&](std::size_t a, std::size_t b) { return g.size[a] > g.size[b]; });
    std::vector<unsigned char> war(countries, 0);
    for (std::size_t r = 0; r < warring; ++r) {
        war[order[r]] = 1;
    }
    const std::size_t count = countries * countries * sectors;
    p.flows.resize(count);
    p.tariffs.resize(count);
    p.new_tariffs.resize(count);
    for (std::size_t i = 0; i < countries; ++i) {
        for (std::size_t j = 0; j < countries; ++j) {
            sim::RandomStream rng(seed, i * countries + j, 2, 0);
            const double base = gravity(g, i, j);
            for (std::size_t k = 0; k < sectors; ++k) {
                const std::size_t f = (i * countries + j) * sectors + k;
                p.flows[f] = base * skill[i * sectors + k];
                p.tariffs[f] = i == j ? 0.0 : 0.1 * rng.uniform();
                p.new_tariffs[f] = p.tariffs[f] + (i != j && war[i] && war[j] ? 0.25 : 0.0);
            }
        }
    }
    return p;
}

template <class Solve> std::vector<double> time_runs(int repeat, Solve&& solve) {
    std::vector<double> times;
    for (int r = 0; r < repeat; ++r) {
        const auto start = std::chrono::steady_clock::now();
        solve();
        times.push_back(
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    }
    std::sort(times.begin(), times.end());
    return times;
}

// A fingerprint of the welfare results: equal across thread counts when runs are bitwise
// identical.
double fingerprint(const std::vector<double>& welfare) {
    double s = 0.0;
    for (std::size_t j = 0; j < welfare.size(); ++j) {
        s += static_cast<double>(j + 1) * welfare[j];
    }
    return s;
}

void report_goal(const char* what, double goal, double median_at_two) {
    if (median_at_two < 0.0) {
        fmt::print("goal: {} under {} s at 2 threads: not measured (add 2 to --threads)\n", what,
                   goal);
        return;
    }
    fmt::print("goal: {} under {} s at 2 threads: {} (median {:.4f} s)\n", what, goal,
               median_at_two < goal ? "met" : "NOT met", median_at_two);
}

} // namespace

int bench_ge(const BenchOptions& options) {
    fmt::print("generating worlds (seed {})...\n", seed);
    const Geography g = geography();
    const gr::GeProblem one = one_sector(g);
    const gr::GeSectorsProblem many = many_sectors(g);

    fmt::print("\n(a) one sector, {} countries, solve_ge: an agreement among {} (partial 0.5)\n",
               countries, members);
    fmt::print("{:>8} {:>10} {:>10} {:>11} {:>18}\n", "threads", "min s", "median s", "iterations",
               "welfare check");
    double one_at_two = -1.0;
    for (int threads : options.threads) {
        const sim::ThreadScope scope(threads);
        gr::GeResult r;
        const auto times = time_runs(options.repeat, [&] { r = gr::solve_ge(one); });
        const double median = times[times.size() / 2];
        fmt::print("{:>8} {:>10.5f} {:>10.5f} {:>11} {:>18.12f}\n", threads, times.front(), median,
                   r.iterations, fingerprint(r.welfare));
        if (threads == 2) {
            one_at_two = median;
        }
    }

    fmt::print("\n(b) {} sectors, {} countries, solve_ge_sectors: the {} largest raise tariffs "
               "on each other by 25 points\n",
               sectors, countries, warring);
    fmt::print("{:>8} {:>14} {:>10} {:>10} {:>11} {:>10} {:>18}\n", "threads", "decomposition",
               "min s", "median s", "iterations", "jacobians", "welfare check");
    double many_at_two = -1.0;
    for (int threads : options.threads) {
        const sim::ThreadScope scope(threads);
        for (const int steps : {gr::GeSectorsOptions{}.decomposition_steps, 0}) {
            gr::GeSectorsOptions o;
            o.decomposition_steps = steps;
            gr::GeSectorsResult r;
            const auto times =
                time_runs(options.repeat, [&] { r = gr::solve_ge_sectors(many, o); });
            const double median = times[times.size() / 2];
            fmt::print("{:>8} {:>14} {:>10.4f} {:>10.4f} {:>11} {:>10} {:>18.12f}\n", threads,
                       steps > 0 ? fmt::format("M = {}", steps) : std::string("none"),
                       times.front(), median, r.iterations, r.jacobians, fingerprint(r.welfare));
            if (threads == 2 && steps > 0) {
                many_at_two = median;
            }
        }
    }
    fmt::print("\n");
    report_goal("one sector", one_sector_goal, one_at_two);
    report_goal("50 sectors (with the welfare decomposition)", many_sector_goal, many_at_two);
    return 0;
}

} // namespace tradesim::tools
