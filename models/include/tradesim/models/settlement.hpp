#pragma once
/// Currency settlement (issue 7). Every international
/// trade settles in one currency; the choice has a thick-market externality, FX risk and
/// policy terms, adjusts with inertia, and its cost feeds back into trade costs.
///
/// Currencies (world folder currencies/currencies.csv): code, regime (peg | managed | float),
/// anchor, band, annualised volatility against USD. Economy i's home currency h(i)
/// (countries.csv `currency`). Candidate currencies of a pair (i, j):
///   C_ij = {h(i), h(j), USD, EUR, CNY} without repeats, less those a clearing_sanction bars.
///
/// Exchange rates against USD, log e_c, monthly:
///   float   e_c(t+1) = e_c(t) + sigma_c / sqrt(12) z   (z standard normal, Philox keyed by
///           seed, currency, step: the same path at any thread count)
///   managed e_c(t+1) = e_c(t) + kappa (target - e_c(t)) + sigma_c / sqrt(12) z, target the
///           anchor's path (kappa to be fitted; the managed currencies' volatility as given)
///   peg     e_c follows the anchor within +-band (a shock beyond the band is absorbed)
///   fx_shock: a one-off jump of e_c by the given percent; regime_change: a new regime from a
///   date.
///
/// Cost of settling the trade of pair (i, j), sector k, in currency c (share of value):
///   cost_c = spread_c + risk_ic + policy_ijc
///   spread_c = s0 (S_c)^(-eta): the conversion spread falls as c's share S_c of world
///           settlement rises (the thick-market externality; eta = 0 switches it off);
///   risk_ic = r sd(e_c - e_h(i)): the exporter's FX risk against its cost currency, sd from
///           the volatilities (pegs to an anchor move with it; independence otherwise);
///   policy_ijc: settlement_incentive (a cut for c on given countries or pairs), swap_line
///           (a liquidity cost of the two central banks' currencies removed between them).
/// Choice (logit, scale m) with switching inertia lambda per month:
///   target q_ijkc = exp(-cost_c / m) / sum over C_ij exp(-cost_d / m)
///   share  s_ijkc(t+1) = (1 - lambda) s_ijkc(t) + lambda q_ijkc(t)
/// settlement_mandate: a floor on s_ijc for c (the rest rescaled). With firms, each firm-market
/// link keeps a currency and re-chooses with probability lambda a month from the same logit
/// (a Philox draw per link and step).
/// Tipping: with eta large enough the map S -> S(t+1) has two stable points, and an incentive
/// that lasts long enough moves the world to the other (an S-curve that keeps rising after the
/// incentive ends); below the threshold adoption fades when it ends. Tests check both.
/// Feedback: the trade cost of a flow rises by its expected settlement cost,
///   tau_ijk / tau0_ijk *= (1 + sum_c s_ijkc cost_c) / (1 + the same at the baseline).
/// Payment flows: X_ijk s_ijkc from payer j to payee i in currency c; FX turnover: the flows
/// whose currency is neither side's home currency count twice (two conversions), else once.
///
/// First exploration (default world, spread on world settlement share alone, 2026-11-29): with
/// eta = 0 every vehicle currency costs the same spread and CNY, least volatile against most
/// home currencies, takes 30-55 % of China's settlement and about as much of the world's as
/// USD; with eta >= 0.3 the steady state tips to a corner (USD 100 %) unless the logit scale
/// is wide. The spread should therefore depend on market depth with an exogenous part, e.g.
/// depth_c = w x (BIS FX turnover share, settlement.csv) + (1 - w) x (settlement share), so that
/// USD's dominance comes from the facts and tipping needs a large, lasting incentive.
/// Second exploration, with that depth (w = 0.5, BIS 2016 turnover): eta 0.3, r 0.05,
/// m 0.002 gives USD 72 %, EUR 21 %, CNY 1 % of world settlement; a 1 %-of-value CNY incentive
/// on China's pairs for five years takes CNY to 93 % of China's settlement and it falls back to
/// 1.5 % within 20 years (slight hysteresis, no tipping); eta >= 0.6 puts the spread of a
/// currency with 1 % depth at 6 % of value and nothing moves. The power law overstates the
/// spread of thin currencies: a bounded form (spread between about 0.1 % and 2 % of value,
/// falling with depth) is the next thing to try before fitting s0, eta, r, m, lambda to the
/// cited shares.
/// Third exploration, with the bounded (Hill) spread now used below (0.1-2 %, half depth 0.1):
/// eta 1, r 0.2, m 0.004 gives USD 45 % of world settlement and CNY 14 % of China's, close to
/// the 2017 facts (about 40 % and 12 %); a 0.5 %-of-value CNY incentive for five years takes
/// China's CNY share to 44 %, and it returns to 14 % when the incentive ends: no tipping at
/// these values. Larger eta with a small m tips the baseline to USD corners. To do: fit the
/// parameters to the cited shares, then find the incentive (size, length) that tips.
///
/// Calibration (a command, `tradesim calibrate-settlement`, or a documented procedure): s0, eta,
/// r, m and lambda fitted to cited shares: USD about 40 % of world export invoicing (Boz et al.
/// 2022); RMB 24.8 % of China's goods-trade settlement in 2023 (PBoC) from about 12 % in 2017;
/// RMB 1.6 % of SWIFT payments in Dec 2017 and 4.5 % in Feb 2024; EUR dominant in intra-EU
/// trade (currencies/SOURCES.md).

#include "tradesim/models/currencies.hpp"
#include "tradesim/models/policy.hpp"
#include "tradesim/models/world.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace tradesim::models {

struct Scenario;

struct SettlementParams {
    /// [currencies] enabled: settle trade in currencies (default: when the world has them).
    bool enabled = false;
    /// Conversion spread (share of value) falling with market depth D between a thin market's
    /// and a deep one's: spread_max - (spread_max - spread_min) D^eta / (D^eta + half^eta);
    /// eta = 0 switches the thick-market externality off (every currency at the midpoint).
    double spread_min = 0.001, spread_max = 0.02, half = 0.1;
    double eta = 3.0;
    /// Cost per unit of annual sd of the rate against the exporter's currency, and the logit
    /// scale m (share of value): fitted (fit_settlement) so that the default world's steady state
    /// has USD at 40 % of world settlement and CNY at 12 % of China's (2017 facts).
    double risk = 0.1999;
    double scale = 0.00936;
    double inertia = 0.05;  ///< lambda: share of a flow's settlement re-chosen each month
    /// w: weight of the currency's share of world FX turnover (settlement.csv bis_fx_turnover,
    /// the latest at or before the base year; 0 where none is cited) in its market depth,
    /// the rest being its share of world settlement.
    double depth_weight = 0.5;
    /// a: weight, in the settlement part of a pair's market depth for c, of c's share in the two
    /// partners' own trade (the mean of the two), the rest being its share of world settlement:
    /// the banks, clearing and habits that a country's traders share.
    double local_weight = 0.5;
    /// Exchange-rate paths: random (each regime's stochastic process, draws keyed by seed,
    /// currency and step) or fixed (the default: rates move only with fx_shock and regime_change,
    /// so that a baseline stays a steady reference).
    bool fx_random = false;
    /// Months a price stays set in its invoicing currency, on average (Calvo): a move of the
    /// invoicing currency against the importer's passes into the import price and fades as
    /// prices are reset.
    double price_reset_months = 11.0;
    /// Managed currencies close this share of the gap to their anchor's path each month.
    double managed_pull = 0.2;
};

/// Results of one step (C currencies, N economies, S slots per pair; see Settlement).
struct SettlementTables {
    /// Per currency.
    std::vector<double> world_share; ///< of world trade (value) settled in c
    std::vector<double> payments;    ///< USD bn/yr settled in c
    std::vector<double> fx_turnover; ///< USD bn/yr of conversions with c on one side
    std::vector<double> rate;        ///< value in USD relative to the run's start (1 = start)
    /// Per economy and currency (i * C + c): share of i's exports plus imports settled in c.
    std::vector<double> country_share;
    /// Per pair and slot (Dims::pair * S + s; currency Settlement::slot_currency): share of the
    /// pair's trade, and payments from importer to exporter, USD bn/yr.
    std::vector<double> pair_share;
    std::vector<double> pair_payment;
    double cost = 0;      ///< trade-weighted mean settlement cost, share of value
    double price_gap = 0; ///< trade-weighted mean |pass-through wedge| of import prices
};

/// Settlement of every international flow among its pair's candidate currencies, the
/// currencies' exchange rates, and the cost both add to trade.
class Settlement {
public:
    /// Slots per pair: exporter's, importer's, USD, EUR, CNY without repeats.
    static constexpr std::size_t slots = 5;

    /// For a scenario with [currencies] enabled; shares start at the steady state of the
    /// choice at the world's baseline flows.
    explicit Settlement(const Scenario& scenario);
    /// The core alone (tests): `flows` the baseline's, no policy, fixed rates.
    Settlement(const World& world, const Currencies& currencies, const SettlementParams& params,
               const std::vector<double>& flows, std::uint64_t seed = 0);
    ~Settlement();
    Settlement(const Settlement&) = delete;
    Settlement& operator=(const Settlement&) = delete;

    /// Trade-costs phase: multiplies policy.trade_cost (filled with 1 when empty) by
    /// (1 + expected settlement cost) / (1 + the baseline's) x exp(pass-through wedge).
    void apply_costs(PolicyState& policy) const;
    /// Settlement phase of a step of `months`, after market clearing: exchange rates move under
    /// policy.settlement, the target choice is formed at the current world shares, shares move
    /// towards it with inertia (or, with firms, are the firms' choices: `firm_weights`, per
    /// flow slot as offsets()), mandates and sanctions hold, and the tables are filled from
    /// `flows` (this step's X_ijk).
    void step(const PolicyState& policy, const std::vector<double>& flows, int step,
              double months, const std::vector<double>* firm_weights = nullptr);
    /// The same step with a bare cut per pair and currency (tests of the core).
    void step(const std::vector<double>& flows, const std::vector<double>& cut, int months);

    /// Target choice of the last step per flow slot (offsets() layout): the probabilities a
    /// firm-market link re-choosing its currency draws from; 0 for barred currencies.
    [[nodiscard]] const std::vector<double>& targets() const noexcept;
    /// Per flow (Dims::flow) its first slot in targets() and shares; flow_count + 1 entries.
    [[nodiscard]] const std::vector<std::uint32_t>& offsets() const noexcept;
    /// Probability that a link re-chooses its currency in a step of `months`.
    [[nodiscard]] double rechoose(double months) const noexcept;

    /// Candidate currencies of the pair (i, j): indices into Currencies::currencies.
    [[nodiscard]] const std::vector<std::uint32_t>& candidates(std::size_t pair) const;
    /// Currency of slot s of a pair, -1 when unused (pair * slots + s).
    [[nodiscard]] const std::vector<std::int32_t>& slot_currency() const noexcept;
    /// Share of flow f (Dims::flow) settled in its pair's candidate `slot`.
    [[nodiscard]] double share(std::size_t flow, std::size_t slot) const;
    /// Value-weighted share of each currency in world settlement at the last step.
    [[nodiscard]] const std::vector<double>& world_shares() const noexcept;
    /// Expected settlement cost of flow f, share of value.
    [[nodiscard]] double cost(std::size_t flow) const;
    [[nodiscard]] const SettlementTables& tables() const noexcept;
    [[nodiscard]] const Currencies& currencies() const noexcept;
    [[nodiscard]] const SettlementParams& params() const noexcept;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

} // namespace tradesim::models

namespace tradesim::models {

/// What the settlement parameters are fitted to (base-year facts of settlement.csv): USD's
/// share of world export invoicing and CNY's share of China's goods-trade settlement.
struct SettlementTargets {
    double usd_world = 0, cny_china = 0;
    int usd_year = 0, cny_year = 0; ///< years of the facts used
};
/// The latest facts at or before the world's base year (scopes world_export_invoicing USD and
/// CHN_goods_trade_settlement CNY). Throws InputError when either is missing.
[[nodiscard]] SettlementTargets settlement_targets(const World& world, const Currencies& set);

struct SettlementFit {
    SettlementParams params; ///< `start` with risk and scale fitted
    double usd_world = 0, cny_china = 0; ///< reached at the baseline's steady state
    int iterations = 0;
    bool converged = false;
};
/// Fits risk (r) and the logit scale (m) so that the steady state of the choice at the world's
/// baseline flows gives the targets, the other parameters as in `start` (Newton steps on
/// (ln r, ln m) with finite-difference slopes, to 1e-4 in both shares).
[[nodiscard]] SettlementFit fit_settlement(const World& world, const Currencies& set,
                                           const SettlementParams& start,
                                           const SettlementTargets& targets);

} // namespace tradesim::models
