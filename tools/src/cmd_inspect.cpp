#include "commands.hpp"
#include "tradesim/output/run_store.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace tradesim::tools {

int inspect_command(const std::string& run_file) {
    const output::RunReader run(run_file);
    const auto dates = run.dates();
    fmt::print("file        {}\n", run_file);
    fmt::print("status      {}\n", run.attribute("status"));
    fmt::print("scenario    {} ({})\n", run.attribute("scenario_name"),
               run.attribute("scenario_path"));
    fmt::print("seed        {}\n", run.attribute("seed"));
    fmt::print("threads     {}\n", run.attribute("threads"));
    fmt::print("version     tradesim {}\n", run.attribute("program_version"));
    fmt::print("started     {}\n", run.attribute("started_at"));
    fmt::print("finished    {}\n", run.attribute("finished_at"));
    fmt::print("steps       {} of {} ({} per step){}\n", run.steps(),
               run.attribute("steps_planned"), run.attribute("step_length"),
               dates.empty() ? std::string{}
                             : fmt::format(", {} to {}", dates.front(), dates.back()));
    const auto hashes = run.state_hashes();
    if (!hashes.empty()) {
        fmt::print("final hash  {:016x}\n", hashes.back());
    }
    fmt::print("countries   {}: {}\n", run.countries().size(), fmt::join(run.countries(), " "));
    fmt::print("sectors     {}: {}\n", run.sectors().size(), fmt::join(run.sectors(), " "));
    fmt::print("variables   {}\n", fmt::join(run.country_variables(), " "));
    fmt::print("events      {}\n", run.events().size());
    if (run.has_firms()) {
        fmt::print("firms       {} in {} country-sectors, export share {}, export cost scale {}, "
                   "{} burn-in steps\n",
                   run.firm_attribute("firms"), run.firm_attribute("country_sectors"),
                   run.firm_attribute("export_share"), run.firm_attribute("export_cost_scale"),
                   run.firm_attribute("burn_in_steps"));
    }
    if (run.has_corridors()) {
        fmt::print("corridors   {} links", run.link_ids().size());
        if (run.steps() > 0) {
            const auto a = run.assignment_values(run.steps() - 1);
            fmt::print(", last step's assignment: {} iterations, residual {:.3g}", a[0], a[1]);
        }
        fmt::print("\n");
        const std::string target = run.corridor_attribute("rail_share_target");
        fmt::print("network     capacities raised to carry the baseline at 80 %: {} of {} links",
                   run.corridor_attribute("capacities_raised"), run.corridor_attribute("links"));
        if (!target.empty() && target != "0") {
            fmt::print("; rail constant {} of value per 1,000 rail km (rail share {}, target {})",
                       run.corridor_attribute("rail_constant"),
                       run.corridor_attribute("rail_share"), target);
        }
        fmt::print("\n");
    }
    if (run.has_currencies()) {
        const auto codes = run.currency_codes();
        fmt::print("currencies  {} (", codes.size());
        if (run.steps() > 0) {
            // The three currencies every pair may settle in, whatever its economies' own.
            const auto shares = run.settlement_tables(run.steps() - 1).world_share;
            std::vector<std::string> parts;
            for (const char* code : {"USD", "EUR", "CNY"}) {
                const auto it = std::find(codes.begin(), codes.end(), code);
                if (it != codes.end()) {
                    const auto c = static_cast<std::size_t>(it - codes.begin());
                    parts.push_back(fmt::format("{} {:.1f} %", code, 100.0 * shares.at(c)));
                }
            }
            fmt::print("settlement: {} of world trade at the last step; ", fmt::join(parts, ", "));
        }
        fmt::print("fx_paths {})\n", run.currency_attribute("fx_paths"));
    }
    if (run.has_friction()) {
        fmt::print("friction    window {} months; levels watch {}, warning {}, alert {}",
                   run.friction_attribute("window_months"), run.friction_attribute("watch"),
                   run.friction_attribute("warning"), run.friction_attribute("alert"));
        if (run.steps() > 0) {
            const auto t = run.friction_tables(run.steps() - 1);
            std::array<std::size_t, 4> at{};
            for (const std::uint8_t level : t.level) {
                ++at[std::min<std::size_t>(level, 3)];
            }
            fmt::print("; last step: {} of {} watched pair-sectors at watch, {} warning, {} alert",
                       at[1], std::count(t.watched.begin(), t.watched.end(), 1), at[2], at[3]);
        }
        fmt::print("\n");
    }
    fmt::print("\ntables (tradesim export {} TABLE):\n", run_file);
    for (const auto& name : output::RunReader::table_names()) {
        // The firm tables exist only in runs with [firms], the corridor tables only in runs
        // of a world with a transport network, the currency tables only in runs with currency
        // settlement, friction only in runs with friction on, tariffs only in files written
        // since tradesim stores them.
        const bool firm_table = name == "firms" || name == "firm_pairs";
        const bool corridor_table = name == "corridors" || name == "routes" || name == "paths";
        const bool currency_table =
            name == "currencies" || name == "settlement" || name == "payments";
        if ((run.has_firms() || !firm_table) && (run.has_corridors() || !corridor_table) &&
            (run.has_currencies() || !currency_table) &&
            (run.has_friction() || name != "friction") &&
            (run.has_tariffs() || name != "tariffs")) {
            fmt::print("  {}\n", name);
        }
    }
    fmt::print("\ndatasets:\n");
    for (const auto& d : run.datasets()) {
        fmt::print("  {:<32} [{}]  {:.1f} KiB stored\n", d.path, fmt::join(d.shape, " x "),
                   static_cast<double>(d.stored_bytes) / 1024.0);
    }
    return 0;
}

} // namespace tradesim::tools
