#include "tradesim/models/timeline.hpp"

#include "tradesim/models/corridors.hpp"
#include "tradesim/models/scenario.hpp"

#include <algorithm>
#include <stdexcept>

namespace tradesim::models {

Timeline::Timeline(const Scenario& scenario) : scenario_(scenario) {
    for (const auto& p : scenario.policies) {
        order_.push_back(p.get());
    }
}

void Timeline::add(std::unique_ptr<Policy> policy) {
    // After every policy that starts no later: scheduled ones first, then in the order added.
    const auto at =
        std::upper_bound(order_.begin(), order_.end(), policy->start_step(),
                         [](int start, const Policy* p) { return start < p->start_step(); });
    order_.insert(at, policy.get());
    added_.push_back(policy.get());
    owned_.push_back(std::move(policy));
}

PolicyState Timeline::at(int step) const {
    PolicyState policy = PolicyState::baseline(scenario_.world->dims);
    if (scenario_.network) {
        policy.network = network_baseline(*scenario_.network);
    }
    if (scenario_.settlement.enabled) {
        policy.settlement = SettlementPolicy::baseline(*scenario_.world->currencies,
                                                       scenario_.world->dims.countries);
    }
    for (const Policy* p : order_) {
        if (p->start_step() > step) {
            break; // ordered by start
        }
        if (step < p->end_step()) {
            p->apply(policy);
        }
    }
    return policy;
}

std::vector<Event> Timeline::events_at(int step) const {
    std::vector<Event> events;
    for (const Policy* p : order_) {
        if (p->start_step() == step) {
            events.push_back(p->describe(false));
        }
        if (p->end_step() == step && step < scenario_.calendar.steps()) {
            events.push_back(p->describe(true));
        }
    }
    return events;
}

} // namespace tradesim::models
