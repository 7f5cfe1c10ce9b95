#include "narrate.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <span>
#include <stdexcept>
#include <utility>

namespace tradesim::tools {

namespace {

// Economies listed by name in a small world; in a larger one only those that moved most.
constexpr std::size_t small_world = 8;
constexpr std::size_t largest_shown = 5;

std::span<const double> column(const sim::ColumnTable& table, const char* name) {
    const auto id = table.find(name);
    if (!id) {
        throw std::logic_error(fmt::format("narrate: the country table has no column {}", name));
    }
    return table.column(*id);
}

} // namespace

NarrateObserver::NarrateObserver(models::RunObserver& next, const models::Scenario& scenario)
    : next_(next), world_(*scenario.world), steps_(scenario.calendar.steps()),
      months_per_step_(scenario.calendar.months_per_step()) {}

void NarrateObserver::on_step(const models::StepView& view) {
    next_.on_step(view);
    if (view.step == 0) {
        first_flows_ = view.flows;
        first_date_ = view.date;
    }
    const int months = (view.step + 1) * months_per_step_;
    const bool last = view.step + 1 == steps_;
    const bool yearly = months % 12 == 0 || last;
    if (view.events.empty() && !yearly) {
        return;
    }
    fmt::print("{}\n", view.date);
    for (const models::Event& e : view.events) {
        fmt::print("   {}\n", e.message);
    }
    pair_lines(view);
    if (yearly) {
        country_lines(view);
    }
    if (last) {
        fmt::print("\n");
    }
    // The story should keep pace with the run, not arrive in one block at the end.
    std::fflush(stdout);
}

void NarrateObserver::pair_lines(const models::StepView& view) const {
    // Pairs of single economies the events name, importer first, once each in event order;
    // "all" and lists (codes joined by ';') name no one pair.
    std::vector<std::pair<std::size_t, std::size_t>> pairs;
    for (const models::Event& e : view.events) {
        const int j = world_.country_index(e.importer);
        const int i = world_.country_index(e.exporter);
        if (i < 0 || j < 0 || i == j) {
            continue;
        }
        const std::pair<std::size_t, std::size_t> pair{static_cast<std::size_t>(j),
                                                       static_cast<std::size_t>(i)};
        if (std::find(pairs.begin(), pairs.end(), pair) == pairs.end()) {
            pairs.push_back(pair);
        }
    }
    const models::Dims& d = world_.dims;
    const auto trade = [&](const std::vector<double>& flows, std::size_t i, std::size_t j) {
        double sum = 0;
        for (std::size_t k = 0; k < d.sectors; ++k) {
            sum += flows[d.flow(i, j, k)];
        }
        return sum;
    };
    // The importer's tariffs on the exporter's goods, weighted by the first step's flows:
    // where the answers and step-downs have brought them.
    const auto tariff = [&](std::size_t i, std::size_t j) {
        double sum = 0, weight = 0;
        for (std::size_t k = 0; k < d.sectors; ++k) {
            sum += first_flows_[d.flow(i, j, k)] * view.policy->tariff[d.flow(i, j, k)];
            weight += first_flows_[d.flow(i, j, k)];
        }
        return weight > 0 ? 100.0 * sum / weight : 0.0;
    };
    for (const auto& [j, i] : pairs) {
        const double now = trade(view.flows, i, j);
        const double first = trade(first_flows_, i, j);
        const std::string change = first > 0 ? fmt::format(" ({:+.1f} % since {})",
                                                           100.0 * (now / first - 1.0), first_date_)
                                             : std::string{};
        const std::string duties =
            view.policy != nullptr
                ? fmt::format("; tariffs {:+.1f} points on average", tariff(i, j))
                : std::string{};
        fmt::print("   trade {} <- {}: {:.1f} bn USD/yr{}{}\n", world_.countries[j].name,
                   world_.countries[i].name, now, change, duties);
    }
}

void NarrateObserver::country_lines(const models::StepView& view) const {
    const std::span<const double> welfare = column(view.countries, "welfare_change");
    const std::span<const double> balance = column(view.countries, "trade_balance");
    std::vector<std::size_t> shown(world_.countries.size());
    std::iota(shown.begin(), shown.end(), std::size_t{0});
    const bool all = shown.size() <= small_world;
    if (!all) {
        std::stable_sort(shown.begin(), shown.end(), [&](std::size_t a, std::size_t b) {
            return std::abs(welfare[a]) > std::abs(welfare[b]);
        });
        shown.resize(largest_shown);
    }
    std::size_t width = 0;
    for (std::size_t c : shown) {
        width = std::max(width, world_.countries[c].name.size());
    }
    fmt::print("   after {} months{}:\n", (view.step + 1) * months_per_step_,
               all ? std::string{}
                   : fmt::format(" (the {} economies whose welfare moved most)", largest_shown));
    for (std::size_t c : shown) {
        fmt::print("   {:<{}}  welfare {:+.2f} % from the baseline, trade balance {:+.1f} bn "
                   "USD/yr\n",
                   world_.countries[c].name, width, welfare[c], balance[c]);
    }
}

} // namespace tradesim::tools
