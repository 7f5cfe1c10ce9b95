#include "commands.hpp"
#include "narrate.hpp"
#include "progress.hpp"
#include "tradesim/models/scenario.hpp"
#include "tradesim/models/simulation.hpp"
#include "tradesim/output/report.hpp"
#include "tradesim/output/run_store.hpp"
#include "tradesim/sim/parallel.hpp"

#include <chrono>
#include <ctime>
#include <filesystem>
#include <fmt/format.h>
#include <optional>

namespace tradesim::tools {

std::string utc_now() {
    const std::time_t t = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

int run_command(const RunOptions& options) {
    // Everything is checked before anything is written.
    const models::Scenario scenario = models::load_scenario(options.scenario);
    const std::string out =
        options.out.empty() ? (std::filesystem::path("runs") /
                               (std::filesystem::path(options.scenario).stem().string() + ".h5"))
                                  .string()
                            : options.out;

    const sim::ThreadScope threads(options.threads);
    output::RunWriter writer(out, scenario, {version(), sim::active_threads(), utc_now()},
                             options.force);
    // The story goes to stdout as the run goes; a progress line on stderr would cut into it.
    std::optional<NarrateObserver> narrator;
    if (options.narrate) {
        narrator.emplace(writer, scenario);
    }
    ProgressObserver progress(narrator ? static_cast<models::RunObserver&>(*narrator) : writer,
                              scenario.calendar.steps(),
                              !options.quiet && !options.narrate && stderr_is_terminal());
    const auto start = std::chrono::steady_clock::now();
    models::RunResult result;
    try {
        result = models::run_scenario(scenario, progress);
    } catch (...) {
        progress.done();
        writer.finish(false);
        throw;
    }
    progress.done();
    writer.finish(true);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

    fmt::print("scenario  {} ({})\n", scenario.name, options.scenario);
    fmt::print("world     {} economies x {} sectors, base year {}\n",
               scenario.world->countries.size(), scenario.world->sectors.size(),
               scenario.world->base_year);
    fmt::print("calendar  {} steps of one {} from {}, {} policies, {} events\n", result.steps,
               sim::to_string(scenario.calendar.length()), scenario.calendar.start().str(),
               scenario.policies.size(), result.events.size());
    fmt::print("ran in    {:.3f} s on {} thread(s); state hash {:016x}\n", seconds,
               sim::active_threads(), result.final_hash);
    if (!options.quiet) {
        fmt::print("\nChange from the first to the last step ({} to {}):\n",
                   scenario.calendar.start().str(),
                   scenario.calendar.date_of(scenario.calendar.steps() - 1).str());
        fmt::print("{}\n", output::change_summary(scenario.world->country_codes(), result.first,
                                                  result.last, 5));
        if (result.firms_last.rows() > 0) {
            fmt::print("{}\n", output::firm_summary(scenario.world->country_codes(),
                                                    result.firms_first, result.firms_last, 5));
        }
    }
    fmt::print("result    {}\n", writer.path());
    return 0;
}

} // namespace tradesim::tools
