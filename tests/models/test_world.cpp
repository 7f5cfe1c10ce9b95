#include "tradesim/models/world.hpp"
#include "tradesim/sim/error.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>

using namespace tradesim;
using Catch::Matchers::Contains;

namespace {
const std::string world_dir = std::string(TRADESIM_SOURCE_DIR) + "/scenarios/world";
}

TEST_CASE("World: the default world has 40 economies, rest of world and 10 sectors",
          "[models][world]") {
    const auto w = models::load_world(world_dir);
    REQUIRE(w.countries.size() == 41);
    REQUIRE(w.sectors.size() == 10);
    REQUIRE(w.country_index("CHN") == 0);
    REQUIRE(w.country_index("ROW") == 40);
    REQUIRE(w.sector_index("SRV") == 9);
    REQUIRE(w.base_year == 2017);
}

TEST_CASE("World: baseline flows match output and expenditure in every sector", "[models][world]") {
    const auto w = models::load_world(world_dir);
    const auto& d = w.dims;
    for (std::size_t k = 0; k < d.sectors; ++k) {
        for (std::size_t i = 0; i < d.countries; ++i) {
            double sales = 0.0, spend = 0.0;
            for (std::size_t j = 0; j < d.countries; ++j) {
                sales += w.flows[d.flow(i, j, k)];
                spend += w.flows[d.flow(j, i, k)];
                REQUIRE(w.flows[d.flow(i, j, k)] >= 0.0);
            }
            REQUIRE(sales == Approx(w.output[d.cs(i, k)]).epsilon(1e-11).margin(1e-12));
            REQUIRE(spend == Approx(w.expenditure[d.cs(i, k)]).epsilon(1e-11).margin(1e-12));
        }
    }
    // Each country's output adds up to its GDP from the facts.
    for (std::size_t i = 0; i < d.countries; ++i) {
        double y = 0.0;
        for (std::size_t k = 0; k < d.sectors; ++k) {
            y += w.output[d.cs(i, k)];
        }
        REQUIRE(y == Approx(w.countries[i].gdp_usd_bn).epsilon(1e-12));
    }
}

TEST_CASE("World: services are not traded and goods are", "[models][world]") {
    const auto w = models::load_world(world_dir);
    const auto& d = w.dims;
    const auto srv = static_cast<std::size_t>(w.sector_index("SRV"));
    const auto mac = static_cast<std::size_t>(w.sector_index("MAC"));
    const auto chn = static_cast<std::size_t>(w.country_index("CHN"));
    const auto usa = static_cast<std::size_t>(w.country_index("USA"));
    REQUIRE(w.flows[d.flow(chn, usa, srv)] == 0.0);
    REQUIRE(w.flows[d.flow(chn, usa, mac)] > 1.0);
    // Gravity: a neighbour buys more from China per unit of its spending than a far economy.
    const auto kaz = static_cast<std::size_t>(w.country_index("KAZ"));
    const auto deu = static_cast<std::size_t>(w.country_index("DEU"));
    const double share_kaz = w.flows[d.flow(chn, kaz, mac)] / w.expenditure[d.cs(kaz, mac)];
    const double share_deu = w.flows[d.flow(chn, deu, mac)] / w.expenditure[d.cs(deu, mac)];
    REQUIRE(share_kaz > share_deu);
}

TEST_CASE("World: great-circle distances", "[models][world]") {
    // Beijing (39.90 N, 116.41 E) to Washington (38.91 N, 77.04 W): about 11,150 km.
    REQUIRE(models::great_circle_km(39.90, 116.41, 38.91, -77.04) == Approx(11150).epsilon(0.01));
    REQUIRE(models::great_circle_km(10, 20, 10, 20) == 0.0);
    const auto w = models::load_world(world_dir);
    const auto& d = w.dims;
    for (std::size_t i = 0; i < d.countries; ++i) {
        for (std::size_t j = 0; j < d.countries; ++j) {
            REQUIRE(w.distance_km[d.pair(i, j)] == w.distance_km[d.pair(j, i)]);
            REQUIRE(w.distance_km[d.pair(i, j)] > 0.0);
        }
    }
}

TEST_CASE("World: bad fact rows are reported with file, line and column",
          "[models][world][error]") {
    namespace fs = std::filesystem;
    const fs::path dir = fs::path(TRADESIM_TEST_OUTPUT_DIR) / "bad_world";
    fs::create_directories(dir);
    for (const char* f : {"world.toml", "sectors.csv", "countries.csv"}) {
        fs::copy_file(fs::path(world_dir) / f, dir / f, fs::copy_options::overwrite_existing);
    }
    // Break two cells of the countries file: a GDP and a regime.
    std::ifstream in(dir / "countries.csv");
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    in.close();
    const auto pos = text.find("\nUSA,");
    REQUIRE(pos != std::string::npos);
    const auto line_no = static_cast<int>(std::count(
                             text.begin(), text.begin() + static_cast<long>(pos) + 1, '\n')) +
                         1;
    const auto end = text.find('\n', pos + 1);
    std::string row = text.substr(pos + 1, end - pos - 1);
    // iso3,name,region,gdp_usd_bn,... : replace the GDP (4th field) by a word.
    std::size_t c1 = row.find(',');
    std::size_t c2 = row.find(',', c1 + 1);
    std::size_t c3 = row.find(',', c2 + 1);
    std::size_t c4 = row.find(',', c3 + 1);
    row = row.substr(0, c3 + 1) + "lots" + row.substr(c4);
    const auto regime = row.find(",float,");
    REQUIRE(regime != std::string::npos);
    row.replace(regime, 7, ",floaty,");
    text = text.substr(0, pos + 1) + row + text.substr(end);
    std::ofstream(dir / "countries.csv") << text;

    try {
        (void)models::load_world(dir.string());
        FAIL("expected InputError");
    } catch (const sim::InputError& e) {
        const std::string msg = e.what();
        REQUIRE_THAT(msg,
                     Contains(fmt::format(
                         "countries.csv:{}:{}: error: gdp_usd_bn must be a number, not \"lots\"",
                         line_no, c3 + 2)));
        REQUIRE_THAT(msg, Contains("fx_regime must be peg, managed or float, not \"floaty\""));
    }
}
