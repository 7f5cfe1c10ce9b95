// Newton-Broyden solver of solve_ge_sectors and its continuation along the path.

#include "gravity/detail/ge_sectors_solver.hpp"
#include "gravity/detail/numeraire.hpp"

#include "tradesim/sim/error.hpp"
#include "tradesim/sim/parallel.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>

namespace tradesim::models::gravity::detail::sectors {

namespace {

using RowMatrixF = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// Newton's method on x = ln w. Equations: relative excess demand z_i / Y_i of every country
// but the last (Walras' law makes it redundant) and the numeraire sum_i w_i Y_i = sum_i Y_i.
// The Jacobian is analytic; its main part, sum_jk theta_k X_ijk s_ljk, is a product of two
// n x nK matrices, formed per fixed block of importers and added in block order.
RowMatrix jacobian(const Model& m, const Kernel& kn, const Eval& ev) {
    const std::size_t n = m.n, ns = m.ns;
    const auto ni = static_cast<Eigen::Index>(n);
    const std::size_t nb = blocks(m);
    std::vector<RowMatrixF> cross(nb);
    std::vector<std::vector<double>> theta_sales(nb);
    RowMatrix st(ni, ni); // S_ij = sum_k X_ijk, stored transposed (row = importer j)
    RowMatrix q = RowMatrix::Zero(ni, ni); // d rho_j / d x_l (row = importer j)
    sim::parallel_for(n, m.grain, [&](std::size_t begin, std::size_t end) {
        const std::size_t b = begin / m.grain;
        const std::size_t width = (end - begin) * ns;
        // Single precision halves the cost of the product; the Jacobian only steers the
        // steps, and residuals stay in double, so the solution keeps its precision. Rows
        // are scaled by 1 / Y_i, as the equations are, which also keeps them in range.
        RowMatrixF px(ni, static_cast<Eigen::Index>(width)); // theta_k X_ijk / Y_i
        RowMatrixF ps(ni, static_cast<Eigen::Index>(width)); // expenditure shares s_ljk
        std::vector<double>& ts = theta_sales[b];
        ts.assign(n, 0.0);
        std::vector<double> ratio(ns), inv(ns);
        for (std::size_t j = begin; j < end; ++j) {
            const std::size_t col = (j - begin) * ns;
            for (std::size_t k = 0; k < ns; ++k) {
                const double phi = ev.phi[j * ns + k];
                ratio[k] = ev.ehat[j] / phi;
                const double total = ev.a[j * ns + k] + ev.t[j * ns + k];
                inv[k] = total > 0.0 ? 1.0 / total : 0.0;
            }
            const double* kern = kn.kern.data() + j * n * ns;
            const double* tk = m.tariffs ? kn.tk.data() + j * n * ns : nullptr;
            for (std::size_t i = 0; i < n; ++i) {
                const auto r = static_cast<Eigen::Index>(i);
                const double scale = 1.0 / m.y[i];
                double sum = 0.0, weighted = 0.0, dq = 0.0;
                for (std::size_t k = 0; k < ns; ++k) {
                    const std::size_t c = i * ns + k;
                    const double x = kern[c] * ev.wpow[c] * ratio[k];
                    const double tx = tk != nullptr ? tk[c] * ev.wpow[c] : 0.0;
                    const double share = (kern[c] * ev.wpow[c] + tx) * inv[k];
                    px(r, static_cast<Eigen::Index>(col + k)) =
                        static_cast<float>(m.theta[k] * x * scale);
                    ps(r, static_cast<Eigen::Index>(col + k)) = static_cast<float>(share);
                    sum += x;
                    weighted += m.theta[k] * x;
                    if (tk != nullptr) {
                        // d rho_j / d x_i = -sum_k theta_k (v_ijk - (T_jk / Phi_jk) s_ijk),
                        // v_ijk = tk w^-theta / Phi_jk: revenue shifts as sourcing does.
                        const double phi = ev.phi[j * ns + k];
                        dq -= m.theta[k] * (tx / phi - ev.t[j * ns + k] / phi * share);
                    }
                }
                st(static_cast<Eigen::Index>(j), r) = sum;
                ts[i] += weighted;
                if (tk != nullptr) {
                    q(static_cast<Eigen::Index>(j), r) = dq;
                }
            }
        }
        cross[b].noalias() = px * ps.transpose();
    });
    RowMatrix jac = cross[0].cast<double>();
    std::vector<double> theta_sum = theta_sales[0];
    for (std::size_t b = 1; b < nb; ++b) {
        jac += cross[b].cast<double>();
        for (std::size_t i = 0; i < n; ++i) {
            theta_sum[i] += theta_sales[b][i];
        }
    }
    // d ln E'_j / d x_l = delta_jl c_j + mu_l + h_j q_jl.
    Eigen::VectorXd own(ni), world_term = Eigen::VectorXd::Zero(ni), h(ni), sales(ni);
    double yw = 0.0, iw = 0.0;
    for (std::size_t j = 0; j < n; ++j) {
        yw += m.y[j] * ev.w[j];
        iw += m.income0[j] * ev.w[j];
    }
    for (std::size_t j = 0; j < n; ++j) {
        const auto r = static_cast<Eigen::Index>(j);
        own[r] = m.additive ? m.y[j] * ev.w[j] / (m.income0[j] * ev.ihat[j]) : 1.0;
        if (!m.additive) {
            world_term[r] = m.y[j] * ev.w[j] / yw - m.income0[j] * ev.w[j] / iw;
        }
        h[r] = 1.0 / (m.e[j] - ev.rho[j]);
        sales[r] = ev.z[j] + ev.w[j] * m.y[j];
    }
    const auto s = st.transpose();
    RowMatrix rest = s * own.asDiagonal();
    rest += sales * world_term.transpose();
    if (m.tariffs) {
        rest += (s * h.asDiagonal()) * q;
    }
    for (std::size_t i = 0; i < n; ++i) {
        const auto r = static_cast<Eigen::Index>(i);
        rest(r, r) -= theta_sum[i] + ev.w[i] * m.y[i];
        jac.row(r) += rest.row(r) / m.y[i];
    }
    for (std::size_t l = 0; l < n; ++l) {
        jac(ni - 1, static_cast<Eigen::Index>(l)) = ev.w[l] * m.y[l] / m.world;
    }
    return jac;
}

// Shifts ln w so that world output is unchanged (the numeraire).
void normalise(const Model& m, std::vector<double>& lw) {
    detail::keep_world_output(m.y, m.world, lw);
}

} // namespace

[[noreturn]] void fail(const GeSectorsProblem& p, const std::string& why) {
    throw sim::NumericalError(fmt::format("{}: the many-sector general-equilibrium solver {}",
                                          p.source.empty() ? "ge" : p.source, why));
}

namespace {

Eigen::VectorXd residual(const Model& m, const Eval& ev) {
    const auto ni = static_cast<Eigen::Index>(m.n);
    Eigen::VectorXd f(ni);
    for (std::size_t i = 0; i + 1 < m.n; ++i) {
        f[static_cast<Eigen::Index>(i)] = ev.z[i] / m.y[i];
    }
    f[ni - 1] = 0.0; // the numeraire holds after every step (normalise)
    return f;
}

Failure infeasible(const GeSectorsProblem& p, const Model& m, const Eval& ev) {
    const std::size_t j = ev.negative;
    return fmt::format("found no prices at which country {} keeps its fixed trade deficit of "
                       "{:.6g} (in the units of the flows; negative = surplus) and positive "
                       "spending; consider multiplicative imbalances",
                       quoted(p.countries, j), m.d[j]);
}

// Inner equilibria of the path only enter the welfare decomposition, whose integration
// error is far larger than that of prices solved to this relative excess demand.
constexpr double path_tolerance = 1e-9;

// Solves the equilibrium for kernel `kn` from the prices in `cur`: quasi-Newton steps from
// the last Jacobian formed, improved by Broyden's updates, so that a Jacobian (O(n^3 K))
// is formed only when the steps stop cutting the residual at least in half, or fail. Inner
// points of the path stop once every country's excess demand is within path_tolerance.
Failure solve(const GeSectorsProblem& p, const GeSectorsOptions& o, const Model& m,
              const Kernel& kn, Eval& cur, Solver& sv, bool inner) {
    const std::size_t n = m.n;
    evaluate(m, kn, cur);
    int steps = 0;
    bool fresh = false;
    Eval& trial = sv.trial;
    Eigen::VectorXd f = residual(m, cur);
    while (!(cur.excess <= o.tolerance || (inner && cur.relative <= path_tolerance))) {
        if (!usable(cur)) {
            return cur.feasible ? "started from prices with no equilibrium nearby"
                                : infeasible(p, m, cur);
        }
        if (steps >= o.max_iterations) {
            sv.iterations += steps;
            return fmt::format("did not converge in {} steps: the largest excess demand is "
                               "{:.3g} of world output (tolerance {:.3g})",
                               steps, cur.excess, o.tolerance);
        }
        ++steps;
        if (!sv.have_lu) {
            sv.lu.compute(jacobian(m, kn, cur));
            sv.c.clear();
            sv.d.clear();
            sv.have_lu = true;
            ++sv.jacobians;
            fresh = true;
        }
        const Eigen::VectorXd dx = sv.apply(-f);
        bool accepted = false;
        double t = 1.0;
        for (int halving = 0; halving < 30 && !accepted; ++halving, t *= 0.5) {
            trial.lw = cur.lw;
            for (std::size_t i = 0; i < n; ++i) {
                trial.lw[i] += t * std::clamp(dx[static_cast<Eigen::Index>(i)], -1.0, 1.0);
            }
            normalise(m, trial.lw);
            evaluate(m, kn, trial);
            accepted = usable(trial) && trial.residual < cur.residual;
            if (!accepted && !fresh) {
                break; // an outdated Jacobian: form it here before shortening steps
            }
        }
        if (!accepted) {
            if (!fresh) {
                sv.have_lu = false;
                continue;
            }
            sv.have_lu = false;
            sv.iterations += steps;
            if (!trial.feasible) {
                return infeasible(p, m, trial);
            }
            return fmt::format("stalled at an excess demand of {:.3g} of world output "
                               "(tolerance {:.3g})",
                               cur.excess, o.tolerance);
        }
        // Many updates also call for a fresh Jacobian: each one costs O(n) per step.
        const bool slow = trial.residual > 0.5 * cur.residual || sv.c.size() >= 64;
        Eigen::VectorXd step(static_cast<Eigen::Index>(n));
        for (std::size_t i = 0; i < n; ++i) {
            step[static_cast<Eigen::Index>(i)] = trial.lw[i] - cur.lw[i];
        }
        const Eigen::VectorXd f_trial = residual(m, trial);
        sv.update(step, f_trial - f);
        f = f_trial;
        std::swap(cur, trial);
        fresh = false;
        if (slow) {
            sv.have_lu = false;
        }
    }
    sv.iterations += steps;
    return {};
}

} // namespace

// Continuation: solves at path point `to` from the prices extrapolated (Lagrange, through
// up to three earlier equilibria) from those already found; when that fails the step is
// halved, down to 2^-depth of it.
Failure reach(const GeSectorsProblem& p, const GeSectorsOptions& o, const Model& m, Kernel& kn,
              Eval& ev, Solver& sv, History& h, double to, int depth) {
    move_to(m, to, kn);
    const std::size_t q = h.s.size();
    for (std::size_t i = 0; i < m.n; ++i) {
        double value = 0.0;
        for (std::size_t a = 0; a < q; ++a) {
            double weight = 1.0;
            for (std::size_t b = 0; b < q; ++b) {
                if (b != a) {
                    weight *= (to - h.s[b]) / (h.s[a] - h.s[b]);
                }
            }
            value += weight * h.lw[a][i];
        }
        ev.lw[i] = value;
    }
    normalise(m, ev.lw);
    const bool inner = to < 1.0;
    Failure failure = solve(p, o, m, kn, ev, sv, inner);
    if (!failure.empty() && q > 1) {
        ev.lw = h.lw.back(); // the extrapolation may overshoot: start where the path is
        failure = solve(p, o, m, kn, ev, sv, inner);
    }
    if (failure.empty()) {
        h.push(to, ev.lw);
        return failure;
    }
    if (depth == 0) {
        return failure;
    }
    const double from = h.s.back();
    failure = reach(p, o, m, kn, ev, sv, h, 0.5 * (from + to), depth - 1);
    return failure.empty() ? reach(p, o, m, kn, ev, sv, h, to, depth - 1) : failure;
}

} // namespace tradesim::models::gravity::detail::sectors
