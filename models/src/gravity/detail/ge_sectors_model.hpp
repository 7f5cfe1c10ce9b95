#pragma once
/// The many-sector general-equilibrium model of solve_ge_sectors in the form its solver
/// needs: the baseline, the kernel of the flows along the path from the baseline (s = 0) to
/// the counterfactual (s = 1), and market clearing at given factory prices.

#include "tradesim/models/gravity/ge_sectors.hpp"

#include <cstddef>
#include <string>
#include <vector>

namespace tradesim::models::gravity::detail::sectors {

/// `names[i]` in quotes, or "#i+1" when it has no name; for messages.
[[nodiscard]] std::string quoted(const std::vector<std::string>& names, std::size_t i);

/// Throws sim::InputError listing every problem with `p` and `o` (ge_sectors_check.cpp).
void validate(const GeSectorsProblem& p, const GeSectorsOptions& o);

// A flow whose kernel moves along the path s = 0..1 (a tariff change or a partial effect).
struct Shock {
    std::size_t pos;    // importer-major position (j * n + i) * K + k
    double x;           // baseline flow
    double base;        // 1 + t_ijk
    double g;           // d ln kernel / ds = partial - (theta_k + 1) lr
    double lr;          // d ln(1 + t) / ds = ln((1 + t') / (1 + t))
    double partial;     // partial / theta_k: d ln b / ds over theta_k
    double final_kern;  // kernel at s = 1, computed directly
    double final_onept; // 1 + t'
};

// The baseline in the form the solver needs. Flows (in Kernel) are stored importer-major,
// (j * n + i) * K + k, so that each importer's block is contiguous.
struct Model {
    std::size_t n = 0, ns = 0;
    bool additive = true;
    bool tariffs = false; // any tariff anywhere on the path
    std::vector<double> theta;
    std::vector<double> e_k;     // E_jk
    std::vector<double> e;       // E_j
    std::vector<double> income0; // E_j - R_j = Y_j + D_j
    std::vector<double> alpha;   // E_jk / E_j
    std::vector<double> y;       // Y_i
    std::vector<double> d;       // D_j
    std::vector<double> rho0;    // R_j
    double world = 0.0;
    std::vector<Shock> shocks;            // sorted by position
    std::vector<std::size_t> shock_begin; // n + 1 offsets of each importer's shocks
    std::size_t grain = 1;                // importers per parallel block
};

// Kernel of the flows at a point s of the path: X'_ijk = kern_ijk w_i^-theta_k E^_j / Phi_jk,
// with tk_ijk = t_ijk kern_ijk its tariff part.
struct Kernel {
    std::vector<double> kern, tk;
    std::vector<double> onept; // 1 + t(s) of each shock
};

// Everything evaluated at one vector of log factory prices.
struct Eval {
    std::vector<double> lw, w, wpow; // ln w_i, w_i, w_i^-theta_k (n x K)
    std::vector<double> a, t, phi;   // sum_i kern wpow, sum_i tk wpow, P_jk^-theta_k
    std::vector<double> ihat, ehat;  // (w_j Y_j + D'_j) / (Y_j + D_j), E'_j / E_j
    std::vector<double> rho;         // tariff revenue over E^_j: R'_j = E^_j rho_j
    std::vector<double> sales;       // Y'_ik (n x K)
    std::vector<double> z;           // excess demand sum_k Y'_ik - w_i Y_i
    std::vector<double> part;        // sales by block of importers, before the merge
    double mu = 1.0;                 // world factor of multiplicative imbalances
    double excess = 0.0;             // max |z_i| / world output
    double residual = 0.0;           // || z_i / Y_i ||_2, the merit of the line search
    double relative = 0.0;           // max |z_i| / Y_i
    bool feasible = true;
    std::size_t negative = 0;
};

/// Number of fixed blocks of importers; each parallel block writes only its own buffers,
/// merged in block order, so that results do not depend on the thread count.
[[nodiscard]] inline std::size_t blocks(const Model& m) {
    return (m.n + m.grain - 1) / m.grain;
}

/// Market clearing at ev.lw: fills every other field of `ev`, and the flows
/// (exporter, importer, sector) into `flows` when it is given.
void evaluate(const Model& m, const Kernel& kn, Eval& ev, double* flows = nullptr);

/// Whether `ev` is a point the solver may step to: positive incomes, finite residual.
[[nodiscard]] bool usable(const Eval& ev);

/// The model and the kernel at s = 0, which stays the one copy of the flows.
[[nodiscard]] Model make_model(const GeSectorsProblem& p, Kernel& kn);

/// Kernel back at s = 0 (the baseline).
void reset(const Model& m, Kernel& kn);

/// Kernel at the point s of the path; exact at s = 1.
void move_to(const Model& m, double s, Kernel& kn);

/// D'_j; additive deficits stay fixed by definition (not up to rounding).
[[nodiscard]] double deficit(const Model& m, const Eval& ev, std::size_t j);

} // namespace tradesim::models::gravity::detail::sectors
