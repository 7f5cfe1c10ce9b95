#include "backtest_detail.hpp"

#include "tradesim/models/gravity/ppml.hpp"

#include <cmath>
#include <cstdint>
#include <fmt/format.h>
#include <unordered_map>

namespace tradesim::history::detail {

namespace {

namespace gr = models::gravity;

// Dense codes 0..G-1 for arbitrary keys, in order of first appearance.
struct Coder {
    std::unordered_map<std::uint64_t, std::int32_t> codes;
    std::int32_t operator()(std::uint64_t key) {
        return codes.emplace(key, static_cast<std::int32_t>(codes.size())).first->second;
    }
};

RtaEstimate from_fit(const gr::PpmlResult& fit, std::string method, std::vector<int> years) {
    RtaEstimate e;
    for (std::size_t c = 0; c < fit.names.size(); ++c) {
        if (fit.names[c] == "rta") {
            e.beta = fit.coefficients[c];
            e.std_error = fit.std_errors[c];
        }
    }
    e.method = std::move(method);
    e.observations = fit.observations;
    e.years = std::move(years);
    return e;
}

// Three-way PPML on the international pairs of years [0, y0]: exporter-year, importer-year and
// pair fixed effects, standard errors clustered by pair (Yotov et al. 2016, ch. 1, eq. 1.6).
// Identified by pairs whose agreement status changes within the years used.
RtaEstimate three_way(const models::TradePanel& panel, const models::PanelVariable& rta,
                      std::size_t y0) {
    const std::size_t n = panel.country_count();
    gr::PpmlProblem problem;
    problem.x.resize(1);
    problem.x_names = {"rta"};
    problem.fe.resize(3);
    problem.fe_names = {"exporter-year", "importer-year", "pair"};
    problem.clusters.resize(1);
    problem.cluster_names = {"pair"};
    problem.vcov = gr::Vcov::cluster;
    Coder exporter_year, importer_year, pair;
    std::vector<int> years;
    for (std::size_t y = 0; y <= y0; ++y) {
        const std::vector<double> totals = panel.pair_totals(y);
        bool any = false;
        for (std::size_t i = 0; i < n; ++i) {
            for (std::size_t j = 0; j < n; ++j) {
                const std::size_t p = panel.pair_index(y, i, j);
                if (i == j || panel.reported[p] == 0 || std::isnan(rta.values[p])) {
                    continue;
                }
                any = true;
                problem.y.push_back(totals[i * n + j]);
                problem.x[0].push_back(in_force(rta.values[p]));
                problem.fe[0].push_back(exporter_year(y * n + i));
                problem.fe[1].push_back(importer_year(y * n + j));
                const std::int32_t pc = pair(i * n + j);
                problem.fe[2].push_back(pc);
                problem.clusters[0].push_back(pc);
            }
        }
        if (any) {
            years.push_back(panel.years[y]);
        }
    }
    const auto fit = gr::fit_ppml(problem);
    return from_fit(fit,
                    fmt::format("three-way PPML on {}-{} (exporter-year, importer-year and pair "
                                "fixed effects, clustered by pair)",
                                years.front(), years.back()),
                    years);
}

// Cross-section of year y0: ln dist and rta with exporter and importer fixed effects.
RtaEstimate cross_section(const models::TradePanel& panel, const models::PanelVariable& rta,
                          const models::PanelVariable& dist, std::size_t y0) {
    const std::size_t n = panel.country_count();
    gr::PpmlProblem problem;
    problem.x.resize(2);
    problem.x_names = {"ln_dist", "rta"};
    problem.fe.resize(2);
    problem.fe_names = {"exporter", "importer"};
    const std::vector<double> totals = panel.pair_totals(y0);
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t j = 0; j < n; ++j) {
            const std::size_t p = panel.pair_index(y0, i, j);
            if (i == j || panel.reported[p] == 0 || std::isnan(rta.values[p]) ||
                !(dist.values[p] > 0.0)) {
                continue;
            }
            problem.y.push_back(totals[i * n + j]);
            problem.x[0].push_back(std::log(dist.values[p]));
            problem.x[1].push_back(in_force(rta.values[p]));
            problem.fe[0].push_back(static_cast<std::int32_t>(i));
            problem.fe[1].push_back(static_cast<std::int32_t>(j));
        }
    }
    const auto fit = gr::fit_ppml(problem);
    return from_fit(fit,
                    fmt::format("cross-section PPML on {} (ln dist, exporter and importer fixed "
                                "effects)",
                                panel.years[y0]),
                    {panel.years[y0]});
}

// Whether some international pair's rta changes between two of the years [0, y0].
bool rta_varies(const models::TradePanel& panel, const models::PanelVariable& rta, std::size_t y0) {
    const std::size_t n = panel.country_count();
    for (std::size_t p = 0; p < n * n; ++p) {
        double first = std::nan("");
        for (std::size_t y = 0; y <= y0; ++y) {
            const double v = in_force(rta.values[y * n * n + p]);
            if (std::isnan(v) || panel.reported[y * n * n + p] == 0) {
                continue;
            }
            if (std::isnan(first)) {
                first = v;
            } else if (v != first) {
                return true;
            }
        }
    }
    return false;
}

} // namespace

RtaEstimate estimate_rta(const models::TradePanel& panel, std::size_t y0,
                         std::vector<std::string>& notes) {
    const models::PanelVariable* rta = panel.pair_variable("rta");
    if (rta == nullptr) {
        return {};
    }
    if (y0 >= 1 && rta_varies(panel, *rta, y0)) {
        RtaEstimate e = three_way(panel, *rta, y0);
        if (!std::isnan(e.beta)) {
            return e;
        }
        notes.push_back(fmt::format(
            "the three-way fit on the years up to {} dropped rta (collinear with the fixed "
            "effects: the pairs whose agreements change have no trade)",
            panel.years[y0]));
    }
    const models::PanelVariable* dist = panel.pair_variable("dist");
    if (dist != nullptr) {
        RtaEstimate e = cross_section(panel, *rta, *dist, y0);
        if (!std::isnan(e.beta)) {
            notes.push_back(fmt::format(
                "rta does not change within the panel's years up to {}: its effect is "
                "estimated on the {} cross-section, which confounds agreements with unobserved "
                "pair ties",
                panel.years[y0], panel.years[y0]));
            return e;
        }
    }
    notes.push_back(fmt::format(
        "the panel cannot identify the rta effect from the years up to {} (one year or no "
        "change, and no dist, or a fit that dropped rta): using the literature value {} "
        "(Yotov et al. 2016, ch. 1, Table 3, col. 4); set --rta-effect to use another",
        panel.years[y0], literature_rta));
    RtaEstimate e;
    e.beta = literature_rta;
    e.std_error = literature_rta_se;
    e.method = "literature: Yotov et al. (2016), An Advanced Guide to Trade Policy Analysis, "
               "ch. 1, Table 3, col. 4 (PPML, pair fixed effects)";
    return e;
}

} // namespace tradesim::history::detail
