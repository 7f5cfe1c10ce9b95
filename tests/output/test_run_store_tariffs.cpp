// The tariff path of a run file: what the policy state holds at each step, scheduled tariffs
// and the governments' duties alike, is what the reader gives back in percent points; a step
// counts only once its tariffs are in the file, and files written before /tariffs still open.
#include "tradesim/output/run_store.hpp"

#include "run_store_util.hpp"

#include "tradesim/models/scenario.hpp"
#include "tradesim/models/simulation.hpp"
#include "tradesim/sim/error.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <hdf5.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;
namespace models = tradesim::models;
namespace output = tradesim::output;
namespace sim = tradesim::sim;

namespace {

using tradesim::test::bits;
using tradesim::test::lines;

const std::string friction_small = TRADESIM_SOURCE_DIR "/tests/scenarios/friction_small.toml";
const output::RunInfo info{"0.1.0-test", 1, "2024-01-02T03:04:05Z"};

/// Forwards every step to the writer and keeps the step's tariffs as the file should hold them.
struct Recorder : models::RunObserver {
    explicit Recorder(output::RunWriter& w) : writer(w) {}
    void on_step(const models::StepView& view) override {
        REQUIRE(view.policy != nullptr);
        std::vector<double> pct;
        for (const double t : view.policy->tariff) {
            pct.push_back(t * 100.0);
        }
        tariffs.push_back(std::move(pct));
        writer.on_step(view);
    }
    output::RunWriter& writer;
    std::vector<std::vector<double>> tariffs;
};

struct RecordedRun {
    std::string path;
    std::vector<std::vector<double>> tariffs; ///< per step, percent points
};

RecordedRun record(const std::string& name) {
    const models::Scenario scenario = models::load_scenario(friction_small);
    const fs::path dir = tradesim::test::fresh_dir("run_store_tariffs", name);
    RecordedRun run{(dir / "run.h5").string(), {}};
    output::RunWriter writer(run.path, scenario, info, false);
    Recorder recorder(writer);
    (void)models::run_scenario(scenario, recorder);
    writer.finish(true);
    run.tariffs = std::move(recorder.tariffs);
    return run;
}

/// The HDF5 C API, to make what the writer never makes: a file of an older tradesim (no
/// /tariffs) or a run killed before a step's tariffs were in the file (one row fewer).
void remove_tariffs(const std::string& path, bool whole) {
    const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
    REQUIRE(file >= 0);
    if (whole) {
        REQUIRE(H5Ldelete(file, "tariffs", H5P_DEFAULT) >= 0);
    } else {
        const hid_t dataset = H5Dopen2(file, "tariffs", H5P_DEFAULT);
        const hid_t space = H5Dget_space(dataset);
        hsize_t dims[4] = {};
        REQUIRE(H5Sget_simple_extent_dims(space, dims, nullptr) == 4);
        --dims[0];
        REQUIRE(H5Dset_extent(dataset, dims) >= 0);
        H5Sclose(space);
        H5Dclose(dataset);
    }
    H5Fclose(file);
}

/// The first step at which exporter `i` faces a tariff in importer `j` (any sector); -1 if none.
int first_tariff(const RecordedRun& run, std::size_t i, std::size_t j, std::size_t n,
                 std::size_t k_n) {
    for (std::size_t s = 0; s < run.tariffs.size(); ++s) {
        for (std::size_t k = 0; k < k_n; ++k) {
            if (run.tariffs[s][(i * n + j) * k_n + k] != 0.0) {
                return static_cast<int>(s);
            }
        }
    }
    return -1;
}

} // namespace

TEST_CASE("RunStore: the tariffs of every step are stored in percent points, duties included",
          "[output][hdf5][tariffs]") {
    const RecordedRun run = record("round_trip");
    REQUIRE(run.tariffs.size() == 24);
    const output::RunReader reader(run.path);
    REQUIRE(reader.has_tariffs());
    REQUIRE(reader.steps() == 24);
    const std::vector<std::string> countries = reader.countries();
    const std::size_t n = countries.size(), k_n = reader.sectors().size();
    for (const auto& d : reader.datasets()) {
        if (d.path == "/tariffs") {
            CHECK(d.shape == std::vector<std::uint64_t>{24, n, n, k_n});
        }
    }
    for (int s = 0; s < 24; ++s) {
        INFO("step " << s);
        CHECK(bits(reader.tariff_values(s)) == bits(run.tariffs[static_cast<std::size_t>(s)]));
    }
    REQUIRE_THROWS_AS(reader.tariff_values(24), sim::UsageError);

    // The US tariff on China is scheduled; China's answer comes from its behaviour during the
    // run, after the tariff: both must be in the file.
    const auto at = [&](const std::string& code) {
        return static_cast<std::size_t>(std::find(countries.begin(), countries.end(), code) -
                                        countries.begin());
    };
    const std::size_t chn = at("CHN"), usa = at("USA");
    REQUIRE(std::max(chn, usa) < n);
    const int us_tariff = first_tariff(run, chn, usa, n, k_n);
    const int retaliation = first_tariff(run, usa, chn, n, k_n);
    CHECK(us_tariff >= 0);
    CHECK(retaliation > us_tariff);
    CHECK(run.tariffs[23][(chn * n + usa) * k_n] == 25.0);
}

TEST_CASE("RunStore: tariffs export as CSV, only tariffs other than 0", "[output][tariffs]") {
    const RecordedRun run = record("csv");
    const output::RunReader reader(run.path);
    const std::vector<std::string> countries = reader.countries();
    const std::vector<std::string> sectors = reader.sectors();
    const std::size_t n = countries.size(), k_n = sectors.size();

    const auto rows = lines(reader, "tariffs", 12);
    REQUIRE(!rows.empty());
    CHECK(rows[0] == "step,date,exporter,importer,sector,tariff_pct");
    std::vector<std::string> want{rows[0]};
    const std::vector<double>& t = run.tariffs[12];
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t j = 0; j < n; ++j) {
            for (std::size_t k = 0; k < k_n; ++k) {
                const double v = t[(i * n + j) * k_n + k];
                if (v != 0.0) {
                    want.push_back(fmt::format("12,2019-01,{},{},{},{}", countries[i], countries[j],
                                               sectors[k], v));
                }
            }
        }
    }
    CHECK(rows == want);
    // The US tariff (exporter China) and China's answer (exporter the US) are listed.
    CHECK(std::find(rows.begin(), rows.end(), "12,2019-01,CHN,USA,AGR,25") != rows.end());
    const auto listed = [&](const std::string& prefix) {
        return std::any_of(rows.begin(), rows.end(),
                           [&](const std::string& r) { return r.rfind(prefix, 0) == 0; });
    };
    CHECK(listed("12,2019-01,USA,CHN,"));
    // Before the tariff there is nothing to list.
    CHECK(lines(reader, "tariffs", 0).size() == 1);
    CHECK(lines(reader, "tariffs").size() > rows.size());
}

TEST_CASE("RunStore: a step counts only once its tariffs are in the file",
          "[output][hdf5][tariffs]") {
    const RecordedRun run = record("short");
    remove_tariffs(run.path, false);
    const output::RunReader reader(run.path);
    CHECK(reader.steps() == 23);
    CHECK(reader.dates().size() == 23);
    CHECK(bits(reader.tariff_values(22)) == bits(run.tariffs[22]));
    REQUIRE_THROWS_AS(reader.tariff_values(23), sim::UsageError);
}

TEST_CASE("RunStore: a file written before /tariffs opens, and exporting tariffs says why not",
          "[output][hdf5][tariffs][error]") {
    const RecordedRun run = record("old_file");
    remove_tariffs(run.path, true);
    const output::RunReader reader(run.path);
    CHECK_FALSE(reader.has_tariffs());
    CHECK(reader.steps() == 24);
    CHECK(lines(reader, "flows", 3).size() > 1);
    for (const auto& d : reader.datasets()) {
        CHECK(d.path != "/tariffs");
    }
    const std::string message = run.path + ": no tariff table (the file was written before "
                                           "tradesim stored tariffs; run the scenario again)";
    std::ostringstream out;
    REQUIRE_THROWS_AS(reader.write_csv("tariffs", -1, out), sim::UsageError);
    REQUIRE_THROWS_WITH(reader.write_csv("tariffs", 3, out), message);
    REQUIRE_THROWS_WITH(reader.tariff_values(0), message);
    CHECK(out.str().empty());
}
