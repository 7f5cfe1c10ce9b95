#include "gravity/detail/vcov.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <limits>

namespace tradesim::models::gravity::detail {

namespace {

// Sum over clusters of the outer products of the summed scores.
Eigen::MatrixXd cluster_meat(const Eigen::MatrixXd& scores, const std::vector<std::int32_t>& id,
                             std::size_t groups) {
    Eigen::MatrixXd sums = Eigen::MatrixXd::Zero(static_cast<Eigen::Index>(groups), scores.cols());
    for (Eigen::Index i = 0; i < scores.rows(); ++i) {
        sums.row(id[static_cast<std::size_t>(i)]) += scores.row(i);
    }
    return sums.transpose() * sums;
}

// True when every level of `fe` lies within one level of `cluster`.
bool nested(const std::vector<std::int32_t>& fe, std::size_t levels,
            const std::vector<std::int32_t>& cluster) {
    std::vector<std::int32_t> owner(levels, -1);
    for (std::size_t i = 0; i < fe.size(); ++i) {
        auto& o = owner[static_cast<std::size_t>(fe[i])];
        if (o < 0) {
            o = cluster[i];
        } else if (o != cluster[i]) {
            return false;
        }
    }
    return true;
}

// Intersection of two clusterings, coded 0..G-1.
std::pair<std::vector<std::int32_t>, std::size_t> intersect(const Groups& clusters) {
    const std::size_t n = clusters.code[0].size();
    const auto g2 = static_cast<std::int64_t>(clusters.size[1]);
    std::vector<std::int64_t> keys(n);
    for (std::size_t i = 0; i < n; ++i) {
        keys[i] = clusters.code[0][i] * g2 + clusters.code[1][i];
    }
    std::vector<std::int64_t> sorted = keys;
    std::sort(sorted.begin(), sorted.end());
    sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
    std::vector<std::int32_t> both(n);
    for (std::size_t i = 0; i < n; ++i) {
        both[i] = static_cast<std::int32_t>(
            std::lower_bound(sorted.begin(), sorted.end(), keys[i]) - sorted.begin());
    }
    return {std::move(both), sorted.size()};
}

} // namespace

Sandwich sandwich(const PpmlProblem& p, const std::vector<std::size_t>& rows, const Groups& groups,
                  const Eigen::MatrixXd& xtwx, const Eigen::MatrixXd& scores,
                  SmallSample small_sample) {
    Sandwich out;
    const Eigen::Index k = xtwx.rows();
    const Eigen::MatrixXd bread = xtwx.ldlt().solve(Eigen::MatrixXd::Identity(k, k));
    const Groups clusters = recode(p.clusters, rows);
    out.cluster_sizes = clusters.size;
    const bool clustered = p.vcov == Vcov::cluster && !clusters.code.empty();

    // Parameters for the small-sample correction (fixest's ssc defaults: adj, fixed effects
    // nested in a cluster not counted, cluster adjustment G/(G-1) with the smallest G). The
    // first counted dimension carries its every level; each further one loses one.
    std::size_t fe_params = 0;
    std::size_t counted = 0;
    for (std::size_t d = 0; d < groups.size.size(); ++d) {
        bool in_cluster = false;
        for (std::size_t c = 0; clustered && c < clusters.code.size() && !in_cluster; ++c) {
            in_cluster = nested(groups.code[d], groups.size[d], clusters.code[c]);
        }
        if (!in_cluster) {
            fe_params += groups.size[d] - (counted == 0 ? 0 : 1);
            ++counted;
        }
    }
    const double big_k = static_cast<double>(k) + static_cast<double>(fe_params);
    const auto nn = static_cast<double>(rows.size());
    const double adj = small_sample == SmallSample::fixest ? (nn - 1.0) / (nn - big_k) : 1.0;
    if (!clustered) {
        const Eigen::MatrixXd meat = scores.transpose() * scores;
        out.v = bread * meat * bread * (nn / (nn - big_k));
        out.label = "heteroskedasticity-robust";
        return out;
    }
    std::size_t g_min = std::numeric_limits<std::size_t>::max();
    for (std::size_t s : clusters.size) {
        g_min = std::min(g_min, s);
    }
    const auto g = static_cast<double>(g_min);
    Eigen::MatrixXd meat = cluster_meat(scores, clusters.code[0], clusters.size[0]);
    if (clusters.code.size() == 2) {
        // Two-way: A + B - A∩B.
        const auto [both, levels] = intersect(clusters);
        meat += cluster_meat(scores, clusters.code[1], clusters.size[1]);
        meat -= cluster_meat(scores, both, levels);
        out.label =
            fmt::format("clustered by {} and {}", p.cluster_names.at(0), p.cluster_names.at(1));
    } else {
        out.label = fmt::format("clustered by {}", p.cluster_names.at(0));
    }
    out.v = bread * meat * bread * (g / (g - 1.0)) * adj;
    return out;
}

} // namespace tradesim::models::gravity::detail
