#include "tradesim/models/gravity/ge_yotov.hpp"

#include "tradesim/sim/diagnostics.hpp"
#include "tradesim/sim/error.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <fmt/format.h>
#include <limits>
#include <map>
#include <optional>
#include <set>

namespace tradesim::models::gravity {

namespace {

using Vec = std::vector<double>;
constexpr double nan = std::numeric_limits<double>::quiet_NaN();
constexpr std::size_t max_listed = 20; // problems of one kind listed before "... and N more"

std::size_t index(std::int32_t code) {
    return static_cast<std::size_t>(code);
}

[[noreturn]] void fail(const std::vector<std::string>& errors) {
    throw sim::InputError(fmt::format("{}", fmt::join(errors, "\n")));
}

// Everything solve_yotov needs to hold before it starts: sizes, codes, values, and positive
// output and expenditure for every country (multilateral resistances divide by them).
void check(const YotovProblem& p) {
    std::vector<std::string> errors;
    const std::size_t n = p.countries.size();
    const std::size_t rows = p.flows.size();
    if (n == 0 || rows == 0) {
        errors.push_back("yotov: error: no countries or no flows");
    }
    if (p.exporter.size() != rows || p.importer.size() != rows) {
        errors.push_back(fmt::format("yotov: error: {} flows but {} exporter and {} importer codes",
                                     rows, p.exporter.size(), p.importer.size()));
    }
    if (p.costs.size() != p.cost_names.size() || p.counterfactual.size() != p.costs.size()) {
        errors.push_back(fmt::format("yotov: error: {} trade-cost names, {} baseline and {} "
                                     "counterfactual columns (they must match)",
                                     p.cost_names.size(), p.costs.size(), p.counterfactual.size()));
    }
    for (std::size_t k = 0; k < std::min(p.costs.size(), p.counterfactual.size()); ++k) {
        if (p.costs[k].size() != rows || p.counterfactual[k].size() != rows) {
            errors.push_back(fmt::format("yotov: error: trade cost {} has {} baseline and {} "
                                         "counterfactual values for {} flows",
                                         k + 1, p.costs[k].size(), p.counterfactual[k].size(),
                                         rows));
        }
    }
    if (!(p.sigma > 1.0) || !std::isfinite(p.sigma)) {
        errors.push_back(
            fmt::format("yotov: error: sigma must be finite and > 1, not {}", p.sigma));
    }
    if (p.reference < 0 || index(p.reference) >= n) {
        errors.push_back(fmt::format("yotov: error: reference country {} is not in 0..{}",
                                     p.reference, n == 0 ? 0 : n - 1));
    }
    if (!errors.empty()) {
        fail(errors);
    }

    std::map<std::pair<std::int32_t, std::int32_t>, std::size_t> seen;
    Vec y(n, 0.0), e(n, 0.0);
    std::size_t bad = 0;
    const auto row_error = [&](std::string message) {
        if (++bad <= max_listed) {
            errors.push_back(std::move(message));
        }
    };
    for (std::size_t r = 0; r < rows; ++r) {
        const auto i = p.exporter[r];
        const auto j = p.importer[r];
        if (i < 0 || index(i) >= n || j < 0 || index(j) >= n) {
            row_error(fmt::format("yotov: row {}: error: country codes {} and {} are not in 0..{}",
                                  r + 1, i, j, n - 1));
            continue;
        }
        const auto [at, fresh] = seen.emplace(std::pair{i, j}, r);
        if (!fresh) {
            row_error(fmt::format("yotov: row {}: error: pair {} -> {} is also row {}", r + 1,
                                  p.countries[index(i)], p.countries[index(j)], at->second + 1));
        }
        if (!(p.flows[r] >= 0.0) || !std::isfinite(p.flows[r])) {
            row_error(fmt::format("yotov: row {}: error: flow {} -> {} is {} (must be finite and "
                                  ">= 0)",
                                  r + 1, p.countries[index(i)], p.countries[index(j)], p.flows[r]));
        } else {
            y[index(i)] += p.flows[r];
            e[index(j)] += p.flows[r];
        }
        for (std::size_t k = 0; k < p.costs.size(); ++k) {
            if (!std::isfinite(p.costs[k][r]) || !std::isfinite(p.counterfactual[k][r])) {
                row_error(fmt::format("yotov: row {}: error: trade cost {} is not finite ({} "
                                      "baseline, {} counterfactual)",
                                      r + 1, p.cost_names[k], p.costs[k][r],
                                      p.counterfactual[k][r]));
            }
        }
    }
    if (bad > max_listed) {
        errors.push_back(
            fmt::format("yotov: ... and {} more problems with rows", bad - max_listed));
    }
    for (std::size_t c = 0; c < n && errors.empty(); ++c) {
        if (!(y[c] > 0.0) || !(e[c] > 0.0)) {
            errors.push_back(fmt::format("yotov: error: country {} has output {} and expenditure "
                                         "{}; both must be positive (domestic flows included)",
                                         p.countries[c], y[c], e[c]));
        }
    }
    if (!errors.empty()) {
        fail(errors);
    }
}

// Whether z = a_i + b_j on every row, i.e. the regressor is absorbed by the fixed effects (a
// border dummy without domestic flows). fit_ppml misses this case: its collinearity test is
// relative to the partialled-out column, which is then all rounding error.
bool absorbed(const std::vector<double>& z, const YotovProblem& p) {
    const std::size_t n = p.countries.size();
    double scale = 0.0;
    for (double v : z) {
        scale = std::max(scale, std::abs(v));
    }
    Vec a(n, 0.0), b(n, 0.0), sum(n), count(n);
    double last = std::numeric_limits<double>::infinity();
    // Alternating projections on the two effects; the residual falls to 0 when absorbed
    // and stalls above it otherwise.
    for (int sweep = 0; sweep < 1000; ++sweep) {
        for (int side = 0; side < 2; ++side) {
            std::fill(sum.begin(), sum.end(), 0.0);
            std::fill(count.begin(), count.end(), 0.0);
            for (std::size_t r = 0; r < z.size(); ++r) {
                const auto i = index(p.exporter[r]);
                const auto j = index(p.importer[r]);
                sum[side == 0 ? i : j] += z[r] - (side == 0 ? b[j] : a[i]);
                count[side == 0 ? i : j] += 1.0;
            }
            Vec& target = side == 0 ? a : b;
            for (std::size_t c = 0; c < n; ++c) {
                target[c] = count[c] > 0.0 ? sum[c] / count[c] : 0.0;
            }
        }
        double worst = 0.0;
        for (std::size_t r = 0; r < z.size(); ++r) {
            worst =
                std::max(worst, std::abs(z[r] - a[index(p.exporter[r])] - b[index(p.importer[r])]));
        }
        if (worst <= 1e-9 * (1.0 + scale)) {
            return true;
        }
        if (worst > (1.0 - 1e-6) * last) {
            return false;
        }
        last = worst;
    }
    return false;
}

// exp of the exporter and importer effects of a fit, normalised so that the reference
// country's importer effect is 0 (the book's omitted IMPORTER_FE of "ZZZ").
struct Effects {
    Vec pi;  // exp(pi_i)
    Vec chi; // exp(chi_j), chi[reference] = 1
};

Effects effects_of(const PpmlResult& fit, const YotovProblem& p) {
    const std::size_t n = p.countries.size();
    const auto level = [&](std::size_t d, std::size_t c) {
        return c < fit.fe_values[d].size() ? fit.fe_values[d][c] : nan;
    };
    const double shift = level(1, index(p.reference));
    Effects out{Vec(n), Vec(n)};
    for (std::size_t c = 0; c < n; ++c) {
        out.pi[c] = std::exp(level(0, c) + shift);
        out.chi[c] = std::exp(level(1, c) - shift);
        if (!std::isfinite(out.pi[c]) || !std::isfinite(out.chi[c])) {
            throw sim::NumericalError(fmt::format(
                "yotov: the fixed effects of {} could not be estimated", p.countries[c]));
        }
    }
    return out;
}

// The pairs PPML kept, with what the general equilibrium needs of them.
struct Pairs {
    std::vector<std::size_t> row; // in the problem
    std::vector<std::size_t> ex, im;
    Vec flow, t_cfl, log_t_cfl, fitted_bln;
};

// Sum by exporter (or importer) of `value`, over international pairs only when asked.
Vec by_country(const Pairs& s, std::size_t n, const Vec& value, bool exporter, bool intl_only) {
    Vec out(n, 0.0);
    for (std::size_t r = 0; r < s.ex.size(); ++r) {
        if (!intl_only || s.ex[r] != s.im[r]) {
            out[exporter ? s.ex[r] : s.im[r]] += value[r];
        }
    }
    return out;
}

// One state of the full-endowment loop (the book's variables with suffix _s).
struct State {
    Vec pi, chi;   // exp of the fixed effects, chi[reference] = 1
    Vec y, e;      // output Y_s and expenditure E_s = phi Y_s
    double er = 0; // expenditure of the reference country
    Vec omr, imr;  // OMR_FULL_s, IMR_FULL_s
    Vec price;     // change_pricei_s: factory-price change of this iteration
    Vec d_omr;     // change_OMR_FULL_s
    Vec d_imr;     // change_IMR_FULL_s
};

// One iteration of the full-endowment loop, from state s-1 to state s.
State step(const State& cur, const Pairs& s, const Vec& phi, std::size_t ref, double inv) {
    const std::size_t n = cur.pi.size();
    // (ii) trade_s = tradehat_{s-1} * p_i * p_j / (OMR_i * IMR_j), all changes of the last
    // iteration. Since tradehat_{s-1} = t'_ij exp(pi_i) exp(chi_j), trade_s has the form
    // t'_ij u_i v_j, which PPML with the offset ln t'_ij and both fixed effects fits exactly:
    // the re-estimation (iii) only rescales the effects, the reference importer effect at 0.
    State next;
    next.pi.resize(n);
    next.chi.resize(n);
    const double v_ref = cur.price[ref] / cur.d_imr[ref];
    for (std::size_t c = 0; c < n; ++c) {
        next.pi[c] = cur.pi[c] * cur.price[c] / cur.d_omr[c] * v_ref;
        next.chi[c] = cur.chi[c] * cur.price[c] / cur.d_imr[c] / v_ref;
    }
    next.chi[ref] = 1.0;
    // Output is the sum of the fitted flows; expenditure keeps its ratio phi to output.
    next.y.assign(n, 0.0);
    for (std::size_t r = 0; r < s.ex.size(); ++r) {
        next.y[s.ex[r]] += s.t_cfl[r] * next.chi[s.im[r]];
    }
    next.e.resize(n);
    for (std::size_t c = 0; c < n; ++c) {
        next.y[c] *= next.pi[c];
        next.e[c] = phi[c] * next.y[c];
    }
    next.er = next.e[ref];
    next.omr.resize(n);
    next.imr.resize(n);
    next.price.resize(n);
    next.d_omr.resize(n);
    next.d_imr.resize(n);
    for (std::size_t c = 0; c < n; ++c) {
        next.price[c] = std::pow((next.pi[c] / cur.pi[c]) / (next.er / cur.er), inv);
        next.omr[c] = next.y[c] * next.er / next.pi[c];
        next.d_omr[c] = next.omr[c] / cur.omr[c];
        next.imr[c] = next.e[c] / (next.chi[c] * next.er);
        next.d_imr[c] = next.imr[c] / cur.imr[c];
    }
    return next;
}

// The loop leaves the nominal scale free: dividing trade by the change in OMR, which holds
// the change in output, makes output, expenditure and the effects alternate between two
// scales (Y_{s+1} ~ Y_{s-1}). Every reported index is a ratio in which the scale cancels, so
// the moves that matter are those of the factory prices, of IMR, and of OMR relative to the
// reference expenditure (= the change in output over that in the exporter effect).
double largest_move(const State& s, const State& previous) {
    double m = 0.0;
    const double d_er = s.er / previous.er;
    for (std::size_t c = 0; c < s.price.size(); ++c) {
        m = std::max({m, std::abs(s.price[c] - 1.0), std::abs(s.d_imr[c] - 1.0),
                      std::abs(s.d_omr[c] / d_er - 1.0)});
    }
    return std::isfinite(m) ? m : std::numeric_limits<double>::infinity();
}

// The book's statistic on dif_change_pi = change_pricei_{s-1} - change_pricei_{s-2}, taken
// over all pairs by exporter: Stata's summarize gives the sample s.d. and the maximum.
bool book_done(const YotovProblem& p, const Vec& newer, const Vec& older) {
    const std::size_t rows = p.exporter.size();
    double mean = 0.0;
    double top = -std::numeric_limits<double>::infinity();
    for (std::size_t r = 0; r < rows; ++r) {
        const double d = newer[index(p.exporter[r])] - older[index(p.exporter[r])];
        mean += d;
        top = std::max(top, d);
    }
    mean /= static_cast<double>(rows);
    double ss = 0.0;
    for (std::size_t r = 0; r < rows; ++r) {
        const double d = newer[index(p.exporter[r])] - older[index(p.exporter[r])] - mean;
        ss += d * d;
    }
    const double sd = rows > 1 ? std::sqrt(ss / static_cast<double>(rows - 1)) : 0.0;
    // TradeWithoutBorder.do: while (sd > 0.01) | (abs(max) > 0.01).
    return !(sd > 0.01 || std::abs(top) > 0.01);
}

} // namespace

YotovResult solve_yotov(const YotovProblem& p, const YotovOptions& options) {
    check(p);
    const std::size_t n = p.countries.size();
    const std::size_t rows = p.flows.size();
    const std::size_t ref = index(p.reference);
    const double inv = 1.0 / (1.0 - p.sigma);

    // Step I: baseline trade costs and fixed effects.
    std::vector<std::string> absorbed_names;
    for (std::size_t k = 0; k < p.costs.size(); ++k) {
        if (absorbed(p.costs[k], p)) {
            absorbed_names.push_back(p.cost_names[k]);
        }
    }
    PpmlProblem base;
    base.y = p.flows;
    base.x = p.costs;
    base.x_names = p.cost_names;
    base.fe = {p.exporter, p.importer};
    base.fe_names = {"exporter", "importer"};
    const PpmlResult bln = absorbed_names.empty() ? fit_ppml(base, options.ppml) : PpmlResult{};
    absorbed_names.insert(absorbed_names.end(), bln.collinear.begin(), bln.collinear.end());
    if (!absorbed_names.empty()) {
        throw sim::InputError(fmt::format(
            "yotov: error: trade cost {} is collinear with the exporter and importer fixed "
            "effects (a border dummy needs domestic flows)",
            fmt::join(absorbed_names, ", ")));
    }
    YotovResult out;
    out.countries = p.countries;
    out.names = bln.names;
    out.coefficients = bln.coefficients;
    out.std_errors = bln.std_errors;
    out.observations = bln.observations;
    out.dropped = rows - bln.observations;

    Pairs s;
    for (std::size_t r = 0; r < rows; ++r) {
        if (!bln.used[r]) {
            continue; // separated zeros: fitted 0, and 0 they stay
        }
        s.row.push_back(r);
        double z_cfl = 0.0;
        for (std::size_t k = 0; k < p.costs.size(); ++k) {
            z_cfl += bln.coefficients[k] * p.counterfactual[k][r];
        }
        s.ex.push_back(index(p.exporter[r]));
        s.im.push_back(index(p.importer[r]));
        s.flow.push_back(p.flows[r]);
        s.log_t_cfl.push_back(z_cfl);
        s.t_cfl.push_back(std::exp(z_cfl));
        s.fitted_bln.push_back(bln.fitted[r]);
    }
    const std::size_t m = s.ex.size();
    const Effects e0 = effects_of(bln, p);

    // Output and expenditure of the data (all pairs, as the book's egen sum).
    Vec y0(n, 0.0), e_data(n, 0.0);
    for (std::size_t r = 0; r < rows; ++r) {
        y0[index(p.exporter[r])] += p.flows[r];
        e_data[index(p.importer[r])] += p.flows[r];
    }
    Vec phi(n);
    for (std::size_t c = 0; c < n; ++c) {
        phi[c] = e_data[c] / y0[c];
    }
    const double er0 = e_data[ref];
    Vec omr0(n), imr0(n);
    for (std::size_t c = 0; c < n; ++c) {
        omr0[c] = y0[c] * er0 / e0.pi[c];
        imr0[c] = e_data[c] / (e0.chi[c] * er0);
    }
    out.output = y0;
    out.exports = by_country(s, n, s.fitted_bln, true, true);

    // Step III.a: conditional equilibrium, the fixed effects re-estimated on the data with
    // the counterfactual trade costs as offset.
    PpmlProblem cdl;
    cdl.y = s.flow;
    cdl.offset = s.log_t_cfl;
    cdl.fe.assign(2, std::vector<std::int32_t>(m));
    for (std::size_t r = 0; r < m; ++r) {
        cdl.fe[0][r] = static_cast<std::int32_t>(s.ex[r]);
        cdl.fe[1][r] = static_cast<std::int32_t>(s.im[r]);
    }
    cdl.fe_names = base.fe_names;
    const PpmlResult fit_cdl = fit_ppml(cdl, options.ppml);
    if (fit_cdl.observations != m) {
        throw sim::NumericalError(
            fmt::format("yotov: the conditional estimation dropped {} of {} pairs as separated",
                        m - fit_cdl.observations, m));
    }
    const Effects e1 = effects_of(fit_cdl, p);
    out.exports_cdl = by_country(s, n, fit_cdl.fitted, true, true);
    out.flows_cdl.assign(rows, 0.0);
    for (std::size_t r = 0; r < m; ++r) {
        out.flows_cdl[s.row[r]] = fit_cdl.fitted[r];
    }
    out.omr_cdl.resize(n);
    out.imr_cdl.resize(n);
    for (std::size_t c = 0; c < n; ++c) {
        out.exports_cdl[c] /= out.exports[c];
        out.omr_cdl[c] = std::pow((y0[c] * er0 / e1.pi[c]) / omr0[c], inv);
        out.imr_cdl[c] = std::pow((e_data[c] / (e1.chi[c] * er0)) / imr0[c], inv);
    }

    // Step III.b: full endowment. State 1 is the conditional equilibrium; its resistance
    // changes start at 1 and its price change compares it with the baseline.
    State cur;
    cur.pi = e1.pi;
    cur.chi = e1.chi;
    cur.y = y0;
    cur.e = e_data;
    cur.er = er0;
    cur.omr.resize(n);
    cur.imr.resize(n);
    cur.price.resize(n);
    for (std::size_t c = 0; c < n; ++c) {
        cur.omr[c] = y0[c] * er0 / e1.pi[c];
        cur.imr[c] = e_data[c] / (e1.chi[c] * er0);
        cur.price[c] = std::pow(e1.pi[c] / e0.pi[c], inv);
    }
    cur.d_omr.assign(n, 1.0);
    cur.d_imr.assign(n, 1.0);
    Vec older(n, 0.0); // change_pricei_0 = 0 in the book
    int iterations = 0;
    double move = std::numeric_limits<double>::infinity();
    while (true) {
        if (iterations == options.max_iterations) {
            throw sim::NumericalError(fmt::format(
                "yotov: the full-endowment loop did not converge in {} re-estimations (largest "
                "relative change {:.3g}, tolerance {:.3g})",
                iterations, move, options.tolerance));
        }
        State next = step(cur, s, phi, ref, inv);
        ++iterations;
        move = largest_move(next, cur);
        // The book tests the iteration before this one (change_pricei_{s-1} - _{s-2}).
        const bool done = options.stop == YotovStop::book ? book_done(p, cur.price, older)
                                                          : move <= options.tolerance;
        older = std::move(cur.price);
        cur = std::move(next);
        if (done) {
            break;
        }
    }
    out.iterations = iterations;
    out.last_change = move;

    // (iv) Full-endowment indexes from the last iteration S.
    Vec y_full(n), e_full(n), omr_full(n), imr_full(n);
    out.factory_price.resize(n);
    for (std::size_t c = 0; c < n; ++c) {
        out.factory_price[c] = std::pow((cur.pi[c] / e0.pi[c]) / (cur.er / er0), inv);
        y_full[c] = out.factory_price[c] * y0[c];
        e_full[c] = phi[c] * y_full[c];
        omr_full[c] = y_full[c] * cur.er / cur.pi[c];
        imr_full[c] = cur.e[c] / (cur.chi[c] * cur.er);
    }
    Vec x_full(m);
    for (std::size_t r = 0; r < m; ++r) {
        x_full[r] = y_full[s.ex[r]] * e_full[s.im[r]] * s.t_cfl[r] /
                    (imr_full[s.im[r]] * omr_full[s.ex[r]]);
    }
    out.exports_full = by_country(s, n, x_full, true, true);
    out.flows_full.assign(rows, 0.0);
    for (std::size_t r = 0; r < m; ++r) {
        out.flows_full[s.row[r]] = x_full[r];
    }
    out.omr_full.resize(n);
    out.imr_full.resize(n);
    out.real_gdp.resize(n);
    for (std::size_t c = 0; c < n; ++c) {
        out.exports_full[c] /= out.exports[c];
        out.omr_full[c] = std::pow(omr_full[c] / omr0[c], inv);
        out.imr_full[c] = std::pow(imr_full[c] / imr0[c], inv);
        out.real_gdp[c] = out.factory_price[c] / out.imr_full[c];
        if (!std::isfinite(out.factory_price[c]) || !std::isfinite(out.real_gdp[c])) {
            throw sim::NumericalError(fmt::format(
                "yotov: the full-endowment effects of {} are not finite", p.countries[c]));
        }
    }
    return out;
}

// ---------------------------------------------------------------------------------------------
// Reading a problem from a table.

namespace {

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
    return s;
}

std::string trim(const std::string& s) {
    const auto b = s.find_first_not_of(" \t");
    if (b == std::string::npos) {
        return "";
    }
    return s.substr(b, s.find_last_not_of(" \t") - b + 1);
}

// By exact name, else by the only name equal ignoring case.
const sim::DataColumn* find_column(const sim::DataFrame& data, const std::string& name) {
    if (const auto* c = data.find(name)) {
        return c;
    }
    const sim::DataColumn* found = nullptr;
    for (const auto& c : data.columns()) {
        if (lower(c.name) == lower(name)) {
            if (found != nullptr) {
                return nullptr;
            }
            found = &c;
        }
    }
    return found;
}

std::optional<double> number(const std::string& text) {
    double v = 0.0;
    const char* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, v);
    if (ec != std::errc() || ptr != end) {
        return std::nullopt;
    }
    return v;
}

// The book's international-border dummy, for data that does not carry it.
constexpr const char* border_name = "INTL_BRDR";

} // namespace

YotovProblem yotov_problem(const sim::DataFrame& data, const YotovSpec& spec) {
    sim::Diagnostics diag;
    const sim::Location at_file{data.source, 0, 0};
    const auto names = data.names();
    const auto column = [&](const std::string& name, const std::string& role,
                            bool numeric) -> const sim::DataColumn* {
        const auto* c = find_column(data, name);
        if (c == nullptr) {
            diag.error(at_file,
                       fmt::format("unknown column \"{}\" ({}){} (columns: {})", name, role,
                                   sim::did_you_mean(name, names), fmt::join(names, ", ")));
        } else if (numeric && c->kind != sim::DataColumn::Kind::numeric) {
            diag.error(at_file, fmt::format("column \"{}\" ({}) must be numeric", c->name, role));
            return nullptr;
        }
        return c;
    };

    const auto* ex_col = column(spec.exporter, "exporter", false);
    const auto* im_col = column(spec.importer, "importer", false);
    const auto* flow_col = column(spec.formula.response, "flow", true);
    if (!spec.keep.empty() && spec.keep.size() != data.rows()) {
        diag.error(at_file, fmt::format("the row filter has {} values for {} rows",
                                        spec.keep.size(), data.rows()));
    }
    if (!spec.formula.fixed_effects.empty()) {
        const std::set<std::string> given{spec.formula.fixed_effects.front().label,
                                          spec.formula.fixed_effects.back().label};
        if (spec.formula.fixed_effects.size() != 2 ||
            given != std::set<std::string>{spec.exporter, spec.importer}) {
            diag.error(at_file, fmt::format("the fixed effects are {} + {}, implied; the formula "
                                            "\"{}\" names others (leave out \"| ...\")",
                                            spec.exporter, spec.importer, spec.formula.text));
        }
    }
    // Regressors: a column each, or the border dummy (nullptr).
    std::vector<const sim::DataColumn*> reg_cols;
    for (const auto& t : spec.formula.regressors) {
        if (find_column(data, t.column) == nullptr && t.column == border_name) {
            reg_cols.push_back(nullptr);
        } else {
            reg_cols.push_back(column(t.column, "regressor " + t.label, true));
        }
    }
    // Counterfactual values per regressor column: a number or another column.
    struct Change {
        std::optional<double> value;
        const sim::DataColumn* from = nullptr;
    };
    std::map<std::string, Change> changes; // by the regressor's column as written
    for (const auto& entry : spec.set) {
        const auto eq = entry.find('=');
        const std::string name = trim(entry.substr(0, eq));
        const std::string value = eq == std::string::npos ? "" : trim(entry.substr(eq + 1));
        if (eq == std::string::npos || name.empty() || value.empty()) {
            diag.error(at_file, fmt::format("--set \"{}\": expected COLUMN=VALUE, e.g. {}=0", entry,
                                            border_name));
            continue;
        }
        std::vector<std::string> used;
        const Term* term = nullptr;
        for (const auto& t : spec.formula.regressors) {
            used.push_back(t.column);
            if (t.column == name || lower(t.column) == lower(name)) {
                term = &t;
            }
        }
        if (term == nullptr) {
            diag.error(at_file, fmt::format("--set \"{}\": no regressor reads column \"{}\"{} "
                                            "(regressor columns: {})",
                                            entry, name, sim::did_you_mean(name, used),
                                            fmt::join(used, ", ")));
            continue;
        }
        Change change;
        change.value = number(value);
        if (!change.value) {
            change.from = column(value, "--set " + entry, true);
            if (change.from == nullptr) {
                continue;
            }
        }
        if (!changes.emplace(term->column, change).second) {
            diag.error(at_file, fmt::format("--set \"{}\": column \"{}\" is set twice", entry,
                                            term->column));
        }
    }
    diag.throw_if_any();

    YotovProblem p;
    p.sigma = spec.sigma;
    const auto ex_text = ex_col->texts();
    const auto im_text = im_col->texts();
    std::vector<std::size_t> rows;
    for (std::size_t i = 0; i < data.rows(); ++i) {
        if (spec.keep.empty() || spec.keep[i]) {
            rows.push_back(i);
        }
    }
    std::set<std::string> country_set;
    for (std::size_t i : rows) {
        if (!ex_text[i].empty()) {
            country_set.insert(ex_text[i]);
        }
        if (!im_text[i].empty()) {
            country_set.insert(im_text[i]);
        }
    }
    p.countries.assign(country_set.begin(), country_set.end());
    std::map<std::string, std::int32_t> code;
    for (std::size_t c = 0; c < p.countries.size(); ++c) {
        code[p.countries[c]] = static_cast<std::int32_t>(c);
    }
    const std::size_t k_count = spec.formula.regressors.size();
    for (const auto& t : spec.formula.regressors) {
        p.cost_names.push_back(t.label);
    }
    p.costs.assign(k_count, {});
    p.counterfactual.assign(k_count, {});

    std::size_t problems = 0;
    const auto row_error = [&](std::size_t i, std::string message) {
        if (++problems <= max_listed) {
            // Data line = row + 2: the header is line 1.
            diag.error({data.source, static_cast<std::uint32_t>(i + 2), 0}, std::move(message));
        }
    };
    std::map<std::pair<std::int32_t, std::int32_t>, std::size_t> pair_row;
    std::size_t repeated = 0;
    std::pair<std::size_t, std::size_t> first_repeat;
    for (std::size_t i : rows) {
        if (ex_text[i].empty() || im_text[i].empty()) {
            row_error(i, "missing exporter or importer");
            continue;
        }
        const auto ie = code[ex_text[i]];
        const auto ii = code[im_text[i]];
        const auto [at, fresh] = pair_row.emplace(std::pair{ie, ii}, i);
        if (!fresh) {
            // Usually a panel without a year filter: one message, not one per row.
            if (repeated++ == 0) {
                first_repeat = {i, at->second};
            }
            continue;
        }
        const double flow = flow_col->numbers[i];
        if (std::isnan(flow)) {
            row_error(
                i, fmt::format("missing {} for {} -> {}", flow_col->name, ex_text[i], im_text[i]));
            continue;
        }
        bool ok = true;
        std::vector<double> base(k_count), cf(k_count);
        for (std::size_t k = 0; k < k_count; ++k) {
            const Term& t = spec.formula.regressors[k];
            const double b =
                reg_cols[k] == nullptr ? (ie != ii ? 1.0 : 0.0) : reg_cols[k]->numbers[i];
            double c = b;
            const auto change = changes.find(t.column);
            if (change != changes.end()) {
                c = change->second.value ? *change->second.value : change->second.from->numbers[i];
            }
            if (std::isnan(b) || std::isnan(c)) {
                row_error(i, fmt::format("missing value of {} for {} -> {}", t.label, ex_text[i],
                                         im_text[i]));
                ok = false;
                continue;
            }
            if (t.log && (b <= 0.0 || c <= 0.0)) {
                row_error(i, fmt::format("{} needs a positive {} for {} -> {}, not {}", t.label,
                                         t.column, ex_text[i], im_text[i], b <= 0.0 ? b : c));
                ok = false;
                continue;
            }
            base[k] = t.log ? std::log(b) : b;
            cf[k] = t.log ? std::log(c) : c;
        }
        if (!ok) {
            continue;
        }
        p.exporter.push_back(ie);
        p.importer.push_back(ii);
        p.flows.push_back(flow);
        for (std::size_t k = 0; k < k_count; ++k) {
            p.costs[k].push_back(base[k]);
            p.counterfactual[k].push_back(cf[k]);
        }
    }
    if (repeated > 0) {
        const auto [i, earlier] = first_repeat;
        diag.error({data.source, static_cast<std::uint32_t>(i + 2), 0},
                   fmt::format("{} rows repeat an earlier pair, the first {} -> {} of line {}; "
                               "the method needs one cross-section (filter one year, e.g. "
                               "--where \"year == 2006\")",
                               repeated, ex_text[i], im_text[i], earlier + 2));
    }
    if (problems > max_listed) {
        diag.error(at_file,
                   fmt::format("... and {} more problems with rows", problems - max_listed));
    }
    if (rows.empty()) {
        diag.error(at_file, "no rows (after the filter)");
    }
    const auto ref = code.find(spec.reference);
    if (ref == code.end()) {
        diag.error(at_file,
                   fmt::format("unknown reference country \"{}\"{} (countries: {})", spec.reference,
                               sim::did_you_mean(spec.reference, p.countries),
                               fmt::join(p.countries, ", ")));
    } else {
        p.reference = ref->second;
    }
    diag.throw_if_any();
    return p;
}

} // namespace tradesim::models::gravity
