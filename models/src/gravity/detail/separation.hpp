#pragma once
/// The estimation sample of a Poisson model: observations whose conditional mean has no
/// finite maximum-likelihood estimate (separation) and observations alone in a fixed-effect
/// group (singletons) are found and removed, as ppmlhdfe does (Correia, Guimaraes & Zylkin
/// 2020, 2021).

#include "tradesim/models/gravity/ppml.hpp"

#include <cstddef>
#include <vector>

namespace tradesim::models::gravity::detail {

struct PruneCounts {
    std::size_t separated = 0;  ///< in a fixed-effect group whose outcome is all zero
    std::size_t singletons = 0; ///< alone in a fixed-effect group
};

/// Removes from `rows`, until nothing changes, observations in a fixed-effect group whose
/// outcome is all zero and, when `singletons`, observations alone in a group (removing one
/// can leave another alone). Adds what it removed to `counts`.
void prune(const PpmlProblem& p, bool singletons, std::vector<std::size_t>& rows,
           PruneCounts& counts);

struct SeparationCheck {
    std::vector<std::size_t> separated; ///< positions in `rows` of separated observations
    int iterations = 0;
    bool converged = true; ///< false: the budget ran out and `separated` is empty
};

/// Separation by any combination of regressors and fixed effects, by the iterated rectified
/// least-squares certificate of Correia, Guimaraes & Zylkin (2021, "Verifying the existence
/// of maximum likelihood estimates for generalized linear models"): a linear combination z of
/// the regressors and fixed effects with z = 0 where y > 0 and z >= 0 where y = 0; the zero
/// outcomes with z > 0 are separated. `columns` are the regressors, one vector per column,
/// already restricted to `rows`.
[[nodiscard]] SeparationCheck find_separated(const PpmlProblem& p,
                                             const std::vector<std::size_t>& rows,
                                             const std::vector<std::vector<double>>& columns);

} // namespace tradesim::models::gravity::detail
