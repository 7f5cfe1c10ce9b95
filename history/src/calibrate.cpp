// Chooses a world's countries and flows from a panel year and fits the gravity model whose
// estimates the world records (history/calibrate.hpp).

#include "tradesim/history/calibrate.hpp"

#include "calibrate_detail.hpp"
#include "tradesim/models/gravity/design.hpp"
#include "tradesim/models/gravity/formula.hpp"
#include "tradesim/models/world.hpp"
#include "tradesim/sim/error.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <limits>

namespace tradesim::history {

namespace {

namespace gr = models::gravity;
using models::TradePanel;

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

std::string lower(std::string s) {
    for (auto& c : s) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return s;
}

// The first pair variable whose name is one of `names` (any case) and that is observed in
// year y; null when none.
const models::PanelVariable* find_pair_variable(const TradePanel& panel, std::size_t y,
                                                const std::vector<std::string>& names) {
    const std::size_t n = panel.country_count();
    for (const auto& want : names) {
        for (const auto& v : panel.pair_variables) {
            if (lower(v.name) != want) {
                continue;
            }
            const auto begin = v.values.begin() + static_cast<std::ptrdiff_t>(y * n * n);
            if (std::any_of(begin, begin + static_cast<std::ptrdiff_t>(n * n),
                            [](double x) { return !std::isnan(x); })) {
                return &v;
            }
        }
    }
    return nullptr;
}

// Keeps the countries that trade internationally in the year and, without domestic flows in
// the data, have a GDP to derive them from; then drops, until none is left, countries that
// sell or buy nothing within the world (the economy divides by both).
detail::WorldData choose_world(const TradePanel& panel, std::size_t y, CalibrateResult& result) {
    const std::size_t n = panel.country_count();
    const std::size_t ns = panel.sector_count();
    const int year = panel.years[y];
    const auto flow = [&](std::size_t i, std::size_t j, std::size_t k) {
        return panel.flows[panel.flow_index(y, i, j, k)];
    };
    bool domestic = false;
    std::vector<double> international(n, 0.0);
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t j = 0; j < n; ++j) {
            for (std::size_t k = 0; k < ns; ++k) {
                if (i == j) {
                    domestic = domestic || flow(i, i, k) > 0.0;
                } else {
                    international[i] += flow(i, j, k);
                    international[j] += flow(i, j, k);
                }
            }
        }
    }
    result.domestic_from_data = domestic;
    const models::PanelVariable* gdp = panel.country_variable("gdp_usd");
    if (!domestic && gdp == nullptr) {
        throw sim::InputError(fmt::format(
            "panel: error: the panel has no domestic flows (exporter == importer) in {} and no "
            "gdp_usd country variable to derive them from (GDP - exports): import a macro file "
            "with GDP into the panel (e.g. `tradesim import pwt`) or use data with domestic "
            "flows",
            year));
    }
    std::vector<unsigned char> keep(n, 0);
    for (std::size_t i = 0; i < n; ++i) {
        const double g = gdp == nullptr ? nan : gdp->values[panel.country_index(y, i)];
        if (!(international[i] > 0.0)) {
            result.dropped_countries.push_back(
                fmt::format("{}: no international trade in {}", panel.countries[i], year));
        } else if (!domestic && !(g > 0.0)) {
            result.dropped_countries.push_back(
                fmt::format("{}: no gdp_usd in {} to derive its domestic flows from",
                            panel.countries[i], year));
        } else {
            keep[i] = 1;
        }
    }
    detail::WorldData w;
    w.year = y;
    for (bool changed = true; changed;) {
        changed = false;
        w.members.clear();
        for (std::size_t i = 0; i < n; ++i) {
            if (keep[i] != 0) {
                w.members.push_back(i);
            }
        }
        const std::size_t m = w.size();
        w.flows.assign(m * m * ns, 0.0);
        w.gdp_usd.assign(m, nan);
        for (std::size_t a = 0; a < m; ++a) {
            if (gdp != nullptr) {
                w.gdp_usd[a] = gdp->values[panel.country_index(y, w.members[a])];
            }
            for (std::size_t b = 0; b < m; ++b) {
                for (std::size_t k = 0; k < ns; ++k) {
                    w.flows[(a * m + b) * ns + k] = flow(w.members[a], w.members[b], k);
                }
            }
        }
        if (!domestic) {
            // Domestic absorption = GDP - exports, split over sectors as the country's own
            // trade (exports + imports) in them, equally when it has none in the world.
            for (std::size_t a = 0; a < m; ++a) {
                std::vector<double> weight(ns, 0.0);
                double exports = 0.0, total = 0.0;
                for (std::size_t b = 0; b < m; ++b) {
                    for (std::size_t k = 0; k < ns; ++k) {
                        exports += w.flows[(a * m + b) * ns + k];
                        weight[k] += w.flows[(a * m + b) * ns + k] + w.flows[(b * m + a) * ns + k];
                    }
                }
                for (double x : weight) {
                    total += x;
                }
                const double home = std::max(0.0, w.gdp_usd[a] - exports);
                for (std::size_t k = 0; k < ns; ++k) {
                    w.flows[(a * m + a) * ns + k] =
                        home * (total > 0.0 ? weight[k] / total : 1.0 / static_cast<double>(ns));
                }
            }
        }
        for (std::size_t a = 0; a < m; ++a) {
            double sells = 0.0, buys = 0.0;
            for (std::size_t b = 0; b < m; ++b) {
                for (std::size_t k = 0; k < ns; ++k) {
                    sells += w.flows[(a * m + b) * ns + k];
                    buys += w.flows[(b * m + a) * ns + k];
                }
            }
            if (!(sells > 0.0) || !(buys > 0.0)) {
                keep[w.members[a]] = 0;
                changed = true;
                result.dropped_countries.push_back(fmt::format(
                    "{}: {} nothing within the world in {}", panel.countries[w.members[a]],
                    sells > 0.0 ? "buys" : "sells", year));
            }
        }
    }
    if (w.size() < 2) {
        throw sim::InputError(fmt::format(
            "panel: error: fewer than two countries trade in {}: no world to build", year));
    }
    if (domestic) {
        result.notes.push_back("domestic flows: from the data (exporter == importer rows)");
        std::vector<std::string> none;
        for (std::size_t a = 0; a < w.size(); ++a) {
            double home = 0.0;
            for (std::size_t k = 0; k < ns; ++k) {
                home += w.flows[(a * w.size() + a) * ns + k];
            }
            if (!(home > 0.0)) {
                none.push_back(panel.countries[w.members[a]]);
            }
        }
        if (!none.empty()) {
            result.notes.push_back(
                fmt::format("no domestic flow in the data, left 0: {}", fmt::join(none, ", ")));
        }
    } else {
        result.notes.push_back(
            "domestic flows: not in the data; derived as GDP (gdp_usd) - exports to the world's "
            "countries, split over sectors as the country's exports + imports");
        std::vector<std::string> hubs;
        for (std::size_t a = 0; a < w.size(); ++a) {
            const auto home =
                w.flows.begin() + static_cast<std::ptrdiff_t>((a * w.size() + a) * ns);
            if (std::all_of(home, home + static_cast<std::ptrdiff_t>(ns),
                            [](double v) { return !(v > 0.0); })) {
                hubs.push_back(panel.countries[w.members[a]]);
            }
        }
        if (!hubs.empty()) {
            result.notes.push_back(fmt::format(
                "exports exceed GDP (gross flows against value added: re-export hubs), domestic "
                "flow set to 0: {}",
                fmt::join(hubs, ", ")));
        }
    }
    return w;
}

// PPML of pair totals: trade ~ log(dist) + contig + rta [+ border] | exporter + importer.
void fit_gravity(const TradePanel& panel, detail::WorldData& w, const detail::GeoTable& geo,
                 const CalibrateOptions& options, CalibrateResult& result) {
    const std::size_t y = w.year;
    const std::size_t n = panel.country_count();
    const std::size_t m = w.size();
    const std::size_t ns = panel.sector_count();
    const auto left_out = [&](const std::string& name) {
        return std::find(options.without.begin(), options.without.end(), name) !=
               options.without.end();
    };
    const auto pair_values = [&](const models::PanelVariable* v) {
        std::vector<double> out(m * m, nan);
        for (std::size_t a = 0; a < m; ++a) {
            for (std::size_t b = 0; b < m; ++b) {
                out[a * m + b] = v->values[(y * n + w.members[a]) * n + w.members[b]];
            }
        }
        return out;
    };
    struct Column {
        CalibrateRegressor regressor;
        std::vector<double> values;
    };
    std::vector<Column> columns;

    Column dist{{"dist", "log(dist)", "", false}, {}};
    if (const auto* v = find_pair_variable(panel, y, {"dist", "distw", "dist_km", "distcap"})) {
        dist.values = pair_values(v);
        dist.regressor.source = fmt::format("panel pair variable \"{}\"", v->name);
    } else if (!geo.empty()) {
        dist.values.assign(m * m, nan);
        std::size_t located = 0;
        for (std::size_t a = 0; a < m; ++a) {
            const auto ga = geo.find(panel.countries[w.members[a]]);
            located += ga != geo.end() ? 1 : 0;
            for (std::size_t b = 0; b < m && ga != geo.end(); ++b) {
                const auto gb = geo.find(panel.countries[w.members[b]]);
                if (gb != geo.end()) {
                    dist.values[a * m + b] =
                        a == b ? ga->second.internal_km
                               : std::max(1.0,
                                          models::great_circle_km(ga->second.lat, ga->second.lon,
                                                                  gb->second.lat, gb->second.lon));
                }
            }
        }
        dist.regressor.source = fmt::format(
            "great-circle distance between main cities of {} (dis_int within a country); {} of "
            "{} countries located, pairs with the others left out of the fit",
            options.geo_file, located, m);
    } else {
        dist.regressor.source = "left out: no dist/distw/dist_km pair variable and no --geo file";
    }
    columns.push_back(std::move(dist));

    Column contig{{"contig", "contig", "", false}, {}};
    if (const auto* v = find_pair_variable(panel, y, {"contig", "cntg", "contiguity"})) {
        contig.values = pair_values(v);
        contig.regressor.source = fmt::format("panel pair variable \"{}\"", v->name);
    } else {
        contig.regressor.source = "left out: no contig/cntg pair variable";
    }
    columns.push_back(std::move(contig));

    Column rta{{"rta", "rta", "", false}, {}};
    if (const auto* v = find_pair_variable(panel, y, {"rta", "fta"})) {
        rta.values = pair_values(v);
        // An agreement variable may hold agreement ids (penppml's Comtrade panel): any nonzero
        // value is an agreement in force, as the backtest reads it.
        for (double& x : rta.values) {
            x = std::isnan(x) ? x : (x != 0.0 ? 1.0 : 0.0);
        }
        rta.regressor.source = fmt::format("panel pair variable \"{}\"", v->name);
    } else {
        rta.regressor.source = "left out: no rta/fta pair variable";
    }
    columns.push_back(std::move(rta));

    Column border{{"border", "border", "", false}, {}};
    if (result.domestic_from_data) {
        border.values.assign(m * m, 1.0);
        for (std::size_t a = 0; a < m; ++a) {
            border.values[a * m + a] = 0.0;
        }
        border.regressor.source = "1 for pairs of different countries (domestic flows in data)";
    } else {
        border.regressor.source = "left out: domestic flows derived from GDP, not observed";
    }
    columns.push_back(std::move(border));

    // The world keeps borders and agreements as data, whatever the fit uses.
    const auto flags = [&](const std::vector<double>& v) {
        std::vector<unsigned char> out(v.size(), 0);
        for (std::size_t p = 0; p < v.size(); ++p) {
            out[p] = v[p] > 0.0 ? 1 : 0;
        }
        return out;
    };
    if (!columns[1].values.empty()) {
        w.contig = flags(columns[1].values);
    }
    if (!columns[2].values.empty()) {
        w.rta = flags(columns[2].values);
    }

    sim::DataFrame frame;
    frame.source = "panel";
    sim::DataColumn trade{"trade", sim::DataColumn::Kind::numeric, {}, {}, {}};
    sim::DataColumn exporter{"exporter", sim::DataColumn::Kind::categorical, {}, {}, {}};
    sim::DataColumn importer{"importer", sim::DataColumn::Kind::categorical, {}, {}, {}};
    for (std::size_t a = 0; a < m; ++a) {
        exporter.levels.push_back(panel.countries[w.members[a]]);
    }
    importer.levels = exporter.levels;
    std::vector<std::size_t> rows; // a * m + b of each row
    for (std::size_t a = 0; a < m; ++a) {
        for (std::size_t b = 0; b < m; ++b) {
            if (a == b && !result.domestic_from_data) {
                continue; // derived, not observed: not evidence on trade costs
            }
            double total = 0.0;
            for (std::size_t k = 0; k < ns; ++k) {
                total += w.flows[(a * m + b) * ns + k];
            }
            // A pair the data does not cover is missing, not a zero.
            const bool covered =
                panel.reported.empty() ||
                panel.reported[panel.pair_index(y, w.members[a], w.members[b])] != 0 || total > 0.0;
            trade.numbers.push_back(covered ? total : nan);
            exporter.codes.push_back(static_cast<std::int32_t>(a));
            importer.codes.push_back(static_cast<std::int32_t>(b));
            rows.push_back(a * m + b);
        }
    }
    frame.add(std::move(trade));
    frame.add(std::move(exporter));
    frame.add(std::move(importer));
    std::vector<std::string> terms;
    for (auto& c : columns) {
        if (c.values.empty()) {
            continue;
        }
        if (left_out(c.regressor.name)) {
            c.regressor.source = "left out by request (--without); data: " + c.regressor.source;
            continue;
        }
        sim::DataColumn col{c.regressor.name, sim::DataColumn::Kind::numeric, {}, {}, {}};
        for (std::size_t r : rows) {
            col.numbers.push_back(c.values[r]);
        }
        frame.add(std::move(col));
        c.regressor.used = true;
        terms.push_back(c.regressor.term);
    }
    result.formula =
        fmt::format("trade ~ {} | exporter + importer",
                    terms.empty() ? std::string("1") : fmt::format("{}", fmt::join(terms, " + ")));
    for (const auto& c : columns) {
        result.regressors.push_back(c.regressor);
    }
    const gr::Formula formula = gr::parse_formula(result.formula);
    const gr::Design design = gr::build_design(frame, formula, {});
    result.pairs = rows.size();
    result.dropped_missing = design.missing;
    result.fit = gr::fit_ppml(design.problem);
}

} // namespace

CalibrateResult calibrate(const TradePanel& panel, const CalibrateOptions& options) {
    panel.check();
    const int y = panel.find_year(options.year);
    if (y < 0) {
        throw sim::UsageError(fmt::format("--year: {} is not in the panel (years: {})",
                                          options.year, fmt::join(panel.years, ", ")));
    }
    for (const auto& name : options.without) {
        if (name != "dist" && name != "contig" && name != "rta" && name != "border") {
            throw sim::UsageError(fmt::format(
                "--without: unknown regressor \"{}\" (known: dist, contig, rta, border)", name));
        }
    }
    if (options.out_dir.empty()) {
        throw sim::UsageError("--out: a world folder is needed");
    }
    if (!(options.trade_elasticity > 0.0)) {
        throw sim::UsageError("--trade-elasticity must be positive");
    }
    CalibrateResult result;
    result.year = options.year;
    result.directory = options.out_dir;
    result.sectors = panel.sectors;
    const detail::GeoTable geo = detail::read_geo(options.geo_file);
    detail::WorldData world = choose_world(panel, static_cast<std::size_t>(y), result);
    fit_gravity(panel, world, geo, options, result);
    for (std::size_t i : world.members) {
        result.countries.push_back(panel.countries[i]);
    }
    detail::write_world(panel, world, geo, options, result);
    return result;
}

} // namespace tradesim::history
