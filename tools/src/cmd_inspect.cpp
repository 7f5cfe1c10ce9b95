#include "commands.hpp"
#include "tradesim/output/panel_store.hpp"
#include "tradesim/output/run_store.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

namespace tradesim::tools {

namespace {

std::vector<std::string> split_lines(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        out.push_back(line);
    }
    return out;
}

// A variable's line: name, unit, source and the years it is observed in.
void print_variable(const models::TradePanel& panel, const models::PanelVariable& variable) {
    const std::size_t per_year =
        panel.year_count() == 0 ? 0 : variable.values.size() / panel.year_count();
    std::vector<int> observed;
    for (std::size_t y = 0; y < panel.year_count(); ++y) {
        const auto first = variable.values.begin() + static_cast<std::ptrdiff_t>(y * per_year);
        if (std::any_of(first, first + static_cast<std::ptrdiff_t>(per_year),
                        [](double v) { return !std::isnan(v); })) {
            observed.push_back(panel.years[y]);
        }
    }
    fmt::print("  {:<16} {:<10} {} years observed{} ({})\n", variable.name,
               variable.unit.empty() ? "-" : variable.unit, observed.size(),
               observed.empty() ? std::string{}
                                : fmt::format(", {}-{}", observed.front(), observed.back()),
               variable.source);
}

int inspect_panel(const std::string& path) {
    const models::TradePanel panel = output::read_panel(path);
    const output::PanelFileInfo info = output::read_panel_info(path);
    fmt::print("file        {}\n", path);
    fmt::print("kind        historical panel (format tradesim-panel, version {})\n",
               info.format_version);
    fmt::print("version     tradesim {}\n", info.program_version);
    fmt::print("created     {}\n", info.created_at);
    fmt::print("years       {}{}\n", panel.year_count(),
               panel.years.empty()
                   ? std::string{}
                   : fmt::format(": {}-{}", panel.years.front(), panel.years.back()));
    fmt::print("countries   {}: {}\n", panel.country_count(), fmt::join(panel.countries, " "));
    fmt::print("sectors     {}: {}\n", panel.sector_count(), fmt::join(panel.sectors, " "));
    fmt::print("\ncountry variables ({}):\n", panel.country_variables.size());
    for (const auto& variable : panel.country_variables) {
        print_variable(panel, variable);
    }
    fmt::print("pair variables ({}):\n", panel.pair_variables.size());
    for (const auto& variable : panel.pair_variables) {
        print_variable(panel, variable);
    }
    const std::size_t n = panel.country_count();
    fmt::print("\n{:>6} {:>18} {:>18} {:>14}\n", "year", "trade USD", "domestic USD",
               "pairs reported");
    for (std::size_t y = 0; y < panel.year_count(); ++y) {
        const auto totals = panel.pair_totals(y);
        double all = 0, domestic = 0;
        for (std::size_t p = 0; p < totals.size(); ++p) {
            all += totals[p];
            domestic += p / n == p % n ? totals[p] : 0.0;
        }
        const auto first = panel.reported.begin() + static_cast<std::ptrdiff_t>(y * n * n);
        fmt::print("{:>6} {:>18.6g} {:>18.6g} {:>14}\n", panel.years[y], all, domestic,
                   std::count(first, first + static_cast<std::ptrdiff_t>(n * n), 1));
    }
    fmt::print("\nprovenance ({} imports):\n", panel.provenance.size());
    for (const auto& text : panel.provenance) {
        fmt::print("  {}\n", fmt::join(split_lines(text), "\n  "));
    }
    fmt::print("\ntables (tradesim export {} TABLE):\n", path);
    for (const auto& name : output::panel_table_names()) {
        fmt::print("  {}\n", name);
    }
    fmt::print("\ndatasets:\n");
    for (const auto& d : info.datasets) {
        fmt::print("  {:<32} [{}]  {:.1f} KiB stored\n", d.path, fmt::join(d.shape, " x "),
                   static_cast<double>(d.stored_bytes) / 1024.0);
    }
    return 0;
}

} // namespace

int inspect_command(const std::string& run_file) {
    if (output::is_panel_file(run_file)) {
        return inspect_panel(run_file);
    }
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
