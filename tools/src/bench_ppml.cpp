// `tradesim bench ppml`: PPML-HDFE on generated data with a fixed seed, at several thread
// counts. (a) The design of fixest's published benchmark: 1,000,000 observations, Poisson
// outcome, three fixed effects with 50,000, 1,000 and 97 levels. (b) A gravity panel:
// 150 countries, 36 years (804,600 rows), exporter-year, importer-year and pair effects.

#include "commands.hpp"
#include "tradesim/models/gravity/ppml.hpp"
#include "tradesim/sim/parallel.hpp"
#include "tradesim/sim/random.hpp"

#include <chrono>
#include <cmath>
#include <fmt/format.h>
#include <sys/resource.h>

namespace tradesim::tools {

namespace {

namespace gr = models::gravity;
constexpr std::uint64_t seed = 20240101;

gr::PpmlProblem fixest_design() {
    const std::size_t n = 1000000;
    const std::size_t levels[3] = {50000, 1000, 97};
    gr::PpmlProblem p;
    p.x_names = {"x1", "x2"};
    p.fe_names = {"id1", "id2", "id3"};
    p.x.assign(2, std::vector<double>(n));
    p.fe.assign(3, std::vector<std::int32_t>(n));
    p.y.resize(n);
    std::vector<std::vector<double>> effect(3);
    for (std::size_t d = 0; d < 3; ++d) {
        sim::RandomStream rng(seed, d, 0, 0);
        for (std::size_t g = 0; g < levels[d]; ++g) {
            effect[d].push_back(0.3 * rng.normal());
        }
    }
    for (std::size_t i = 0; i < n; ++i) {
        sim::RandomStream rng(seed, i, 1, 0);
        p.x[0][i] = rng.normal();
        p.x[1][i] = rng.normal();
        double eta = 0.5 * p.x[0][i] - 0.3 * p.x[1][i];
        for (std::size_t d = 0; d < 3; ++d) {
            const auto g = static_cast<std::int32_t>(rng.next_u64() % levels[d]);
            p.fe[d][i] = g;
            eta += effect[d][static_cast<std::size_t>(g)];
        }
        p.y[i] = rng.poisson(std::exp(eta));
    }
    return p;
}

gr::PpmlProblem gravity_panel() {
    const std::size_t countries = 150, years = 36;
    gr::PpmlProblem p;
    p.x_names = {"log_dist", "rta"};
    p.fe_names = {"exporter^year", "importer^year", "pair"};
    p.x.resize(2);
    p.fe.resize(3);
    std::vector<double> lat(countries), lon(countries), size(countries);
    for (std::size_t c = 0; c < countries; ++c) {
        sim::RandomStream rng(seed, c, 2, 0);
        lat[c] = 120.0 * rng.uniform() - 60.0;
        lon[c] = 360.0 * rng.uniform() - 180.0;
        size[c] = rng.normal();
    }
    std::int32_t pair = 0;
    for (std::size_t i = 0; i < countries; ++i) {
        for (std::size_t j = 0; j < countries; ++j) {
            if (i == j) {
                continue;
            }
            const double d = std::hypot(lat[i] - lat[j], lon[i] - lon[j]) * 111.0 + 100.0;
            for (std::size_t t = 0; t < years; ++t) {
                sim::RandomStream rng(seed, static_cast<std::uint64_t>(pair), 3 + t, 0);
                const double rta = rng.uniform() < 0.1 + 0.01 * static_cast<double>(t) ? 1.0 : 0.0;
                const double eta = 8.0 - std::log(d) + 0.5 * rta + size[i] + size[j] +
                                   0.02 * static_cast<double>(t);
                p.x[0].push_back(std::log(d));
                p.x[1].push_back(rta);
                p.fe[0].push_back(static_cast<std::int32_t>(i * years + t));
                p.fe[1].push_back(static_cast<std::int32_t>(j * years + t));
                p.fe[2].push_back(pair);
                p.y.push_back(rng.poisson(std::exp(eta)));
            }
            ++pair;
        }
    }
    // log distance is constant within a pair: absorbed by the pair effects.
    p.x.erase(p.x.begin());
    p.x_names.erase(p.x_names.begin());
    return p;
}

double max_rss_mib() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return static_cast<double>(usage.ru_maxrss) / 1024.0;
}

} // namespace

int bench_ppml(const BenchOptions& options) {
    struct Case {
        const char* name;
        gr::PpmlProblem problem;
    };
    fmt::print("generating data (seed {})...\n", seed);
    std::vector<Case> cases;
    cases.push_back({"fixest design: 1,000,000 obs, FE 50,000 + 1,000 + 97", fixest_design()});
    cases.push_back(
        {"gravity panel: 804,600 obs, exporter-year + importer-year + pair", gravity_panel()});
    for (auto& c : cases) {
        double bytes = static_cast<double>(c.problem.y.size()) *
                       (8.0 * static_cast<double>(1 + c.problem.x.size()) +
                        4.0 * static_cast<double>(c.problem.fe.size()));
        fmt::print("\n{} (data {:.0f} MiB)\n", c.name, bytes / 1048576.0);
        fmt::print("{:>8} {:>11} {:>8} {:>9}  {}\n", "threads", "separation", "min s", "median s",
                   "coefficients");
        for (int threads : options.threads) {
            const sim::ThreadScope scope(threads);
            // "all" is the default; "fe" skips the regressor-separation certificate, as
            // fixest does, for a like-for-like comparison.
            for (const bool check : {true, false}) {
                gr::PpmlOptions po;
                po.check_separation = check;
                std::vector<double> times;
                gr::PpmlResult r;
                for (int rep = 0; rep < options.repeat; ++rep) {
                    const auto start = std::chrono::steady_clock::now();
                    r = gr::fit_ppml(c.problem, po);
                    times.push_back(
                        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
                            .count());
                }
                std::sort(times.begin(), times.end());
                std::string coefs;
                for (std::size_t k = 0; k < r.names.size(); ++k) {
                    coefs += fmt::format("{} {:.6f}  ", r.names[k], r.coefficients[k]);
                }
                fmt::print("{:>8} {:>11} {:>8.3f} {:>9.3f}  {}({} iterations)\n", threads,
                           check ? "all" : "fe", times.front(), times[times.size() / 2], coefs,
                           r.iterations);
            }
        }
    }
    fmt::print("\npeak resident memory {:.0f} MiB\n", max_rss_mib());
    return 0;
}

} // namespace tradesim::tools
