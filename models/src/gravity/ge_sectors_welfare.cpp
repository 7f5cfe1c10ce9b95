// Welfare decomposition of solve_ge_sectors along the path of equilibria.

#include "gravity/detail/ge_sectors_welfare.hpp"

#include "tradesim/sim/parallel.hpp"

#include <cmath>

namespace tradesim::models::gravity::detail::sectors {

Point point_of(const Model& m, const Eval& ev) {
    Point pt{ev.lw, ev.ehat, ev.phi, ev.sales, std::vector<double>(m.n), ev.phi};
    for (std::size_t j = 0; j < m.n; ++j) {
        pt.d[j] = deficit(m, ev, j);
        for (std::size_t k = 0; k < m.ns; ++k) {
            pt.lr[j * m.ns + k] = std::log(ev.ehat[j] / ev.phi[j * m.ns + k]);
        }
    }
    return pt;
}

namespace {

// Gauss-Legendre points and weights on [0, 1] (Newton's method on the Legendre polynomial).
void gauss_legendre(std::size_t size, std::vector<double>& x, std::vector<double>& weight) {
    const double pi = std::acos(-1.0);
    const auto order = static_cast<double>(size);
    x.assign(size, 0.0);
    weight.assign(size, 0.0);
    for (std::size_t g = 0; g < size; ++g) {
        double z = std::cos(pi * (static_cast<double>(g) + 0.75) / (order + 0.5));
        double slope = 1.0;
        for (int iteration = 0; iteration < 100; ++iteration) {
            double before = 1.0, value = z; // P_0 and P_1, raised to P_{size-1} and P_size
            for (std::size_t d = 2; d <= size; ++d) {
                const auto dd = static_cast<double>(d);
                const double next = ((2.0 * dd - 1.0) * z * value - (dd - 1.0) * before) / dd;
                before = value;
                value = next;
            }
            slope = order * (z * value - before) / (z * z - 1.0);
            const double dz = value / slope;
            z -= dz;
            if (std::abs(dz) < 1e-15) {
                break;
            }
        }
        x[g] = 0.5 * (1.0 - z);
        weight[g] = 1.0 / ((1.0 - z * z) * slope * slope);
    }
}

} // namespace

Quadrature quadrature(int steps) {
    Quadrature q;
    const auto size = static_cast<std::size_t>(steps) + 1;
    const double pi = std::acos(-1.0);
    for (std::size_t m = 0; m < size; ++m) {
        q.s.push_back(0.5 * (1.0 - std::cos(pi * static_cast<double>(m) / steps)));
    }
    q.s.back() = 1.0; // exactly the counterfactual
    // The integrand l_m l_q' has degree 2M - 1: M + 1 Gauss points integrate it exactly.
    std::vector<double> x, weight;
    gauss_legendre(size, x, weight);
    std::vector<double> basis(size * size), slope(size * size); // [node][point]
    for (std::size_t m = 0; m < size; ++m) {
        for (std::size_t g = 0; g < size; ++g) {
            double value = 1.0, derivative = 0.0;
            for (std::size_t r = 0; r < size; ++r) {
                if (r == m) {
                    continue;
                }
                const double factor = (x[g] - q.s[r]) / (q.s[m] - q.s[r]);
                derivative = derivative * factor + value / (q.s[m] - q.s[r]);
                value *= factor;
            }
            basis[m * size + g] = value;
            slope[m * size + g] = derivative;
        }
    }
    q.w.assign(size, std::vector<double>(size, 0.0));
    for (std::size_t m = 0; m < size; ++m) {
        for (std::size_t r = 0; r < size; ++r) {
            for (std::size_t g = 0; g < size; ++g) {
                q.w[m][r] += weight[g] * basis[m * size + g] * slope[r * size + g];
            }
        }
    }
    return q;
}

// Welfare decomposition (Caliendo & Parro 2015, "welfare effects of tariff changes"), integrated
// along the path.
WelfareDecomposition decompose(const Model& m, Kernel& kn, const std::vector<Point>& path,
                               const Quadrature& quad) {
    const std::size_t n = m.n, ns = m.ns;
    const int steps = static_cast<int>(path.size()) - 1;
    WelfareDecomposition out;
    out.steps = steps;
    out.terms_of_trade_by_sector.assign(n * ns, 0.0);
    out.volume_of_trade_by_sector.assign(n * ns, 0.0);
    out.nontariff_cost.assign(n, 0.0);
    out.deficit.assign(n, 0.0);
    reset(m, kn);
    std::vector<double> wpow(n * ns), dlw(n), dlr(n * ns), theta1(ns);
    for (std::size_t k = 0; k < ns; ++k) {
        theta1[k] = m.theta[k] + 1.0; // d ln X - d ln w = ... - (theta_k + 1) d ln w
    }
    for (int pm = 0; pm <= steps; ++pm) {
        const Point& pt = path[static_cast<std::size_t>(pm)];
        if (pm > 0) {
            move_to(m, quad.s[static_cast<std::size_t>(pm)], kn);
        }
        const double ds =
            quad.increment(pm, [&](int q) { return quad.s[static_cast<std::size_t>(q)]; });
        for (std::size_t i = 0; i < n; ++i) {
            dlw[i] =
                quad.increment(pm, [&](int q) { return path[static_cast<std::size_t>(q)].lw[i]; });
            for (std::size_t k = 0; k < ns; ++k) {
                wpow[i * ns + k] = std::exp(-m.theta[k] * pt.lw[i]);
                // ln X_ijk = ln kern_ijk - theta_k ln w_i + ln(E^_j / Phi_jk).
                dlr[i * ns + k] = quad.increment(
                    pm, [&](int q) { return path[static_cast<std::size_t>(q)].lr[i * ns + k]; });
            }
        }
        sim::parallel_for(n, m.grain, [&](std::size_t begin, std::size_t end) {
            std::vector<double> ratio(ns), tot(ns), vot(ns);
            for (std::size_t j = begin; j < end; ++j) {
                const double inv_e = 1.0 / (pt.ehat[j] * m.e[j]);
                for (std::size_t k = 0; k < ns; ++k) {
                    ratio[k] = pt.ehat[j] / pt.phi[j * ns + k] * inv_e;
                    // Exports of j (its sales less its domestic sales, which the loop below
                    // takes off) raise its income as its price rises.
                    tot[k] = pt.sales[j * ns + k] * inv_e * dlw[j];
                    vot[k] = 0.0;
                }
                const double* kern = kn.kern.data() + j * n * ns;
                for (std::size_t i = 0; i < n; ++i) {
                    const double* kr = kern + i * ns;
                    const double* wp = wpow.data() + i * ns;
                    const double di = dlw[i];
                    for (std::size_t k = 0; k < ns; ++k) {
                        tot[k] -= kr[k] * wp[k] * ratio[k] * di; // X_ijk / E_j d ln w_i
                    }
                }
                if (m.tariffs) {
                    const double* tk = kn.tk.data() + j * n * ns;
                    const double* dr = dlr.data() + j * ns;
                    for (std::size_t i = 0; i < n; ++i) {
                        const double* tr = tk + i * ns;
                        const double* wp = wpow.data() + i * ns;
                        const double di = dlw[i];
                        for (std::size_t k = 0; k < ns; ++k) {
                            vot[k] += tr[k] * wp[k] * ratio[k] * (dr[k] - theta1[k] * di);
                        }
                    }
                }
                for (std::size_t q = m.shock_begin[j]; q < m.shock_begin[j + 1]; ++q) {
                    const Shock& sh = m.shocks[q];
                    const std::size_t c = sh.pos - j * n * ns;
                    const std::size_t k = c % ns;
                    const double x = kn.kern[sh.pos] * wpow[c] * ratio[k];
                    const double onept = kn.onept[q];
                    vot[k] += (onept - 1.0) * x * sh.g * ds;
                    out.nontariff_cost[j] += onept * x * sh.partial * ds;
                }
                for (std::size_t k = 0; k < ns; ++k) {
                    out.terms_of_trade_by_sector[j * ns + k] += tot[k];
                    out.volume_of_trade_by_sector[j * ns + k] += vot[k];
                }
                if (!m.additive) {
                    out.deficit[j] += inv_e * quad.increment(pm, [&](int q) {
                        return path[static_cast<std::size_t>(q)].d[j];
                    });
                }
            }
        });
    }
    out.terms_of_trade.assign(n, 0.0);
    out.volume_of_trade.assign(n, 0.0);
    for (std::size_t j = 0; j < n; ++j) {
        for (std::size_t k = 0; k < ns; ++k) {
            out.terms_of_trade[j] += out.terms_of_trade_by_sector[j * ns + k];
            out.volume_of_trade[j] += out.volume_of_trade_by_sector[j * ns + k];
        }
    }
    return out;
}

} // namespace tradesim::models::gravity::detail::sectors
