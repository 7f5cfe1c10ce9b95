#pragma once
/// DESIGN DRAFT (issue 7, not built yet): currency settlement as agents. Every international
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
/// Calibration (a command, `tradesim calibrate-settlement`, or a documented procedure): s0, eta,
/// r, m and lambda fitted to cited shares: USD about 40 % of world export invoicing (Boz et al.
/// 2022); RMB 24.8 % of China's goods-trade settlement in 2023 (PBoC) from about 12 % in 2017;
/// RMB 1.6 % of SWIFT payments in Dec 2017 and 4.5 % in Feb 2024; EUR dominant in intra-EU
/// trade (currencies/SOURCES.md).
