// The currency tables of a run file: what the settlement agent hands the writer at each step is
// what the reader gives back, bit for bit, with the parameters as attributes, and runs without
// currency settlement have none.
#include "tradesim/output/run_store.hpp"

#include "run_store_util.hpp"

#include "tradesim/models/currencies.hpp"
#include "tradesim/models/policy.hpp"
#include "tradesim/models/scenario.hpp"
#include "tradesim/models/settlement.hpp"
#include "tradesim/models/simulation.hpp"
#include "tradesim/sim/error.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cstdint>
#include <filesystem>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

using Catch::Matchers::Contains;
namespace fs = std::filesystem;
namespace models = tradesim::models;
namespace output = tradesim::output;
namespace sim = tradesim::sim;

namespace {

using tradesim::test::bits;
using tradesim::test::lines;

const std::string repo = TRADESIM_SOURCE_DIR;

std::string fresh_path(const std::string& name) {
    const fs::path dir = fs::path(TRADESIM_TEST_OUTPUT_DIR) / "run_store_currencies" / name;
    fs::remove_all(dir);
    fs::create_directories(dir);
    return (dir / "run.h5").string();
}

const models::Scenario& baseline() {
    static const models::Scenario scenario =
        models::load_scenario(repo + "/scenarios/baseline.toml");
    return scenario;
}

/// What a StepView refers to besides the settlement: a one-column country table and flows.
struct Frame {
    sim::ColumnTable countries;
    std::vector<double> flows;
    std::vector<models::Event> events;

    explicit Frame(const models::World& w) : countries(w.dims.countries), flows(w.flows) {
        const std::size_t exports = countries.add_column("exports", "USD bn", "");
        for (std::size_t i = 0; i < w.dims.countries; ++i) {
            countries.at(exports, i) = static_cast<double>(i);
        }
    }

    [[nodiscard]] models::StepView view(int step, const models::Settlement* settlement) const {
        return {.step = step,
                .date = fmt::format("2018-{:02}", step + 1),
                .countries = countries,
                .flows = flows,
                .events = events,
                .state_hash = static_cast<std::uint64_t>(step + 1),
                .solver_iterations = 1,
                .settlement = settlement};
    }
};

/// The baseline's policy with a cost cut of 0.5 % of value for CNY on every pair with China,
/// so that the shares move from step to step.
models::PolicyState cny_incentive(const models::World& w) {
    const models::Dims& d = w.dims;
    models::PolicyState policy = models::PolicyState::baseline(d);
    policy.settlement = models::SettlementPolicy::baseline(*w.currencies, d.countries);
    const std::size_t nc = w.currencies->currencies.size();
    std::vector<double>& cut = policy.settlement.cut;
    cut.assign(d.countries * d.countries * nc, 0.0);
    const auto chn = static_cast<std::size_t>(w.country_index("CHN"));
    const auto cny = static_cast<std::size_t>(w.currencies->index("CNY"));
    for (std::size_t o = 0; o < d.countries; ++o) {
        cut[d.pair(chn, o) * nc + cny] = 0.005;
        cut[d.pair(o, chn) * nc + cny] = 0.005;
    }
    return policy;
}

struct RecordedRun {
    std::string path;
    std::vector<models::SettlementTables> tables;
    std::vector<std::int32_t> slot_currency;
};

/// Writes `steps` steps of the baseline's settlement, 12 months each under the CNY incentive
/// (exchange rates on the scenario's paths).
RecordedRun record(const std::string& name, int steps) {
    const models::Scenario& scenario = baseline();
    const models::World& w = *scenario.world;
    models::Settlement settlement(scenario);
    const Frame frame(w);
    const models::PolicyState policy = cny_incentive(w);
    RecordedRun run{fresh_path(name), {}, settlement.slot_currency()};
    output::RunWriter writer(run.path, scenario, {"0.1.0-test", 1, "2024-01-02T03:04:05Z"}, false);
    for (int s = 0; s < steps; ++s) {
        if (s > 0) {
            settlement.step(policy, frame.flows, s, 12.0);
        }
        run.tables.push_back(settlement.tables());
        writer.on_step(frame.view(s, &settlement));
    }
    writer.finish(true);
    return run;
}

std::string run_without_settlement(const std::string& name) {
    const models::Scenario& scenario = baseline();
    const Frame frame(*scenario.world);
    const std::string path = fresh_path(name);
    output::RunWriter writer(path, scenario, {"0.1.0-test", 1, "2024-01-02T03:04:05Z"}, false);
    for (int s = 0; s < 2; ++s) {
        writer.on_step(frame.view(s, nullptr));
    }
    writer.finish(true);
    return path;
}

} // namespace

TEST_CASE("RunStore: the currency tables of every step are read back as the run saw them",
          "[output][hdf5][currencies]") {
    const models::Scenario& scenario = baseline();
    REQUIRE(scenario.world->currencies != nullptr);
    const models::Currencies& set = *scenario.world->currencies;
    const std::size_t n = scenario.world->dims.countries;
    const std::size_t c_n = set.currencies.size();
    const RecordedRun run = record("round_trip", 3);

    const output::RunReader reader(run.path);
    REQUIRE(reader.has_currencies());
    REQUIRE(reader.steps() == 3);

    std::vector<std::string> codes, regimes;
    for (const models::Currency& c : set.currencies) {
        codes.push_back(c.code);
        regimes.push_back(models::to_string(c.regime));
    }
    CHECK(reader.currency_codes() == codes);
    CHECK(reader.currency_regimes() == regimes);
    CHECK(std::count(regimes.begin(), regimes.end(), "float") > 0);
    CHECK(reader.slot_currency() == run.slot_currency);
    REQUIRE(run.slot_currency.size() == n * n * models::Settlement::slots);
    CHECK(std::count(run.slot_currency.begin(), run.slot_currency.end(), -1) > 0);

    const models::SettlementParams& p = scenario.settlement;
    CHECK(reader.currency_attribute("fx_paths") == (p.fx_random ? "random" : "fixed"));
    const std::pair<const char*, double> numbers[] = {{"spread_min", p.spread_min},
                                                      {"spread_max", p.spread_max},
                                                      {"half", p.half},
                                                      {"eta", p.eta},
                                                      {"risk", p.risk},
                                                      {"scale", p.scale},
                                                      {"inertia", p.inertia},
                                                      {"depth_weight", p.depth_weight},
                                                      {"price_reset_months", p.price_reset_months},
                                                      {"managed_pull", p.managed_pull}};
    for (const auto& [key, value] : numbers) {
        INFO(key);
        CHECK(reader.currency_attribute(key) == fmt::format("{}", value));
    }

    for (int s = 0; s < 3; ++s) {
        INFO("step " << s);
        const models::SettlementTables& want = run.tables[static_cast<std::size_t>(s)];
        const models::SettlementTables got = reader.settlement_tables(s);
        CHECK(got.world_share.size() == c_n);
        CHECK(bits(got.world_share) == bits(want.world_share));
        CHECK(bits(got.payments) == bits(want.payments));
        CHECK(bits(got.fx_turnover) == bits(want.fx_turnover));
        CHECK(bits(got.rate) == bits(want.rate));
        CHECK(bits(got.country_share) == bits(want.country_share));
        CHECK(bits(got.pair_share) == bits(want.pair_share));
        CHECK(bits(got.pair_payment) == bits(want.pair_payment));
        CHECK(bits({got.cost, got.price_gap}) == bits({want.cost, want.price_gap}));
    }
    // The tables compared above are neither zeros nor one step's copy: the incentive moves
    // CNY's share of world settlement.
    const auto cny = static_cast<std::size_t>(set.index("CNY"));
    CHECK(run.tables[0].world_share[cny] > 0.0);
    CHECK(run.tables[2].world_share[cny] > run.tables[0].world_share[cny]);
    if (p.fx_random) {
        CHECK(run.tables[2].rate != run.tables[0].rate);
    }

    REQUIRE_THROWS_AS(reader.settlement_tables(3), sim::UsageError);
    REQUIRE_THROWS_WITH(reader.settlement_tables(-1), Contains("step -1 out of range"));
}

TEST_CASE("RunStore: currency tables export as CSV, settlement and payments without zeros",
          "[output][currencies]") {
    const RecordedRun run = record("csv", 2);
    const output::RunReader reader(run.path);
    const std::vector<std::string> codes = reader.currency_codes();
    const std::vector<std::string> countries = reader.countries();
    const std::size_t c_n = codes.size();
    const std::size_t n = countries.size();
    constexpr std::size_t slots = models::Settlement::slots;

    const auto currencies = lines(reader, "currencies");
    REQUIRE(currencies.size() == 1 + 2 * c_n);
    CHECK(currencies[0] ==
          "step,date,currency,world_share,payments_usd_bn,fx_turnover_usd_bn,rate");
    const models::SettlementTables& t1 = run.tables[1];
    CHECK(currencies[1 + c_n] == fmt::format("1,2018-02,{},{},{},{},{}", codes[0],
                                             t1.world_share[0], t1.payments[0], t1.fx_turnover[0],
                                             t1.rate[0]));
    const auto one_step = lines(reader, "currencies", 1);
    REQUIRE(one_step.size() == 1 + c_n);
    CHECK(one_step[1] == currencies[1 + c_n]);

    // settlement: one row per economy and currency with a share above 0, at step 1.
    const auto settlement = lines(reader, "settlement", 1);
    CHECK(settlement[0] == "step,date,country,currency,share");
    std::vector<std::string> want{settlement[0]};
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t c = 0; c < c_n; ++c) {
            if (t1.country_share[i * c_n + c] > 0) {
                want.push_back(fmt::format("1,2018-02,{},{},{}", countries[i], codes[c],
                                           t1.country_share[i * c_n + c]));
            }
        }
    }
    CHECK(want.size() > n); // every economy settles in at least one currency, some in more
    CHECK(settlement == want);

    // payments: payer the importer, payee the exporter, one row per slot in use that pays.
    const auto payments = lines(reader, "payments", 1);
    CHECK(payments[0] == "step,date,payer,payee,currency,share,usd_bn");
    std::size_t paying = 0;
    for (std::size_t f = 0; f < run.slot_currency.size(); ++f) {
        paying += run.slot_currency[f] >= 0 && t1.pair_payment[f] > 0 ? 1 : 0;
    }
    CHECK(payments.size() == 1 + paying);
    const auto chn = static_cast<std::size_t>(std::find(countries.begin(), countries.end(), "CHN") -
                                              countries.begin());
    const auto usa = static_cast<std::size_t>(std::find(countries.begin(), countries.end(), "USA") -
                                              countries.begin());
    REQUIRE(chn < n);
    REQUIRE(usa < n);
    // China's exports to the United States: the United States pays China.
    std::size_t found = 0;
    for (std::size_t slot = 0; slot < slots; ++slot) {
        const std::size_t at = (chn * n + usa) * slots + slot;
        const std::int32_t c = run.slot_currency[at];
        if (c < 0 || !(t1.pair_payment[at] > 0)) {
            continue;
        }
        const std::string row =
            fmt::format("1,2018-02,USA,CHN,{},{},{}", codes[static_cast<std::size_t>(c)],
                        t1.pair_share[at], t1.pair_payment[at]);
        CHECK(std::count(payments.begin(), payments.end(), row) == 1);
        ++found;
    }
    CHECK(found > 0);
    for (std::size_t r = 1; r < payments.size(); ++r) {
        REQUIRE_THAT(payments[r], !Contains(",0,") && !Contains("CHN,CHN,"));
    }
    CHECK(lines(reader, "payments").size() > payments.size());
}

TEST_CASE("RunStore: a run without currency settlement has no currency tables",
          "[output][hdf5][currencies][error]") {
    const std::string path = run_without_settlement("none");
    const output::RunReader reader(path);
    CHECK_FALSE(reader.has_currencies());
    CHECK(reader.steps() == 2);
    CHECK(reader.currency_codes().empty());
    CHECK(reader.currency_regimes().empty());
    CHECK(reader.currency_attribute("eta").empty());
    for (const auto& d : reader.datasets()) {
        CHECK(d.path.rfind("/currencies", 0) != 0);
    }

    const std::string message =
        path + ": no currency tables (the scenario has no currency settlement)";
    std::ostringstream out;
    for (const char* table : {"currencies", "settlement", "payments"}) {
        REQUIRE_THROWS_AS(reader.write_csv(table, -1, out), sim::UsageError);
        REQUIRE_THROWS_WITH(reader.write_csv(table, 0, out), message);
    }
    REQUIRE_THROWS_WITH(reader.settlement_tables(0), message);
    REQUIRE_THROWS_WITH(reader.slot_currency(), message);
    CHECK(out.str().empty());
}

TEST_CASE("RunWriter: currency settlement must be in every step or in none",
          "[output][currencies][error]") {
    const models::Scenario& scenario = baseline();
    const models::Settlement settlement(scenario);
    const Frame frame(*scenario.world);
    const output::RunInfo info{"0.1.0-test", 1, "2024-01-02T03:04:05Z"};
    {
        output::RunWriter writer(fresh_path("late"), scenario, info, false);
        writer.on_step(frame.view(0, nullptr));
        REQUIRE_THROWS_WITH(writer.on_step(frame.view(1, &settlement)),
                            Contains("step 1 has currency settlement, the first step had none"));
    }
    {
        output::RunWriter writer(fresh_path("dropped"), scenario, info, false);
        writer.on_step(frame.view(0, &settlement));
        REQUIRE_THROWS_WITH(writer.on_step(frame.view(1, nullptr)),
                            Contains("step 1 has no currency settlement, the first step had"));
    }
}
