#pragma once
/// The equilibrium solver of solve_ge_sectors: Newton-Broyden steps on log factory prices,
/// and the continuation along the path from the baseline to the counterfactual.

#include "gravity/detail/ge_sectors_model.hpp"

#include <Eigen/Dense>

#include <cmath>
#include <string>
#include <vector>

namespace tradesim::models::gravity::detail::sectors {

using RowMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// The solver's state, kept from one equilibrium of the path to the next: a Jacobian formed
// at one point usually still steers the steps at the next, and costs O(n^3 K) to form.
struct Solver {
    Eigen::PartialPivLU<RowMatrix> lu; // of the last Jacobian formed, J0
    bool have_lu = false;
    // Broyden's good update of the inverse: H = J0^-1 + sum_i c_i d_i^T.
    std::vector<Eigen::VectorXd> c, d;
    Eval trial; // kept between solves: its buffers are large
    int iterations = 0;
    int jacobians = 0;

    [[nodiscard]] Eigen::VectorXd apply(const Eigen::VectorXd& v) const {
        Eigen::VectorXd r = lu.solve(v);
        for (std::size_t i = 0; i < c.size(); ++i) {
            r += c[i] * d[i].dot(v);
        }
        return r;
    }
    [[nodiscard]] Eigen::VectorXd apply_transpose(const Eigen::VectorXd& v) const {
        Eigen::VectorXd r = lu.transpose().solve(v);
        for (std::size_t i = 0; i < c.size(); ++i) {
            r += d[i] * c[i].dot(v);
        }
        return r;
    }
    // After a step s that changed the residual by y (Kelley 1995, ch. 7).
    void update(const Eigen::VectorXd& s, const Eigen::VectorXd& y) {
        const Eigen::VectorXd hy = apply(y);
        const double denominator = s.dot(hy);
        if (std::abs(denominator) > 1e-12 * s.squaredNorm()) {
            Eigen::VectorXd dn = apply_transpose(s);
            c.push_back((s - hy) / denominator);
            d.push_back(std::move(dn));
        }
    }
};

/// Why a solve failed ("" when it did not).
using Failure = std::string;

/// Throws sim::NumericalError: the solver failed, for the reason `why`.
[[noreturn]] void fail(const GeSectorsProblem& p, const std::string& why);

// Equilibria already found on the path, newest last (at most three).
struct History {
    std::vector<double> s;
    std::vector<std::vector<double>> lw;
    void push(double at, const std::vector<double>& prices) {
        if (s.size() == 3) {
            s.erase(s.begin());
            lw.erase(lw.begin());
        }
        s.push_back(at);
        lw.push_back(prices);
    }
};

/// Continuation: solves at path point `to` from the prices extrapolated (Lagrange, through
/// up to three earlier equilibria) from those already found; when that fails the step is
/// halved, down to 2^-depth of it. Leaves the equilibrium in `ev` and adds it to `h`.
[[nodiscard]] Failure reach(const GeSectorsProblem& p, const GeSectorsOptions& o, const Model& m,
                            Kernel& kn, Eval& ev, Solver& sv, History& h, double to, int depth);

} // namespace tradesim::models::gravity::detail::sectors
