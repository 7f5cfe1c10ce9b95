#pragma once
/// The welfare decomposition of solve_ge_sectors (Caliendo & Parro 2015), integrated along
/// the path of equilibria from the baseline to the counterfactual.

#include "gravity/detail/ge_sectors_model.hpp"

#include <vector>

namespace tradesim::models::gravity::detail::sectors {

// What the decomposition needs from each equilibrium of the path.
struct Point {
    std::vector<double> lw, ehat, phi, sales, d;
    std::vector<double> lr; // ln(E^_j / Phi_jk): ln X_ijk = ln kern_ijk - theta_k ln w_i + lr_jk
};

[[nodiscard]] Point point_of(const Model& m, const Eval& ev);

// Quadrature along the path for integrals int_0^1 f dg of first-order terms: the
// equilibria sit at the Chebyshev-Lobatto points s_m = (1 - cos(pi m / M)) / 2, and
// W_mq = int_0^1 l_m(s) l_q'(s) ds over their Lagrange basis l, so that
// sum_m f_m sum_q W_mq g_q is exact when f and g are polynomials of degree M. The paths are
// smooth, so the error falls geometrically with M (far faster than Simpson's rule).
struct Quadrature {
    std::vector<double> s;
    std::vector<std::vector<double>> w;

    // sum_q W_mq g(q) for a path variable g.
    template <class Value> [[nodiscard]] double increment(int m, const Value& g) const {
        double total = 0.0;
        for (std::size_t q = 0; q < s.size(); ++q) {
            total += w[static_cast<std::size_t>(m)][q] * g(static_cast<int>(q));
        }
        return total;
    }
};

/// Nodes and weights for `steps` steps of the path (steps + 1 equilibria).
[[nodiscard]] Quadrature quadrature(int steps);

/// Welfare decomposition (Caliendo & Parro 2015, "welfare effects of tariff changes") from
/// the equilibria `path` at the nodes of `quad`; moves `kn` along the path.
[[nodiscard]] WelfareDecomposition
decompose(const Model& m, Kernel& kn, const std::vector<Point>& path, const Quadrature& quad);

} // namespace tradesim::models::gravity::detail::sectors
