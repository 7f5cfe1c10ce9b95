#include "tradesim/output/report.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using Catch::Matchers::Contains;
namespace output = tradesim::output;
namespace sim = tradesim::sim;

namespace {

sim::ColumnTable country_table(const std::vector<double>& exports,
                               const std::vector<double>& imports,
                               const std::vector<double>& welfare) {
    sim::ColumnTable t(exports.size());
    const std::size_t e = t.add_column("exports", "USD bn", "");
    const std::size_t m = t.add_column("imports", "USD bn", "");
    const std::size_t w = t.add_column("welfare_change", "%", "");
    for (std::size_t i = 0; i < exports.size(); ++i) {
        t.at(e, i) = exports[i];
        t.at(m, i) = imports[i];
        t.at(w, i) = welfare[i];
    }
    return t;
}

} // namespace

TEST_CASE("Report: change summary ranks countries by absolute change", "[output][report]") {
    const std::vector<std::string> codes{"CHN", "DEU", "USA"};
    const auto first = country_table({100, 200, 300}, {100, 100, 100}, {0.0, 0.0, 0.5});
    // exports: CHN -20 %, DEU +1 %, USA +10 %; imports: CHN +0.4 %, DEU -30 %, USA +5 %;
    // welfare: CHN -1.26 pp, DEU +0.1 pp, USA -0.2 pp (from 0.5 to 0.3).
    const auto last = country_table({80, 202, 330}, {100.4, 70, 105}, {-1.26, 0.1, 0.3});
    const std::string text = output::change_summary(codes, first, last, 2);

    const auto exports = text.find("Exports");
    const auto imports = text.find("Imports");
    const auto welfare = text.find("Welfare");
    REQUIRE(exports < imports);
    REQUIRE(imports < welfare);
    const std::string export_block = text.substr(exports, imports - exports);
    const std::string import_block = text.substr(imports, welfare - imports);
    const std::string welfare_block = text.substr(welfare);

    // Top 2 by absolute change, largest first; the third is left out.
    CHECK_THAT(export_block, Contains("-20.00 %") && Contains("+10.00 %"));
    CHECK(export_block.find("CHN") < export_block.find("USA"));
    CHECK(export_block.find("DEU") == std::string::npos);
    CHECK_THAT(import_block, Contains("-30.00 %") && Contains("+5.00 %"));
    CHECK(import_block.find("CHN") == std::string::npos);
    // Welfare is already a percent change: its change is a difference in points.
    CHECK_THAT(welfare_block, Contains("-1.26 pp") && Contains("-0.20 pp"));
    CHECK(welfare_block.find("DEU") == std::string::npos);
}

TEST_CASE("Report: a zero base shows n/a and ranks last", "[output][report]") {
    const std::vector<std::string> codes{"AAA", "BBB"};
    const auto first = country_table({0, 100}, {1, 1}, {0, 0});
    const auto last = country_table({5, 101}, {1, 1}, {0, 0});
    const std::string text = output::change_summary(codes, first, last, 5);
    const std::string export_block = text.substr(0, text.find("Imports"));
    CHECK_THAT(export_block, Contains("n/a") && Contains("+1.00 %"));
    CHECK(export_block.find("BBB") < export_block.find("AAA"));
}
