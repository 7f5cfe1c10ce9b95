#include "commands.hpp"
#include "tradesim/models/scenario.hpp"
#include "tradesim/models/simulation.hpp"
#include "tradesim/sim/parallel.hpp"

#include <algorithm>
#include <chrono>
#include <fmt/format.h>

namespace tradesim::tools {

namespace {
class NullObserver : public models::RunObserver {
public:
    void on_step(const models::StepView&) override {}
};
} // namespace

int bench_command(const BenchOptions& options) {
    if (options.scenario == "ppml") {
        return bench_ppml(options);
    }
    if (options.scenario == "ge") {
        return bench_ge(options);
    }
    if (options.scenario == "firms") {
        return bench_firms(options);
    }
    if (options.scenario == "corridors") {
        return bench_corridors(options);
    }
    if (options.scenario == "import") {
        return bench_import(options);
    }
    const models::Scenario scenario = models::load_scenario(options.scenario);
    fmt::print("bench {}: {} economies x {} sectors x {} steps, {} runs per thread count\n",
               options.scenario, scenario.world->countries.size(), scenario.world->sectors.size(),
               scenario.calendar.steps(), options.repeat);
    fmt::print("{:>8} {:>12} {:>12} {:>12} {:>14}  {}\n", "threads", "min s", "median s", "max s",
               "steps/s (min)", "final hash");
    double serial_median = 0.0;
    for (int threads : options.threads) {
        const sim::ThreadScope scope(threads);
        std::vector<double> times;
        std::uint64_t hash = 0;
        for (int r = 0; r < options.repeat; ++r) {
            NullObserver sink;
            const auto start = std::chrono::steady_clock::now();
            const auto result = models::run_scenario(scenario, sink);
            times.push_back(
                std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
            hash = result.final_hash;
        }
        std::sort(times.begin(), times.end());
        const double median = times[times.size() / 2];
        if (serial_median == 0.0) {
            serial_median = median;
        }
        fmt::print("{:>8} {:>12.4f} {:>12.4f} {:>12.4f} {:>14.0f}  {:016x}  (x{:.2f} vs first)\n",
                   threads, times.front(), median, times.back(),
                   scenario.calendar.steps() / times.front(), hash, serial_median / median);
    }
    return 0;
}

} // namespace tradesim::tools
