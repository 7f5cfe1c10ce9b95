#pragma once
/// Fixed effects of an estimation sample and the weighted within transformation: a vector
/// minus its weighted least-squares projection on any number of fixed-effect dimensions.
/// Alternating projections (Gaure 2013) run on the fixed-effect coefficients rather than on
/// the observations, as fixest does, with Irons & Tuck (1969) acceleration: a sweep then
/// reads only the weights and the group codes, and several vectors share one pass.

#include <cstddef>
#include <cstdint>
#include <vector>

namespace tradesim::models::gravity::detail {

/// Fixed effects of the sample rows, recoded 0..G-1 in order of first appearance.
struct Groups {
    std::vector<std::vector<std::int32_t>> code; ///< per dimension, per sample row
    std::vector<std::size_t> size;               ///< levels per dimension
    std::vector<std::vector<std::int32_t>> map;  ///< per dimension: input code -> new, or -1
};

/// `fe[d][rows[r]]` recoded; `fe` codes are 0..G-1 (G may exceed the levels in `rows`).
[[nodiscard]] Groups recode(const std::vector<std::vector<std::int32_t>>& fe,
                            const std::vector<std::size_t>& rows);

/// Weighted within transformation for fixed weights; const and shareable between threads.
class Demeaner {
public:
    /// One vector to transform. `alpha` holds its fixed-effect coefficients, all dimensions
    /// one after another; it is the starting point (zeros if empty) and receives the
    /// solution, so passing it again with new weights is a warm start.
    struct Target {
        const double* in = nullptr;
        double* out = nullptr; ///< may equal `in`
        std::vector<double>* alpha = nullptr;
    };

    /// `groups` and `w` must outlive the Demeaner; every group needs positive weight.
    Demeaner(const Groups& groups, const std::vector<double>& w);

    /// Transforms every target. A target stops when a double sweep changes the fitted fixed
    /// effects of no observation by more than tol * (1 + max |in|). Returns the largest
    /// number of sweeps used, or -1 when max_sweeps were not enough for some target. Each
    /// target's arithmetic does not depend on which others share the call.
    int demean(const std::vector<Target>& targets, double tol, int max_sweeps) const;

private:
    void sweep(const std::vector<std::size_t>& active, const std::vector<const double*>& from,
               const std::vector<double*>& to, const std::vector<double*>& sums,
               const std::vector<const double*>& rhs) const;

    const Groups& groups_;
    const std::vector<double>& w_;
    std::vector<std::size_t> offset_;    // start of each dimension in a coefficient vector
    std::vector<double> inverse_weight_; // per coefficient: 1 / sum of weights in the group
    std::vector<std::vector<std::size_t>> start_; // sorted dimensions: first row of each group
};

/// Demeaner::demean over every target, the targets dealt round-robin to one task per
/// thread (a target's result does not depend on the dealing). Same return value.
int partial_out(const Demeaner& demeaner, const std::vector<Demeaner::Target>& targets, double tol,
                int max_sweeps);

} // namespace tradesim::models::gravity::detail
