#pragma once
/// The run's policy timeline: the scenario's scheduled policies and those that governments'
/// behaviours add during the run, applied in one order (start step, then scheduled before
/// added, then the order they were read or added). Its events are the run's event log.

#include "tradesim/models/policy.hpp"

#include <memory>
#include <vector>

namespace tradesim::models {

struct Scenario;

class Timeline {
public:
    explicit Timeline(const Scenario& scenario);

    /// Adds a policy decided during the run; it must start after every step already built.
    void add(std::unique_ptr<Policy> policy);
    /// The policy state of `step`: the baseline with every policy in force then applied.
    [[nodiscard]] PolicyState at(int step) const;
    /// Events of `step`: policies starting then, and those ending then (within the run).
    [[nodiscard]] std::vector<Event> events_at(int step) const;
    /// The policies added during the run, in the order they were added.
    [[nodiscard]] const std::vector<const Policy*>& added() const noexcept { return added_; }

private:
    const Scenario& scenario_;
    std::vector<std::unique_ptr<Policy>> owned_;
    std::vector<const Policy*> added_;
    std::vector<const Policy*> order_; ///< every policy in application order
};

} // namespace tradesim::models
