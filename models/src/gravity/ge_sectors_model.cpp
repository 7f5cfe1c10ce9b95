// Baseline preparation and market clearing of solve_ge_sectors.

#include "gravity/detail/ge_sectors_model.hpp"

#include "tradesim/sim/parallel.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace tradesim::models::gravity::detail::sectors {

namespace {

// Column sums of importer j's block: A_jk = sum_i kern wpow, T_jk = sum_i tk wpow. One
// function for the baseline and every evaluation, so a zero shock reproduces E_jk bitwise.
void column_sums(const Model& m, const Kernel& kn, const std::vector<double>& wpow, std::size_t j,
                 double* a, double* t) {
    const std::size_t n = m.n, ns = m.ns;
    std::fill(a, a + ns, 0.0);
    std::fill(t, t + ns, 0.0);
    const double* kern = kn.kern.data() + j * n * ns;
    if (!m.tariffs) {
        for (std::size_t i = 0; i < n; ++i) {
            const double* wp = wpow.data() + i * ns;
            const double* kr = kern + i * ns;
            for (std::size_t k = 0; k < ns; ++k) {
                a[k] += kr[k] * wp[k];
            }
        }
        return;
    }
    const double* tk = kn.tk.data() + j * n * ns;
    for (std::size_t i = 0; i < n; ++i) {
        const double* wp = wpow.data() + i * ns;
        const double* kr = kern + i * ns;
        const double* tr = tk + i * ns;
        for (std::size_t k = 0; k < ns; ++k) {
            a[k] += kr[k] * wp[k];
            t[k] += tr[k] * wp[k];
        }
    }
}

void resize(const Model& m, Eval& ev) {
    const std::size_t n = m.n, nk = m.n * m.ns;
    for (auto* v : {&ev.w, &ev.ihat, &ev.ehat, &ev.rho, &ev.z}) {
        v->resize(n);
    }
    for (auto* v : {&ev.wpow, &ev.a, &ev.t, &ev.phi, &ev.sales}) {
        v->resize(nk);
    }
}

} // namespace

// Market clearing at ev.lw. Parallel over fixed blocks of importers; each block adds its
// importers' purchases into its own buffer of sales, merged in block order.
void evaluate(const Model& m, const Kernel& kn, Eval& ev, double* flows) {
    const std::size_t n = m.n, ns = m.ns;
    resize(m, ev);
    for (std::size_t i = 0; i < n; ++i) {
        ev.w[i] = std::exp(ev.lw[i]);
        for (std::size_t k = 0; k < ns; ++k) {
            ev.wpow[i * ns + k] = std::exp(-m.theta[k] * ev.lw[i]);
        }
    }
    if (!m.additive) {
        // mu = sum Y w / sum (Y + D) w, written so that it is exactly 1 at w = 1.
        double dw = 0.0, iw = 0.0;
        for (std::size_t j = 0; j < n; ++j) {
            dw += m.d[j] * (ev.w[j] - 1.0);
            iw += m.income0[j] * ev.w[j];
        }
        ev.mu = 1.0 - dw / iw;
    }
    for (std::size_t j = 0; j < n; ++j) {
        ev.ihat[j] = m.additive ? 1.0 + m.y[j] / m.income0[j] * (ev.w[j] - 1.0) : ev.mu * ev.w[j];
    }
    const std::size_t nb = blocks(m);
    ev.part.resize(nb * n * ns);
    sim::parallel_for(n, m.grain, [&](std::size_t begin, std::size_t end) {
        double* sales = ev.part.data() + (begin / m.grain) * n * ns;
        std::fill(sales, sales + n * ns, 0.0);
        std::vector<double> ratio(ns);
        for (std::size_t j = begin; j < end; ++j) {
            double* a = ev.a.data() + j * ns;
            double* t = ev.t.data() + j * ns;
            double* phi = ev.phi.data() + j * ns;
            column_sums(m, kn, ev.wpow, j, a, t);
            double rho = 0.0;
            for (std::size_t k = 0; k < ns; ++k) {
                const double ejk = m.e_k[j * ns + k];
                phi[k] = ejk > 0.0 ? (a[k] + t[k]) / ejk : 1.0;
                rho += t[k] / phi[k];
            }
            // E'_j = I'_j + R'_j, R'_j = E^_j rho_j: the importer spends the tariff revenue
            // that its own spending raises (Caliendo & Parro 2015).
            ev.rho[j] = rho;
            ev.ehat[j] = ev.ihat[j] * m.income0[j] / (m.e[j] - rho);
            for (std::size_t k = 0; k < ns; ++k) {
                ratio[k] = ev.ehat[j] / phi[k];
            }
            // Sales of i: w_i^-theta_k sum_j kern_ijk E^_j / Phi_jk, the factor applied after
            // the merge.
            const double* kern = kn.kern.data() + j * n * ns;
            for (std::size_t i = 0; i < n; ++i) {
                const double* kr = kern + i * ns;
                double* s = sales + i * ns;
                for (std::size_t k = 0; k < ns; ++k) {
                    s[k] += kr[k] * ratio[k];
                }
            }
            if (flows != nullptr) {
                for (std::size_t i = 0; i < n; ++i) {
                    const double* wp = ev.wpow.data() + i * ns;
                    const double* kr = kern + i * ns;
                    double* x = flows + (i * n + j) * ns;
                    for (std::size_t k = 0; k < ns; ++k) {
                        x[k] = kr[k] * wp[k] * ratio[k];
                    }
                }
            }
        }
    });
    std::fill(ev.sales.begin(), ev.sales.end(), 0.0);
    for (std::size_t b = 0; b < nb; ++b) {
        const double* p = ev.part.data() + b * n * ns;
        for (std::size_t c = 0; c < n * ns; ++c) {
            ev.sales[c] += p[c];
        }
    }
    for (std::size_t c = 0; c < n * ns; ++c) {
        ev.sales[c] *= ev.wpow[c];
    }
    ev.feasible = true;
    double largest = 0.0, squares = 0.0, relative = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
        if (!(ev.ihat[i] > 0.0) && ev.feasible) {
            ev.feasible = false;
            ev.negative = i;
        }
        double sold = 0.0;
        for (std::size_t k = 0; k < ns; ++k) {
            sold += ev.sales[i * ns + k];
        }
        ev.z[i] = sold - ev.w[i] * m.y[i];
        largest = std::max(largest, std::abs(ev.z[i]));
        squares += (ev.z[i] / m.y[i]) * (ev.z[i] / m.y[i]);
        relative = std::max(relative, std::abs(ev.z[i]) / m.y[i]);
        if (!std::isfinite(ev.z[i])) {
            largest = squares = relative = std::numeric_limits<double>::infinity();
        }
    }
    ev.excess = largest / m.world;
    ev.relative = relative;
    ev.residual = std::sqrt(squares);
}

bool usable(const Eval& ev) {
    return ev.feasible && std::isfinite(ev.residual);
}

// The model and the kernel at s = 0, which stays the one copy of the flows.
Model make_model(const GeSectorsProblem& p, Kernel& kn) {
    Model m;
    const std::size_t n = p.countries.size(), ns = p.sectors.size();
    m.n = n;
    m.ns = ns;
    m.additive = p.imbalances == Imbalances::additive;
    m.theta = p.theta;
    const std::vector<double>& t0 = p.tariffs;
    const std::vector<double>& t1 = p.new_tariffs.empty() ? p.tariffs : p.new_tariffs;
    const auto nonzero = [](const std::vector<double>& v) {
        return std::any_of(v.begin(), v.end(), [](double x) { return x != 0.0; });
    };
    m.tariffs = nonzero(t0) || nonzero(t1);
    m.grain = std::max<std::size_t>(1, (n + 31) / 32);
    const std::size_t count = n * n * ns;
    kn.kern.resize(count);
    if (m.tariffs) {
        kn.tk.resize(count);
    }
    // Each importer's flows and shocks in parallel; the shocks are joined in importer order.
    std::vector<std::vector<Shock>> shocks(n);
    sim::parallel_for(n, m.grain, [&](std::size_t begin, std::size_t end) {
        for (std::size_t j = begin; j < end; ++j) {
            for (std::size_t i = 0; i < n; ++i) {
                for (std::size_t k = 0; k < ns; ++k) {
                    const std::size_t f = (i * n + j) * ns + k;
                    const std::size_t pos = (j * n + i) * ns + k;
                    const double x = p.flows[f];
                    const double before = t0.empty() ? 0.0 : t0[f];
                    const double after = t1.empty() ? 0.0 : t1[f];
                    kn.kern[pos] = x;
                    if (m.tariffs) {
                        kn.tk[pos] = x * ((1.0 + before) - 1.0);
                    }
                    const double partial = p.partial.empty() ? 0.0 : p.partial[f];
                    // Hat algebra: a zero flow stays zero, whatever the shock.
                    if (x > 0.0 && (partial != 0.0 || after != before)) {
                        Shock s{};
                        s.pos = pos;
                        s.x = x;
                        s.base = 1.0 + before;
                        s.lr = std::log((1.0 + after) / (1.0 + before));
                        s.g = partial - (p.theta[k] + 1.0) * s.lr;
                        s.partial = partial / p.theta[k];
                        s.final_kern = x * std::exp(s.g);
                        s.final_onept = 1.0 + after;
                        shocks[j].push_back(s);
                    }
                }
            }
        }
    });
    m.shock_begin.assign(n + 1, 0);
    for (std::size_t j = 0; j < n; ++j) {
        m.shock_begin[j] = m.shocks.size();
        m.shocks.insert(m.shocks.end(), shocks[j].begin(), shocks[j].end());
    }
    m.shock_begin[n] = m.shocks.size();
    kn.onept.resize(m.shocks.size());
    for (std::size_t q = 0; q < m.shocks.size(); ++q) {
        kn.onept[q] = m.shocks[q].base;
    }

    // Baseline sums by the same code as every evaluation (see column_sums).
    m.e_k.resize(n * ns);
    m.e.resize(n);
    m.income0.resize(n);
    m.alpha.resize(n * ns);
    const std::vector<double> ones(n * ns, 1.0);
    std::vector<double> a(ns), t(ns);
    for (std::size_t j = 0; j < n; ++j) {
        column_sums(m, kn, ones, j, a.data(), t.data());
        double e = 0.0, rho = 0.0;
        for (std::size_t k = 0; k < ns; ++k) {
            m.e_k[j * ns + k] = a[k] + t[k];
            e += a[k] + t[k];
        }
        for (std::size_t k = 0; k < ns; ++k) {
            const double ejk = m.e_k[j * ns + k];
            const double phi = ejk > 0.0 ? (a[k] + t[k]) / ejk : 1.0;
            rho += t[k] / phi;
            m.alpha[j * ns + k] = ejk / e;
        }
        m.e[j] = e;
        m.rho0.push_back(rho);
        m.income0[j] = e - rho;
    }
    // Output as the evaluation sums it, so that the baseline clears to the last bit.
    m.y.assign(n, 0.0);
    m.d.assign(n, 0.0);
    Eval ev;
    ev.lw.assign(n, 0.0);
    evaluate(m, kn, ev);
    for (std::size_t i = 0; i < n; ++i) {
        double y = 0.0;
        for (std::size_t k = 0; k < ns; ++k) {
            y += ev.sales[i * ns + k];
        }
        m.y[i] = y;
        m.d[i] = m.income0[i] - y;
        m.world += y;
    }
    return m;
}

// Kernel back at s = 0 (the baseline): only shocked flows ever change.
void reset(const Model& m, Kernel& kn) {
    for (std::size_t q = 0; q < m.shocks.size(); ++q) {
        const Shock& sh = m.shocks[q];
        kn.kern[sh.pos] = sh.x;
        kn.onept[q] = sh.base;
        if (m.tariffs) {
            kn.tk[sh.pos] = sh.x * (sh.base - 1.0);
        }
    }
}

// Kernel at the point s of the path; exact at s = 1.
void move_to(const Model& m, double s, Kernel& kn) {
    sim::parallel_for(m.n, m.grain, [&](std::size_t begin, std::size_t end) {
        for (std::size_t q = m.shock_begin[begin]; q < m.shock_begin[end]; ++q) {
            const Shock& sh = m.shocks[q];
            const double kern = s == 1.0 ? sh.final_kern : sh.x * std::exp(s * sh.g);
            const double onept = s == 1.0 ? sh.final_onept : sh.base * std::exp(s * sh.lr);
            kn.kern[sh.pos] = kern;
            kn.onept[q] = onept;
            if (m.tariffs) {
                kn.tk[sh.pos] = kern * (onept - 1.0);
            }
        }
    });
}

double deficit(const Model& m, const Eval& ev, std::size_t j) {
    return m.additive ? m.d[j] : ev.ihat[j] * m.income0[j] - ev.w[j] * m.y[j];
}

} // namespace tradesim::models::gravity::detail::sectors
