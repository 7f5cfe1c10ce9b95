#include "tradesim/models/counterfactual.hpp"

#include "tradesim/models/simulation.hpp"

namespace tradesim::models {

gravity::GeSectorsProblem tariff_counterfactual(const Scenario& scenario, int step) {
    const World& world = *scenario.world;
    gravity::GeSectorsProblem p;
    for (const auto& c : world.countries) {
        p.countries.push_back(c.code);
    }
    for (const auto& s : world.sectors) {
        p.sectors.push_back(s.code);
    }
    p.flows = world.flows;
    p.theta = scenario.params.theta;
    p.new_tariffs = policy_at(scenario, step).tariff;
    p.imbalances = gravity::Imbalances::additive; // the Economy keeps deficits fixed
    p.source = scenario.path;
    return p;
}

} // namespace tradesim::models
