// The friction phase: a window of past steps, the indicators and levels of every watched pair
// and sector, the events of level changes, and the behaviours' reactions.

#include "tradesim/models/friction.hpp"

#include "friction/words.hpp"
#include "tradesim/models/scenario.hpp"
#include "tradesim/sim/parallel.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>

namespace tradesim::models {

const std::array<std::string, indicator_count>& indicator_names() {
    static const std::array<std::string, indicator_count> names = {
        "surge", "imbalance", "imbalance_change", "undercut", "share_gain", "partner_tariff"};
    return names;
}

const char* to_string(Level level) noexcept {
    switch (level) {
    case Level::watch:
        return "watch";
    case Level::warning:
        return "warning";
    case Level::alert:
        return "alert";
    case Level::none:
        break;
    }
    return "none";
}

int Observed::steps_of(int months) const noexcept {
    return std::max(1, (months + months_per_step - 1) / months_per_step);
}

int Observed::window_steps() const noexcept {
    return steps_of(params.window_months);
}

namespace {

constexpr std::size_t rows_per_task = 8;

// What the window keeps of one step.
struct Snapshot {
    std::vector<double> flows;
    std::vector<double> ratio;     ///< p_ijk / p_jjk per flow
    std::vector<double> share;     ///< pi_ijk per flow
    std::vector<double> imbalance; ///< per pair (exporter i, importer j): j's deficit with i
    std::vector<double> tariff;
};

} // namespace

struct Friction::Impl {
    const Scenario& scenario;
    const World& world;
    Dims dims;
    FrictionParams params;
    int window = 1;
    std::vector<Snapshot> ring; ///< window + 1 snapshots, step t at t % (window + 1)
    std::vector<double> welfare;
    FrictionTables tables;
    std::vector<std::unique_ptr<Behaviour>> behaviours;
    int observed = 0; ///< the step observed last (steps come one after another from 0)

    explicit Impl(const Scenario& s)
        : scenario(s), world(*s.world), dims(s.world->dims), params(s.friction) {
        const int months = s.calendar.months_per_step();
        window = std::max(1, (params.window_months + months - 1) / months);
        ring.resize(static_cast<std::size_t>(window) + 1);
        const std::size_t n = dims.flow_count();
        for (auto& v : tables.indicator) {
            v.assign(n, 0.0);
        }
        tables.index.assign(n, 0.0);
        tables.level.assign(n, 0);
        tables.watched.assign(n, 0);
        for (std::size_t i = 0; i < dims.countries; ++i) {
            for (std::size_t j = 0; j < dims.countries; ++j) {
                for (std::size_t k = 0; k < dims.sectors; ++k) {
                    const std::size_t f = dims.flow(i, j, k);
                    tables.watched[f] =
                        i != j && world.sectors[k].traded && world.flows[f] >= params.min_flow;
                }
            }
        }
        welfare.assign(dims.countries, 0.0);
        for (const auto& b : s.governments) {
            behaviours.push_back(b->clone());
        }
    }

    Snapshot& slot(int step) { return ring[static_cast<std::size_t>(step % (window + 1))]; }

    void snapshot(int step, const std::vector<double>& flows, const std::vector<double>& wages,
                  const PolicyState& policy) {
        Snapshot& s = slot(step);
        const std::size_t n = dims.countries, ns = dims.sectors;
        s.flows = flows;
        s.tariff = policy.tariff;
        s.ratio.resize(flows.size());
        s.share.resize(flows.size());
        s.imbalance.resize(n * n);
        const auto& tau = policy.trade_cost;
        sim::parallel_for(n, rows_per_task, [&](std::size_t b, std::size_t e) {
            for (std::size_t j = b; j < e; ++j) {
                for (std::size_t k = 0; k < ns; ++k) {
                    double total = 0.0;
                    for (std::size_t i = 0; i < n; ++i) {
                        total += flows[dims.flow(i, j, k)];
                    }
                    const double home = wages[j] * (tau.empty() ? 1.0 : tau[dims.flow(j, j, k)]);
                    for (std::size_t i = 0; i < n; ++i) {
                        const std::size_t f = dims.flow(i, j, k);
                        const double landed = wages[i] * (tau.empty() ? 1.0 : tau[f]);
                        s.ratio[f] = landed / home;
                        s.share[f] = total > 0.0 ? flows[f] / total : 0.0;
                    }
                }
                for (std::size_t i = 0; i < n; ++i) {
                    double in = 0.0, out = 0.0;
                    for (std::size_t k = 0; k < ns; ++k) {
                        in += flows[dims.flow(i, j, k)];
                        out += flows[dims.flow(j, i, k)];
                    }
                    s.imbalance[dims.pair(i, j)] =
                        i != j && in + out > 0.0 ? std::max(0.0, (in - out) / (in + out)) : 0.0;
                }
            }
        });
    }

    // Indicators of every watched flow at `step` against step `base`.
    void indicators(int step, int base) {
        const Snapshot& now = slot(step);
        const Snapshot& then = slot(base);
        const std::size_t n = dims.countries, ns = dims.sectors;
        auto& ind = tables.indicator;
        sim::parallel_for(n, rows_per_task, [&](std::size_t b, std::size_t e) {
            for (std::size_t j = b; j < e; ++j) {
                for (std::size_t i = 0; i < n; ++i) {
                    if (i == j) {
                        continue;
                    }
                    // i's tariff moves on j's goods, weighted by the baseline flows j -> i.
                    double moved = 0.0, weight = 0.0;
                    for (std::size_t k = 0; k < ns; ++k) {
                        const std::size_t g = dims.flow(j, i, k);
                        moved += world.flows[g] * (now.tariff[g] - then.tariff[g]);
                        weight += world.flows[g];
                    }
                    const double partner = weight > 0.0 ? 100.0 * moved / weight : 0.0;
                    const std::size_t p = dims.pair(i, j);
                    for (std::size_t k = 0; k < ns; ++k) {
                        const std::size_t f = dims.flow(i, j, k);
                        if (!tables.watched[f]) {
                            continue;
                        }
                        const double x0 = then.flows[f];
                        const std::array<double, indicator_count> v = {
                            x0 > 0.0 ? now.flows[f] / x0 - 1.0 : 0.0,
                            now.imbalance[p],
                            now.imbalance[p] - then.imbalance[p],
                            then.ratio[f] > 0.0 ? 1.0 - now.ratio[f] / then.ratio[f] : 0.0,
                            now.share[f] - then.share[f],
                            partner};
                        double index = 0.0;
                        for (std::size_t m = 0; m < indicator_count; ++m) {
                            ind[m][f] = v[m];
                            index += params.weight[m] * std::clamp(v[m] / params.full[m], 0.0, 1.0);
                        }
                        tables.index[f] = index;
                    }
                }
            }
        });
    }

    [[nodiscard]] double threshold(Level l) const {
        switch (l) {
        case Level::watch:
            return params.watch;
        case Level::warning:
            return params.warning;
        case Level::alert:
            return params.alert;
        case Level::none:
            break;
        }
        return 0.0;
    }

    // New level from the index and the last level: up at once, down only below the hysteresis.
    [[nodiscard]] Level next_level(double index, Level last) const {
        Level raw = Level::none;
        for (Level l : {Level::watch, Level::warning, Level::alert}) {
            if (index >= threshold(l)) {
                raw = l;
            }
        }
        if (raw >= last) {
            return raw;
        }
        for (auto l = static_cast<int>(last); l > static_cast<int>(raw); --l) {
            if (index >= threshold(static_cast<Level>(l)) - params.hysteresis) {
                return static_cast<Level>(l);
            }
        }
        return raw;
    }

    [[nodiscard]] std::string reasons(std::size_t f, std::size_t i, std::size_t j) const {
        const auto& ind = tables.indicator;
        const std::string& exporter = world.countries[i].name;
        // Early in a run the window reaches back to the first step only.
        const int months = std::min(window, observed) * scenario.calendar.months_per_step();
        std::vector<std::string> parts;
        if (ind[0][f] > 0.0) {
            parts.push_back(fmt::format("imports {} % in {} months",
                                        detail::signed_number(100.0 * ind[0][f]), months));
        }
        if (ind[4][f] > 0.0) {
            parts.push_back(fmt::format("{} market share {} points", detail::possessive(exporter),
                                        detail::signed_number(100.0 * ind[4][f])));
        }
        if (ind[3][f] > 0.0) {
            parts.push_back(fmt::format("its price {} % against {} producers",
                                        detail::signed_number(-100.0 * ind[3][f]),
                                        detail::possessive(world.countries[j].name)));
        }
        if (ind[1][f] > 0.0) {
            parts.push_back(fmt::format("deficit {:.2f} of their trade ({})", ind[1][f],
                                        detail::signed_number(ind[2][f], 2)));
        }
        if (ind[5][f] > 0.0) {
            parts.push_back(fmt::format("{} raised its tariffs on {} by {:.1f} points", exporter,
                                        world.countries[j].name, ind[5][f]));
        }
        return fmt::format("{}", fmt::join(parts, "; "));
    }

    // One event per importer, exporter and change of level at the step, naming its sectors;
    // the numbers are those of the sector with the highest index.
    void log_levels(int step, std::vector<Event>& events) {
        const std::size_t n = dims.countries, ns = dims.sectors;
        const std::string date = scenario.calendar.date_of(step).str();
        // Index: the new level (1-3), or 0 for a fall ("eased").
        std::array<std::vector<std::size_t>, 4> changed;
        for (std::size_t j = 0; j < n; ++j) {
            for (std::size_t i = 0; i < n; ++i) {
                for (auto& c : changed) {
                    c.clear();
                }
                for (std::size_t k = 0; k < ns; ++k) {
                    const std::size_t f = dims.flow(i, j, k);
                    if (!tables.watched[f]) {
                        continue;
                    }
                    const auto last = static_cast<Level>(tables.level[f]);
                    const Level level = next_level(tables.index[f], last);
                    tables.level[f] = static_cast<std::uint8_t>(level);
                    if (level != last) {
                        changed[level > last ? static_cast<std::size_t>(level) : 0].push_back(k);
                    }
                }
                for (std::size_t c : {3, 2, 1, 0}) {
                    if (!changed[c].empty()) {
                        events.push_back(level_event(step, date, i, j, changed[c], c));
                    }
                }
            }
        }
    }

    [[nodiscard]] Event level_event(int step, const std::string& date, std::size_t i, std::size_t j,
                                    const std::vector<std::size_t>& sectors,
                                    std::size_t change) const {
        std::size_t top = sectors.front();
        for (std::size_t k : sectors) {
            if (tables.index[dims.flow(i, j, k)] > tables.index[dims.flow(i, j, top)]) {
                top = k;
            }
        }
        const std::size_t f = dims.flow(i, j, top);
        Event e;
        e.step = step;
        e.date = date;
        e.importer = world.countries[j].code;
        e.exporter = world.countries[i].code;
        e.sector = detail::sector_label(world, sectors);
        e.value = tables.index[f];
        const std::string what =
            fmt::format("{} imports of {} from {}", detail::possessive(world.countries[j].name),
                        detail::sector_words(world, sectors), world.countries[i].name);
        const std::string index = sectors.size() > 1
                                      ? fmt::format("friction index up to {:.2f}, {}",
                                                    tables.index[f], world.sectors[top].name)
                                      : fmt::format("friction index {:.2f}", tables.index[f]);
        if (change > 0) {
            const char* level = to_string(static_cast<Level>(change));
            e.kind = level;
            e.message = fmt::format("{}: {} — {} ({})", level, what, index, reasons(f, i, j));
        } else {
            const char* level = to_string(static_cast<Level>(tables.level[f]));
            e.kind = "eased";
            e.message = fmt::format("eased to {}: {} — {}", level, what, index);
        }
        return e;
    }
};

Friction::Friction(const Scenario& scenario) : impl_(std::make_unique<Impl>(scenario)) {}
Friction::~Friction() = default;

const FrictionTables& Friction::tables() const noexcept {
    return impl_->tables;
}

void Friction::observe(int step, const std::vector<double>& flows, const std::vector<double>& wages,
                       const PolicyState& policy, const sim::ColumnTable& countries,
                       std::size_t welfare_column, std::vector<Event>& events) {
    Impl& m = *impl_;
    m.observed = step;
    m.snapshot(step, flows, wages, policy);
    // Before the window is full the run's first step is the reference.
    m.indicators(step, std::max(0, step - m.window));
    m.log_levels(step, events);
    for (std::size_t c = 0; c < m.dims.countries; ++c) {
        m.welfare[c] = countries.at(welfare_column, c);
    }
}

std::vector<std::unique_ptr<Policy>>
Friction::react(int step, const std::vector<const Policy*>& added, std::vector<Event>& events) {
    Impl& m = *impl_;
    Observed seen{step,
                  m.scenario.calendar.months_per_step(),
                  m.dims,
                  m.world,
                  m.params,
                  m.tables,
                  m.slot(step).flows,
                  m.world.flows,
                  m.slot(step).tariff,
                  // The step before's tariffs are still in the window (it holds two steps or more).
                  m.slot(std::max(0, step - 1)).tariff,
                  m.welfare,
                  [&m, step](int back) -> const std::vector<double>& {
                      const int b = std::clamp(back, 0, m.window);
                      return m.slot(std::max(0, step - b)).flows;
                  }};
    Decisions decisions(step, m.scenario.calendar.steps(), added, events);
    for (auto& b : m.behaviours) {
        b->react(seen, decisions);
    }
    return decisions.take();
}

} // namespace tradesim::models
