// The importer's duplicate-key check against a reference computed here with a std::set:
// exact, per file, first row kept, codes as written (aliases and long codes included), across
// many blocks and threads.

#include "tradesim/history/import.hpp"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <tuple>

using namespace tradesim;
using history::ImportOptions;

namespace {

std::string out_path(const std::string& name) {
    return (std::filesystem::path(TRADESIM_TEST_OUTPUT_DIR) / name).string();
}

std::size_t dropped(const history::ImportReport& r, const std::string& reason) {
    for (const auto& d : r.dropped) {
        if (d.reason == reason) {
            return d.rows;
        }
    }
    return 0;
}

} // namespace

TEST_CASE("Import: duplicate keys are found exactly, per file, by the codes as written",
          "[history][import][dedupe]") {
    // "DEU" and "276" are one country but different codes as written, so never duplicates of
    // each other; "Germany_West_FRG" is longer than the 7 bytes packed in place.
    const char* codes[] = {"DEU", "276", "Germany_West_FRG", "FRA", "250", "CHN", "USA", "JPN"};
    const char* iso3[] = {"DEU", "DEU", "DEU", "FRA", "FRA", "CHN", "USA", "JPN"};
    ImportOptions o;
    o.countries_file = out_path("dedupe_codes.csv");
    std::ofstream(o.countries_file) << "code,iso3\nGermany_West_FRG,DEU\n";
    o.product_column = "product";
    o.block_bytes = 2048; // a few hundred blocks
    o.threads = 2;

    std::uint64_t state = 99;
    const auto next = [&](std::uint64_t n) {
        state = state * 6364136223846793005ull + 1442695040888963407ull;
        return (state >> 33) % n;
    };
    std::map<std::string, double> kept_by_exporter; // iso3 -> value kept over both files
    std::size_t duplicates = 0;
    std::set<std::tuple<std::string, std::string, int, int>> both_files;
    for (int f = 0; f < 2; ++f) {
        o.files.push_back(out_path("dedupe_" + std::to_string(f) + ".csv"));
        std::ofstream out(o.files.back());
        out << "exporter,importer,year,product,value\n";
        std::set<std::tuple<std::string, std::string, int, int>> seen; // per file
        for (int r = 0; r < 30000; ++r) {
            const auto a = next(8), b = next(8);
            const int year = 2000 + static_cast<int>(next(2));
            // Few products, so that keys repeat often; HS6 codes spread over 3 chapters.
            const int product = 10000 * static_cast<int>(1 + next(3)) + static_cast<int>(next(40));
            const auto value = static_cast<double>(1 + next(1000));
            out << codes[a] << ',' << codes[b] << ',' << year << ',' << product << ',' << value
                << '\n';
            both_files.emplace(codes[a], codes[b], year, product);
            if (seen.emplace(codes[a], codes[b], year, product).second) {
                kept_by_exporter[iso3[a]] += value;
            } else {
                ++duplicates;
            }
        }
    }
    const auto result = history::import_files(o);
    REQUIRE(result.report.rows == 60000);
    CHECK(dropped(result.report, "duplicate key") == duplicates);
    // The check is exercised, and a key repeated in the second file is not a duplicate.
    CHECK(duplicates > 1000);
    CHECK(duplicates < 60000 - both_files.size());
    const auto& p = result.panel;
    for (const auto& [code, expected] : kept_by_exporter) {
        const int i = p.find_country(code);
        REQUIRE(i >= 0);
        double sum = 0;
        for (std::size_t y = 0; y < p.years.size(); ++y) {
            for (std::size_t j = 0; j < p.countries.size(); ++j) {
                for (std::size_t s = 0; s < p.sectors.size(); ++s) {
                    sum += p.flows[p.flow_index(y, std::size_t(i), j, s)];
                }
            }
        }
        // Values are whole numbers far below 2^53: the sums are exact in any order.
        CHECK(sum == expected);
    }
    // The examples name the later row, with its line in its file.
    const auto& d = result.report.dropped.front();
    REQUIRE(d.reason == "duplicate key");
    REQUIRE(!d.examples.empty());
    CHECK(d.examples.front().rfind(o.files[0] + ":", 0) == 0);
}

TEST_CASE("Import: a code with a non-digit after digits is not a numeric code",
          "[history][import][dedupe]") {
    ImportOptions o;
    o.files = {out_path("dedupe_numeric.csv")};
    std::ofstream(o.files[0]) << "exporter,importer,year,value\n"
                                 "156,842,2000,1\n"
                                 "15A,842,2000,2\n";
    const auto result = history::import_files(o);
    CHECK(result.report.rows_kept == 1);
    CHECK(dropped(result.report, "unknown country") == 1);
}
