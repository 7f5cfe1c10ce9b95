#include "gravity/detail/separation.hpp"

#include "gravity/detail/demean.hpp"

#include <algorithm>
#include <cmath>

#include <Eigen/Dense>

namespace tradesim::models::gravity::detail {

void prune(const PpmlProblem& p, bool singletons, std::vector<std::size_t>& rows,
           PruneCounts& counts) {
    std::vector<double> sum;
    std::vector<std::int32_t> count;
    bool changed = !p.fe.empty();
    while (changed) {
        changed = false;
        for (const auto& dim : p.fe) {
            std::int32_t top = 0;
            for (std::size_t r : rows) {
                top = std::max(top, dim[r] + 1);
            }
            sum.assign(static_cast<std::size_t>(top), 0.0);
            count.assign(static_cast<std::size_t>(top), 0);
            for (std::size_t r : rows) {
                sum[static_cast<std::size_t>(dim[r])] += p.y[r];
                ++count[static_cast<std::size_t>(dim[r])];
            }
            std::size_t kept = 0;
            for (std::size_t r : rows) {
                const auto g = static_cast<std::size_t>(dim[r]);
                if (sum[g] == 0.0) {
                    ++counts.separated;
                } else if (singletons && count[g] == 1) {
                    ++counts.singletons;
                } else {
                    rows[kept++] = r;
                }
            }
            if (kept != rows.size()) {
                rows.resize(kept);
                changed = true;
            }
        }
    }
}

SeparationCheck find_separated(const PpmlProblem& p, const std::vector<std::size_t>& rows,
                               const std::vector<std::vector<double>>& columns) {
    // Tolerances as in the paper's implementation: u starts at 1 on the zero outcomes, so
    // absolute thresholds are relative ones.
    constexpr double tol = 1e-5;
    constexpr double positive_weight = 1e8; // pins z to 0 where y > 0
    // A budget, not a time limit, so the answer is reproducible: past it the check is
    // reported as inconclusive. Extreme weights slow alternating projections down on some
    // panels (thousands of sweeps on the penppml Comtrade panel); then the fitted means decide.
    constexpr int max_iterations = 50;
    constexpr double demean_tol = 1e-10;
    constexpr int max_sweeps = 500;

    SeparationCheck check;
    const std::size_t n = rows.size();
    std::vector<double> u(n), w(n);
    std::vector<unsigned char> zero(n);
    std::size_t zeros = 0;
    for (std::size_t r = 0; r < n; ++r) {
        zero[r] = p.y[rows[r]] == 0.0 ? 1 : 0;
        u[r] = zero[r] ? 1.0 : 0.0;
        w[r] = zero[r] ? 1.0 : positive_weight;
        zeros += zero[r];
    }
    if (zeros == 0) {
        return check;
    }
    const Groups groups = recode(p.fe, rows);
    const Demeaner demeaner(groups, w);

    // Regressors partialled out once: the weights never change.
    const std::size_t k = columns.size();
    std::vector<std::vector<double>> xt(k, std::vector<double>(n)), x_alpha(k);
    std::vector<Demeaner::Target> targets;
    for (std::size_t c = 0; c < k; ++c) {
        targets.push_back({columns[c].data(), xt[c].data(), &x_alpha[c]});
    }
    if (partial_out(demeaner, targets, demean_tol, max_sweeps) < 0) {
        check.converged = false;
        return check;
    }
    const auto kk = static_cast<Eigen::Index>(k);
    Eigen::MatrixXd xtwx(kk, kk);
    for (std::size_t a = 0; a < k; ++a) {
        for (std::size_t b = 0; b <= a; ++b) {
            double s = 0.0;
            for (std::size_t i = 0; i < n; ++i) {
                s += w[i] * xt[a][i] * xt[b][i];
            }
            xtwx(static_cast<Eigen::Index>(a), static_cast<Eigen::Index>(b)) = s;
            xtwx(static_cast<Eigen::Index>(b), static_cast<Eigen::Index>(a)) = s;
        }
    }
    // Regressors may be collinear (that is what separation often looks like): solve in the
    // least-squares sense.
    Eigen::CompleteOrthogonalDecomposition<Eigen::MatrixXd> solver;
    if (k > 0) {
        solver.compute(xtwx);
    }

    std::vector<double> ut(n), u_alpha, fitted(n);
    for (int it = 0; it < max_iterations; ++it) {
        check.iterations = it + 1;
        // u_alpha carries over: a warm start.
        if (demeaner.demean({{u.data(), ut.data(), &u_alpha}}, demean_tol, max_sweeps) < 0) {
            check.converged = false;
            return check;
        }
        Eigen::VectorXd xtwu(kk);
        for (std::size_t a = 0; a < k; ++a) {
            double s = 0.0;
            for (std::size_t i = 0; i < n; ++i) {
                s += w[i] * xt[a][i] * ut[i];
            }
            xtwu[static_cast<Eigen::Index>(a)] = s;
        }
        const Eigen::VectorXd gamma = k > 0 ? Eigen::VectorXd(solver.solve(xtwu)) : xtwu;
        double lowest = 0.0;
        double off_zero = 0.0; // how far the weighting leaves z from 0 where y > 0
        for (std::size_t i = 0; i < n; ++i) {
            double resid = ut[i];
            for (std::size_t a = 0; a < k; ++a) {
                resid -= xt[a][i] * gamma[static_cast<Eigen::Index>(a)];
            }
            fitted[i] = u[i] - resid;
            if (zero[i]) {
                lowest = std::min(lowest, fitted[i]);
            } else {
                off_zero = std::max(off_zero, std::abs(fitted[i]));
            }
        }
        // Values within the numerical accuracy of the constraint count as zero; stricter
        // below zero, so that noise does not end the search early (as ppmlhdfe).
        const double delta = tol + 100.0 * off_zero;
        if (lowest >= -0.1 * delta) {
            for (std::size_t i = 0; i < n; ++i) {
                if (zero[i] && fitted[i] > delta) {
                    check.separated.push_back(i);
                }
            }
            return check;
        }
        // Rectify: keep the non-negative part on the zero outcomes and try again.
        for (std::size_t i = 0; i < n; ++i) {
            u[i] = zero[i] ? std::max(fitted[i], 0.0) : 0.0;
        }
    }
    check.converged = false;
    return check;
}

} // namespace tradesim::models::gravity::detail
