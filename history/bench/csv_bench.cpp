// csv_bench [rows]: writes a trade-like CSV (2 categorical + 4 numeric columns) to /tmp, plain
// and gzip, and prints the best of 5 read_csv times for each.
#include "tradesim/history/csv.hpp"
#include "tradesim/sim/error.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fmt/format.h>
#include <iterator>
#include <string>
#include <zlib.h>

namespace {

std::string make_csv(std::size_t rows) {
    static constexpr std::array<const char*, 12> countries = {
        "CHN", "USA", "DEU", "JPN", "GBR", "FRA", "IND", "ITA", "BRA", "CAN", "KOR", "RUS"};
    std::uint64_t state = 42;
    const auto next = [&state] { // splitmix64: deterministic and fast
        std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        return z ^ (z >> 31);
    };
    std::string out = "\"Origin\",\"Destination\",\"Product\",\"Year\",\"dist_km\",\"Euros\"\n";
    out.reserve(rows * 56);
    for (std::size_t r = 0; r < rows; ++r) {
        const auto a = next();
        const double dist = static_cast<double>(a % 2000000) / 97.0;
        const double euros = static_cast<double>(next() % 1000000000) / 7.0;
        fmt::format_to(std::back_inserter(out), "\"{}\",\"{}\",{},{},{},{}\n",
                       countries[a % countries.size()], countries[(a >> 8) % countries.size()],
                       1 + (a >> 16) % 20, 2007 + (a >> 24) % 10, dist, euros);
    }
    return out;
}

double best_seconds(const std::string& path, const tradesim::history::CsvOptions& options,
                    std::size_t& rows) {
    double best = 1e300;
    for (int run = 0; run < 5; ++run) {
        const auto start = std::chrono::steady_clock::now();
        const auto frame = tradesim::history::read_csv(path, options);
        const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
        best = std::min(best, took.count());
        rows = frame.rows();
    }
    return best;
}

} // namespace

int main(int argc, char** argv) {
    try {
        const std::size_t rows = argc > 1 ? std::stoul(argv[1]) : 1'000'000;
        const std::string text = make_csv(rows);
        const std::string plain = "/tmp/tradesim_csv_bench.csv";
        const std::string gzip = plain + ".gz";
        if (std::FILE* f = std::fopen(plain.c_str(), "wb")) {
            std::fwrite(text.data(), 1, text.size(), f);
            std::fclose(f);
        } else {
            throw tradesim::sim::IoError("cannot write " + plain);
        }
        gzFile gz = gzopen(gzip.c_str(), "wb6");
        if (gz == nullptr || gzwrite(gz, text.data(), static_cast<unsigned>(text.size())) <= 0) {
            throw tradesim::sim::IoError("cannot write " + gzip);
        }
        gzclose(gz);

        const double mib = static_cast<double>(text.size()) / (1024.0 * 1024.0);
        fmt::print("{} rows x 6 columns, {:.1f} MiB plain, {:.1f} MiB gzip\n", rows, mib,
                   static_cast<double>(std::filesystem::file_size(gzip)) / (1024.0 * 1024.0));
        struct Case {
            const char* label;
            std::string path;
            tradesim::history::CsvOptions options;
        };
        const Case cases[] = {
            {"plain, all columns", plain, {}},
            {"gzip, all columns", gzip, {}},
            {"plain, columns Origin+Euros", plain, {',', {}, {"Origin", "Euros"}}},
            {"plain, Year categorical", plain, {',', {"Year"}, {}}},
        };
        for (const auto& c : cases) {
            std::size_t got = 0;
            const double s = best_seconds(c.path, c.options, got);
            fmt::print("{:<30} {:7.3f} s  {:7.1f} MiB/s  ({} rows)\n", c.label, s, mib / s, got);
        }
        std::filesystem::remove(plain);
        std::filesystem::remove(gzip);
        return 0;
    } catch (const tradesim::sim::Error& e) {
        fmt::print(stderr, "{}\n", e.what());
        return static_cast<int>(e.code());
    } catch (const std::exception& e) {
        fmt::print(stderr, "csv_bench: {}\n", e.what());
        return 1;
    }
}
