#pragma once
/// Sandwich covariance of PPML estimates: heteroskedasticity-robust or clustered one or two
/// ways (Cameron, Gelbach & Miller 2011), with fixest's small-sample corrections.

#include "gravity/detail/demean.hpp"
#include "tradesim/models/gravity/ppml.hpp"

#include <Eigen/Dense>

#include <string>
#include <vector>

namespace tradesim::models::gravity::detail {

struct Sandwich {
    Eigen::MatrixXd v;
    std::string label; ///< e.g. "clustered by Origin"
    std::vector<std::size_t> cluster_sizes;
};

/// `xtwx` is the weighted cross product of the partialled-out regressors at the solution,
/// `scores` row i is x~_i (y_i - mu_i); `rows` are the sample rows of `p`, `groups` their
/// fixed effects.
[[nodiscard]] Sandwich sandwich(const PpmlProblem& p, const std::vector<std::size_t>& rows,
                                const Groups& groups, const Eigen::MatrixXd& xtwx,
                                const Eigen::MatrixXd& scores, SmallSample small_sample);

} // namespace tradesim::models::gravity::detail
