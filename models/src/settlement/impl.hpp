#pragma once
// The settlement agent's state, shared by its choice (choice.cpp), exchange rates (rates.cpp)
// and tables (tables.cpp).

#include "tradesim/models/settlement.hpp"

#include <cstdint>
#include <vector>

namespace tradesim::models {

struct Settlement::Impl {
    const World& world;
    const Currencies& set;
    SettlementParams p;
    std::uint64_t seed = 0;
    std::size_t nc = 0; ///< currencies C

    std::vector<std::vector<std::uint32_t>> candidates; ///< per pair
    std::vector<std::int32_t> slot_currency;            ///< pair * slots + s, -1 unused
    std::vector<std::uint32_t> offset;                  ///< per flow: first slot
    std::vector<double> shares;                         ///< per flow slot
    std::vector<double> targets;                        ///< per flow slot, the last step's choice
    std::vector<double> global;                         ///< per currency: share of world settlement
    std::vector<double> local;    ///< per economy x currency: share of its trade settled in c
    std::vector<double> spread;   ///< per pair slot: conversion spread (no policy)
    std::vector<double> turnover; ///< per currency: share of world FX turnover (sums to 1)
    std::vector<double> cost0;    ///< per flow: expected settlement cost at the baseline
    std::vector<double> wedge;    ///< per flow: pass-through wedge of the import price (log)

    // Exchange rates: log value against USD of each currency, its peg deviation and parity,
    // with the regime state they were computed under.
    std::vector<double> x, x_eff, dev, parity;
    std::vector<FxRegime> regime;
    std::vector<std::string> anchor;
    std::vector<double> volatility;
    std::vector<double> risk;       ///< exporter's currency x currency: annual sd of the cross rate
    std::vector<std::size_t> order; ///< currencies, anchors before those that follow them

    SettlementTables tables;

    Impl(const World& w, const Currencies& c, const SettlementParams& params, std::uint64_t s);

    /// Cost of settling pair `pair`'s trade in c for `exporter` (share of value), with the
    /// policy's cut and swap (null: none).
    [[nodiscard]] double currency_cost(std::size_t pair, std::size_t slot,
                                       const SettlementPolicy* policy) const;
    /// The step's choice: targets and shares, world shares from `flows`.
    void choose(const std::vector<double>& flows, const SettlementPolicy* policy, double months,
                const std::vector<double>* firm_weights);
    void update_world(const std::vector<double>& flows);
    /// Spreads at the current world shares.
    void update_spreads();
    [[nodiscard]] double expected_cost(std::size_t flow, const SettlementPolicy* policy) const;

    // rates.cpp
    /// Regimes, anchors and volatilities in force; recomputes the risk matrix when they change.
    void set_regimes(const SettlementPolicy* policy);
    /// Moves the rates by one step of `months` (draws of `step`); fills x_eff.
    void move_rates(const SettlementPolicy* policy, int step, double months);

    // tables.cpp
    void fill_tables(const std::vector<double>& flows, const SettlementPolicy* policy);

    /// The last policy seen (for apply_costs between steps).
    SettlementPolicy last_policy;
    bool has_policy = false;
};

} // namespace tradesim::models
