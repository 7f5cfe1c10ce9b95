#include "tradesim/models/gravity/ge_yotov.hpp"

#include "gravity/detail/ge_yotov.hpp"

#include "tradesim/sim/error.hpp"

#include <cmath>
#include <fmt/format.h>
#include <limits>
#include <string>

// solve_yotov runs the steps of the book; its input checks are in ge_yotov_check.cpp, the
// full-endowment loop in ge_yotov_full.cpp, and yotov_problem in ge_yotov_problem.cpp.

namespace tradesim::models::gravity {

using namespace detail::yotov;

namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

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
    State start;
    start.pi = e1.pi;
    start.chi = e1.chi;
    start.y = y0;
    start.e = e_data;
    start.er = er0;
    start.omr.resize(n);
    start.imr.resize(n);
    start.price.resize(n);
    for (std::size_t c = 0; c < n; ++c) {
        start.omr[c] = y0[c] * er0 / e1.pi[c];
        start.imr[c] = e_data[c] / (e1.chi[c] * er0);
        start.price[c] = std::pow(e1.pi[c] / e0.pi[c], inv);
    }
    start.d_omr.assign(n, 1.0);
    start.d_imr.assign(n, 1.0);
    const FullEndowment full = full_endowment(std::move(start), s, phi, p, options);
    out.iterations = full.iterations;
    out.last_change = full.move;

    // (iv) Full-endowment indexes from the last iteration S.
    const State& last = full.last;
    Vec y_full(n), e_full(n), omr_full(n), imr_full(n);
    out.factory_price.resize(n);
    for (std::size_t c = 0; c < n; ++c) {
        out.factory_price[c] = std::pow((last.pi[c] / e0.pi[c]) / (last.er / er0), inv);
        y_full[c] = out.factory_price[c] * y0[c];
        e_full[c] = phi[c] * y_full[c];
        omr_full[c] = y_full[c] * last.er / last.pi[c];
        imr_full[c] = last.e[c] / (last.chi[c] * last.er);
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

} // namespace tradesim::models::gravity
