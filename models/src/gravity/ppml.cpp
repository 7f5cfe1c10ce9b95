#include "tradesim/models/gravity/ppml.hpp"

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

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

// Fixed effects of the kept observations, recoded 0..G-1.
struct Groups {
    std::vector<std::vector<std::int32_t>> code; // per dimension, per kept row
    std::vector<std::size_t> size;               // levels per dimension
    std::vector<std::vector<std::int32_t>> map;  // per dimension: original code -> new (-1)
};

Groups recode(const std::vector<std::vector<std::int32_t>>& fe,
              const std::vector<std::size_t>& rows) {
    Groups g;
    for (const auto& dim : fe) {
        std::int32_t top = 0;
        for (std::int32_t c : dim) {
            top = std::max(top, c + 1);
        }
        std::vector<std::int32_t> map(static_cast<std::size_t>(top), -1);
        std::vector<std::int32_t> code(rows.size());
        std::int32_t next = 0;
        for (std::size_t r = 0; r < rows.size(); ++r) {
            auto& m = map[static_cast<std::size_t>(dim[rows[r]])];
            if (m < 0) {
                m = next++;
            }
            code[r] = m;
        }
        g.code.push_back(std::move(code));
        g.size.push_back(static_cast<std::size_t>(next));
        g.map.push_back(std::move(map));
    }
    return g;
}

// Removes, repeatedly, observations in fixed-effect groups whose outcome is all zero: their
// fixed effect would go to minus infinity (fixest's fixef.rm = "perfect").
std::vector<std::size_t> drop_separated(const PpmlProblem& p) {
    const std::size_t n = p.y.size();
    std::vector<unsigned char> keep(n, 1);
    bool changed = true;
    while (changed) {
        changed = false;
        for (const auto& dim : p.fe) {
            std::int32_t top = 0;
            for (std::int32_t c : dim) {
                top = std::max(top, c + 1);
            }
            std::vector<double> sum(static_cast<std::size_t>(top), 0.0);
            for (std::size_t i = 0; i < n; ++i) {
                if (keep[i]) {
                    sum[static_cast<std::size_t>(dim[i])] += p.y[i];
                }
            }
            for (std::size_t i = 0; i < n; ++i) {
                if (keep[i] && sum[static_cast<std::size_t>(dim[i])] == 0.0) {
                    keep[i] = 0;
                    changed = true;
                }
            }
        }
    }
    std::vector<std::size_t> rows;
    for (std::size_t i = 0; i < n; ++i) {
        if (keep[i]) {
            rows.push_back(i);
        }
    }
    return rows;
}

// Weighted alternating projections: v minus its projection on the fixed effects, with
// Irons & Tuck (1969) acceleration every third sweep (as in fixest).
class Demeaner {
public:
    Demeaner(const Groups& groups, const std::vector<double>& w, double tol, int max_iter)
        : groups_(groups), w_(w), tol_(tol), max_iter_(max_iter) {
        for (std::size_t d = 0; d < groups.code.size(); ++d) {
            std::vector<double> sw(groups.size[d], 0.0);
            for (std::size_t i = 0; i < w.size(); ++i) {
                sw[static_cast<std::size_t>(groups.code[d][i])] += w[i];
            }
            weight_sum_.push_back(std::move(sw));
        }
    }

    // One sweep over every dimension, in place.
    void sweep(std::vector<double>& r, std::vector<double>& mean) const {
        for (std::size_t d = 0; d < groups_.code.size(); ++d) {
            const auto& code = groups_.code[d];
            mean.assign(groups_.size[d], 0.0);
            for (std::size_t i = 0; i < r.size(); ++i) {
                mean[static_cast<std::size_t>(code[i])] += w_[i] * r[i];
            }
            for (std::size_t g = 0; g < mean.size(); ++g) {
                mean[g] /= weight_sum_[d][g];
            }
            for (std::size_t i = 0; i < r.size(); ++i) {
                r[i] -= mean[static_cast<std::size_t>(code[i])];
            }
        }
    }

    // Returns false when it did not converge.
    bool demean(std::vector<double>& r) const {
        if (groups_.code.empty()) {
            return true;
        }
        if (groups_.code.size() == 1) {
            std::vector<double> mean;
            sweep(r, mean);
            return true;
        }
        std::vector<double> mean, r1, r2;
        double scale = 0.0;
        for (double v : r) {
            scale = std::max(scale, std::abs(v));
        }
        const double limit = tol_ * (1.0 + scale);
        for (int it = 0; it < max_iter_; ++it) {
            r1 = r;
            sweep(r1, mean);
            r2 = r1;
            sweep(r2, mean);
            double change = 0.0;
            for (std::size_t i = 0; i < r.size(); ++i) {
                change = std::max(change, std::abs(r2[i] - r1[i]));
            }
            if (change <= limit) {
                r = std::move(r2);
                return true;
            }
            // Irons-Tuck: the sweep is affine, so extrapolate along the last step.
            double num = 0.0, den = 0.0;
            for (std::size_t i = 0; i < r.size(); ++i) {
                const double d1 = r2[i] - r1[i];
                const double d2 = r2[i] - 2.0 * r1[i] + r[i];
                num += d1 * d2;
                den += d2 * d2;
            }
            if (den > 0.0 && std::isfinite(num / den)) {
                const double step = num / den;
                for (std::size_t i = 0; i < r.size(); ++i) {
                    r[i] = r2[i] - step * (r2[i] - r1[i]);
                }
            } else {
                r = std::move(r2);
            }
        }
        return false;
    }

private:
    const Groups& groups_;
    const std::vector<double>& w_;
    std::vector<std::vector<double>> weight_sum_;
    double tol_;
    int max_iter_;
};

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

// Sum over clusters of the outer products of the summed scores.
Eigen::MatrixXd cluster_meat(const Eigen::MatrixXd& scores, const std::vector<std::int32_t>& id,
                             std::size_t groups) {
    Eigen::MatrixXd sums = Eigen::MatrixXd::Zero(static_cast<Eigen::Index>(groups), scores.cols());
    for (Eigen::Index i = 0; i < scores.rows(); ++i) {
        sums.row(id[static_cast<std::size_t>(i)]) += scores.row(i);
    }
    return sums.transpose() * sums;
}

} // namespace

PpmlResult fit_ppml(const PpmlProblem& problem, const PpmlOptions& options) {
    const std::size_t n_all = problem.y.size();
    for (std::size_t i = 0; i < n_all; ++i) {
        if (!(problem.y[i] >= 0.0)) {
            throw sim::InputError(
                fmt::format("the outcome must be non-negative and present; row {} has {}", i + 1,
                            problem.y[i]));
        }
    }
    PpmlResult result;
    const std::vector<std::size_t> rows = drop_separated(problem);
    result.dropped_separation = n_all - rows.size();
    const std::size_t n = rows.size();
    if (n == 0) {
        throw sim::InputError("no observations left after dropping fixed-effect groups with only "
                              "zero outcomes");
    }
    const Groups groups = recode(problem.fe, rows);
    result.fe_sizes = groups.size;

    std::vector<double> y(n);
    for (std::size_t r = 0; r < n; ++r) {
        y[r] = problem.y[rows[r]];
    }
    const std::size_t p_all = problem.x.size();
    std::vector<std::vector<double>> x(p_all, std::vector<double>(n));
    for (std::size_t c = 0; c < p_all; ++c) {
        for (std::size_t r = 0; r < n; ++r) {
            x[c][r] = problem.x[c][rows[r]];
        }
    }
    // Without fixed effects an intercept is estimated.
    std::vector<std::string> names = problem.x_names;
    if (problem.fe.empty()) {
        x.insert(x.begin(), std::vector<double>(n, 1.0));
        names.insert(names.begin(), "(Intercept)");
    }
    std::size_t p = x.size();

    double ybar = 0.0;
    for (double v : y) {
        ybar += v;
    }
    ybar /= static_cast<double>(n);
    std::vector<double> mu(n), eta(n), z(n), w(n);
    for (std::size_t i = 0; i < n; ++i) {
        mu[i] = (y[i] + ybar) / 2.0;
        eta[i] = std::log(mu[i]);
    }
    double deviance = poisson_deviance(y, mu);
    std::vector<std::vector<double>> xt(p);
    std::vector<double> zt, z_part;
    std::vector<std::size_t> kept(p);
    std::iota(kept.begin(), kept.end(), std::size_t{0});
    Eigen::VectorXd beta;
    Eigen::MatrixXd xtwx;
    bool converged = false;
    int iter = 0;
    for (; iter < options.max_iterations; ++iter) {
        for (std::size_t i = 0; i < n; ++i) {
            w[i] = mu[i];
            z[i] = eta[i] + (y[i] - mu[i]) / mu[i];
        }
        const Demeaner demeaner(groups, w, options.demean_tolerance, options.max_demean_iterations);
        // Columns are independent: demean them in parallel, each by one task. Warm start:
        // the previous iteration's fixed-effect part lies in the span of the fixed effects,
        // so starting from (column - previous part) converges to the same projection in far
        // fewer sweeps (as ppmlhdfe and fixest do).
        std::vector<std::vector<double>*> targets;
        if (z_part.empty()) {
            zt = z;
        } else {
            for (std::size_t i = 0; i < n; ++i) {
                zt[i] = z[i] - z_part[i];
            }
        }
        targets.push_back(&zt);
        for (std::size_t c : kept) {
            if (xt[c].empty()) {
                xt[c] = x[c];
            }
            targets.push_back(&xt[c]);
        }
        std::vector<unsigned char> ok(targets.size(), 1);
        sim::parallel_for(targets.size(), 1, [&](std::size_t b, std::size_t e) {
            for (std::size_t t = b; t < e; ++t) {
                ok[t] = demeaner.demean(*targets[t]) ? 1 : 0;
            }
        });
        if (std::find(ok.begin(), ok.end(), 0) != ok.end()) {
            throw sim::NumericalError("demeaning by the fixed effects did not converge");
        }
        z_part.resize(n);
        for (std::size_t i = 0; i < n; ++i) {
            z_part[i] = z[i] - zt[i];
        }
        // Weighted cross products.
        const auto k = static_cast<Eigen::Index>(kept.size());
        xtwx.resize(k, k);
        Eigen::VectorXd xtwz(k);
        for (Eigen::Index a = 0; a < k; ++a) {
            const auto& xa = xt[kept[static_cast<std::size_t>(a)]];
            double s = 0.0;
            for (std::size_t i = 0; i < n; ++i) {
                s += w[i] * xa[i] * zt[i];
            }
            xtwz[a] = s;
            for (Eigen::Index b = 0; b <= a; ++b) {
                const auto& xb = xt[kept[static_cast<std::size_t>(b)]];
                double t = 0.0;
                for (std::size_t i = 0; i < n; ++i) {
                    t += w[i] * xa[i] * xb[i];
                }
                xtwx(a, b) = t;
                xtwx(b, a) = t;
            }
        }
        if (iter == 0) {
            // Collinearity: a column whose residual, after the columns before it, has
            // (almost) no weight left is dropped (fixest's collin.tol 1e-10).
            std::vector<std::size_t> keep_idx;
            for (Eigen::Index a = 0; a < k; ++a) {
                const double diag = xtwx(a, a);
                bool collinear = !(diag > 0.0);
                if (!collinear && !keep_idx.empty()) {
                    const auto m = static_cast<Eigen::Index>(keep_idx.size());
                    Eigen::MatrixXd sub(m, m);
                    Eigen::VectorXd cross(m);
                    for (Eigen::Index u = 0; u < m; ++u) {
                        cross[u] = xtwx(
                            static_cast<Eigen::Index>(keep_idx[static_cast<std::size_t>(u)]), a);
                        for (Eigen::Index v = 0; v < m; ++v) {
                            sub(u, v) = xtwx(
                                static_cast<Eigen::Index>(keep_idx[static_cast<std::size_t>(u)]),
                                static_cast<Eigen::Index>(keep_idx[static_cast<std::size_t>(v)]));
                        }
                    }
                    const double resid = diag - cross.dot(sub.ldlt().solve(cross));
                    collinear = resid < 1e-10 * diag;
                }
                if (collinear) {
                    result.collinear.push_back(names[kept[static_cast<std::size_t>(a)]]);
                } else {
                    keep_idx.push_back(static_cast<std::size_t>(a));
                }
            }
            if (keep_idx.size() != kept.size()) {
                std::vector<std::size_t> next;
                for (std::size_t u : keep_idx) {
                    next.push_back(kept[u]);
                }
                kept = next;
                --iter; // redo this iteration without the collinear columns
                continue;
            }
        }
        beta = xtwx.ldlt().solve(xtwz);
        // eta = z - (demeaned residual): the fixed effects absorb the rest.
        for (std::size_t i = 0; i < n; ++i) {
            double fit = 0.0;
            for (std::size_t u = 0; u < kept.size(); ++u) {
                fit += xt[kept[u]][i] * beta[static_cast<Eigen::Index>(u)];
            }
            eta[i] = z[i] - (zt[i] - fit);
            mu[i] = std::exp(eta[i]);
        }
        const double previous = deviance;
        deviance = poisson_deviance(y, mu);
        // fixest: |dev - dev_old| / (0.1 + |dev|) < tolerance.
        if (std::abs(deviance - previous) / (0.1 + std::abs(deviance)) < options.tolerance) {
            converged = true;
            ++iter;
            break;
        }
    }
    if (!converged) {
        throw sim::NumericalError(fmt::format(
            "PPML did not converge in {} iterations (relative deviance change above {})",
            options.max_iterations, options.tolerance));
    }
    p = kept.size();
    result.iterations = iter;
    result.observations = n;
    result.deviance = deviance;
    result.log_likelihood = poisson_loglik(y, mu);
    std::vector<double> mu0(n, ybar);
    result.null_deviance = poisson_deviance(y, mu0);
    const double ll0 = poisson_loglik(y, mu0);
    result.pseudo_r2 = 1.0 - result.log_likelihood / ll0;
    for (std::size_t u = 0; u < p; ++u) {
        result.names.push_back(names[kept[u]]);
        result.coefficients.push_back(beta[static_cast<Eigen::Index>(u)]);
    }

    // Sandwich: bread (X'WX)^-1 from the last step, scores x_i (y_i - mu_i).
    const auto kp = static_cast<Eigen::Index>(p);
    const Eigen::MatrixXd bread = xtwx.ldlt().solve(Eigen::MatrixXd::Identity(kp, kp));
    Eigen::MatrixXd scores(static_cast<Eigen::Index>(n), kp);
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t u = 0; u < p; ++u) {
            scores(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(u)) =
                xt[kept[u]][i] * (y[i] - mu[i]);
        }
    }
    // Parameters for the small-sample correction (fixest's ssc defaults: adj, nested fixed
    // effects not counted, cluster adjustment G/(G-1) with the smallest G).
    const Groups clusters = recode(problem.clusters, rows);
    result.cluster_sizes = clusters.size;
    std::size_t fe_params = 0;
    std::size_t counted = 0;
    for (std::size_t d = 0; d < groups.size.size(); ++d) {
        // A fixed effect nested in a clustering variable costs no degree of freedom.
        bool nested = false;
        if (problem.vcov == Vcov::cluster) {
            for (std::size_t c = 0; c < clusters.code.size() && !nested; ++c) {
                std::vector<std::int32_t> owner(groups.size[d], -1);
                nested = true;
                for (std::size_t i = 0; i < n && nested; ++i) {
                    auto& o = owner[static_cast<std::size_t>(groups.code[d][i])];
                    if (o < 0) {
                        o = clusters.code[c][i];
                    } else if (o != clusters.code[c][i]) {
                        nested = false;
                    }
                }
            }
        }
        if (!nested) {
            // The first counted dimension carries the level; each further one loses one.
            fe_params += groups.size[d] - (counted == 0 ? 0 : 1);
            ++counted;
        }
    }
    const double big_k = static_cast<double>(p + fe_params);
    const double nn = static_cast<double>(n);
    const double adj =
        options.small_sample == SmallSample::fixest ? (nn - 1.0) / (nn - big_k) : 1.0;
    Eigen::MatrixXd v;
    if (problem.vcov == Vcov::hetero || clusters.code.empty()) {
        const Eigen::MatrixXd meat = scores.transpose() * scores;
        v = bread * meat * bread * (nn / (nn - big_k));
        result.vcov_label = "heteroskedasticity-robust";
    } else {
        std::size_t g_min = std::numeric_limits<std::size_t>::max();
        for (std::size_t s : clusters.size) {
            g_min = std::min(g_min, s);
        }
        const double g = static_cast<double>(g_min);
        Eigen::MatrixXd meat = cluster_meat(scores, clusters.code[0], clusters.size[0]);
        if (clusters.code.size() == 2) {
            // Two-way (Cameron, Gelbach & Miller 2011): A + B - A∩B.
            std::vector<std::int32_t> both(n);
            const auto g2 = static_cast<std::int64_t>(clusters.size[1]);
            std::vector<std::int64_t> keys(n);
            for (std::size_t i = 0; i < n; ++i) {
                keys[i] = clusters.code[0][i] * g2 + clusters.code[1][i];
            }
            std::vector<std::int64_t> sorted = keys;
            std::sort(sorted.begin(), sorted.end());
            sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
            for (std::size_t i = 0; i < n; ++i) {
                both[i] = static_cast<std::int32_t>(
                    std::lower_bound(sorted.begin(), sorted.end(), keys[i]) - sorted.begin());
            }
            meat += cluster_meat(scores, clusters.code[1], clusters.size[1]);
            meat -= cluster_meat(scores, both, sorted.size());
            result.vcov_label = fmt::format("clustered by {} and {}", problem.cluster_names.at(0),
                                            problem.cluster_names.at(1));
        } else {
            result.vcov_label = fmt::format("clustered by {}", problem.cluster_names.at(0));
        }
        v = bread * meat * bread * (g / (g - 1.0)) * adj;
    }
    result.vcov.assign(p * p, 0.0);
    for (std::size_t a = 0; a < p; ++a) {
        for (std::size_t b = 0; b < p; ++b) {
            result.vcov[a * p + b] = v(static_cast<Eigen::Index>(a), static_cast<Eigen::Index>(b));
        }
        result.std_errors.push_back(
            std::sqrt(v(static_cast<Eigen::Index>(a), static_cast<Eigen::Index>(a))));
    }

    // Fitted values and fixed effects: eta - X beta is a sum of fixed effects, recovered by
    // unweighted alternating projections; every dimension after the first is normalised to
    // zero at its first level.
    result.used.assign(n_all, 0);
    result.fitted.assign(n_all, nan);
    std::vector<double> rest(n);
    for (std::size_t r = 0; r < n; ++r) {
        result.used[rows[r]] = 1;
        result.fitted[rows[r]] = mu[r];
        double xb = 0.0;
        for (std::size_t u = 0; u < p; ++u) {
            xb += x[kept[u]][r] * beta[static_cast<Eigen::Index>(u)];
        }
        rest[r] = eta[r] - xb;
    }
    result.fe_values.assign(groups.size.size(), {});
    if (!groups.size.empty()) {
        std::vector<std::vector<double>> alpha(groups.size.size());
        for (std::size_t d = 0; d < groups.size.size(); ++d) {
            alpha[d].assign(groups.size[d], 0.0);
        }
        std::vector<double> resid = rest;
        for (int it = 0; it < 10000; ++it) {
            double change = 0.0;
            for (std::size_t d = 0; d < groups.size.size(); ++d) {
                std::vector<double> sum(groups.size[d], 0.0), cnt(groups.size[d], 0.0);
                for (std::size_t i = 0; i < n; ++i) {
                    const auto g = static_cast<std::size_t>(groups.code[d][i]);
                    sum[g] += resid[i];
                    cnt[g] += 1.0;
                }
                for (std::size_t g = 0; g < sum.size(); ++g) {
                    sum[g] /= cnt[g];
                    alpha[d][g] += sum[g];
                    change = std::max(change, std::abs(sum[g]));
                }
                for (std::size_t i = 0; i < n; ++i) {
                    resid[i] -= sum[static_cast<std::size_t>(groups.code[d][i])];
                }
            }
            if (change < 1e-12) {
                break;
            }
        }
        for (std::size_t d = 1; d < alpha.size(); ++d) {
            const double shift = alpha[d][0];
            for (auto& a : alpha[d]) {
                a -= shift;
            }
            for (auto& a : alpha[0]) {
                a += shift;
            }
        }
        for (std::size_t d = 0; d < alpha.size(); ++d) {
            // Report by original code; levels dropped by separation stay NaN.
            result.fe_values[d].assign(groups.map[d].size(), nan);
            for (std::size_t c = 0; c < groups.map[d].size(); ++c) {
                if (groups.map[d][c] >= 0) {
                    result.fe_values[d][c] = alpha[d][static_cast<std::size_t>(groups.map[d][c])];
                }
            }
        }
    }
    return result;
}

} // namespace tradesim::models::gravity
