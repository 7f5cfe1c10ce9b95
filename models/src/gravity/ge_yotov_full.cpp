// The full-endowment loop of solve_yotov (Yotov et al. 2016, ch. 2, step III.b).

#include "gravity/detail/ge_yotov.hpp"

#include "tradesim/sim/error.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <limits>
#include <utility>

namespace tradesim::models::gravity::detail::yotov {

namespace {

// One iteration of the full-endowment loop, from state s-1 to state s.
State step(const State& cur, const Pairs& s, const Vec& phi, std::size_t ref, double inv) {
    const std::size_t n = cur.pi.size();
    // (ii) trade_s = tradehat_{s-1} * p_i * p_j / (OMR_i * IMR_j), all changes of the last
    // iteration. Since tradehat_{s-1} = t'_ij exp(pi_i) exp(chi_j), trade_s has the form
    // t'_ij u_i v_j, which PPML with the offset ln t'_ij and both fixed effects fits exactly:
    // the re-estimation (iii) only rescales the effects, the reference importer effect at 0.
    State next;
    next.pi.resize(n);
    next.chi.resize(n);
    const double v_ref = cur.price[ref] / cur.d_imr[ref];
    for (std::size_t c = 0; c < n; ++c) {
        next.pi[c] = cur.pi[c] * cur.price[c] / cur.d_omr[c] * v_ref;
        next.chi[c] = cur.chi[c] * cur.price[c] / cur.d_imr[c] / v_ref;
    }
    next.chi[ref] = 1.0;
    // Output is the sum of the fitted flows; expenditure keeps its ratio phi to output.
    next.y.assign(n, 0.0);
    for (std::size_t r = 0; r < s.ex.size(); ++r) {
        next.y[s.ex[r]] += s.t_cfl[r] * next.chi[s.im[r]];
    }
    next.e.resize(n);
    for (std::size_t c = 0; c < n; ++c) {
        next.y[c] *= next.pi[c];
        next.e[c] = phi[c] * next.y[c];
    }
    next.er = next.e[ref];
    next.omr.resize(n);
    next.imr.resize(n);
    next.price.resize(n);
    next.d_omr.resize(n);
    next.d_imr.resize(n);
    for (std::size_t c = 0; c < n; ++c) {
        next.price[c] = std::pow((next.pi[c] / cur.pi[c]) / (next.er / cur.er), inv);
        next.omr[c] = next.y[c] * next.er / next.pi[c];
        next.d_omr[c] = next.omr[c] / cur.omr[c];
        next.imr[c] = next.e[c] / (next.chi[c] * next.er);
        next.d_imr[c] = next.imr[c] / cur.imr[c];
    }
    return next;
}

// The loop leaves the nominal scale free: dividing trade by the change in OMR, which holds
// the change in output, makes output, expenditure and the effects alternate between two
// scales (Y_{s+1} ~ Y_{s-1}). Every reported index is a ratio in which the scale cancels, so
// the moves that matter are those of the factory prices, of IMR, and of OMR relative to the
// reference expenditure (= the change in output over that in the exporter effect).
double largest_move(const State& s, const State& previous) {
    double m = 0.0;
    const double d_er = s.er / previous.er;
    for (std::size_t c = 0; c < s.price.size(); ++c) {
        m = std::max({m, std::abs(s.price[c] - 1.0), std::abs(s.d_imr[c] - 1.0),
                      std::abs(s.d_omr[c] / d_er - 1.0)});
    }
    return std::isfinite(m) ? m : std::numeric_limits<double>::infinity();
}

// The book's statistic on dif_change_pi = change_pricei_{s-1} - change_pricei_{s-2}, taken
// over all pairs by exporter: Stata's summarize gives the sample s.d. and the maximum.
bool book_done(const YotovProblem& p, const Vec& newer, const Vec& older) {
    const std::size_t rows = p.exporter.size();
    double mean = 0.0;
    double top = -std::numeric_limits<double>::infinity();
    for (std::size_t r = 0; r < rows; ++r) {
        const double d = newer[index(p.exporter[r])] - older[index(p.exporter[r])];
        mean += d;
        top = std::max(top, d);
    }
    mean /= static_cast<double>(rows);
    double ss = 0.0;
    for (std::size_t r = 0; r < rows; ++r) {
        const double d = newer[index(p.exporter[r])] - older[index(p.exporter[r])] - mean;
        ss += d * d;
    }
    const double sd = rows > 1 ? std::sqrt(ss / static_cast<double>(rows - 1)) : 0.0;
    // TradeWithoutBorder.do: while (sd > 0.01) | (abs(max) > 0.01).
    return !(sd > 0.01 || std::abs(top) > 0.01);
}

} // namespace

FullEndowment full_endowment(State start, const Pairs& s, const Vec& phi, const YotovProblem& p,
                             const YotovOptions& options) {
    const std::size_t n = start.pi.size();
    const std::size_t ref = index(p.reference);
    const double inv = 1.0 / (1.0 - p.sigma);
    State cur = std::move(start);
    Vec older(n, 0.0); // change_pricei_0 = 0 in the book
    int iterations = 0;
    double move = std::numeric_limits<double>::infinity();
    while (true) {
        if (iterations == options.max_iterations) {
            throw sim::NumericalError(fmt::format(
                "yotov: the full-endowment loop did not converge in {} re-estimations (largest "
                "relative change {:.3g}, tolerance {:.3g})",
                iterations, move, options.tolerance));
        }
        State next = step(cur, s, phi, ref, inv);
        ++iterations;
        move = largest_move(next, cur);
        // The book tests the iteration before this one (change_pricei_{s-1} - _{s-2}).
        const bool done = options.stop == YotovStop::book ? book_done(p, cur.price, older)
                                                          : move <= options.tolerance;
        older = std::move(cur.price);
        cur = std::move(next);
        if (done) {
            break;
        }
    }
    return {std::move(cur), iterations, move};
}

} // namespace tradesim::models::gravity::detail::yotov
