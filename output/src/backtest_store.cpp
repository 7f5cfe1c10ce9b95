#include "tradesim/output/backtest_store.hpp"

#include "run_file.hpp"

#include "tradesim/sim/state_hash.hpp"
#include "tradesim/sim/table.hpp"

#include <fmt/format.h>

#include <cstdint>
#include <stdexcept>

namespace tradesim::output {

namespace {

constexpr std::size_t steps = 5;
constexpr std::size_t predictions = 3;

void check_sizes(const BacktestRecord& r) {
    const std::size_t n = r.countries.size();
    const auto fail = [](const std::string& what) {
        throw std::invalid_argument("write_backtest: " + what);
    };
    if (r.flows.size() != steps || r.country_names.size() != n || r.evaluated.size() != n * n) {
        fail(fmt::format("{} flow steps (expected {}), {} names, {} evaluated marks for {} "
                         "countries",
                         r.flows.size(), steps, r.country_names.size(), r.evaluated.size(), n));
    }
    for (const auto& f : r.flows) {
        if (f.size() != n * n) {
            fail(fmt::format("{} flows for {} countries", f.size(), n));
        }
    }
    for (const auto& v : r.variables) {
        if (v.steps.size() != steps) {
            fail(fmt::format("variable {} has {} steps", v.name, v.steps.size()));
        }
        for (const auto& s : v.steps) {
            if (s.size() != n) {
                fail(
                    fmt::format("variable {} has {} values for {} countries", v.name, s.size(), n));
            }
        }
    }
    if (r.metrics.size() != r.scopes.size() * predictions * backtest_metric_names().size()) {
        fail(fmt::format("{} metrics for {} scopes", r.metrics.size(), r.scopes.size()));
    }
}

} // namespace

const std::vector<std::string>& backtest_metric_names() {
    static const std::vector<std::string> names{"pairs", "correlation", "rmse_log",
                                                "twape", "right_sign",  "observed_trade"};
    return names;
}

void write_backtest(const std::string& path, bool force, const BacktestRecord& record,
                    const std::string& program_version, int threads,
                    const std::string& started_at) {
    check_sizes(record);
    const std::size_t n = record.countries.size();
    detail::RunHeader header;
    header.program_version = program_version;
    header.scenario_name = record.name;
    header.scenario_path = record.source;
    header.threads = threads;
    header.started_at = started_at;
    header.steps_planned = static_cast<int>(steps);
    header.step_length = "backtest";
    std::string text = "# tradesim backtest\n";
    for (const auto& [key, value] : record.estimates) {
        text += fmt::format("{} = {}\n", key, value);
    }
    header.scenario_text = text;
    header.scenario_resolved = text;
    header.countries = record.countries;
    header.country_names = record.country_names;
    header.sectors = {"all"};

    detail::RunFile file(path, header, force);
    h5::File& root = file.file();
    root.write_string_attribute("kind", "backtest");
    root.write_int_attribute("from", record.from);
    root.write_int_attribute("to", record.to);
    for (const auto& [key, value] : record.estimates) {
        root.write_string_attribute(key, value);
    }
    const std::string y0 = std::to_string(record.from), y1 = std::to_string(record.to);
    const std::string dates[steps] = {y0 + " observed", y1 + " observed", y1 + " model",
                                      y1 + " no change", y1 + " uniform growth"};
    const std::vector<models::Event> no_events;
    for (std::size_t s = 0; s < steps; ++s) {
        sim::ColumnTable table(n);
        sim::StateHash hash;
        for (const auto& v : record.variables) {
            const std::size_t id = table.add_column(v.name, v.unit, "");
            std::copy(v.steps[s].begin(), v.steps[s].end(), table.column(id).begin());
            hash.add(v.steps[s]);
        }
        hash.add(record.flows[s]);
        const models::StepView view{static_cast<int>(s), dates[s],     table, record.flows[s],
                                    no_events,           hash.value(), 0};
        file.write_step(view);
    }
    {
        // Closed before finish(): HDF5 closes the file only once its objects are closed.
        h5::Group group = root.create_group("backtest");
        group.write_strings("metric_names", backtest_metric_names());
        group.write_strings("predictions", {"model", "no_change", "uniform"});
        group.write_strings("scopes", record.scopes);
        const std::size_t m = backtest_metric_names().size();
        auto metrics =
            group.create_extendible<double>("metrics", {predictions, m}, 64, h5::Compress::none);
        metrics.append(std::span<const double>(record.metrics), record.scopes.size());
        auto evaluated =
            group.create_extendible<std::uint8_t>("evaluated", {n}, 64, h5::Compress::deflate);
        evaluated.append(std::span<const std::uint8_t>(record.evaluated), n);
        if (!record.notes.empty()) {
            group.write_strings("notes", record.notes);
        }
    }
    file.finish(true);
}

} // namespace tradesim::output
