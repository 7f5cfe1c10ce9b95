#include "tradesim/models/simulation.hpp"

#include "tradesim/models/corridors.hpp"
#include "tradesim/models/friction.hpp"
#include "tradesim/models/timeline.hpp"

#include "tradesim/sim/schedule.hpp"
#include "tradesim/sim/state_hash.hpp"

#include <memory>

namespace tradesim::models {

PolicyState policy_at(const Scenario& scenario, int step) {
    return Timeline(scenario).at(step);
}

RunResult run_scenario(const Scenario& scenario, RunObserver& observer) {
    const World& world = *scenario.world;
    Economy economy(scenario);
    std::unique_ptr<FirmPopulation> firms;
    if (scenario.firms.enabled) {
        firms = std::make_unique<FirmPopulation>(scenario);
    }
    std::unique_ptr<Corridors> corridors;
    if (scenario.network) {
        corridors = std::make_unique<Corridors>(scenario);
    }
    std::unique_ptr<Settlement> settlement;
    if (scenario.settlement.enabled) {
        settlement = std::make_unique<Settlement>(scenario);
        if (firms) {
            // Each firm-market link chooses its currency; the shares are the firms' choices.
            firms->use_settlement(settlement.get());
        }
    }
    std::unique_ptr<Friction> friction;
    if (scenario.friction.enabled) {
        friction = std::make_unique<Friction>(scenario);
    }
    // Scheduled policies and those the governments' behaviours add as the run goes.
    Timeline timeline(scenario);
    PolicyState policy = PolicyState::baseline(world.dims);
    std::vector<Event> step_events;
    RunResult result;
    std::uint64_t hash = 0;

    sim::Schedule schedule;
    schedule.set(sim::Phase::policy, "timeline", [&](int step) {
        // Rebuild the policy state from the baseline each step: a policy's effect lasts
        // exactly from its start to its end step, and the timeline order decides overlaps.
        policy = timeline.at(step);
        step_events = timeline.events_at(step);
    });
    if (corridors) {
        // Goods of the last step move over the network as this step's policies leave it;
        // the pair costs become this step's trade costs.
        schedule.set(sim::Phase::corridors, "logit_assignment", [&](int step) {
            corridors->step(policy, economy.flows(), scenario.calendar.date_of(step).str());
        });
    }
    if (settlement) {
        // What settling last step's trade costs (and how import prices moved with the
        // invoicing currencies) adds to this step's trade costs.
        schedule.set(sim::Phase::trade_costs, "settlement_costs",
                     [&](int) { settlement->apply_costs(policy); });
        // This step's trade chooses its currencies; rates move.
        schedule.set(sim::Phase::settlement, "currency_choice", [&](int step) {
            settlement->step(policy, economy.flows(), step, scenario.calendar.months_per_step(),
                             firms ? &firms->settlement_weights() : nullptr);
        });
    }
    if (firms) {
        schedule.set(sim::Phase::firms, "melitz_entry_exit",
                     [&](int step) { firms->decide(policy, step, economy); });
        schedule.set(sim::Phase::market_clearing, "firm_ces", [&](int) {
            economy.step_with_weights(policy, firms->weights(), firms->elasticities());
        });
        schedule.set(sim::Phase::accounting, "national_and_firm_accounts", [&](int) {
            economy.account();
            firms->account(policy, economy);
        });
    } else {
        schedule.set(sim::Phase::market_clearing, "armington_ces",
                     [&](int) { economy.step(policy, scenario.calendar.months_per_step()); });
        schedule.set(sim::Phase::accounting, "national_accounts",
                     [&](int) { economy.account(); });
    }
    if (friction) {
        // Indicators and alerts from what the step produced; governments react, and what
        // they decide joins the timeline from a later step.
        schedule.set(sim::Phase::friction, "indicators_and_behaviours", [&](int step) {
            friction->observe(step, economy.flows(), economy.wages(), policy, economy.countries(),
                              economy.columns().welfare_change, step_events);
            for (auto& p : friction->react(step, timeline.added(), step_events)) {
                timeline.add(std::move(p));
            }
        });
    }
    schedule.set(sim::Phase::record, "observer", [&](int step) {
        sim::StateHash h;
        const auto& table = economy.countries();
        for (std::size_t c = 0; c < table.columns(); ++c) {
            h.add(table.column(c));
        }
        h.add(std::span<const double>(economy.flows()));
        if (corridors) {
            const CorridorTables& ct = corridors->tables();
            for (const auto* v : {&ct.link_teu, &ct.link_cost, &ct.link_days, &ct.pair_days}) {
                h.add(std::span<const double>(*v));
            }
        }
        if (settlement) {
            const SettlementTables& st = settlement->tables();
            for (const auto* v : {&st.world_share, &st.pair_share, &st.rate, &st.fx_turnover}) {
                h.add(std::span<const double>(*v));
            }
        }
        if (friction) {
            const FrictionTables& fr = friction->tables();
            h.add(std::span<const double>(fr.index));
            h.add(std::string_view(reinterpret_cast<const char*>(fr.level.data()),
                                   fr.level.size()));
        }
        if (firms) {
            const FirmTables& ft = firms->tables();
            for (const auto* v : {&ft.firms_serving, &ft.entries, &ft.exits, &ft.sales_per_firm}) {
                h.add(std::span<const double>(*v));
            }
            for (std::size_t c = 0; c < ft.countries.columns(); ++c) {
                h.add(ft.countries.column(c));
            }
        }
        hash = h.value();
        const StepView view{step,
                            scenario.calendar.date_of(step).str(),
                            table,
                            economy.flows(),
                            step_events,
                            hash,
                            economy.iterations(),
                            firms ? &firms->tables() : nullptr,
                            firms.get(),
                            corridors.get(),
                            settlement.get(),
                            friction ? &friction->tables() : nullptr,
                            &policy};
        observer.on_step(view);
        if (step == 0) {
            result.first = table;
            if (firms) {
                result.firms_first = firms->tables().countries;
            }
        }
        result.events.insert(result.events.end(), step_events.begin(), step_events.end());
    });

    for (int step = 0; step < scenario.calendar.steps(); ++step) {
        schedule.run_step(step);
    }
    result.steps = scenario.calendar.steps();
    result.final_hash = hash;
    result.last = economy.countries();
    if (firms) {
        result.firms_last = firms->tables().countries;
    }
    return result;
}

} // namespace tradesim::models
