#include "tradesim/models/gravity/ge.hpp"
#include "gravity/detail/numeraire.hpp"

#include "tradesim/sim/error.hpp"
#include "tradesim/sim/parallel.hpp"

#include <algorithm>
#include <cmath>
#include <deque>
#include <fmt/format.h>
#include <limits>
#include <numeric>
#include <utility>

#include <Eigen/Dense>

namespace tradesim::models::gravity {

namespace {

// Bad flows listed one by one before the rest is only counted.
constexpr std::size_t max_listed = 20;

// Iterations without a new smallest excess demand before the solver gives up.
constexpr int stall_limit = 500;

// Four running sums in a fixed order: the compiler vectorises it, and a row gives the same
// result whichever block of rows (hence thread) computes it.
double dot(const double* a, const double* b, std::size_t n) {
    double s[4] = {0.0, 0.0, 0.0, 0.0};
    std::size_t j = 0;
    for (; j + 4 <= n; j += 4) {
        for (std::size_t k = 0; k < 4; ++k) {
            s[k] += a[j + k] * b[j + k];
        }
    }
    for (; j < n; ++j) {
        s[0] += a[j] * b[j];
    }
    return (s[0] + s[1]) + (s[2] + s[3]);
}

// sum_j a[j * stride] with the partial sums of dot().
double sum(const double* a, std::size_t n, std::size_t stride) {
    double s[4] = {0.0, 0.0, 0.0, 0.0};
    std::size_t j = 0;
    for (; j + 4 <= n; j += 4) {
        for (std::size_t k = 0; k < 4; ++k) {
            s[k] += a[(j + k) * stride];
        }
    }
    for (; j < n; ++j) {
        s[0] += a[j * stride];
    }
    return (s[0] + s[1]) + (s[2] + s[3]);
}

// sum_j a_j b_j (same order as dot) and sum_j a_j^2 c_j in one pass over a.
void dot_pair(const double* a, const double* b, const double* c, std::size_t n, double& ab,
              double& aac) {
    double s[4] = {0.0, 0.0, 0.0, 0.0};
    double t[4] = {0.0, 0.0, 0.0, 0.0};
    std::size_t j = 0;
    for (; j + 4 <= n; j += 4) {
        for (std::size_t k = 0; k < 4; ++k) {
            s[k] += a[j + k] * b[j + k];
            t[k] += a[j + k] * a[j + k] * c[j + k];
        }
    }
    for (; j < n; ++j) {
        s[0] += a[j] * b[j];
        t[0] += a[j] * a[j] * c[j];
    }
    ab = (s[0] + s[1]) + (s[2] + s[3]);
    aac = (t[0] + t[1]) + (t[2] + t[3]);
}

std::string name_of(const GeProblem& p, std::size_t i) {
    return i < p.countries.size() && !p.countries[i].empty() ? fmt::format("\"{}\"", p.countries[i])
                                                             : fmt::format("#{}", i + 1);
}

// The common case in one cheap pass: every flow finite and >= 0, domestic ones > 0, every
// partial effect finite (output and expenditure are then positive too).
bool all_valid(const GeProblem& p) {
    constexpr double largest = std::numeric_limits<double>::max();
    const std::size_t n = p.countries.size();
    bool ok = true;
    for (const double x : p.flows) {
        ok &= x >= 0.0 && x <= largest;
    }
    for (std::size_t i = 0; i < n; ++i) {
        ok &= p.flows[i * n + i] > 0.0;
    }
    for (const double b : p.partial) {
        ok &= b >= -largest && b <= largest;
    }
    return ok;
}

void validate(const GeProblem& p) {
    const std::string source = p.source.empty() ? "ge" : p.source;
    std::vector<std::string> problems;
    const auto add = [&](const std::string& message) {
        problems.push_back(fmt::format("{}: error: {}", source, message));
    };
    if (!(p.theta > 0.0) || !std::isfinite(p.theta)) {
        add(fmt::format("the trade elasticity theta must be positive and finite (got {})",
                        p.theta));
    }
    const std::size_t n = p.countries.size();
    if (n == 0) {
        add("no countries");
    }
    // Duplicates: sorted names side by side, reported in the order of the later position.
    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t l, std::size_t r) { return p.countries[l] < p.countries[r]; });
    std::vector<std::pair<std::size_t, std::size_t>> twice;
    for (std::size_t k = 1; k < n; ++k) {
        if (p.countries[order[k]] == p.countries[order[k - 1]]) {
            twice.emplace_back(order[k], order[k - 1]);
        }
    }
    std::sort(twice.begin(), twice.end());
    for (const auto& [later, earlier] : twice) {
        add(fmt::format("country {} is listed twice (positions {} and {})", name_of(p, later),
                        earlier + 1, later + 1));
    }
    const bool flows_fit = p.flows.size() == n * n;
    const bool partial_fits = p.partial.empty() || p.partial.size() == n * n;
    if (!flows_fit) {
        add(fmt::format("{} flows for {} countries; expected n x n = {} (row-major, exporter "
                        "by importer, domestic flows included)",
                        p.flows.size(), n, n * n));
    }
    if (!partial_fits) {
        add(fmt::format("{} partial effects for {} countries; expected n x n = {} or none",
                        p.partial.size(), n, n * n));
    }
    if (flows_fit && n > 0 && !all_valid(p)) {
        std::size_t bad = 0;
        std::vector<double> output(n, 0.0), spending(n, 0.0);
        std::vector<unsigned char> row_bad(n, 0), column_bad(n, 0);
        for (std::size_t i = 0; i < n; ++i) {
            for (std::size_t j = 0; j < n; ++j) {
                const double x = p.flows[i * n + j];
                if (i == j && !(x > 0.0 && std::isfinite(x))) {
                    add(fmt::format("domestic flow of country {} is {}; it must be positive "
                                    "(the model needs domestic sales)",
                                    name_of(p, i), x));
                } else if (!(x >= 0.0 && std::isfinite(x)) && bad++ < max_listed) {
                    add(fmt::format("flow {} -> {} is {}; flows must be finite and >= 0",
                                    name_of(p, i), name_of(p, j), x));
                }
                if (x >= 0.0 && std::isfinite(x)) {
                    output[i] += x;
                    spending[j] += x;
                } else {
                    row_bad[i] = 1;
                    column_bad[j] = 1;
                }
                if (partial_fits && !p.partial.empty() && !std::isfinite(p.partial[i * n + j]) &&
                    bad++ < max_listed) {
                    add(fmt::format("partial effect {} -> {} is {}; it must be finite",
                                    name_of(p, i), name_of(p, j), p.partial[i * n + j]));
                }
            }
        }
        if (bad > max_listed) {
            add(fmt::format("... and {} more bad flows or partial effects", bad - max_listed));
        }
        for (std::size_t i = 0; i < n; ++i) {
            if (!row_bad[i] && output[i] == 0.0) {
                add(fmt::format("country {} has zero output: all its flows, domestic included, "
                                "are 0",
                                name_of(p, i)));
            }
            if (!column_bad[i] && spending[i] == 0.0) {
                add(fmt::format("country {} has zero expenditure: all flows into it, domestic "
                                "included, are 0",
                                name_of(p, i)));
            }
        }
    }
    if (!problems.empty()) {
        throw sim::InputError(fmt::format("{}", fmt::join(problems, "\n")));
    }
}

// The baseline in the form the iteration needs.
struct Model {
    std::size_t n = 0;
    double theta = 0.0;
    bool additive = true;
    std::vector<double> k;  // X_ij b_ij, row-major (exporter rows)
    std::vector<double> kt; // its transpose (importer rows), so both passes read rows
    std::vector<double> y, e, d;
    double world = 0.0; // sum_i Y_i, held fixed by the numeraire
    std::size_t grain = 1;
};

// Everything evaluated at one vector x = log w.
struct State {
    std::vector<double> x, w, a, phi, ehat, r, q, u, v, z, jac;
    double mu = 1.0;
    double excess = 0.0;      // max |z_i| / world
    std::size_t negative = 0; // a country whose E'_j <= 0, when !feasible
    bool feasible = true;
};

Model make_model(const GeProblem& p) {
    Model m;
    const std::size_t n = p.countries.size();
    m.n = n;
    m.theta = p.theta;
    m.additive = p.imbalances == Imbalances::additive;
    m.k.resize(n * n);
    m.kt.resize(n * n);
    std::vector<std::string> problems;
    const std::string source = p.source.empty() ? "ge" : p.source;
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t j = 0; j < n; ++j) {
            const double partial = p.partial.empty() ? 0.0 : p.partial[i * n + j];
            const double kij =
                partial == 0.0 ? p.flows[i * n + j] : p.flows[i * n + j] * std::exp(partial);
            m.k[i * n + j] = kij;
            m.kt[j * n + i] = kij;
            if (!std::isfinite(kij) && problems.size() < max_listed) {
                problems.push_back(fmt::format("{}: error: partial effect {} -> {} is {}: the "
                                               "flow times exp({}) overflows",
                                               source, name_of(p, i), name_of(p, j), partial,
                                               partial));
            }
        }
    }
    // Partial effects so negative that nothing reaches a market leave its price undefined.
    const bool overflow = !problems.empty();
    for (std::size_t j = 0; j < n; ++j) {
        if (!overflow && !(sum(&m.kt[j * n], n, 1) > 0.0)) {
            problems.push_back(fmt::format("{}: error: the partial effects leave no flow into "
                                           "country {} (every X_ij exp(partial_ij) is 0)",
                                           source, name_of(p, j)));
        }
    }
    if (!problems.empty()) {
        throw sim::InputError(fmt::format("{}", fmt::join(problems, "\n")));
    }
    // Y and E summed in the order dot() uses for the counterfactual sums: at a zero shock
    // every ratio is then exactly 1 and the baseline flows come back bitwise.
    m.y.resize(n);
    m.e.resize(n);
    m.d.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
        m.y[i] = sum(&p.flows[i * n], n, 1);
        m.e[i] = sum(&p.flows[i], n, n);
        m.d[i] = m.e[i] - m.y[i];
        m.world += m.y[i];
    }
    m.grain = std::max<std::size_t>(1, 8192 / std::max<std::size_t>(n, 1));
    return m;
}

// Shifts log w so that world output is unchanged (ge_gravity's numeraire).
void normalise(const Model& m, std::vector<double>& x) {
    detail::keep_world_output(m.y, m.world, x);
}

void evaluate(const Model& m, State& s) {
    const std::size_t n = m.n;
    const double theta = m.theta;
    for (auto* v : {&s.w, &s.a, &s.phi, &s.ehat, &s.r, &s.q, &s.u, &s.v, &s.z, &s.jac}) {
        v->resize(n);
    }
    for (std::size_t i = 0; i < n; ++i) {
        s.w[i] = std::exp(s.x[i]);
        s.a[i] = std::exp(-theta * s.x[i]);
    }
    // P_j^-theta = sum_i X_ij b_ij w_i^-theta / E_j (DESIGN.md 3.1).
    sim::parallel_for(n, m.grain, [&](std::size_t begin, std::size_t end) {
        for (std::size_t j = begin; j < end; ++j) {
            s.phi[j] = dot(&m.kt[j * n], s.a.data(), n) / m.e[j];
        }
    });
    if (!m.additive) {
        // mu = sum Y w / sum E w, written as 1 - sum D (w - 1) / sum E w (sum D = 0) so that
        // it is exactly 1 at w = 1.
        double dw = 0.0;
        double ew = 0.0;
        for (std::size_t j = 0; j < n; ++j) {
            dw += m.d[j] * (s.w[j] - 1.0);
            ew += m.e[j] * s.w[j];
        }
        s.mu = 1.0 - dw / ew;
    }
    s.feasible = true;
    for (std::size_t j = 0; j < n; ++j) {
        // E'_j / E_j; the additive form E_j + Y_j (w_j - 1) avoids cancellation in Y + D.
        s.ehat[j] = m.additive ? 1.0 + m.y[j] / m.e[j] * (s.w[j] - 1.0) : s.mu * s.w[j];
        if (!(s.ehat[j] > 0.0) && s.feasible) {
            s.feasible = false;
            s.negative = j;
        }
        s.r[j] = s.ehat[j] / s.phi[j];
        s.q[j] = s.r[j] / (m.e[j] * s.phi[j]);
    }
    sim::parallel_for(n, m.grain, [&](std::size_t begin, std::size_t end) {
        for (std::size_t i = begin; i < end; ++i) {
            dot_pair(&m.k[i * n], s.r.data(), s.q.data(), n, s.u[i], s.v[i]);
            const double income = m.y[i] * s.w[i];
            const double sales = s.a[i] * s.u[i];
            s.z[i] = sales - income;
            // d z_i / d log w_i: own price lowers sales everywhere (-theta sales), less so
            // where i's share s_ij is large, and raises i's own spending on itself.
            const double own_share = m.k[i * n + i] * s.a[i] / (m.e[i] * s.phi[i]);
            const double spending = m.additive ? income : m.e[i] * s.ehat[i];
            s.jac[i] =
                -theta * sales + theta * s.a[i] * s.a[i] * s.v[i] + own_share * spending - income;
        }
    });
    double largest = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
        largest = std::max(largest, std::abs(s.z[i]));
        if (!std::isfinite(s.z[i])) {
            largest = std::numeric_limits<double>::infinity();
        }
    }
    s.excess = largest / m.world;
}

// One Newton step per country holding the others fixed (the Jacobian's diagonal), then the
// numeraire. ge_gravity's own update is the same with -(1 + theta) Y_i w_i in place of the
// diagonal: it converges slowly when domestic shares are large, as the diagonal then is small.
std::vector<double> jacobi_step(const Model& m, const State& s) {
    std::vector<double> g(m.n);
    for (std::size_t i = 0; i < m.n; ++i) {
        const double income = m.y[i] * s.w[i];
        double slope = s.jac[i];
        if (!(slope < -1e-12 * income)) {
            slope = -(1.0 + m.theta) * income;
        }
        g[i] = s.x[i] + std::clamp(-s.z[i] / slope, -1.0, 1.0);
    }
    normalise(m, g);
    return g;
}

State at(const Model& m, std::vector<double> x) {
    State s;
    s.x = std::move(x);
    evaluate(m, s);
    return s;
}

// Why an iteration may get stuck: with additive imbalances a large fixed trade surplus can
// leave a country nothing to spend, and then there is no equilibrium.
std::string hint(const Model& m, const GeProblem& p, const State& s) {
    const auto lowest = std::min_element(s.ehat.begin(), s.ehat.end());
    if (m.additive && lowest != s.ehat.end() && *lowest < 0.2) {
        return fmt::format("; the expenditure of country {} has fallen to {:.1f}% of its "
                           "baseline, as its trade surplus is fixed with additive imbalances "
                           "(multiplicative imbalances may have a solution)",
                           name_of(p, static_cast<std::size_t>(lowest - s.ehat.begin())),
                           100.0 * *lowest);
    }
    return "; the shock may be too large for the data";
}

bool usable(const State& s) {
    return s.feasible && std::isfinite(s.excess);
}

// Anderson acceleration (type II, Walker & Ni 2011) of the Jacobi map g: the next x combines
// the last iterates so as to minimise the linearised residual g(x) - x. A step that makes
// things far worse restarts it from the best point.
State solve(const Model& m, const GeProblem& p, const GeOptions& o, int& iterations) {
    const std::size_t n = m.n;
    const std::size_t memory = static_cast<std::size_t>(std::max(0, o.anderson_memory));
    State cur = at(m, std::vector<double>(n, 0.0));
    State best = cur;
    std::deque<Eigen::VectorXd> df, dg;
    Eigen::VectorXd last_f, last_g;
    iterations = 0;
    int since_best = 0;
    while (!(cur.excess <= o.tolerance)) {
        // A converging run sets a new best at least every few dozen steps; hundreds without
        // one mean there is no equilibrium to find.
        if (iterations >= o.max_iterations || since_best >= stall_limit) {
            throw sim::NumericalError(fmt::format(
                "{}: the general-equilibrium solver did not converge in {} iterations{}: the "
                "largest excess demand is {:.3g} of world output (tolerance {:.3g}){}",
                p.source.empty() ? "ge" : p.source, iterations,
                since_best >= stall_limit ? " (no progress)" : "", best.excess, o.tolerance,
                hint(m, p, best)));
        }
        ++since_best;
        ++iterations;
        const std::vector<double> g = jacobi_step(m, cur);
        const Eigen::Map<const Eigen::VectorXd> gv(g.data(), static_cast<Eigen::Index>(n));
        const Eigen::Map<const Eigen::VectorXd> xv(cur.x.data(), static_cast<Eigen::Index>(n));
        const Eigen::VectorXd f = gv - xv;
        if (memory > 0 && last_f.size() > 0) {
            df.push_back(f - last_f);
            dg.push_back(gv - last_g);
            if (df.size() > memory) {
                df.pop_front();
                dg.pop_front();
            }
        }
        last_f = f;
        last_g = gv;
        std::vector<double> next = g;
        if (!df.empty()) {
            const auto cols = static_cast<Eigen::Index>(df.size());
            Eigen::MatrixXd f_diff(static_cast<Eigen::Index>(n), cols);
            Eigen::MatrixXd g_diff(static_cast<Eigen::Index>(n), cols);
            for (Eigen::Index c = 0; c < cols; ++c) {
                f_diff.col(c) = df[static_cast<std::size_t>(c)];
                g_diff.col(c) = dg[static_cast<std::size_t>(c)];
            }
            const Eigen::VectorXd gamma = f_diff.colPivHouseholderQr().solve(f);
            Eigen::Map<Eigen::VectorXd>(next.data(), static_cast<Eigen::Index>(n)) =
                gv - g_diff * gamma;
            normalise(m, next);
        }
        State trial = at(m, std::move(next));
        if (!df.empty() && (!usable(trial) || trial.excess > 100.0 * best.excess)) {
            // The combination went astray: forget the history and take the plain step.
            df.clear();
            dg.clear();
            last_f.resize(0);
            trial = at(m, g);
        }
        // Far from the solution a plain step can overshoot into negative spending: back off.
        for (int halvings = 0; !usable(trial) && halvings < 60; ++halvings) {
            std::vector<double> mid(n);
            for (std::size_t i = 0; i < n; ++i) {
                mid[i] = 0.5 * (trial.x[i] + best.x[i]);
            }
            normalise(m, mid);
            trial = at(m, std::move(mid));
            df.clear();
            dg.clear();
            last_f.resize(0);
        }
        if (!trial.feasible) {
            throw sim::NumericalError(fmt::format(
                "{}: the expenditure of country {} would fall to zero or below: its trade "
                "surplus, fixed with additive imbalances, exceeds its counterfactual income "
                "(multiplicative imbalances may have a solution)",
                p.source.empty() ? "ge" : p.source, name_of(p, trial.negative)));
        }
        if (!usable(trial)) {
            throw sim::NumericalError(fmt::format(
                "{}: the general-equilibrium solver met a non-finite excess demand after {} "
                "iterations; the shock may be too large for the data",
                p.source.empty() ? "ge" : p.source, iterations));
        }
        cur = std::move(trial);
        if (cur.excess < best.excess) {
            best = cur;
            since_best = 0;
        }
    }
    return cur;
}

} // namespace

GeResult solve_ge(const GeProblem& problem, const GeOptions& options) {
    validate(problem);
    const Model m = make_model(problem);
    GeResult result;
    const State s = solve(m, problem, options, result.iterations);
    const std::size_t n = m.n;
    const double theta = m.theta;
    result.countries = problem.countries;
    result.expenditure_scale = s.mu;
    result.max_excess_demand = s.excess;
    result.flows.resize(n * n);
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t j = 0; j < n; ++j) {
            // X'_ij = X_ij b_ij w_i^-theta (E'_j / E_j) / P_j^-theta.
            result.flows[i * n + j] = m.k[i * n + j] * s.r[j] * s.a[i];
        }
    }
    // International trade before and after, in one row-major pass (same order for both, so
    // a zero shock gives ratios of exactly 1).
    std::vector<double> exports_before(n, 0.0), exports_after(n, 0.0);
    std::vector<double> imports_before(n, 0.0), imports_after(n, 0.0);
    for (std::size_t i = 0; i < n; ++i) {
        const double* before = &problem.flows[i * n];
        const double* after = &result.flows[i * n];
        double sold_before = 0.0;
        double sold_after = 0.0;
        for (std::size_t j = 0; j < n; ++j) {
            if (j != i) {
                sold_before += before[j];
                sold_after += after[j];
                imports_before[j] += before[j];
                imports_after[j] += after[j];
            }
        }
        exports_before[i] = sold_before;
        exports_after[i] = sold_after;
    }
    const auto ratio = [](double after, double before) {
        return before > 0.0 ? after / before : 1.0;
    };
    for (std::size_t i = 0; i < n; ++i) {
        const double price = std::pow(s.phi[i], -1.0 / theta);
        result.welfare.push_back(s.ehat[i] / price);
        result.real_wage.push_back(s.w[i] / price);
        result.factory_price.push_back(s.w[i]);
        result.output.push_back(s.w[i]);
        result.expenditure.push_back(s.ehat[i]);
        result.inward_resistance.push_back(price);
        result.outward_resistance.push_back(std::pow(s.u[i] / m.y[i], -1.0 / theta));
        result.exports.push_back(ratio(exports_after[i], exports_before[i]));
        result.imports.push_back(ratio(imports_after[i], imports_before[i]));
    }
    return result;
}

} // namespace tradesim::models::gravity
