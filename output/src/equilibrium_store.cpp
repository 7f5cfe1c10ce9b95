#include "tradesim/output/equilibrium_store.hpp"

#include "run_file.hpp"

#include "tradesim/sim/state_hash.hpp"
#include "tradesim/sim/table.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <stdexcept>

namespace tradesim::output {

namespace {

// Root attributes every run file has; `solved` must not replace them.
constexpr std::array reserved_attributes{
    "format",        "format_version", "program_version", "scenario_name",
    "scenario_path", "seed",           "threads",         "started_at",
    "finished_at",   "status",         "steps_planned",   "calendar_start",
    "step_length",   "kind",           "iterations",      "max_excess_demand"};

void check_sizes(const Equilibrium& eq, std::size_t sectors) {
    const std::size_t n = eq.countries.size();
    const auto fail = [](const std::string& what) {
        throw std::invalid_argument("write_equilibrium: " + what);
    };
    if (eq.baseline_flows.size() != n * n * sectors ||
        eq.counterfactual_flows.size() != n * n * sectors) {
        fail(fmt::format("{} and {} flows for {} countries and {} sectors",
                         eq.baseline_flows.size(), eq.counterfactual_flows.size(), n, sectors));
    }
    for (const Equilibrium::Variable& v : eq.variables) {
        if (v.baseline.size() != n || v.counterfactual.size() != n) {
            fail(fmt::format("variable {} has {} and {} values for {} countries", v.name,
                             v.baseline.size(), v.counterfactual.size(), n));
        }
    }
    for (const auto& [key, value] : eq.solved) {
        if (std::find(reserved_attributes.begin(), reserved_attributes.end(), key) !=
            reserved_attributes.end()) {
            fail(fmt::format("\"{}\" is a reserved attribute", key));
        }
    }
}

// One step of the file: the country table and the flows of one equilibrium.
void write_step(detail::RunFile& file, const Equilibrium& eq, bool counterfactual) {
    const std::size_t n = eq.countries.size();
    sim::ColumnTable table(n);
    sim::StateHash hash;
    for (const Equilibrium::Variable& v : eq.variables) {
        const std::size_t id = table.add_column(v.name, v.unit, "");
        const std::vector<double>& values = counterfactual ? v.counterfactual : v.baseline;
        std::copy(values.begin(), values.end(), table.column(id).begin());
        hash.add(values);
    }
    const std::vector<double>& flows = counterfactual ? eq.counterfactual_flows : eq.baseline_flows;
    hash.add(flows);
    const std::vector<models::Event> no_events;
    const models::StepView view{counterfactual ? 1 : 0,
                                counterfactual ? "counterfactual" : "baseline",
                                table,
                                flows,
                                no_events,
                                hash.value(),
                                counterfactual ? eq.iterations : 0};
    file.write_step(view);
}

} // namespace

void check_result_path(const std::string& path, bool force) {
    detail::refuse_overwrite(path, force);
}

void write_equilibrium(const std::string& path, bool force, const Equilibrium& equilibrium,
                       const EquilibriumInfo& info) {
    const std::vector<std::string> sectors =
        equilibrium.sectors.empty() ? std::vector<std::string>{"all"} : equilibrium.sectors;
    check_sizes(equilibrium, sectors.size());

    detail::RunHeader header;
    header.program_version = info.program_version;
    header.scenario_name = equilibrium.name;
    header.scenario_path = equilibrium.source;
    header.threads = info.threads;
    header.started_at = info.started_at;
    header.steps_planned = 2;
    header.step_length = "equilibrium";
    std::string text = "# tradesim counterfactual\n";
    for (const auto& [key, value] : equilibrium.solved) {
        text += fmt::format("{} = {}\n", key, value);
    }
    header.scenario_text = text;
    header.scenario_resolved = text;
    header.countries = equilibrium.countries;
    header.country_names = equilibrium.countries;
    header.sectors = sectors;

    detail::RunFile file(path, header, force);
    h5::File& root = file.file();
    root.write_string_attribute("kind", "counterfactual");
    root.write_int_attribute("iterations", equilibrium.iterations);
    root.write_string_attribute("max_excess_demand",
                                fmt::format("{}", equilibrium.max_excess_demand));
    for (const auto& [key, value] : equilibrium.solved) {
        root.write_string_attribute(key, value);
    }
    write_step(file, equilibrium, false);
    write_step(file, equilibrium, true);
    file.finish(true);
}

} // namespace tradesim::output
