#pragma once
// `tradesim run --narrate`: what happens in a run, step by step, in words a student can follow,
// printed on stdout while each step is passed on to the next observer (the run store).

#include "tradesim/models/scenario.hpp"
#include "tradesim/models/simulation.hpp"

#include <cstddef>
#include <string>
#include <vector>

namespace tradesim::tools {

class NarrateObserver : public models::RunObserver {
public:
    /// For every step with events: its date, each event's message and the trade of every
    /// country pair the events name against the first step; every 12 months and at the last
    /// step: welfare change and trade balance per country (the five with the largest welfare
    /// change in a world of more than eight).
    NarrateObserver(models::RunObserver& next, const models::Scenario& scenario);
    void on_step(const models::StepView& view) override;

private:
    void pair_lines(const models::StepView& view) const;
    void country_lines(const models::StepView& view) const;

    models::RunObserver& next_;
    const models::World& world_;
    int steps_;
    int months_per_step_;
    std::vector<double> first_flows_;
    std::string first_date_;
};

} // namespace tradesim::tools
