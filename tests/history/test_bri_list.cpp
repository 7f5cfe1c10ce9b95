// The Belt-and-Road partner list of the backtests against the default world's facts: the two
// were written down separately (history/src/backtest_metrics.cpp from the GFDC list,
// scenarios/world/countries.csv's bri_year from the Belt and Road Portal) and must agree.
#include "tradesim/history/backtest.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

TEST_CASE("Backtest: the Belt-and-Road list agrees with the default world's bri_year",
          "[backtest]") {
    const auto& partners = tradesim::history::belt_and_road_partners();
    REQUIRE(std::is_sorted(partners.begin(), partners.end()));
    REQUIRE(std::adjacent_find(partners.begin(), partners.end()) == partners.end());
    // China is the counterpart, not a partner.
    CHECK_FALSE(std::binary_search(partners.begin(), partners.end(), "CHN"));

    std::ifstream in(std::string(TRADESIM_SOURCE_DIR) + "/scenarios/world/countries.csv");
    REQUIRE(in);
    std::string line;
    std::vector<std::string> header;
    int checked = 0;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') {
            continue;
        }
        std::vector<std::string> fields;
        std::stringstream cells(line);
        for (std::string cell; std::getline(cells, cell, ',');) {
            fields.push_back(cell);
        }
        if (header.empty()) {
            header = fields;
            continue;
        }
        const auto at = [&](const std::string& name) {
            const auto it = std::find(header.begin(), header.end(), name);
            REQUIRE(it != header.end());
            return fields.at(static_cast<std::size_t>(it - header.begin()));
        };
        const std::string code = at("iso3");
        if (code == "CHN" || code == "ROW") {
            continue;
        }
        const bool signed_up = std::stoi(at("bri_year")) > 0;
        INFO(code << " bri_year " << at("bri_year"));
        CHECK(std::binary_search(partners.begin(), partners.end(), code) == signed_up);
        ++checked;
    }
    CHECK(checked == 39);
}
