#include "tradesim/models/gravity/ppml.hpp"

#include "gravity/detail/demean.hpp"
#include "gravity/detail/separation.hpp"
#include "gravity/detail/vcov.hpp"
#include "tradesim/sim/error.hpp"
#include "tradesim/sim/parallel.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <limits>
#include <numeric>

#include <Eigen/Dense>

namespace tradesim::models::gravity {

namespace {

using detail::Demeaner;
using detail::Groups;
constexpr double nan = std::numeric_limits<double>::quiet_NaN();

double poisson_deviance(const std::vector<double>& y, const std::vector<double>& mu) {
    double d = 0.0;
    for (std::size_t i = 0; i < y.size(); ++i) {
        d += (y[i] > 0.0 ? y[i] * std::log(y[i] / mu[i]) : 0.0) - (y[i] - mu[i]);
    }
    return 2.0 * d;
}

double poisson_loglik(const std::vector<double>& y, const std::vector<double>& mu) {
    double ll = 0.0;
    for (std::size_t i = 0; i < y.size(); ++i) {
        ll += y[i] * std::log(mu[i]) - mu[i] - std::lgamma(y[i] + 1.0);
    }
    return ll;
}

// Sample rows ordered by the fixed effect with the most levels, so that its sums run over
// contiguous memory (a large share of the time on big problems). Stable: ties keep order.
void order_by_largest_effect(const PpmlProblem& p, std::vector<std::size_t>& rows) {
    if (p.fe.empty()) {
        return;
    }
    std::size_t best = 0;
    std::int32_t best_top = 0;
    for (std::size_t d = 0; d < p.fe.size(); ++d) {
        const std::int32_t top = *std::max_element(p.fe[d].begin(), p.fe[d].end()) + 1;
        if (top > best_top) {
            best = d;
            best_top = top;
        }
    }
    const auto& code = p.fe[best];
    std::vector<std::size_t> start(static_cast<std::size_t>(best_top) + 1, 0);
    for (std::size_t r : rows) {
        ++start[static_cast<std::size_t>(code[r]) + 1];
    }
    std::partial_sum(start.begin(), start.end(), start.begin());
    std::vector<std::size_t> sorted(rows.size());
    for (std::size_t r : rows) {
        sorted[start[static_cast<std::size_t>(code[r])]++] = r;
    }
    rows = std::move(sorted);
}

// Weighted cross products of the partialled-out columns `cols` (indices into xt), and of
// each with zt.
void cross_products(const std::vector<std::vector<double>>& xt,
                    const std::vector<std::size_t>& cols, const std::vector<double>& w,
                    const std::vector<double>& zt, Eigen::MatrixXd& xtwx, Eigen::VectorXd& xtwz) {
    const auto k = static_cast<Eigen::Index>(cols.size());
    const std::size_t n = w.size();
    xtwx.resize(k, k);
    xtwz.resize(k);
    for (Eigen::Index a = 0; a < k; ++a) {
        const auto& xa = xt[cols[static_cast<std::size_t>(a)]];
        double s = 0.0;
        for (std::size_t i = 0; i < n; ++i) {
            s += w[i] * xa[i] * zt[i];
        }
        xtwz[a] = s;
        for (Eigen::Index b = 0; b <= a; ++b) {
            const auto& xb = xt[cols[static_cast<std::size_t>(b)]];
            double t = 0.0;
            for (std::size_t i = 0; i < n; ++i) {
                t += w[i] * xa[i] * xb[i];
            }
            xtwx(a, b) = t;
            xtwx(b, a) = t;
        }
    }
}

// Columns whose residual, after the fixed effects and the columns before them, keeps (almost)
// no weight: fixest's collin.tol 1e-10, relative to the column before partialling out (`raw`,
// its weighted sum of squares), so that a column the fixed effects absorb is caught too.
// Returns positions into the matrix that are kept.
std::vector<std::size_t> independent_columns(const Eigen::MatrixXd& xtwx,
                                             const std::vector<double>& raw) {
    std::vector<std::size_t> keep;
    for (Eigen::Index a = 0; a < xtwx.rows(); ++a) {
        const double diag = xtwx(a, a);
        const double scale = raw[static_cast<std::size_t>(a)];
        bool collinear = !(diag > 1e-10 * scale);
        if (!collinear && !keep.empty()) {
            const auto m = static_cast<Eigen::Index>(keep.size());
            Eigen::MatrixXd sub(m, m);
            Eigen::VectorXd cross(m);
            for (Eigen::Index u = 0; u < m; ++u) {
                const auto ku = static_cast<Eigen::Index>(keep[static_cast<std::size_t>(u)]);
                cross[u] = xtwx(ku, a);
                for (Eigen::Index v = 0; v < m; ++v) {
                    sub(u, v) =
                        xtwx(ku, static_cast<Eigen::Index>(keep[static_cast<std::size_t>(v)]));
                }
            }
            collinear = diag - cross.dot(sub.ldlt().solve(cross)) < 1e-10 * scale;
        }
        if (!collinear) {
            keep.push_back(static_cast<std::size_t>(a));
        }
    }
    return keep;
}

// The state of IRLS on one sample.
struct Fit {
    std::vector<std::size_t> kept; // regressors (indices into x) still in the model
    std::vector<std::size_t> collinear;
    std::vector<std::vector<double>> xt; // partialled-out regressors at the last weights
    Eigen::VectorXd beta;
    Eigen::MatrixXd xtwx;
    std::vector<double> mu, eta;
    double deviance = 0;
    int iterations = 0;
    bool converged = false;
    std::vector<std::size_t> falling_rows; // zero outcomes whose mean more than halved at
                                           // the last iteration
};

Fit irls(const std::vector<double>& y, const std::vector<double>& offset,
         const std::vector<std::vector<double>>& x,
         const Groups& groups, const PpmlOptions& options) {
    const std::size_t n = y.size();
    Fit f;
    f.kept.resize(x.size());
    std::iota(f.kept.begin(), f.kept.end(), std::size_t{0});
    f.xt.resize(x.size());
    double ybar = 0.0;
    for (double v : y) {
        ybar += v;
    }
    ybar /= static_cast<double>(n);
    f.mu.resize(n);
    f.eta.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
        f.mu[i] = (y[i] + ybar) / 2.0; // fixest's starting values
        f.eta[i] = std::log(f.mu[i]);
    }
    f.deviance = poisson_deviance(y, f.mu);
    std::vector<double> z(n), w(n), zt(n), z_alpha;
    std::vector<std::vector<double>> x_alpha(x.size());
    Eigen::VectorXd xtwz;
    bool check_collinearity = true;
    double change = 1.0; // relative change in deviance of the last iteration
    for (int iter = 0; iter < options.max_iterations; ++iter) {
        for (std::size_t i = 0; i < n; ++i) {
            w[i] = f.mu[i];
            // Working response of the estimated part (the offset is known).
            z[i] = f.eta[i] - offset[i] + (y[i] - f.mu[i]) / f.mu[i];
        }
        const Demeaner demeaner(groups, w);
        // Warm start: each vector keeps its fixed-effect coefficients from the previous
        // iteration, which are close to the new ones (as ppmlhdfe and fixest do).
        std::vector<Demeaner::Target> targets{{z.data(), zt.data(), &z_alpha}};
        for (std::size_t c : f.kept) {
            f.xt[c].resize(n);
            targets.push_back({x[c].data(), f.xt[c].data(), &x_alpha[c]});
        }
        // Early iterations only need the projection as precise as the iteration itself: a
        // looser tolerance while the deviance still moves a lot (the first iteration stays
        // exact, for the collinearity check). The last iterations use the full tolerance.
        const double tol = iter == 0 ? options.demean_tolerance
                                     : std::clamp(1e-3 * change, options.demean_tolerance, 1e-5);
        if (detail::partial_out(demeaner, targets, tol, options.max_demean_iterations) < 0) {
            throw sim::NumericalError(fmt::format(
                "partialling out the fixed effects did not converge in {} sweeps; the fixed "
                "effects may be nearly collinear",
                options.max_demean_iterations));
        }
        cross_products(f.xt, f.kept, w, zt, f.xtwx, xtwz);
        if (check_collinearity) {
            check_collinearity = false;
            std::vector<double> raw;
            for (std::size_t c : f.kept) {
                double ss = 0.0;
                for (std::size_t i = 0; i < n; ++i) {
                    ss += w[i] * x[c][i] * x[c][i];
                }
                raw.push_back(ss);
            }
            const auto keep = independent_columns(f.xtwx, raw);
            if (keep.size() != f.kept.size()) {
                std::vector<std::size_t> next;
                for (std::size_t u = 0, j = 0; u < f.kept.size(); ++u) {
                    if (j < keep.size() && keep[j] == u) {
                        next.push_back(f.kept[u]);
                        ++j;
                    } else {
                        f.collinear.push_back(f.kept[u]);
                    }
                }
                f.kept = std::move(next);
                cross_products(f.xt, f.kept, w, zt, f.xtwx, xtwz);
            }
        }
        f.beta = f.xtwx.ldlt().solve(xtwz);
        // eta = z - (partialled-out residual): the fixed effects absorb the rest.
        f.falling_rows.clear();
        for (std::size_t i = 0; i < n; ++i) {
            double fit = 0.0;
            for (std::size_t u = 0; u < f.kept.size(); ++u) {
                fit += f.xt[f.kept[u]][i] * f.beta[static_cast<Eigen::Index>(u)];
            }
            f.eta[i] = offset[i] + z[i] - (zt[i] - fit);
            const double mu = std::exp(f.eta[i]);
            if (y[i] == 0.0 && mu < 0.5 * f.mu[i]) {
                f.falling_rows.push_back(i);
            }
            f.mu[i] = mu;
        }
        const double previous = f.deviance;
        f.deviance = poisson_deviance(y, f.mu);
        f.iterations = iter + 1;
        // fixest: |dev - dev_old| / (0.1 + |dev|) < tolerance.
        change = std::abs(f.deviance - previous) / (0.1 + std::abs(f.deviance));
        if (change < options.tolerance && tol <= options.demean_tolerance) {
            f.converged = true;
            break;
        }
    }
    return f;
}

// eta - X beta is a sum of fixed effects: their coefficients are those of its unweighted
// projection on the fixed effects. Every dimension after the first is normalised to zero at
// its first level; reported by input code, NaN for levels not in the sample.
std::vector<std::vector<double>> fixed_effects(const Groups& groups,
                                               const std::vector<double>& rest) {
    const std::vector<double> ones(rest.size(), 1.0);
    const Demeaner demeaner(groups, ones);
    std::vector<double> resid(rest.size()), alpha;
    if (demeaner.demean({{rest.data(), resid.data(), &alpha}}, 1e-12, 100000) < 0) {
        throw sim::NumericalError("the fixed effects could not be recovered");
    }
    std::vector<std::vector<double>> level(groups.size.size());
    for (std::size_t d = 0, off = 0; d < groups.size.size(); off += groups.size[d], ++d) {
        level[d].assign(alpha.begin() + static_cast<std::ptrdiff_t>(off),
                        alpha.begin() + static_cast<std::ptrdiff_t>(off + groups.size[d]));
    }
    for (std::size_t d = 1; d < level.size(); ++d) {
        const double shift = level[d][0];
        for (auto& a : level[d]) {
            a -= shift;
        }
        for (auto& a : level[0]) {
            a += shift;
        }
    }
    std::vector<std::vector<double>> out(level.size());
    for (std::size_t d = 0; d < level.size(); ++d) {
        out[d].assign(groups.map[d].size(), nan);
        for (std::size_t c = 0; c < groups.map[d].size(); ++c) {
            if (groups.map[d][c] >= 0) {
                out[d][c] = level[d][static_cast<std::size_t>(groups.map[d][c])];
            }
        }
    }
    return out;
}

} // namespace

PpmlResult fit_ppml(const PpmlProblem& problem, const PpmlOptions& options) {
    const std::size_t n_all = problem.y.size();
    if (!problem.offset.empty() && problem.offset.size() != n_all) {
        throw sim::InputError("the offset must have one value per observation");
    }
    for (std::size_t i = 0; i < n_all; ++i) {
        if (!problem.offset.empty() && !std::isfinite(problem.offset[i])) {
            throw sim::InputError(
                fmt::format("the offset must be finite; row {} has {}", i + 1, problem.offset[i]));
        }
        if (!(problem.y[i] >= 0.0)) {
            throw sim::InputError(
                fmt::format("the outcome must be non-negative and present; row {} has {}", i + 1,
                            problem.y[i]));
        }
    }
    PpmlResult result;
    std::vector<std::size_t> rows(n_all);
    std::iota(rows.begin(), rows.end(), std::size_t{0});
    // Without fixed effects an intercept is estimated.
    std::vector<std::string> names = problem.x_names;
    if (problem.fe.empty()) {
        names.insert(names.begin(), "(Intercept)");
    }
    const auto columns_of = [&](const std::vector<std::size_t>& sample) {
        std::vector<std::vector<double>> x;
        if (problem.fe.empty()) {
            x.emplace_back(sample.size(), 1.0);
        }
        for (const auto& col : problem.x) {
            auto& c = x.emplace_back(sample.size());
            for (std::size_t r = 0; r < sample.size(); ++r) {
                c[r] = col[sample[r]];
            }
        }
        return x;
    };

    detail::PruneCounts pruned;
    Groups groups;
    std::vector<double> y, offset;
    std::vector<std::vector<double>> x;
    Fit fit;
    bool checked = false;
    while (true) {
        detail::prune(problem, options.drop_singletons, rows, pruned);
        if (rows.empty()) {
            throw sim::InputError(
                "no observations left after dropping fixed-effect groups with only zero "
                "outcomes" +
                std::string(options.drop_singletons ? " and singletons" : ""));
        }
        order_by_largest_effect(problem, rows);
        const std::size_t n = rows.size();
        x = columns_of(rows);
        groups = detail::recode(problem.fe, rows);
        y.resize(n);
        offset.assign(n, 0.0);
        for (std::size_t r = 0; r < n; ++r) {
            y[r] = problem.y[rows[r]];
            offset[r] = problem.offset.empty() ? 0.0 : problem.offset[rows[r]];
        }
        fit = irls(y, offset, x, groups, options);
        // Separated observations show as zero outcomes whose fitted mean keeps falling by a
        // constant factor per iteration; only then is the (costly) certificate computed.
        if (!options.check_separation || checked ||
            (fit.converged && fit.falling_rows.empty())) {
            break;
        }
        checked = true;
        auto check = detail::find_separated(problem, rows, x);
        if (!check.converged) {
            if (!fit.converged) {
                break;
            }
            // No certificate within the budget: fall back on the fitted means themselves
            // (ppmlhdfe's "mu" rule): at convergence a zero outcome whose mean still halves
            // per iteration has no finite fit.
            check.separated = fit.falling_rows;
            result.notes.push_back(fmt::format(
                "the separation certificate did not finish within its budget; {} zero "
                "outcomes whose fitted mean was still falling were dropped as separated",
                check.separated.size()));
        }
        if (check.separated.empty()) {
            break;
        }
        result.dropped_separation_regressors += check.separated.size();
        std::vector<unsigned char> drop(rows.size(), 0);
        for (std::size_t r : check.separated) {
            drop[r] = 1;
        }
        std::size_t kept = 0;
        for (std::size_t r = 0; r < rows.size(); ++r) {
            if (!drop[r]) {
                rows[kept++] = rows[r];
            }
        }
        rows.resize(kept);
        checked = false; // dropping may leave new all-zero groups, singletons, separation
    }
    result.dropped_separation = pruned.separated;
    result.dropped_singletons = pruned.singletons;
    result.fe_sizes = groups.size;
    const std::size_t n = rows.size();
    if (!fit.converged) {
        throw sim::NumericalError(fmt::format(
            "PPML did not converge in {} iterations (relative deviance change above {})",
            options.max_iterations, options.tolerance));
    }
    const std::size_t p = fit.kept.size();
    result.iterations = fit.iterations;
    result.observations = n;
    result.deviance = fit.deviance;
    result.log_likelihood = poisson_loglik(y, fit.mu);
    double ybar = 0.0;
    for (double v : y) {
        ybar += v;
    }
    const std::vector<double> mu0(n, ybar / static_cast<double>(n));
    result.null_deviance = poisson_deviance(y, mu0);
    result.pseudo_r2 = 1.0 - result.log_likelihood / poisson_loglik(y, mu0);
    for (std::size_t u = 0; u < p; ++u) {
        result.names.push_back(names[fit.kept[u]]);
        result.coefficients.push_back(fit.beta[static_cast<Eigen::Index>(u)]);
    }
    for (std::size_t c : fit.collinear) {
        result.collinear.push_back(names[c]);
    }

    // Sandwich: bread (X'WX)^-1 from the last step, scores x~_i (y_i - mu_i).
    Eigen::MatrixXd scores(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(p));
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t u = 0; u < p; ++u) {
            scores(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(u)) =
                fit.xt[fit.kept[u]][i] * (y[i] - fit.mu[i]);
        }
    }
    const detail::Sandwich s =
        detail::sandwich(problem, rows, groups, fit.xtwx, scores, options.small_sample);
    result.vcov_label = s.label;
    result.cluster_sizes = s.cluster_sizes;
    result.vcov.assign(p * p, 0.0);
    for (std::size_t a = 0; a < p; ++a) {
        for (std::size_t b = 0; b < p; ++b) {
            result.vcov[a * p + b] =
                s.v(static_cast<Eigen::Index>(a), static_cast<Eigen::Index>(b));
        }
        result.std_errors.push_back(std::sqrt(result.vcov[a * p + a]));
    }

    result.used.assign(n_all, 0);
    result.fitted.assign(n_all, nan);
    std::vector<double> rest(n);
    for (std::size_t r = 0; r < n; ++r) {
        result.used[rows[r]] = 1;
        result.fitted[rows[r]] = fit.mu[r];
        double xb = 0.0;
        for (std::size_t u = 0; u < p; ++u) {
            xb += x[fit.kept[u]][r] * fit.beta[static_cast<Eigen::Index>(u)];
        }
        rest[r] = fit.eta[r] - offset[r] - xb;
    }
    result.fe_values = fixed_effects(groups, rest);
    return result;
}

} // namespace tradesim::models::gravity
