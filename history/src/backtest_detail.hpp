#pragma once
// Internal to the backtest (history/src/backtest*.cpp).

#include "tradesim/history/backtest.hpp"

namespace tradesim::history::detail {

/// The literature value of the RTA effect used when the panel cannot identify it: Yotov,
/// Piermartini, Monteiro & Larch (2016), An Advanced Guide to Trade Policy Analysis, ch. 1,
/// Table 3, column 4 (PPML with exporter-year, importer-year and pair fixed effects), 0.557
/// (s.e. 0.102).
inline constexpr double literature_rta = 0.557;
inline constexpr double literature_rta_se = 0.102;

/// An agreement variable as 0/1: any nonzero value (an agreement id, as in penppml's
/// Comtrade panel) means an agreement in force; NaN stays NaN.
[[nodiscard]] inline double in_force(double rta) noexcept {
    return rta != rta ? rta : (rta != 0.0 ? 1.0 : 0.0);
}

/// beta_rta from the panel's years <= panel.years[y0] (see backtest.hpp); notes get what the
/// user should know. Throws sim::NumericalError when PPML fails.
[[nodiscard]] RtaEstimate estimate_rta(const models::TradePanel& panel, std::size_t y0,
                                       std::vector<std::string>& notes);

} // namespace tradesim::history::detail
