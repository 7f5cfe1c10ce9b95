#include "tradesim/models/world.hpp"

#include "detail/fields.hpp"
#include "tradesim/sim/error.hpp"
#include "tradesim/sim/spec.hpp"
#include "tradesim/sim/text_table.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <fmt/format.h>
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

// Typed access to the cells of one fact-file row, recording bad cells.
class RowReader {
public:
    RowReader(const sim::TextTable& table, const sim::TextTable::Row& row,
              sim::Diagnostics& problems)
        : table_(table), row_(row), problems_(problems) {}

    std::string text(const std::string& column) {
        const int c = index(column);
        return c < 0 ? std::string{} : row_.cells[static_cast<std::size_t>(c)];
    }

    double number(const std::string& column, double lo, double hi) {
        const int c = index(column);
        if (c < 0) {
            return 0.0;
        }
        const std::string& cell = row_.cells[static_cast<std::size_t>(c)];
        double v = 0.0;
        const auto res = std::from_chars(cell.data(), cell.data() + cell.size(), v);
        if (cell.empty() || res.ec != std::errc{} || res.ptr != cell.data() + cell.size()) {
            problems_.error(table_.where(row_, static_cast<std::size_t>(c)),
                            fmt::format("{} must be a number, not \"{}\"", column, cell));
            return 0.0;
        }
        if (!(v >= lo && v <= hi)) {
            problems_.error(table_.where(row_, static_cast<std::size_t>(c)),
                            fmt::format("{} = {} is outside [{}, {}]", column, cell, lo, hi));
        }
        return v;
    }

    sim::Location where(const std::string& column) {
        const int c = table_.column_index(column);
        return table_.where(row_, c < 0 ? 0 : static_cast<std::size_t>(c));
    }

private:
    int index(const std::string& column) {
        const int c = table_.column_index(column);
        if (c < 0 && !reported_missing_) {
            // The header check below reports it once per file.
            reported_missing_ = true;
        }
        return c;
    }

    const sim::TextTable& table_;
    const sim::TextTable::Row& row_;
    sim::Diagnostics& problems_;
    bool reported_missing_ = false;
};

void require_columns(const sim::TextTable& table, const std::vector<std::string>& columns,
                     sim::Diagnostics& problems) {
    for (const auto& c : columns) {
        if (table.column_index(c) < 0) {
            problems.error(
                sim::Location{table.file, 0, 0},
                fmt::format("missing column {}{}", c, sim::did_you_mean(c, table.header)));
        }
    }
}

std::vector<Country> read_countries(const std::string& path, sim::Diagnostics& problems) {
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
        Country c;
        c.code = r.text("iso3");
        c.name = r.text("name");
        c.region = r.text("region");
        c.capital = r.text("capital");
        c.currency = r.text("currency");
        c.fx_regime = r.text("fx_regime");
        c.gdp_usd_bn = r.number("gdp_usd_bn", 1e-6, 1e6);
        c.population_mn = r.number("population_mn", 1e-6, 1e5);
        c.area_km2 = r.number("area_km2", 1.0, 2e8);
        c.lat = r.number("lat", -90, 90);
        c.lon = r.number("lon", -180, 180);
        c.bri_year = static_cast<int>(r.number("bri_year", 0, 2100));
        c.agri_pct = r.number("agri_pct", 0, 100);
        c.manuf_pct = r.number("manuf_pct", 0, 100);
        c.resource_pct = r.number("resource_pct", 0, 100);
        if (c.code.size() != 3) {
            problems.error(r.where("iso3"),
                           fmt::format("iso3 must be a three-letter code, not \"{}\"", c.code));
        }
        if (c.fx_regime != "peg" && c.fx_regime != "managed" && c.fx_regime != "float") {
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

std::vector<Sector> read_sectors(const std::string& path, sim::Diagnostics& problems) {
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

// Doubly constrained gravity by iterative proportional fitting: X_ij = a_i b_j K_ij with
// row sums Y_i and column sums E_j. Equivalent to solving the structural gravity system for
// the multilateral resistances (Anderson & van Wincoop 2003; Yotov et al. 2016, ch. 1).
void fit_gravity(const std::vector<double>& kernel, const std::vector<double>& y,
                 const std::vector<double>& e, std::vector<double>& x, const std::string& sector) {
    const std::size_t n = y.size();
    std::vector<double> a(n, 1.0), b(n, 1.0);
    for (int iter = 0; iter < 100000; ++iter) {
        for (std::size_t i = 0; i < n; ++i) {
            double s = 0.0;
            for (std::size_t j = 0; j < n; ++j) {
                s += kernel[i * n + j] * b[j];
            }
            a[i] = s > 0.0 ? y[i] / s : 0.0;
        }
        double worst = 0.0;
        for (std::size_t j = 0; j < n; ++j) {
            double s = 0.0;
            for (std::size_t i = 0; i < n; ++i) {
                s += kernel[i * n + j] * a[i];
            }
            b[j] = s > 0.0 ? e[j] / s : 0.0;
        }
        // Row sums after the column step measure the remaining misfit.
        for (std::size_t i = 0; i < n; ++i) {
            double s = 0.0;
            for (std::size_t j = 0; j < n; ++j) {
                s += kernel[i * n + j] * a[i] * b[j];
            }
            if (y[i] > 0.0) {
                worst = std::max(worst, std::abs(s - y[i]) / y[i]);
            }
        }
        if (worst < 1e-13) {
            for (std::size_t i = 0; i < n; ++i) {
                for (std::size_t j = 0; j < n; ++j) {
                    x[i * n + j] = a[i] * b[j] * kernel[i * n + j];
                }
            }
            return;
        }
    }
    throw sim::NumericalError(
        fmt::format("baseline gravity for sector {} did not converge", sector));
}

void read_world_toml(const std::string& path, World& world, sim::Diagnostics& problems,
                     std::vector<std::pair<std::string, sim::Location>>& borders,
                     std::vector<std::pair<std::string, std::pair<double, sim::Location>>>& theta) {
    const sim::SpecNode root = sim::parse_spec_file(path);
    detail::Fields top(root, "", problems,
                       {"description", "base_year", "gravity", "trade_elasticity", "borders"});
    world.description = top.string("description", false).value_or("");
    world.base_year = static_cast<int>(top.integer("base_year", true).value_or(0));
    if (const auto* g = top.node("gravity"); g != nullptr && g->is_table()) {
        detail::Fields f(*g, "gravity", problems,
                         {"distance", "contiguity", "border", "internal_distance_factor"});
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
    read_world_toml(toml_path, world, problems, borders, theta);
    world.countries = read_countries((fs::path(directory) / "countries.csv").string(), problems);
    world.sectors = read_sectors((fs::path(directory) / "sectors.csv").string(), problems);
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
    problems.throw_if_any();

    // Distances: capitals by great circle; internal distance 0.67 sqrt(area / pi)
    // (Head & Mayer 2002, the radius-based measure used for domestic flows).
    world.distance_km.assign(n * n, 0.0);
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t j = 0; j < n; ++j) {
            const auto& ci = world.countries[i];
            const auto& cj = world.countries[j];
            world.distance_km[world.dims.pair(i, j)] =
                i == j ? world.gravity.internal_distance_factor *
                             std::sqrt(ci.area_km2 / std::numbers::pi)
                       : std::max(1.0, great_circle_km(ci.lat, ci.lon, cj.lat, cj.lon));
        }
    }

    // Output by sector from value-added shares (README, "Default world"): agriculture from
    // agri_pct, mineral products from resource_pct, manufacturing split by manuf_split,
    // services the rest of GDP.
    world.output.assign(n * ns, 0.0);
    for (std::size_t i = 0; i < n; ++i) {
        const auto& c = world.countries[i];
        double goods = 0.0;
        for (std::size_t k = 0; k < ns; ++k) {
            const auto& s = world.sectors[k];
            double share = 0.0;
            if (s.code == "AGR") {
                share = c.agri_pct / 100.0;
            } else if (s.code == "MIN") {
                share = c.resource_pct / 100.0;
            } else if (s.code != "SRV") {
                share = c.manuf_pct / 100.0 * s.manuf_split;
            }
            world.output[world.dims.cs(i, k)] = c.gdp_usd_bn * share;
            goods += c.gdp_usd_bn * share;
        }
        world.output[world.dims.cs(i, static_cast<std::size_t>(world.sector_index("SRV")))] =
            c.gdp_usd_bn - goods;
    }

    // Expenditure: services are consumed where produced; goods spending (GDP less services)
    // is split across goods sectors in world output proportions, so world supply equals
    // world demand sector by sector and every country's trade is balanced overall.
    world.expenditure.assign(n * ns, 0.0);
    std::vector<double> world_output(ns, 0.0);
    double world_goods = 0.0;
    for (std::size_t k = 0; k < ns; ++k) {
        for (std::size_t i = 0; i < n; ++i) {
            world_output[k] += world.output[world.dims.cs(i, k)];
        }
        if (world.sectors[k].traded) {
            world_goods += world_output[k];
        }
    }
    for (std::size_t j = 0; j < n; ++j) {
        double goods_spending = 0.0;
        for (std::size_t k = 0; k < ns; ++k) {
            if (world.sectors[k].traded) {
                goods_spending += world.output[world.dims.cs(j, k)];
            }
        }
        for (std::size_t k = 0; k < ns; ++k) {
            world.expenditure[world.dims.cs(j, k)] =
                world.sectors[k].traded ? goods_spending * world_output[k] / world_goods
                                        : world.output[world.dims.cs(j, k)];
        }
    }

    // Trade cost kernel from the cited gravity estimates, then per-sector fit.
    std::vector<double> kernel(n * n);
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t j = 0; j < n; ++j) {
            const std::size_t p = world.dims.pair(i, j);
            kernel[p] = std::exp(world.gravity.distance * std::log(world.distance_km[p]) +
                                 world.gravity.contiguity * world.contiguous[p] +
                                 world.gravity.border * (i == j ? 0.0 : 1.0));
        }
    }
    world.flows.assign(world.dims.flow_count(), 0.0);
    std::vector<double> y(n), e(n), x(n * n);
    for (std::size_t k = 0; k < ns; ++k) {
        for (std::size_t i = 0; i < n; ++i) {
            y[i] = world.output[world.dims.cs(i, k)];
            e[i] = world.expenditure[world.dims.cs(i, k)];
        }
        if (world.sectors[k].traded) {
            fit_gravity(kernel, y, e, x, world.sectors[k].code);
        } else {
            std::fill(x.begin(), x.end(), 0.0);
            for (std::size_t i = 0; i < n; ++i) {
                x[i * n + i] = y[i];
            }
        }
        for (std::size_t i = 0; i < n; ++i) {
            for (std::size_t j = 0; j < n; ++j) {
                world.flows[world.dims.flow(i, j, k)] = x[i * n + j];
            }
        }
    }
    return world;
}

} // namespace tradesim::models
