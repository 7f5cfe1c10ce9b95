#include "tradesim/models/world.hpp"

#include "tradesim/models/currencies.hpp"
#include "tradesim/models/network.hpp"

#include "detail/fact_rows.hpp"

#include "detail/baseline.hpp"
#include "detail/fields.hpp"
#include "tradesim/sim/error.hpp"
#include "tradesim/sim/spec.hpp"
#include "tradesim/sim/text_table.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <fmt/format.h>
#include <limits>
#include <numbers>

namespace tradesim::models {

int World::country_index(const std::string& code) const noexcept {
    for (std::size_t i = 0; i < countries.size(); ++i) {
        if (countries[i].code == code) {
            return static_cast<int>(i);
        }
    }
    return -1;
}

int World::sector_index(const std::string& code) const noexcept {
    for (std::size_t k = 0; k < sectors.size(); ++k) {
        if (sectors[k].code == code) {
            return static_cast<int>(k);
        }
    }
    return -1;
}

std::vector<std::string> World::country_codes() const {
    std::vector<std::string> out;
    for (const auto& c : countries) {
        out.push_back(c.code);
    }
    return out;
}

std::vector<std::string> World::sector_codes() const {
    std::vector<std::string> out;
    for (const auto& s : sectors) {
        out.push_back(s.code);
    }
    return out;
}

double great_circle_km(double lat1, double lon1, double lat2, double lon2) noexcept {
    constexpr double radius = 6371.0;
    const double rad = std::numbers::pi / 180.0;
    const double dlat = (lat2 - lat1) * rad;
    const double dlon = (lon2 - lon1) * rad;
    const double a =
        std::sin(dlat / 2) * std::sin(dlat / 2) +
        std::cos(lat1 * rad) * std::cos(lat2 * rad) * std::sin(dlon / 2) * std::sin(dlon / 2);
    return 2.0 * radius * std::asin(std::min(1.0, std::sqrt(a)));
}

namespace {

using detail::require_columns;
using detail::RowReader;

std::vector<Country> read_countries(const std::string& path, sim::Diagnostics& problems,
                                    bool observed) {
    const sim::TextTable table = sim::read_text_table(path);
    require_columns(table,
                    {"iso3", "name", "region", "gdp_usd_bn", "population_mn", "area_km2", "capital",
                     "lat", "lon", "currency", "fx_regime", "bri_year", "agri_pct", "manuf_pct",
                     "resource_pct"},
                    problems);
    std::vector<Country> out;
    if (!problems.empty()) {
        return out;
    }
    for (const auto& row : table.rows) {
        RowReader r(table, row, problems);
        // An observed world's baseline needs only codes and flows: facts it does not know
        // are left empty, and read as unknown (NaN for a location, else 0).
        const auto fact = [&](const char* column, double lo, double hi, double unknown) {
            return observed && r.text(column).empty() ? unknown : r.number(column, lo, hi);
        };
        const double nan = std::numeric_limits<double>::quiet_NaN();
        Country c;
        c.code = r.text("iso3");
        c.name = r.text("name");
        c.region = r.text("region");
        c.capital = r.text("capital");
        c.currency = r.text("currency");
        c.fx_regime = r.text("fx_regime");
        c.gdp_usd_bn = r.number("gdp_usd_bn", 1e-6, 1e6);
        c.population_mn = fact("population_mn", 1e-6, 1e5, 0.0);
        c.area_km2 = fact("area_km2", 1.0, 2e8, nan);
        c.lat = fact("lat", -90, 90, nan);
        c.lon = fact("lon", -180, 180, nan);
        c.bri_year = static_cast<int>(fact("bri_year", 0, 2100, 0.0));
        c.agri_pct = fact("agri_pct", 0, 100, 0.0);
        c.manuf_pct = fact("manuf_pct", 0, 100, 0.0);
        c.resource_pct = fact("resource_pct", 0, 100, 0.0);
        if (table.column_index("trade_balance_pct") >= 0) {
            c.trade_balance_pct = fact("trade_balance_pct", -100, 100, 0.0);
        }
        if (c.code.size() != 3) {
            problems.error(r.where("iso3"),
                           fmt::format("iso3 must be a three-letter code, not \"{}\"", c.code));
        }
        if (c.fx_regime != "peg" && c.fx_regime != "managed" && c.fx_regime != "float" &&
            !(observed && c.fx_regime.empty())) {
            problems.error(
                r.where("fx_regime"),
                fmt::format("fx_regime must be peg, managed or float, not \"{}\"", c.fx_regime));
        }
        if (c.agri_pct + c.manuf_pct + c.resource_pct >= 100.0) {
            problems.error(r.where("agri_pct"),
                           "agri_pct + manuf_pct + resource_pct must leave room for services");
        }
        for (const auto& other : out) {
            if (other.code == c.code) {
                problems.error(r.where("iso3"), fmt::format("duplicate country {}", c.code));
            }
        }
        out.push_back(std::move(c));
    }
    if (out.size() < 2) {
        problems.error(sim::Location{path, 0, 0}, "a world needs at least two countries");
    }
    return out;
}

std::vector<Sector> read_sectors(const std::string& path, sim::Diagnostics& problems,
                                 bool observed) {
    const sim::TextTable table = sim::read_text_table(path);
    require_columns(table, {"code", "name", "hs_sections", "manuf_split", "traded"}, problems);
    std::vector<Sector> out;
    if (!problems.empty()) {
        return out;
    }
    double split = 0.0;
    for (const auto& row : table.rows) {
        RowReader r(table, row, problems);
        Sector s;
        s.code = r.text("code");
        s.name = r.text("name");
        s.hs_sections = r.text("hs_sections");
        s.manuf_split = r.number("manuf_split", 0, 1);
        s.traded = r.number("traded", 0, 1) != 0.0;
        split += s.manuf_split;
        out.push_back(std::move(s));
    }
    if (out.empty()) {
        problems.error(sim::Location{path, 0, 0}, "a world needs at least one sector");
    }
    // Observed flows give every sector's output directly: no roles, no split.
    if (observed) {
        return out;
    }
    // AGR, MIN and SRV are fixed roles in the baseline (agriculture, natural resources,
    // services); the manufacturing sectors share manufacturing output by manuf_split.
    for (const char* code : {"AGR", "MIN", "SRV"}) {
        if (std::none_of(out.begin(), out.end(), [&](const Sector& s) { return s.code == code; })) {
            problems.error(sim::Location{path, 0, 0}, fmt::format("missing sector {}", code));
        }
    }
    if (std::abs(split - 1.0) > 1e-6) {
        problems.error(sim::Location{path, 0, 0},
                       fmt::format("manuf_split sums to {}, not 1", split));
    }
    return out;
}

struct RawAgreement {
    std::string name;
    int in_force = 0;
    std::vector<std::pair<std::string, sim::Location>> members;
};

void read_world_toml(const std::string& path, World& world, sim::Diagnostics& problems,
                     std::vector<std::pair<std::string, sim::Location>>& borders,
                     std::vector<std::pair<std::string, std::pair<double, sim::Location>>>& theta,
                     std::vector<RawAgreement>& agreements) {
    const sim::SpecNode root = sim::parse_spec_file(path);
    detail::Fields top(
        root, "", problems,
        {"description", "base_year", "gravity", "trade_elasticity", "borders", "agreements"});
    world.description = top.string("description", false).value_or("");
    world.base_year = static_cast<int>(top.integer("base_year", true).value_or(0));
    if (const auto* g = top.node("gravity"); g != nullptr && g->is_table()) {
        detail::Fields f(*g, "gravity", problems,
                         {"distance", "contiguity", "border", "rta", "internal_distance_factor"});
        world.gravity.rta = f.number("rta", false).value_or(0.0);
        world.gravity.distance = f.number("distance", true).value_or(0);
        world.gravity.contiguity = f.number("contiguity", true).value_or(0);
        world.gravity.border = f.number("border", true).value_or(0);
        world.gravity.internal_distance_factor =
            f.number("internal_distance_factor", true).value_or(0.67);
        f.check_unknown();
    } else {
        top.error("gravity", "gravity must be a table with distance, contiguity and border");
    }
    if (const auto* t = top.node("trade_elasticity"); t != nullptr && t->is_table()) {
        for (const auto& [key, value] : t->members()) {
            if (!value.is_number() || value.as_number() <= 0.0) {
                problems.error(value.where(),
                               fmt::format("trade_elasticity.{} must be a positive number", key));
                continue;
            }
            theta.emplace_back(key, std::make_pair(value.as_number(), value.where()));
        }
    } else {
        top.error("trade_elasticity", "trade_elasticity must be a table with a default");
    }
    if (const auto* b = top.node("borders"); b != nullptr && b->is_table()) {
        detail::Fields f(*b, "borders", problems, {"contiguous"});
        if (auto list = f.string_list("contiguous", true)) {
            borders = *list;
        }
        f.check_unknown();
    }
    if (const auto* a = top.node("agreements"); a != nullptr && a->is_array()) {
        for (std::size_t i = 0; i < a->items().size(); ++i) {
            const auto& item = a->items()[i];
            const std::string key = fmt::format("agreements[{}]", i);
            if (!item.is_table()) {
                problems.error(item.where(), key + " must be a table");
                continue;
            }
            detail::Fields f(item, key, problems, {"name", "members", "in_force"});
            RawAgreement raw;
            raw.name = f.string("name", true).value_or("");
            raw.in_force = static_cast<int>(f.integer("in_force", true).value_or(0));
            if (auto list = f.string_list("members", true)) {
                raw.members = *list;
            }
            f.check_unknown();
            agreements.push_back(std::move(raw));
        }
    } else if (a != nullptr) {
        top.error("agreements", "agreements must be an array of tables: write [[agreements]]");
    }
    top.check_unknown();
}

} // namespace

World load_world(const std::string& directory) {
    namespace fs = std::filesystem;
    World world;
    world.directory = directory;
    sim::Diagnostics problems;
    const std::string toml_path = (fs::path(directory) / "world.toml").string();
    if (!fs::exists(toml_path)) {
        throw sim::IoError(
            fmt::format("{}: error: no world.toml in world folder {}", toml_path, directory));
    }
    std::vector<std::pair<std::string, sim::Location>> borders;
    std::vector<std::pair<std::string, std::pair<double, sim::Location>>> theta;
    std::vector<RawAgreement> agreements;
    const std::string flows_path = (fs::path(directory) / "flows.csv").string();
    world.observed_flows = fs::exists(flows_path);
    read_world_toml(toml_path, world, problems, borders, theta, agreements);
    world.countries = read_countries((fs::path(directory) / "countries.csv").string(), problems,
                                     world.observed_flows);
    world.sectors = read_sectors((fs::path(directory) / "sectors.csv").string(), problems,
                                 world.observed_flows);
    problems.throw_if_any();

    const std::size_t n = world.countries.size();
    const std::size_t ns = world.sectors.size();
    world.dims = Dims{n, ns};

    world.default_theta.assign(ns, 0.0);
    bool have_default = false;
    for (const auto& [key, value] : theta) {
        if (key == "default") {
            have_default = true;
            for (auto& t : world.default_theta) {
                if (t == 0.0) {
                    t = value.first;
                }
            }
        }
    }
    for (const auto& [key, value] : theta) {
        if (key == "default") {
            continue;
        }
        const int k = world.sector_index(key);
        if (k < 0) {
            problems.error(value.second, fmt::format("unknown sector {} in trade_elasticity{}", key,
                                                     sim::did_you_mean(key, world.sector_codes())));
        } else {
            world.default_theta[static_cast<std::size_t>(k)] = value.first;
        }
    }
    if (!have_default) {
        problems.error(sim::Location{toml_path, 0, 0}, "trade_elasticity needs a default");
    }

    world.contiguous.assign(n * n, 0);
    for (const auto& [pair, where] : borders) {
        const auto dash = pair.find('-');
        const std::string a = pair.substr(0, dash);
        const std::string b = dash == std::string::npos ? std::string{} : pair.substr(dash + 1);
        const int ia = world.country_index(a);
        const int ib = world.country_index(b);
        if (ia < 0 || ib < 0 || ia == ib) {
            problems.error(where, fmt::format("borders.contiguous: \"{}\" is not a pair of two "
                                              "different known countries like \"CHN-RUS\"",
                                              pair));
            continue;
        }
        world.contiguous[world.dims.pair(ia, ib)] = 1;
        world.contiguous[world.dims.pair(ib, ia)] = 1;
    }
    world.rta.assign(n * n, 0);
    for (const auto& raw : agreements) {
        Agreement agreement{raw.name, {}, raw.in_force};
        for (const auto& [code, where] : raw.members) {
            const int c = world.country_index(code);
            if (c < 0) {
                problems.error(where, fmt::format("unknown country \"{}\" in agreement \"{}\"{}",
                                                  code, raw.name,
                                                  sim::did_you_mean(code, world.country_codes())));
                continue;
            }
            agreement.members.push_back(static_cast<std::size_t>(c));
        }
        // Only agreements in force by the base year shape the baseline's trade costs.
        if (agreement.in_force <= world.base_year) {
            for (std::size_t a : agreement.members) {
                for (std::size_t b : agreement.members) {
                    if (a != b) {
                        world.rta[world.dims.pair(a, b)] = 1;
                    }
                }
            }
        }
        world.agreements.push_back(std::move(agreement));
    }
    problems.throw_if_any();

    if (world.observed_flows) {
        detail::read_observed_baseline(world, flows_path);
    } else {
        detail::build_baseline(world);
    }
    // The transport network is optional: without one, trade costs stay the baseline's.
    const std::string network_dir = (std::filesystem::path(directory) / "network").string();
    if (std::filesystem::exists(network_dir)) {
        world.network = std::make_shared<const Network>(load_network(network_dir, world));
    }
    // So are the currencies: without them, trade settles at no cost.
    const std::string currency_dir = (std::filesystem::path(directory) / "currencies").string();
    if (std::filesystem::exists(currency_dir)) {
        world.currencies = std::make_shared<const Currencies>(load_currencies(currency_dir, world));
    }
    return world;
}

} // namespace tradesim::models
