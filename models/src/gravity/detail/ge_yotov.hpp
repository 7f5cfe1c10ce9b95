#pragma once
/// Internals of solve_yotov (the general-equilibrium counterfactual of Yotov et al. 2016,
/// "An Advanced Guide to Trade Policy Analysis", ch. 2): input checks, the pairs kept by the
/// baseline estimation, and the full-endowment loop.

#include "tradesim/models/gravity/ge_yotov.hpp"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace tradesim::models::gravity::detail::yotov {

using Vec = std::vector<double>;
inline constexpr std::size_t max_listed = 20; // problems of one kind listed before "... and N more"

[[nodiscard]] inline std::size_t index(std::int32_t code) {
    return static_cast<std::size_t>(code);
}

/// Throws sim::InputError listing every problem that keeps solve_yotov from starting.
void check(const YotovProblem& p);

/// Whether the cost regressor `z` is absorbed by the exporter and importer fixed effects.
[[nodiscard]] bool absorbed(const std::vector<double>& z, const YotovProblem& p);

// The pairs PPML kept, with what the general equilibrium needs of them.
struct Pairs {
    std::vector<std::size_t> row; // in the problem
    std::vector<std::size_t> ex, im;
    Vec flow, t_cfl, log_t_cfl, fitted_bln;
};

// One state of the full-endowment loop (the book's variables with suffix _s).
struct State {
    Vec pi, chi;   // exp of the fixed effects, chi[reference] = 1
    Vec y, e;      // output Y_s and expenditure E_s = phi Y_s
    double er = 0; // expenditure of the reference country
    Vec omr, imr;  // OMR_FULL_s, IMR_FULL_s
    Vec price;     // change_pricei_s: factory-price change of this iteration
    Vec d_omr;     // change_OMR_FULL_s
    Vec d_imr;     // change_IMR_FULL_s
};

/// The last state of the full-endowment loop and how it got there.
struct FullEndowment {
    State last;
    int iterations = 0;
    double move = 0.0; // largest relative change of the last iteration
};

/// Runs the full-endowment loop from `start` (the conditional equilibrium) until it
/// converges by options.stop; throws sim::NumericalError after options.max_iterations.
[[nodiscard]] FullEndowment full_endowment(State start, const Pairs& s, const Vec& phi,
                                           const YotovProblem& p, const YotovOptions& options);

} // namespace tradesim::models::gravity::detail::yotov
