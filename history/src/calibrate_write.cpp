// Writes a calibrated world folder (history/calibrate.hpp): facts, observed flows, and the
// gravity estimates with what they were fitted on.

#include "calibrate_detail.hpp"
#include "tradesim/history/csv.hpp"
#include "tradesim/sim/error.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <fstream>
#include <map>
#include <sstream>

namespace tradesim::history::detail {

namespace {

namespace fs = std::filesystem;

// Fact files split cells on commas without quoting.
std::string cell(std::string text) {
    std::replace(text.begin(), text.end(), ',', ' ');
    std::replace(text.begin(), text.end(), '"', '\'');
    return text;
}

// A TOML float that reads back to the same double.
std::string toml_number(double v) {
    std::string s = fmt::format("{}", v);
    if (s.find_first_of(".eEn") == std::string::npos) {
        s += ".0";
    }
    return s;
}

void write_file(const fs::path& path, const std::string& text, CalibrateResult& result) {
    std::ofstream out(path, std::ios::binary);
    out << text;
    out.close();
    if (!out) {
        throw sim::IoError(fmt::format("{}: error: cannot write the file", path.string()));
    }
    result.files.push_back(path.string());
}

// A coefficient of the fit by its term, or NaN when it was not estimated.
double coefficient(const CalibrateResult& r, const std::string& term, double& se) {
    for (std::size_t k = 0; k < r.fit.names.size(); ++k) {
        if (r.fit.names[k] == term) {
            se = r.fit.std_errors[k];
            return r.fit.coefficients[k];
        }
    }
    return std::nan("");
}

std::string gravity_line(const CalibrateResult& r, const std::string& key,
                         const std::string& term) {
    double se = 0.0;
    const double b = coefficient(r, term, se);
    if (!std::isnan(b)) {
        return fmt::format("{} = {}   # {}, robust SE {:.6g}\n", key, toml_number(b), term, se);
    }
    std::string why = "not estimated";
    for (const auto& reg : r.regressors) {
        if (reg.term == term) {
            why = reg.used ? "dropped as collinear" : reg.source;
        }
    }
    return fmt::format("{} = 0.0   # {}: {}\n", key, term, why);
}

std::string estimates_text(const CalibrateResult& r) {
    const auto& f = r.fit;
    std::string t =
        fmt::format("# PPML gravity fit of the {} world (tradesim calibrate)\n\n", r.year);
    t += fmt::format("formula: {}\n", r.formula);
    t += "outcome: total trade of the pair over all sectors in the year (USD)\n";
    t += fmt::format("standard errors: {}\n", f.vcov_label);
    t += "regressors:\n";
    for (const auto& reg : r.regressors) {
        t += fmt::format("  {:<10} {}\n", reg.term, reg.source);
    }
    t += fmt::format("\n  {:<12} {:>14} {:>12} {:>9}\n", "", "estimate", "robust SE", "z");
    for (std::size_t k = 0; k < f.names.size(); ++k) {
        t += fmt::format("  {:<12} {:>14.8g} {:>12.6g} {:>9.3f}\n", f.names[k], f.coefficients[k],
                         f.std_errors[k], f.coefficients[k] / f.std_errors[k]);
    }
    for (const auto& c : f.collinear) {
        t += fmt::format("  {:<12} dropped: collinear with the other regressors and effects\n", c);
    }
    t += fmt::format("\npairs offered: {}\nobservations used: {}\n", r.pairs, f.observations);
    t += fmt::format("dropped: {} missing (pair not covered or regressor unknown), {} in "
                     "all-zero fixed-effect groups, {} separated by regressors, {} singletons\n",
                     r.dropped_missing, f.dropped_separation, f.dropped_separation_regressors,
                     f.dropped_singletons);
    t += fmt::format("fixed effects: exporter {} levels, importer {} levels\n",
                     f.fe_sizes.empty() ? 0 : f.fe_sizes[0],
                     f.fe_sizes.size() < 2 ? 0 : f.fe_sizes[1]);
    t += fmt::format("pseudo-R2: {:.6f}\ndeviance: {:.8g}\nlog pseudo-likelihood: {:.8g}\n"
                     "iterations: {}\n",
                     f.pseudo_r2, f.deviance, f.log_likelihood, f.iterations);
    for (const auto& note : f.notes) {
        t += fmt::format("fit note: {}\n", note);
    }
    t += "\n";
    for (const auto& note : r.notes) {
        t += fmt::format("note: {}\n", note);
    }
    for (const auto& d : r.dropped_countries) {
        t += fmt::format("dropped country {}\n", d);
    }
    return t;
}

} // namespace

GeoTable read_geo(const std::string& path) {
    GeoTable out;
    if (path.empty()) {
        return out;
    }
    CsvOptions csv;
    csv.columns = {"iso3",    "country", "area", "dis_int", "continent",
                   "city_en", "lat",     "lon",  "cap",     "maincity"};
    csv.categorical = {"iso3", "country", "continent", "city_en"};
    const sim::DataFrame frame = read_csv(path, csv);
    const auto texts = [&](const char* name) { return frame.find(name)->texts(); };
    const auto numbers = [&](const char* name) {
        const auto* c = frame.find(name);
        if (c->kind != sim::DataColumn::Kind::numeric) {
            throw sim::InputError(fmt::format("{}: error: column {} must be numeric", path, name));
        }
        return c->numbers;
    };
    const auto iso3 = texts("iso3"), country = texts("country"), continent = texts("continent"),
               city = texts("city_en");
    const auto area = numbers("area"), internal = numbers("dis_int"), lat = numbers("lat"),
               lon = numbers("lon"), cap = numbers("cap"), main = numbers("maincity");
    // geo_cepii keeps some pre-2000 codes; panels use today's ISO codes (YUG is Serbia and
    // Montenegro there: its location stands for Serbia's).
    const std::map<std::string, std::string> renamed = {
        {"ROM", "ROU"}, {"ZAR", "COD"}, {"TMP", "TLS"}, {"YUG", "SRB"}, {"PAL", "PSE"}};
    for (std::size_t r = 0; r < frame.rows(); ++r) {
        const auto alias = renamed.find(iso3[r]);
        auto [it, fresh] = out.try_emplace(alias == renamed.end() ? iso3[r] : alias->second);
        GeoRow& g = it->second;
        // CEPII measures distances from the main city; the capital is named apart.
        if (fresh || main[r] == 1.0) {
            g.name = country[r];
            g.continent = continent[r];
            g.lat = lat[r];
            g.lon = lon[r];
            g.area_km2 = area[r];
            g.internal_km = internal[r];
        }
        if (cap[r] == 1.0 || g.capital.empty()) {
            g.capital = city[r];
        }
    }
    return out;
}

void write_world(const models::TradePanel& panel, const WorldData& w, const GeoTable& geo,
                 const CalibrateOptions& options, CalibrateResult& result) {
    const fs::path dir(options.out_dir);
    for (const char* name : {"world.toml", "flows.csv", "countries.csv"}) {
        if (fs::exists(dir / name) && !options.overwrite) {
            throw sim::UsageError(
                fmt::format("--out: {} already holds a world ({} exists): choose another folder or "
                            "replace it with --force",
                            options.out_dir, name));
        }
    }
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) {
        throw sim::IoError(
            fmt::format("{}: error: cannot create the folder: {}", options.out_dir, ec.message()));
    }
    const std::size_t m = w.size();
    const std::size_t ns = panel.sector_count();
    const int year = options.year;
    const bool have_gdp =
        std::any_of(w.gdp_usd.begin(), w.gdp_usd.end(), [](double g) { return g > 0.0; });

    std::string c = fmt::format(
        "# tradesim world calibrated from a historical panel (tradesim calibrate), year {}.\n"
        "# iso3, name: the panel's codes and names (CEPII geo_cepii names where the panel has "
        "none).\n"
        "# gdp_usd_bn: {}\n"
        "# region, capital, lat, lon, area_km2: {}\n"
        "# population_mn, currency, fx_regime, bri_year, agri_pct, manuf_pct, resource_pct: not "
        "in the panel, left empty (unknown);\n"
        "#   a world with observed flows (flows.csv) needs none of them.\n",
        year,
        have_gdp ? "panel country variable gdp_usd in the year, in USD bn; where missing, the "
                   "country's total sales in flows.csv (gross output, not value added)"
                 : "the country's total sales in flows.csv, USD bn (gross output, not value "
                   "added: the panel has no gdp_usd)",
        geo.empty() ? "unknown (no --geo file), left empty"
                    : "CEPII GeoDist geo_cepii.csv (" + options.geo_file +
                          "): continent, capital, main city coordinates, area; empty where the "
                          "file has no such country");
    c += "iso3,name,region,gdp_usd_bn,population_mn,area_km2,capital,lat,lon,currency,fx_regime,"
         "bri_year,agri_pct,manuf_pct,resource_pct\n";
    for (std::size_t a = 0; a < m; ++a) {
        const std::size_t i = w.members[a];
        const std::string& code = panel.countries[i];
        double sales = 0.0;
        for (std::size_t p = a * m * ns; p < (a + 1) * m * ns; ++p) {
            sales += w.flows[p];
        }
        const double gdp = w.gdp_usd[a] > 0.0 ? w.gdp_usd[a] : sales;
        const auto g = geo.find(code);
        std::string name = i < panel.country_names.size() ? panel.country_names[i] : "";
        std::string region, capital, area, lat, lon;
        if (g != geo.end()) {
            name = name.empty() ? g->second.name : name;
            region = g->second.continent;
            capital = g->second.capital;
            // A value the geo file lacks stays an empty (unknown) cell, not "nan" or a guess.
            const auto known = [](double x) {
                return std::isnan(x) ? std::string() : fmt::format("{}", x);
            };
            area = known(g->second.area_km2 > 0.0 ? g->second.area_km2 : std::nan(""));
            lat = known(g->second.lat);
            lon = known(g->second.lon);
        }
        c += fmt::format("{},{},{},{},,{},{},{},{},,,,,,\n", code, cell(name.empty() ? code : name),
                         cell(region), gdp / 1e9, area, cell(capital), lat, lon);
    }
    write_file(dir / "countries.csv", c, result);

    std::string s = "# Sectors of the panel the world was calibrated from (tradesim calibrate).\n"
                    "# hs_sections: not recorded in the panel ('-'); manuf_split: unused by a "
                    "world with observed flows (0); traded: 1, every sector of the panel is "
                    "traded.\ncode,name,hs_sections,manuf_split,traded\n";
    for (std::size_t k = 0; k < ns; ++k) {
        const std::string name = k < panel.sector_names.size() ? panel.sector_names[k] : "";
        s += fmt::format("{},{},-,0,1\n", panel.sectors[k],
                         cell(name.empty() ? panel.sectors[k] : name));
    }
    write_file(dir / "sectors.csv", s, result);

    std::string x = fmt::format(
        "# Observed baseline flows of {}, USD bn per year, from the panel (tradesim calibrate);\n"
        "# domestic flows (exporter == importer) {}. Zero flows are left out.\n"
        "exporter,importer,sector,value_usd_bn\n",
        year,
        result.domestic_from_data ? "from the data" : "derived as GDP - exports (estimates.txt)");
    for (std::size_t a = 0; a < m; ++a) {
        for (std::size_t b = 0; b < m; ++b) {
            for (std::size_t k = 0; k < ns; ++k) {
                const double v = w.flows[(a * m + b) * ns + k];
                result.total_usd += v;
                result.international_usd += a == b ? 0.0 : v;
                if (v > 0.0) {
                    x += fmt::format("{},{},{},{}\n", panel.countries[w.members[a]],
                                     panel.countries[w.members[b]], panel.sectors[k], v / 1e9);
                    ++result.flow_rows;
                }
            }
        }
    }
    write_file(dir / "flows.csv", x, result);

    std::string t = fmt::format(
        "# World calibrated from a historical panel by `tradesim calibrate`, year {}.\n"
        "# The baseline is the observed flows of flows.csv; [gravity] records the PPML estimates\n"
        "# of the same year (estimates.txt: formula, robust SEs, observations), which document\n"
        "# the trade costs rather than build the flows. A term not estimated is 0.\n"
        "description = \"World of {} countries and {} sector(s) calibrated from panel data of "
        "{}\"\nbase_year = {}\n\n[gravity]\n",
        year, m, ns, year, year);
    t += gravity_line(result, "distance", "log(dist)");
    t += gravity_line(result, "contiguity", "contig");
    t += gravity_line(result, "border", "border");
    t += gravity_line(result, "rta", "rta");
    t += "# Head & Mayer (2002): d_ii = 0.67 sqrt(area / pi), for internal distances.\n"
         "internal_distance_factor = 0.67\n\n";
    t += fmt::format("# Trade elasticity theta = sigma - 1: {}, the central value Head & Mayer "
                     "(2014, Handbook of\n# International Economics vol. 4, section 5) recommend "
                     "for policy simulations.\n[trade_elasticity]\ndefault = {}\n",
                     options.trade_elasticity, toml_number(options.trade_elasticity));
    const auto pairs_of = [&](const std::vector<unsigned char>& flag) {
        std::vector<std::pair<std::size_t, std::size_t>> out;
        for (std::size_t a = 0; a < m && !flag.empty(); ++a) {
            for (std::size_t b = a + 1; b < m; ++b) {
                if (flag[a * m + b] != 0 || flag[b * m + a] != 0) {
                    out.emplace_back(a, b);
                }
            }
        }
        return out;
    };
    const auto code = [&](std::size_t a) { return panel.countries[w.members[a]]; };
    if (!w.contig.empty()) {
        t += "\n# Contiguous pairs: the panel's contiguity variable in the year.\n[borders]\n"
             "contiguous = [\n";
        for (const auto& [a, b] : pairs_of(w.contig)) {
            t += fmt::format("    \"{}-{}\",\n", code(a), code(b));
        }
        t += "]\n";
    }
    if (!w.rta.empty()) {
        t += fmt::format("\n# Pairs with a trade agreement by the panel's rta variable in {}, one "
                         "entry per pair;\n# in_force is the base year: the panel does not say "
                         "when an agreement began.\n",
                         year);
        for (const auto& [a, b] : pairs_of(w.rta)) {
            t += fmt::format("[[agreements]]\nname = \"rta {}-{}\"\nmembers = [\"{}\", \"{}\"]\n"
                             "in_force = {}\n",
                             code(a), code(b), code(a), code(b), year);
        }
    }
    write_file(dir / "world.toml", t, result);
    write_file(dir / "estimates.txt", estimates_text(result), result);
}

} // namespace tradesim::history::detail
