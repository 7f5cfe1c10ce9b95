#include "tradesim/models/gravity/ge_sectors.hpp"

#include "tradesim/sim/error.hpp"
#include "tradesim/sim/parallel.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <limits>

#include <Eigen/Dense>

namespace tradesim::models::gravity {

namespace {

// Bad values listed one by one before the rest is only counted.
constexpr std::size_t max_listed = 20;

using RowMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using RowMatrixF = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

std::string quoted(const std::vector<std::string>& names, std::size_t i) {
    return i < names.size() && !names[i].empty() ? fmt::format("\"{}\"", names[i])
                                                 : fmt::format("#{}", i + 1);
}

class Problems {
public:
    explicit Problems(std::string source) : source_(std::move(source)) {}
    void add(const std::string& message) {
        lines_.push_back(fmt::format("{}: error: {}", source_, message));
    }
    // Problems about single flows: the first max_listed are listed, the rest counted.
    void add_flow(const std::string& message) {
        if (flow_problems_++ < max_listed) {
            add(message);
        }
    }
    void raise() {
        if (flow_problems_ > max_listed) {
            add(fmt::format("... and {} more bad flows, tariffs or partial effects",
                            flow_problems_ - max_listed));
        }
        if (!lines_.empty()) {
            throw sim::InputError(fmt::format("{}", fmt::join(lines_, "\n")));
        }
    }

private:
    std::string source_;
    std::vector<std::string> lines_;
    std::size_t flow_problems_ = 0;
};

void check_unique(const std::vector<std::string>& names, const char* what, Problems& problems) {
    for (std::size_t i = 0; i < names.size(); ++i) {
        for (std::size_t k = 0; k < i; ++k) {
            if (names[k] == names[i]) {
                problems.add(fmt::format("{} {} is listed twice (positions {} and {})", what,
                                         quoted(names, i), k + 1, i + 1));
                break;
            }
        }
    }
}

void validate(const GeSectorsProblem& p, const GeSectorsOptions& o) {
    Problems problems(p.source.empty() ? "ge" : p.source);
    const std::size_t n = p.countries.size();
    const std::size_t ns = p.sectors.size();
    if (n == 0) {
        problems.add("no countries");
    }
    if (ns == 0) {
        problems.add("no sectors");
    }
    check_unique(p.countries, "country", problems);
    check_unique(p.sectors, "sector", problems);
    if (o.decomposition_steps < 0) {
        problems.add(
            fmt::format("decomposition_steps must be >= 0 (got {})", o.decomposition_steps));
    }
    const std::size_t count = n * n * ns;
    const auto fits = [&](const std::vector<double>& v, const char* what, bool optional) {
        if (v.size() == count || (optional && v.empty())) {
            return true;
        }
        problems.add(fmt::format("{} {} for {} countries and {} sectors; expected n x n x K = {}"
                                 "{} (exporter, importer, sector)",
                                 v.size(), what, n, ns, count, optional ? " or none" : ""));
        return false;
    };
    const bool flows_fit = fits(p.flows, "flows", false);
    const bool tariffs_fit = fits(p.tariffs, "baseline tariffs", true);
    const bool new_fit = fits(p.new_tariffs, "counterfactual tariffs", true);
    const bool partial_fits = fits(p.partial, "partial effects", true);
    if (p.theta.size() != ns) {
        problems.add(fmt::format("{} trade elasticities for {} sectors; expected one per sector",
                                 p.theta.size(), ns));
    } else {
        for (std::size_t k = 0; k < ns; ++k) {
            if (!(p.theta[k] > 0.0 && std::isfinite(p.theta[k]))) {
                problems.add(fmt::format("the trade elasticity theta of sector {} is {}; it must "
                                         "be positive and finite",
                                         quoted(p.sectors, k), p.theta[k]));
            }
        }
    }
    const auto pair = [&](std::size_t f) {
        const std::size_t k = f % ns;
        const std::size_t j = (f / ns) % n;
        const std::size_t i = f / ns / n;
        return fmt::format("{} -> {} in sector {}", quoted(p.countries, i), quoted(p.countries, j),
                           quoted(p.sectors, k));
    };
    const auto check_tariffs = [&](const std::vector<double>& t, bool ok, const char* what) {
        if (!ok) {
            return;
        }
        for (std::size_t f = 0; f < t.size(); ++f) {
            if (!(t[f] > -1.0 && std::isfinite(t[f]))) {
                problems.add_flow(fmt::format("{} tariff on {} is {}; ad valorem tariffs must be "
                                              "finite and > -1",
                                              what, pair(f), t[f]));
            }
        }
    };
    check_tariffs(p.tariffs, tariffs_fit, "the baseline");
    check_tariffs(p.new_tariffs, new_fit, "the counterfactual");
    if (partial_fits) {
        for (std::size_t f = 0; f < p.partial.size(); ++f) {
            if (!std::isfinite(p.partial[f])) {
                problems.add_flow(fmt::format("the partial effect on {} is {}; it must be finite",
                                              pair(f), p.partial[f]));
            }
        }
    }
    if (flows_fit && n > 0 && ns > 0) {
        std::vector<double> output(n * ns, 0.0), spending(n * ns, 0.0);
        std::vector<unsigned char> row_bad(n, 0), column_bad(n, 0);
        for (std::size_t i = 0; i < n; ++i) {
            for (std::size_t j = 0; j < n; ++j) {
                const double* x = p.flows.data() + (i * n + j) * ns;
                for (std::size_t k = 0; k < ns; ++k) {
                    if (!(x[k] >= 0.0 && std::isfinite(x[k]))) {
                        problems.add_flow(
                            fmt::format("the flow {} is {}; flows must be finite and >= 0",
                                        pair((i * n + j) * ns + k), x[k]));
                        row_bad[i] = 1;
                        column_bad[j] = 1;
                    } else {
                        output[i * ns + k] += x[k];
                        spending[j * ns + k] += x[k];
                    }
                }
            }
        }
        for (std::size_t c = 0; c < n; ++c) {
            double out = 0.0, spend = 0.0, home = 0.0;
            std::vector<std::size_t> missing;
            for (std::size_t k = 0; k < ns; ++k) {
                out += output[c * ns + k];
                spend += spending[c * ns + k];
                const double x = p.flows[(c * n + c) * ns + k];
                home += x > 0.0 ? x : 0.0;
                // Data without domestic sales (e.g. trade statistics alone) shows up as a
                // zero domestic flow in a sector the country both makes and buys.
                if (x == 0.0 && output[c * ns + k] > 0.0 && spending[c * ns + k] > 0.0) {
                    missing.push_back(k);
                }
            }
            if (!row_bad[c] && out == 0.0) {
                problems.add(fmt::format("country {} has zero output: all its flows, domestic "
                                         "included, are 0",
                                         quoted(p.countries, c)));
            }
            if (!column_bad[c] && spend == 0.0) {
                problems.add(fmt::format("country {} has zero expenditure: all flows into it, "
                                         "domestic included, are 0",
                                         quoted(p.countries, c)));
            }
            if (!row_bad[c] && out > 0.0 && home == 0.0) {
                problems.add(fmt::format("country {} has no domestic flows in any sector; the "
                                         "model needs domestic sales (output minus exports)",
                                         quoted(p.countries, c)));
            } else if (!row_bad[c] && !column_bad[c]) {
                for (std::size_t k : missing) {
                    problems.add(fmt::format(
                        "country {} makes and buys goods of sector {} but its domestic flow is "
                        "0; the model needs domestic sales (output minus exports)",
                        quoted(p.countries, c), quoted(p.sectors, k)));
                }
            }
        }
    }
    problems.raise();
}

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

std::size_t blocks(const Model& m) {
    return (m.n + m.grain - 1) / m.grain;
}

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

// Market clearing at ev.lw. Parallel over fixed blocks of importers; each block adds its
// importers' purchases into its own buffer of sales, merged in block order.
void evaluate(const Model& m, const Kernel& kn, Eval& ev, double* flows = nullptr) {
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

// Newton's method on x = ln w. Equations: relative excess demand z_i / Y_i of every country
// but the last (Walras' law makes it redundant) and the numeraire sum_i w_i Y_i = sum_i Y_i.
// The Jacobian is analytic; its main part, sum_jk theta_k X_ijk s_ljk, is a product of two
// n x nK matrices, formed per fixed block of importers and added in block order.
RowMatrix jacobian(const Model& m, const Kernel& kn, const Eval& ev) {
    const std::size_t n = m.n, ns = m.ns;
    const auto ni = static_cast<Eigen::Index>(n);
    const std::size_t nb = blocks(m);
    std::vector<RowMatrixF> cross(nb);
    std::vector<std::vector<double>> theta_sales(nb);
    RowMatrix st(ni, ni); // S_ij = sum_k X_ijk, stored transposed (row = importer j)
    RowMatrix q = RowMatrix::Zero(ni, ni); // d rho_j / d x_l (row = importer j)
    sim::parallel_for(n, m.grain, [&](std::size_t begin, std::size_t end) {
        const std::size_t b = begin / m.grain;
        const std::size_t width = (end - begin) * ns;
        // Single precision halves the cost of the product; the Jacobian only steers the
        // steps, and residuals stay in double, so the solution keeps its precision. Rows
        // are scaled by 1 / Y_i, as the equations are, which also keeps them in range.
        RowMatrixF px(ni, static_cast<Eigen::Index>(width)); // theta_k X_ijk / Y_i
        RowMatrixF ps(ni, static_cast<Eigen::Index>(width)); // expenditure shares s_ljk
        std::vector<double>& ts = theta_sales[b];
        ts.assign(n, 0.0);
        std::vector<double> ratio(ns), inv(ns);
        for (std::size_t j = begin; j < end; ++j) {
            const std::size_t col = (j - begin) * ns;
            for (std::size_t k = 0; k < ns; ++k) {
                const double phi = ev.phi[j * ns + k];
                ratio[k] = ev.ehat[j] / phi;
                const double total = ev.a[j * ns + k] + ev.t[j * ns + k];
                inv[k] = total > 0.0 ? 1.0 / total : 0.0;
            }
            const double* kern = kn.kern.data() + j * n * ns;
            const double* tk = m.tariffs ? kn.tk.data() + j * n * ns : nullptr;
            for (std::size_t i = 0; i < n; ++i) {
                const auto r = static_cast<Eigen::Index>(i);
                const double scale = 1.0 / m.y[i];
                double sum = 0.0, weighted = 0.0, dq = 0.0;
                for (std::size_t k = 0; k < ns; ++k) {
                    const std::size_t c = i * ns + k;
                    const double x = kern[c] * ev.wpow[c] * ratio[k];
                    const double tx = tk != nullptr ? tk[c] * ev.wpow[c] : 0.0;
                    const double share = (kern[c] * ev.wpow[c] + tx) * inv[k];
                    px(r, static_cast<Eigen::Index>(col + k)) =
                        static_cast<float>(m.theta[k] * x * scale);
                    ps(r, static_cast<Eigen::Index>(col + k)) = static_cast<float>(share);
                    sum += x;
                    weighted += m.theta[k] * x;
                    if (tk != nullptr) {
                        // d rho_j / d x_i = -sum_k theta_k (v_ijk - (T_jk / Phi_jk) s_ijk),
                        // v_ijk = tk w^-theta / Phi_jk: revenue shifts as sourcing does.
                        const double phi = ev.phi[j * ns + k];
                        dq -= m.theta[k] * (tx / phi - ev.t[j * ns + k] / phi * share);
                    }
                }
                st(static_cast<Eigen::Index>(j), r) = sum;
                ts[i] += weighted;
                if (tk != nullptr) {
                    q(static_cast<Eigen::Index>(j), r) = dq;
                }
            }
        }
        cross[b].noalias() = px * ps.transpose();
    });
    RowMatrix jac = cross[0].cast<double>();
    std::vector<double> theta_sum = theta_sales[0];
    for (std::size_t b = 1; b < nb; ++b) {
        jac += cross[b].cast<double>();
        for (std::size_t i = 0; i < n; ++i) {
            theta_sum[i] += theta_sales[b][i];
        }
    }
    // d ln E'_j / d x_l = delta_jl c_j + mu_l + h_j q_jl.
    Eigen::VectorXd own(ni), world_term = Eigen::VectorXd::Zero(ni), h(ni), sales(ni);
    double yw = 0.0, iw = 0.0;
    for (std::size_t j = 0; j < n; ++j) {
        yw += m.y[j] * ev.w[j];
        iw += m.income0[j] * ev.w[j];
    }
    for (std::size_t j = 0; j < n; ++j) {
        const auto r = static_cast<Eigen::Index>(j);
        own[r] = m.additive ? m.y[j] * ev.w[j] / (m.income0[j] * ev.ihat[j]) : 1.0;
        if (!m.additive) {
            world_term[r] = m.y[j] * ev.w[j] / yw - m.income0[j] * ev.w[j] / iw;
        }
        h[r] = 1.0 / (m.e[j] - ev.rho[j]);
        sales[r] = ev.z[j] + ev.w[j] * m.y[j];
    }
    const auto s = st.transpose();
    RowMatrix rest = s * own.asDiagonal();
    rest += sales * world_term.transpose();
    if (m.tariffs) {
        rest += (s * h.asDiagonal()) * q;
    }
    for (std::size_t i = 0; i < n; ++i) {
        const auto r = static_cast<Eigen::Index>(i);
        rest(r, r) -= theta_sum[i] + ev.w[i] * m.y[i];
        jac.row(r) += rest.row(r) / m.y[i];
    }
    for (std::size_t l = 0; l < n; ++l) {
        jac(ni - 1, static_cast<Eigen::Index>(l)) = ev.w[l] * m.y[l] / m.world;
    }
    return jac;
}

// Shifts ln w so that world output is unchanged (the numeraire).
void normalise(const Model& m, std::vector<double>& lw) {
    double total = 0.0;
    for (std::size_t i = 0; i < m.n; ++i) {
        total += m.y[i] * std::exp(lw[i]);
    }
    const double shift = std::log(m.world / total);
    for (double& v : lw) {
        v += shift;
    }
}

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

[[noreturn]] void fail(const GeSectorsProblem& p, const std::string& why) {
    throw sim::NumericalError(fmt::format("{}: the many-sector general-equilibrium solver {}",
                                          p.source.empty() ? "ge" : p.source, why));
}

Eigen::VectorXd residual(const Model& m, const Eval& ev) {
    const auto ni = static_cast<Eigen::Index>(m.n);
    Eigen::VectorXd f(ni);
    for (std::size_t i = 0; i + 1 < m.n; ++i) {
        f[static_cast<Eigen::Index>(i)] = ev.z[i] / m.y[i];
    }
    f[ni - 1] = 0.0; // the numeraire holds after every step (normalise)
    return f;
}

// Why a solve failed ("" when it did not).
using Failure = std::string;

Failure infeasible(const GeSectorsProblem& p, const Model& m, const Eval& ev) {
    const std::size_t j = ev.negative;
    return fmt::format("found no prices at which country {} keeps its fixed trade deficit of "
                       "{:.6g} (in the units of the flows; negative = surplus) and positive "
                       "spending; consider multiplicative imbalances",
                       quoted(p.countries, j), m.d[j]);
}

// Inner equilibria of the path only enter the welfare decomposition, whose integration
// error is far larger than that of prices solved to this relative excess demand.
constexpr double path_tolerance = 1e-9;

// Solves the equilibrium for kernel `kn` from the prices in `cur`: quasi-Newton steps from
// the last Jacobian formed, improved by Broyden's updates, so that a Jacobian (O(n^3 K))
// is formed only when the steps stop cutting the residual at least in half, or fail. Inner
// points of the path stop once every country's excess demand is within path_tolerance.
Failure solve(const GeSectorsProblem& p, const GeSectorsOptions& o, const Model& m,
              const Kernel& kn, Eval& cur, Solver& sv, bool inner) {
    const std::size_t n = m.n;
    evaluate(m, kn, cur);
    int steps = 0;
    bool fresh = false;
    Eval& trial = sv.trial;
    Eigen::VectorXd f = residual(m, cur);
    while (!(cur.excess <= o.tolerance || (inner && cur.relative <= path_tolerance))) {
        if (!usable(cur)) {
            return cur.feasible ? "started from prices with no equilibrium nearby"
                                : infeasible(p, m, cur);
        }
        if (steps >= o.max_iterations) {
            sv.iterations += steps;
            return fmt::format("did not converge in {} steps: the largest excess demand is "
                               "{:.3g} of world output (tolerance {:.3g})",
                               steps, cur.excess, o.tolerance);
        }
        ++steps;
        if (!sv.have_lu) {
            sv.lu.compute(jacobian(m, kn, cur));
            sv.c.clear();
            sv.d.clear();
            sv.have_lu = true;
            ++sv.jacobians;
            fresh = true;
        }
        const Eigen::VectorXd dx = sv.apply(-f);
        bool accepted = false;
        double t = 1.0;
        for (int halving = 0; halving < 30 && !accepted; ++halving, t *= 0.5) {
            trial.lw = cur.lw;
            for (std::size_t i = 0; i < n; ++i) {
                trial.lw[i] += t * std::clamp(dx[static_cast<Eigen::Index>(i)], -1.0, 1.0);
            }
            normalise(m, trial.lw);
            evaluate(m, kn, trial);
            accepted = usable(trial) && trial.residual < cur.residual;
            if (!accepted && !fresh) {
                break; // an outdated Jacobian: form it here before shortening steps
            }
        }
        if (!accepted) {
            if (!fresh) {
                sv.have_lu = false;
                continue;
            }
            sv.have_lu = false;
            sv.iterations += steps;
            if (!trial.feasible) {
                return infeasible(p, m, trial);
            }
            return fmt::format("stalled at an excess demand of {:.3g} of world output "
                               "(tolerance {:.3g})",
                               cur.excess, o.tolerance);
        }
        // Many updates also call for a fresh Jacobian: each one costs O(n) per step.
        const bool slow = trial.residual > 0.5 * cur.residual || sv.c.size() >= 64;
        Eigen::VectorXd step(static_cast<Eigen::Index>(n));
        for (std::size_t i = 0; i < n; ++i) {
            step[static_cast<Eigen::Index>(i)] = trial.lw[i] - cur.lw[i];
        }
        const Eigen::VectorXd f_trial = residual(m, trial);
        sv.update(step, f_trial - f);
        f = f_trial;
        std::swap(cur, trial);
        fresh = false;
        if (slow) {
            sv.have_lu = false;
        }
    }
    sv.iterations += steps;
    return {};
}

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

// Continuation: solves at path point `to` from the prices extrapolated (Lagrange, through
// up to three earlier equilibria) from those already found; when that fails the step is
// halved, down to 2^-depth of it.
Failure reach(const GeSectorsProblem& p, const GeSectorsOptions& o, const Model& m, Kernel& kn,
              Eval& ev, Solver& sv, History& h, double to, int depth) {
    move_to(m, to, kn);
    const std::size_t q = h.s.size();
    for (std::size_t i = 0; i < m.n; ++i) {
        double value = 0.0;
        for (std::size_t a = 0; a < q; ++a) {
            double weight = 1.0;
            for (std::size_t b = 0; b < q; ++b) {
                if (b != a) {
                    weight *= (to - h.s[b]) / (h.s[a] - h.s[b]);
                }
            }
            value += weight * h.lw[a][i];
        }
        ev.lw[i] = value;
    }
    normalise(m, ev.lw);
    const bool inner = to < 1.0;
    Failure failure = solve(p, o, m, kn, ev, sv, inner);
    if (!failure.empty() && q > 1) {
        ev.lw = h.lw.back(); // the extrapolation may overshoot: start where the path is
        failure = solve(p, o, m, kn, ev, sv, inner);
    }
    if (failure.empty()) {
        h.push(to, ev.lw);
        return failure;
    }
    if (depth == 0) {
        return failure;
    }
    const double from = h.s.back();
    failure = reach(p, o, m, kn, ev, sv, h, 0.5 * (from + to), depth - 1);
    return failure.empty() ? reach(p, o, m, kn, ev, sv, h, to, depth - 1) : failure;
}

// D'_j; additive deficits stay fixed by definition (not up to rounding).
double deficit(const Model& m, const Eval& ev, std::size_t j) {
    return m.additive ? m.d[j] : ev.ihat[j] * m.income0[j] - ev.w[j] * m.y[j];
}

// What the decomposition needs from each equilibrium of the path.
struct Point {
    std::vector<double> lw, ehat, phi, sales, d;
    std::vector<double> lr; // ln(E^_j / Phi_jk): ln X_ijk = ln kern_ijk - theta_k ln w_i + lr_jk
};

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

} // namespace

GeSectorsResult solve_ge_sectors(const GeSectorsProblem& problem, const GeSectorsOptions& options) {
    validate(problem, options);
    Kernel kn;
    const Model m = make_model(problem, kn);
    const std::size_t n = m.n, ns = m.ns;
    const int steps = m.shocks.empty() ? 0 : options.decomposition_steps;
    GeSectorsResult result;
    Solver sv;
    Eval ev;
    ev.lw.assign(n, 0.0);
    std::vector<Point> path;
    const Quadrature quad = steps > 0 ? quadrature(steps) : Quadrature{};
    History history;
    history.push(0.0, ev.lw);
    // Shocks too large for one step are reached through equilibria on the way (halving the
    // step up to this many times).
    constexpr int depth = 10;
    if (steps > 0) {
        // The path of the decomposition doubles as the continuation.
        evaluate(m, kn, ev);
        path.push_back(point_of(m, ev));
        for (int s = 1; s <= steps; ++s) {
            const double to = quad.s[static_cast<std::size_t>(s)];
            const Failure failure = reach(problem, options, m, kn, ev, sv, history, to, depth);
            if (!failure.empty()) {
                fail(problem, failure);
            }
            path.push_back(point_of(m, ev));
        }
    } else {
        const Failure failure = reach(problem, options, m, kn, ev, sv, history, 1.0, depth);
        if (!failure.empty()) {
            fail(problem, failure);
        }
    }
    result.countries = problem.countries;
    result.sectors = problem.sectors;
    result.iterations = sv.iterations;
    result.jacobians = sv.jacobians;
    result.max_excess_demand = ev.excess;
    result.flows.resize(n * n * ns);
    evaluate(m, kn, ev, result.flows.data());
    for (std::size_t j = 0; j < n; ++j) {
        double log_price = 0.0;
        for (std::size_t k = 0; k < ns; ++k) {
            const double price = std::pow(ev.phi[j * ns + k], -1.0 / m.theta[k]);
            result.sector_price_index.push_back(price);
            log_price += m.alpha[j * ns + k] * std::log(price);
        }
        const double price = std::exp(log_price);
        result.welfare.push_back(ev.ehat[j] / price);
        result.real_wage.push_back(ev.w[j] / price);
        result.factory_price.push_back(ev.w[j]);
        result.expenditure.push_back(ev.ehat[j]);
        result.price_index.push_back(price);
        result.tariff_revenue_baseline.push_back(m.rho0[j]);
        result.tariff_revenue.push_back(ev.ehat[j] * ev.rho[j]);
        result.deficit.push_back(deficit(m, ev, j));
    }
    // International trade, in one pass over the flows: [before, after] x [exports, imports].
    std::vector<double> trade(4 * n, 0.0);
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t j = 0; j < n; ++j) {
            if (i == j) {
                continue;
            }
            double before = 0.0, after = 0.0;
            for (std::size_t k = 0; k < ns; ++k) {
                before += problem.flows[(i * n + j) * ns + k];
                after += result.flows[(i * n + j) * ns + k];
            }
            trade[i] += before;
            trade[n + i] += after;
            trade[2 * n + j] += before;
            trade[3 * n + j] += after;
        }
    }
    for (std::size_t c = 0; c < n; ++c) {
        result.exports.push_back(trade[c] > 0.0 ? trade[n + c] / trade[c] : 1.0);
        result.imports.push_back(trade[2 * n + c] > 0.0 ? trade[3 * n + c] / trade[2 * n + c]
                                                        : 1.0);
    }
    if (steps > 0) {
        result.decomposition = decompose(m, kn, path, quad);
        const auto& d = result.decomposition;
        for (std::size_t j = 0; j < n; ++j) {
            result.decomposition.residual.push_back(
                std::log(result.welfare[j]) -
                (d.terms_of_trade[j] + d.volume_of_trade[j] + d.nontariff_cost[j] + d.deficit[j]));
        }
    } else {
        auto& d = result.decomposition;
        d.terms_of_trade.assign(n, 0.0);
        d.volume_of_trade.assign(n, 0.0);
        d.nontariff_cost.assign(n, 0.0);
        d.deficit.assign(n, 0.0);
        d.residual.assign(n, 0.0);
        d.terms_of_trade_by_sector.assign(n * ns, 0.0);
        d.volume_of_trade_by_sector.assign(n * ns, 0.0);
    }
    return result;
}

} // namespace tradesim::models::gravity
