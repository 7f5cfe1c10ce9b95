// Currency settlement in whole runs (issue 7): the settlement tables add up in every step
// (shares, payments against flows), a policy that changes nothing changes nothing, the currency
// policies hold in the run (clearing_sanction, settlement_mandate, fx_shock, regime_change),
// exchange rates follow their regimes, and a run with random rates and currency policies is
// the same at any thread count.

#include "currency_lookup.hpp"
#include "tradesim/models/scenario.hpp"
#include "tradesim/models/settlement.hpp"
#include "tradesim/models/simulation.hpp"
#include "tradesim/sim/parallel.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <functional>

using namespace tradesim;
using test::country;
using test::currency;

namespace {

const std::string repo = TRADESIM_SOURCE_DIR;

// scenarios/baseline.toml (the default world, monthly from 2018-01) for `steps` months with
// `body` ([network], [currencies], [[policy]] tables) added.
models::Scenario load(const std::string& name, int steps, const std::string& body) {
    const auto path = std::filesystem::path(TRADESIM_TEST_OUTPUT_DIR) / (name + ".toml");
    std::ofstream(path) << fmt::format("extends = \"{}/scenarios/baseline.toml\"\nname = \"{}\"\n"
                                       "[calendar]\nsteps = {}\n{}",
                                       repo, name, steps, body);
    return models::load_scenario(path.string());
}

// Settlement does not depend on the corridor network: switching it off saves time.
const std::string no_network = "[network]\nenabled = false\n";

// One [[policy]] of `kind` with `keys` in force from `date` to the end of the run.
std::string policy(const std::string& kind, const std::string& date, const std::string& keys) {
    return fmt::format("[[policy]]\ndate = \"{}\"\nkind = \"{}\"\n{}\n", date, kind, keys);
}

// What a test needs of each step. The settlement tables and flows are kept only when asked
// (a 240-step run keeps the rates alone).
struct Record : models::RunObserver {
    bool full = true;
    std::vector<std::uint64_t> hashes;
    std::vector<std::vector<double>> rates;
    std::vector<double> price_gap;
    std::vector<models::SettlementTables> tables;
    std::vector<std::vector<double>> flows;
    std::vector<std::int32_t> slot_currency;
    std::function<void(const models::StepView&)> hook; ///< called at every step when set

    void on_step(const models::StepView& v) override {
        REQUIRE(v.settlement != nullptr);
        const models::SettlementTables& t = v.settlement->tables();
        hashes.push_back(v.state_hash);
        rates.push_back(t.rate);
        price_gap.push_back(t.price_gap);
        if (full) {
            tables.push_back(t);
            flows.push_back(v.flows);
            slot_currency = v.settlement->slot_currency();
        }
        if (hook) {
            hook(v);
        }
    }
};

Record run(const models::Scenario& s, bool full = true,
           std::function<void(const models::StepView&)> hook = {}) {
    Record r;
    r.full = full;
    r.hook = std::move(hook);
    models::run_scenario(s, r);
    REQUIRE(static_cast<int>(r.hashes.size()) == s.calendar.steps());
    return r;
}

// The slot of currency c in the pair's slots, or Settlement::slots when c is no candidate.
std::size_t slot_of(const Record& r, std::size_t pair, std::size_t c) {
    for (std::size_t s = 0; s < models::Settlement::slots; ++s) {
        if (r.slot_currency[pair * models::Settlement::slots + s] == static_cast<std::int32_t>(c)) {
            return s;
        }
    }
    return models::Settlement::slots;
}

// Value of the pair's trade (sum over sectors of X_ijk).
double pair_value(const std::vector<double>& flows, const models::Dims& d, std::size_t pair) {
    double sum = 0.0;
    for (std::size_t k = 0; k < d.sectors; ++k) {
        sum += flows[pair * d.sectors + k];
    }
    return sum;
}

// i's exports to every other economy.
double exports(const std::vector<double>& flows, const models::Dims& d, std::size_t i) {
    double sum = 0.0;
    for (std::size_t j = 0; j < d.countries; ++j) {
        sum += j == i ? 0.0 : pair_value(flows, d, d.pair(i, j));
    }
    return sum;
}

// Sample sd of log(rate[t] / rate[t - 1]) for t in [from, to) of currency c (rate[-1] = 1, the
// run's start).
double sd_of_changes(const Record& r, std::size_t c, int from, int to) {
    std::vector<double> change;
    for (int t = from; t < to; ++t) {
        const double before = t == 0 ? 1.0 : r.rates[static_cast<std::size_t>(t - 1)][c];
        change.push_back(std::log(r.rates[static_cast<std::size_t>(t)][c] / before));
    }
    double mean = 0.0;
    for (double x : change) {
        mean += x / static_cast<double>(change.size());
    }
    double var = 0.0;
    for (double x : change) {
        var += (x - mean) * (x - mean) / static_cast<double>(change.size() - 1);
    }
    return std::sqrt(var);
}

constexpr int random_steps = 240;
constexpr int regime_date_step = 120; // 2028-01

// The baseline for 240 months with random exchange-rate paths (the seed of baseline.toml);
// shared by the rate tests, run once.
struct RandomRun {
    models::Scenario scenario;
    Record record;
    RandomRun()
        : scenario(load("settle_run_random", random_steps,
                        no_network + "[currencies]\nfx_paths = \"random\"\n")),
          record(run(scenario, false)) {}
};

const RandomRun& random_run() {
    static const RandomRun r;
    return r;
}

} // namespace

// Pins that the settlement tables are shares: every trading pair's trade, the world's trade
// and each economy's trade are split among currencies without loss or double counting, also
// while an incentive moves the shares (the inertial update and the renormalisation after
// sanctions and mandates must keep the sum).
TEST_CASE("Settlement run: pair, world and country shares sum to one in every step",
          "[settlement_run]") {
    const auto s = load("settle_run_shares", 24,
                        no_network + policy("settlement_incentive", "2018-03",
                                            "currency = \"CNY\"\ncountries = \"CHN\"\n"
                                            "cut_pct = 1"));
    const Record r = run(s);
    const models::Dims& d = s.world->dims;
    const std::size_t nc = s.world->currencies->currencies.size();
    const std::size_t cny = currency(s, "CNY"), chn = country(s, "CHN");
    std::size_t pairs_checked = 0;
    for (std::size_t step = 0; step < r.tables.size(); ++step) {
        INFO("step " << step);
        const models::SettlementTables& t = r.tables[step];
        for (std::size_t pair = 0; pair < d.countries * d.countries; ++pair) {
            if (pair / d.countries == pair % d.countries ||
                pair_value(r.flows[step], d, pair) <= 0.0) {
                continue;
            }
            double sum = 0.0;
            for (std::size_t slot = 0; slot < models::Settlement::slots; ++slot) {
                sum += t.pair_share[pair * models::Settlement::slots + slot];
            }
            INFO("pair " << pair);
            CHECK(std::abs(sum - 1.0) <= 1e-12);
            ++pairs_checked;
        }
        double world = 0.0;
        for (double v : t.world_share) {
            world += v;
        }
        CHECK(std::abs(world - 1.0) <= 1e-12);
        for (std::size_t i = 0; i < d.countries; ++i) {
            double sum = 0.0;
            for (std::size_t c = 0; c < nc; ++c) {
                sum += t.country_share[i * nc + c];
            }
            INFO("country " << s.world->countries[i].code);
            CHECK(std::abs(sum - 1.0) <= 1e-12);
        }
    }
    CHECK(pairs_checked == r.tables.size() * d.countries * (d.countries - 1));
    // The incentive moved something, so the sums were checked away from the steady state.
    CHECK(r.tables.back().country_share[chn * nc + cny] >
          r.tables[1].country_share[chn * nc + cny] + 0.05);
}

// Pins that the payments table is the step's trade split by currency: the payments of a pair
// are its flows X_ijk of that step (not last step's, not the baseline's), and world payments
// are world trade, so that payment and turnover figures can be read as trade values.
TEST_CASE("Settlement run: payments of each pair and of the world equal the step's trade",
          "[settlement_run]") {
    const auto s = load("settle_run_payments", 24,
                        no_network + policy("settlement_incentive", "2018-03",
                                            "currency = \"CNY\"\ncountries = \"CHN\"\n"
                                            "cut_pct = 1"));
    const Record r = run(s);
    const models::Dims& d = s.world->dims;
    for (std::size_t step = 0; step < r.tables.size(); ++step) {
        INFO("step " << step);
        const models::SettlementTables& t = r.tables[step];
        double world_trade = 0.0, world_paid = 0.0;
        double worst = 0.0;
        for (std::size_t pair = 0; pair < d.countries * d.countries; ++pair) {
            if (pair / d.countries == pair % d.countries) {
                continue;
            }
            const double value = pair_value(r.flows[step], d, pair);
            double paid = 0.0;
            for (std::size_t slot = 0; slot < models::Settlement::slots; ++slot) {
                paid += t.pair_payment[pair * models::Settlement::slots + slot];
            }
            world_trade += value;
            worst = std::max(worst, std::abs(paid - value) / value);
        }
        for (double v : t.payments) {
            world_paid += v;
        }
        CHECK(worst <= 1e-12);
        CHECK(std::abs(world_paid - world_trade) <= 1e-12 * world_trade);
    }
    // The flows do move between steps: the check tells this step's flows from another's.
    const double first = exports(r.flows.front(), d, country(s, "CHN"));
    const double last = exports(r.flows.back(), d, country(s, "CHN"));
    CHECK(std::abs(last - first) > 1e-9 * first);
}

// Pins that an incentive of zero is no policy: the policy terms enter the cost only through
// the cut, so the run must be the same bit for bit (a difference would mean the mere presence
// of a currency policy changes the choice, e.g. through another code path). And that the
// baseline with fixed rates is a steady state, so that it can serve as the reference of every
// counterfactual.
TEST_CASE("Settlement run: a zero incentive leaves the run as it is, and the baseline is "
          "steady",
          "[settlement_run]") {
    const int steps = 24;
    const auto base = load("settle_run_none", steps, no_network);
    const auto zero = load("settle_run_zero", steps,
                           no_network + policy("settlement_incentive", "2018-03",
                                               "currency = \"CNY\"\ncountries = \"CHN\"\n"
                                               "cut_pct = 0"));
    REQUIRE(zero.policies.size() == 1);
    const Record a = run(base);
    const Record b = run(zero);
    CHECK(b.hashes == a.hashes);
    const auto& first = a.flows.front();
    const auto& last = a.flows.back();
    double worst = 0.0;
    for (std::size_t f = 0; f < first.size(); ++f) {
        if (first[f] > 0.0) {
            worst = std::max(worst, std::abs(last[f] - first[f]) / first[f]);
        } else {
            CHECK(last[f] == 0.0);
        }
    }
    CHECK(worst <= 1e-9);
}

// Pins that a clearing_sanction bars the currency from every pair of the sanctioned economy
// from its date (exactly zero, not merely small: the sanction is a constraint, not a cost), that
// the economy's trade is then settled in full in its other candidates, each of which gains, and
// that pairs without the economy still settle in USD at about the same shares.
TEST_CASE("Settlement run: a clearing sanction moves the economy's settlement to the remaining "
          "currencies",
          "[settlement_run]") {
    const int steps = 12, date = 3; // 2018-04
    const auto base = load("settle_run_sanction_base", steps, no_network);
    const auto s = load("settle_run_sanction", steps,
                        no_network + policy("clearing_sanction", "2018-04",
                                            "currency = \"USD\"\ncountries = \"RUS\""));
    const Record a = run(base);
    const Record r = run(s);
    const models::Dims& d = s.world->dims;
    const std::size_t nc = s.world->currencies->currencies.size();
    const std::size_t rus = country(s, "RUS"), usd = currency(s, "USD");
    const auto share = [&](const Record& rec, int step, std::size_t c) {
        return rec.tables[static_cast<std::size_t>(step)].country_share[rus * nc + c];
    };
    CHECK(share(r, date - 1, usd) > 0.05);
    for (int step = date; step < steps; ++step) {
        INFO("step " << step);
        CHECK(share(r, step, usd) == 0.0);
        double sum = 0.0;
        for (std::size_t c = 0; c < nc; ++c) {
            sum += share(r, step, c);
        }
        CHECK(std::abs(sum - 1.0) <= 1e-12);
        for (std::size_t o = 0; o < d.countries; ++o) {
            for (const std::size_t pair : {d.pair(rus, o), d.pair(o, rus)}) {
                if (o != rus) {
                    CHECK(
                        r.tables[static_cast<std::size_t>(step)]
                            .pair_share[pair * models::Settlement::slots + slot_of(r, pair, usd)] ==
                        0.0);
                }
            }
        }
    }
    // At the date every other currency that settled some of RUS's trade settles more of it.
    int gaining = 0;
    for (std::size_t c = 0; c < nc; ++c) {
        if (c != usd && share(r, date - 1, c) > 0.0) {
            INFO("currency " << s.world->currencies->currencies[c].code);
            CHECK(share(r, date, c) > share(r, date - 1, c));
            ++gaining;
        }
    }
    CHECK(gaining >= 3); // RUB, EUR, CNY at least
    // Pairs without RUS: USD stays a currency of their trade, at about the shares of the run
    // without the sanction (they move only through USD's world share and market depth).
    double largest_move = 0.0;
    const auto& t = r.tables.back();
    const auto& t0 = a.tables.back();
    for (std::size_t i = 0; i < d.countries; ++i) {
        for (std::size_t j = 0; j < d.countries; ++j) {
            const std::size_t pair = d.pair(i, j);
            if (i == j || i == rus || j == rus) {
                continue;
            }
            const std::size_t at = pair * models::Settlement::slots + slot_of(r, pair, usd);
            INFO(s.world->countries[i].code << "-" << s.world->countries[j].code);
            CHECK(t.pair_share[at] > 0.0);
            largest_move = std::max(largest_move, std::abs(t.pair_share[at] - t0.pair_share[at]));
        }
    }
    CHECK(largest_move < 0.02);
}

// Pins that a settlement_mandate is a floor that holds from its date on every targeted pair
// (value-weighted over sectors, as each flow's share is at least the floor), including pairs
// whose choice alone would settle far less in the currency.
TEST_CASE("Settlement run: a settlement mandate holds on the targeted pairs from its date",
          "[settlement_run]") {
    const int steps = 12, date = 3; // 2018-04
    const double floor = 0.6;
    const auto s = load("settle_run_mandate", steps,
                        no_network + policy("settlement_mandate", "2018-04",
                                            fmt::format("currency = \"CNY\"\ncountries = "
                                                        "\"CHN\"\nshare = {}",
                                                        floor)));
    const Record r = run(s);
    const models::Dims& d = s.world->dims;
    const std::size_t chn = country(s, "CHN"), cny = currency(s, "CNY");
    int below_before = 0;
    for (int step = 0; step < steps; ++step) {
        INFO("step " << step);
        const auto& t = r.tables[static_cast<std::size_t>(step)];
        for (std::size_t o = 0; o < d.countries; ++o) {
            if (o == chn) {
                continue;
            }
            for (const std::size_t pair : {d.pair(chn, o), d.pair(o, chn)}) {
                const double v =
                    t.pair_share[pair * models::Settlement::slots + slot_of(r, pair, cny)];
                if (step < date) {
                    below_before += v < floor ? 1 : 0;
                } else {
                    INFO("pair " << s.world->countries[pair / d.countries].code << "-"
                                 << s.world->countries[pair % d.countries].code);
                    CHECK(v >= floor - 1e-12);
                }
            }
        }
    }
    // Without the mandate the floor would bind: most pairs settle less than 60 % in CNY.
    CHECK(below_before > static_cast<int>(d.countries));
}

// Pins the exchange-rate processes of settlement.hpp in a long run with random paths: a peg
// stays within its band around its anchor, USD is the numeraire, a float's monthly log changes
// have the sd of its annual volatility / sqrt(12); and with fixed paths nothing moves.
TEST_CASE("Settlement run: exchange rates follow their regimes", "[settlement_run]") {
    const Record& r = random_run().record;
    const models::Scenario& s = random_run().scenario;
    const auto& set = *s.world->currencies;
    const std::size_t usd = currency(s, "USD"), vnd = currency(s, "VND"), jpy = currency(s, "JPY");
    // VND: peg to USD, band +-3 % (currencies.csv), volatility 2 % a year.
    REQUIRE(set.currencies[vnd].regime == models::FxRegime::peg);
    REQUIRE(set.currencies[vnd].anchor == "USD");
    const double band = set.currencies[vnd].band / 100.0;
    REQUIRE(band == Approx(0.03));
    double low = 1.0, high = 1.0, widest = 0.0;
    for (std::size_t t = 0; t < r.rates.size(); ++t) {
        INFO("step " << t);
        CHECK(r.rates[t][usd] == 1.0);
        const double ratio = r.rates[t][vnd] / r.rates[t][usd];
        low = std::min(low, ratio);
        high = std::max(high, ratio);
        widest = std::max(widest, std::abs(std::log(ratio)));
    }
    // The band is +- percent around the parity (currencies.csv): 0.97-1.03 of it.
    CHECK(low >= 1.0 - band - 1e-12);
    CHECK(high <= 1.0 + band + 1e-12);
    // The peg does move within its band (the check above is not about a constant).
    CHECK(widest > 0.005);
    CHECK(high > 1.0 + band - 1e-3); // 240 steps reach the upper edge with this seed

    // JPY floats with volatility 9 % a year: monthly sd 0.09 / sqrt(12) = 0.026. The sample sd
    // s of n = 240 normal draws has (n - 1) s^2 / sigma^2 ~ chi^2(239); P(s < 0.78 sigma) and
    // P(s > 1.23 sigma) are each about 5e-7 (regularised incomplete gamma, computed for this
    // test), so the check fails by chance about once in 10^6 runs. Within 30 % (as the design
    // asks) would fail once in 7e9 (P(s < 0.7 sigma) = 2e-12, P(s > 1.3 sigma) = 1.4e-10).
    REQUIRE(set.currencies[jpy].regime == models::FxRegime::floating);
    const double sigma = set.currencies[jpy].volatility / 100.0 / std::sqrt(12.0);
    const double sd = sd_of_changes(r, jpy, 0, random_steps);
    CHECK(sd > 0.78 * sigma);
    CHECK(sd < 1.23 * sigma);

    // With fixed paths (the default, stated here) no rate moves at all.
    const Record fixed = run(
        load("settle_run_fixed", 24, no_network + "[currencies]\nfx_paths = \"fixed\"\n"), false);
    for (const auto& rates : fixed.rates) {
        for (double v : rates) {
            CHECK(v == 1.0);
        }
    }
}

// Pins the fx_shock in a run and the pass-through of settlement.hpp: the rate jumps to 0.8 at
// the date and stays there; a flow's import price moves at once by the move of its invoicing
// currencies against the importer's, sum_c s_c (dlog e_c - dlog e_h(j)), so the trade-weighted
// price gap turns positive, and then fades as a share 1/11 of prices is reset each month
// (price_reset_months 11). The trade of the shock's step is the same as without it (settlement
// comes after market clearing); in the next step Japan's exports, cheaper to importers in the
// part invoiced in JPY and unchanged in the rest, cannot be lower than without the shock.
TEST_CASE("Settlement run: an fx_shock moves the rate, import prices and exports",
          "[settlement_run]") {
    const int steps = 12, date = 3; // 2018-04
    const auto base = load("settle_run_shock_base", steps, no_network);
    const auto s =
        load("settle_run_shock", steps,
             no_network + policy("fx_shock", "2018-04", "currency = \"JPY\"\nchange_pct = -20"));
    const models::Dims& d = s.world->dims;
    const auto& home = s.world->currencies->home;
    const std::size_t jpy = currency(s, "JPY"), jpn = country(s, "JPN");
    REQUIRE(s.settlement.price_reset_months == 11.0);
    // Each flow's pass-through wedge at the date, from its shares then: only JPY moved, by
    // log 0.8 (the wedge is the log of the import price's move).
    std::vector<double> wedge(d.flow_count(), 0.0);
    const Record a = run(base);
    const Record r = run(s, true, [&](const models::StepView& v) {
        if (v.step != date) {
            return;
        }
        const double jump = std::log(0.8);
        for (std::size_t f = 0; f < d.flow_count(); ++f) {
            const std::size_t pair = f / d.sectors;
            const auto& list = v.settlement->candidates(pair);
            const double dj = home[pair % d.countries] == jpy ? jump : 0.0;
            for (std::size_t slot = 0; slot < list.size(); ++slot) {
                wedge[f] += v.settlement->share(f, slot) * ((list[slot] == jpy ? jump : 0.0) - dj);
            }
        }
    });
    for (int step = 0; step < steps; ++step) {
        INFO("step " << step);
        const auto t = static_cast<std::size_t>(step);
        if (step < date) {
            CHECK(r.rates[t][jpy] == 1.0);
            CHECK(r.price_gap[t] == 0.0);
            continue;
        }
        CHECK(std::abs(r.rates[t][jpy] - 0.8) <= 1e-12);
        // The gap as the wedges of the date, each decayed by (10/11)^months since, weighted by
        // this step's flows.
        double gap = 0.0, total = 0.0;
        const double keep = std::pow(10.0 / 11.0, step - date);
        for (std::size_t f = 0; f < d.flow_count(); ++f) {
            const std::size_t pair = f / d.sectors;
            if (pair / d.countries != pair % d.countries) {
                gap += r.flows[t][f] * keep * std::abs(wedge[f]);
                total += r.flows[t][f];
            }
        }
        CHECK(r.price_gap[t] == Approx(gap / total).epsilon(1e-12));
        if (step > date) {
            CHECK(r.price_gap[t] < r.price_gap[t - 1]);
        }
    }
    CHECK(r.price_gap[date] > 0.0);
    CHECK(r.flows[date] == a.flows[date]);
    const double with = exports(r.flows[date + 1], d, jpn);
    const double without = exports(a.flows[date + 1], d, jpn);
    CHECK(with >= without);
    // JPY settles part of Japan's trade (else the checks above would be about nothing).
    const std::size_t nc = s.world->currencies->currencies.size();
    CHECK(r.tables[date].country_share[jpn * nc + jpy] > 0.01);
}

// Pins determinism of the settlement in a run with every random and policy part it has:
// random rate paths (Philox keyed by seed, currency and step), an incentive and a swap line,
// at 1 and 2 threads: the state hash (flows, countries, settlement tables) of every step is
// the same.
TEST_CASE("Settlement run: random rates, an incentive and a swap line give the same run at 1 "
          "and 2 threads",
          "[settlement_run][determinism]") {
    const auto s = load("settle_run_threads", 24,
                        no_network + "[currencies]\nfx_paths = \"random\"\n" +
                            policy("settlement_incentive", "2018-03",
                                   "currency = \"CNY\"\ncountries = \"CHN\"\ncut_pct = 0.5") +
                            policy("swap_line", "2018-06", "countries = [\"CHN\", \"RUS\"]"));
    REQUIRE(s.policies.size() == 2);
    std::vector<std::vector<std::uint64_t>> hashes;
    for (int threads : {1, 2}) {
        sim::ThreadScope scope(threads);
        hashes.push_back(run(s, false).hashes);
    }
    CHECK(hashes[1] == hashes[0]);
}

// Pins regime_change in a run with random paths: the currency's rate is the baseline's until
// the date and follows its new regime after it, while every other currency's path stays the
// same (draws are keyed by currency; no currency follows LKR). LKR is managed against USD with
// volatility 4 %; it floats from 2028-01 with volatility 12 %. Before, its monthly log changes
// have sd 0.04 / sqrt(12) x sqrt(1 + pull^2 / (1 - (1 - pull)^2)) = 1.05 x 0.0115 (the pull to
// the anchor, 0.2 a month, adds to the change); after, 0.12 / sqrt(12) = 0.035, 2.8 times as
// much; with 120 draws each the ratio of sample sds falls below 1 with probability < 1e-20.
// (At an unchanged volatility a float's monthly changes are about 5 % less variable than the
// managed rate's: only the level wanders more.)
TEST_CASE("Settlement run: a managed currency that floats varies more after the date",
          "[settlement_run]") {
    const auto s = load("settle_run_regime", random_steps,
                        no_network + "[currencies]\nfx_paths = \"random\"\n" +
                            policy("regime_change", "2028-01",
                                   "currency = \"LKR\"\nregime = \"float\"\n"
                                   "volatility_pct = 12"));
    REQUIRE(s.policies.size() == 1);
    REQUIRE(s.policies[0]->start_step() == regime_date_step);
    const std::size_t lkr = currency(s, "LKR");
    REQUIRE(s.world->currencies->currencies[lkr].regime == models::FxRegime::managed);
    const Record r = run(s, false);
    const Record& base = random_run().record;
    for (int t = 0; t < random_steps; ++t) {
        INFO("step " << t);
        const auto at = static_cast<std::size_t>(t);
        for (std::size_t c = 0; c < r.rates[at].size(); ++c) {
            if (t < regime_date_step || c != lkr) {
                CHECK(r.rates[at][c] == base.rates[at][c]);
            }
        }
    }
    const double before = sd_of_changes(r, lkr, 0, regime_date_step);
    const double after = sd_of_changes(r, lkr, regime_date_step, random_steps);
    CHECK(after > before);
    // The sds themselves: 35 % fails by chance with probability < 2e-7 (chi^2(119) tails; the
    // managed changes are slightly autocorrelated, lag-1 -0.1, which widens that little).
    CHECK(before == Approx(1.05 * 0.04 / std::sqrt(12.0)).epsilon(0.35));
    CHECK(after == Approx(0.12 / std::sqrt(12.0)).epsilon(0.35));
}
