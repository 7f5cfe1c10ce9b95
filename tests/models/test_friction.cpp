// Trade friction (issue 8): the indicators match hand computations from the run's flows, wages
// and tariffs; levels follow the thresholds; every behaviour fires when and only when its rule
// says; escalation stops at the cap; a world where every government follows `none` is the
// scheduled run; the run is the same at any thread count.

#include "tradesim/models/friction.hpp"
#include "tradesim/models/scenario.hpp"
#include "tradesim/models/simulation.hpp"
#include "tradesim/sim/parallel.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>

using namespace tradesim;
using Catch::Matchers::Contains;

namespace {

const std::string repo = TRADESIM_SOURCE_DIR;

// A scenario of `lines` written to the test output folder; `lines` may `extends` a scenario
// of the repository through "{repo}".
models::Scenario load(const std::string& name, const std::string& lines) {
    const auto path = std::filesystem::path(TRADESIM_TEST_OUTPUT_DIR) / (name + ".toml");
    std::ofstream(path) << fmt::format("name = \"{}\"\n", name) << lines;
    return models::load_scenario(path.string());
}

// The classroom world, monthly from 2018-01 for `steps` months, with `body` added.
models::Scenario classroom(const std::string& name, int steps, const std::string& body) {
    return load(name, fmt::format("world = \"{}/scenarios/classroom/world\"\n[calendar]\n"
                                  "start = \"2018-01\"\nsteps = {}\n{}",
                                  repo, steps, body));
}

// What the tests need of every step.
struct Record : models::RunObserver {
    std::vector<std::vector<double>> flows, tariff, wage, welfare;
    std::vector<models::FrictionTables> friction;
    std::vector<std::vector<models::Event>> events;
    std::vector<std::uint64_t> hashes;
    void on_step(const models::StepView& v) override {
        flows.push_back(v.flows);
        tariff.push_back(v.policy->tariff);
        const auto& t = v.countries;
        const auto wages = t.column(*t.find("wage"));
        const auto change = t.column(*t.find("welfare_change"));
        wage.emplace_back(wages.begin(), wages.end());
        welfare.emplace_back(change.begin(), change.end());
        if (v.friction != nullptr) {
            friction.push_back(*v.friction);
        }
        events.push_back(v.events);
        hashes.push_back(v.state_hash);
    }
    // Events of `kind` in the whole run.
    [[nodiscard]] std::vector<models::Event> of(const std::string& kind) const {
        std::vector<models::Event> out;
        for (const auto& step : events) {
            for (const auto& e : step) {
                if (e.kind == kind) {
                    out.push_back(e);
                }
            }
        }
        return out;
    }
};

Record run(const models::Scenario& s) {
    Record r;
    (void)models::run_scenario(s, r);
    return r;
}

std::size_t country(const models::Scenario& s, const char* code) {
    return static_cast<std::size_t>(s.world->country_index(code));
}
std::size_t sector(const models::Scenario& s, const char* code) {
    return static_cast<std::size_t>(s.world->sector_index(code));
}

// A [[policy]]: `importer` raises its tariff on `exporter`'s goods by `points` from 2018-03
// (`sectors`: a TOML value, or "" for all).
std::string tariff_rise(const char* importer, const char* exporter, const std::string& sectors,
                        int points, const char* date = "2018-03") {
    return fmt::format("[[policy]]\ndate = \"{}\"\nkind = \"tariff\"\nimporter = \"{}\"\n"
                       "exporter = \"{}\"\n{}increase = {}\n",
                       date, importer, exporter,
                       sectors.empty() ? "" : "sectors = " + sectors + "\n", points);
}

const std::string us_tariff_on_china_mac = tariff_rise("USA", "CHN", "\"MAC\"", 25);

} // namespace

TEST_CASE("Friction: indicators and index match hand computations", "[friction]") {
    // A US tariff on all Chinese goods diverts them; window 6 months.
    const auto s = classroom("friction_hand", 14,
                             "[friction]\nwindow_months = 6\n" + tariff_rise("USA", "CHN", "", 25) +
                                 tariff_rise("CHN", "USA", "\"AGR\"", 10, "2018-05"));
    const Record r = run(s);
    const auto& d = s.world->dims;
    const auto& p = s.friction;
    const std::size_t n = d.countries;
    REQUIRE(r.friction.size() == 14);
    for (int t : {1, 4, 9, 13}) {
        const int b = std::max(0, t - 6);
        const auto& X = r.flows[static_cast<std::size_t>(t)];
        const auto& X0 = r.flows[static_cast<std::size_t>(b)];
        const auto& w = r.wage[static_cast<std::size_t>(t)];
        const auto& w0 = r.wage[static_cast<std::size_t>(b)];
        const auto& T = r.tariff[static_cast<std::size_t>(t)];
        const auto& T0 = r.tariff[static_cast<std::size_t>(b)];
        const auto& F = r.friction[static_cast<std::size_t>(t)];
        const auto imbalance = [&](const std::vector<double>& x, std::size_t i, std::size_t j) {
            double in = 0, out = 0;
            for (std::size_t k = 0; k < d.sectors; ++k) {
                in += x[d.flow(i, j, k)];
                out += x[d.flow(j, i, k)];
            }
            return std::max(0.0, (in - out) / (in + out));
        };
        for (std::size_t i = 0; i < n; ++i) {
            for (std::size_t j = 0; j < n; ++j) {
                double moved = 0, weight = 0;
                for (std::size_t k = 0; k < d.sectors; ++k) {
                    const std::size_t g = d.flow(j, i, k);
                    moved += s.world->flows[g] * (T[g] - T0[g]);
                    weight += s.world->flows[g];
                }
                for (std::size_t k = 0; k < d.sectors; ++k) {
                    const std::size_t f = d.flow(i, j, k);
                    const bool watched =
                        i != j && s.world->sectors[k].traded && s.world->flows[f] >= p.min_flow;
                    REQUIRE(static_cast<bool>(F.watched[f]) == watched);
                    if (!watched) {
                        REQUIRE(F.index[f] == 0.0);
                        continue;
                    }
                    double total = 0, total0 = 0;
                    for (std::size_t l = 0; l < n; ++l) {
                        total += X[d.flow(l, j, k)];
                        total0 += X0[d.flow(l, j, k)];
                    }
                    // No network in the classroom world: the landed price is the wage.
                    const std::array<double, 6> v = {X[f] / X0[f] - 1.0,
                                                     imbalance(X, i, j),
                                                     imbalance(X, i, j) - imbalance(X0, i, j),
                                                     1.0 - (w[i] / w[j]) / (w0[i] / w0[j]),
                                                     X[f] / total - X0[f] / total0,
                                                     100.0 * moved / weight};
                    double index = 0;
                    for (std::size_t m = 0; m < 6; ++m) {
                        REQUIRE(F.indicator[m][f] == Approx(v[m]).margin(1e-12));
                        index += p.weight[m] * std::clamp(v[m] / p.full[m], 0.0, 1.0);
                    }
                    REQUIRE(F.index[f] == Approx(index).margin(1e-12));
                    REQUIRE(F.index[f] >= 0.0);
                    REQUIRE(F.index[f] <= 1.0);
                }
            }
        }
    }
    // China's 10-point rise on US agri-food is 100 * 0.10 * X0(USA->CHN, AGR) / X0(USA->CHN)
    // points on average for the United States from May.
    const std::size_t usa = country(s, "USA"), chn = country(s, "CHN");
    double agr = 0, all = 0;
    for (std::size_t k = 0; k < d.sectors; ++k) {
        all += s.world->flows[d.flow(usa, chn, k)];
    }
    agr = s.world->flows[d.flow(usa, chn, sector(s, "AGR"))];
    const auto partner = static_cast<std::size_t>(models::Indicator::partner_tariff);
    REQUIRE(r.friction[4].indicator[partner][d.flow(chn, usa, sector(s, "MAC"))] ==
            Approx(10.0 * agr / all));
    // Levels follow the thresholds on the way up.
    for (std::size_t t = 0; t < r.friction.size(); ++t) {
        for (std::size_t f = 0; f < d.flow_count(); ++f) {
            const double x = r.friction[t].index[f];
            const auto level = static_cast<models::Level>(r.friction[t].level[f]);
            const auto last = t == 0 ? models::Level::none
                                     : static_cast<models::Level>(r.friction[t - 1].level[f]);
            const auto threshold = [&](models::Level l) {
                return l == models::Level::alert     ? p.alert
                       : l == models::Level::warning ? p.warning
                                                     : p.watch;
            };
            if (level > last) {
                REQUIRE(x >= threshold(level));
            }
            if (level < last) {
                REQUIRE(x < threshold(last) - p.hysteresis);
            }
        }
    }
    // Each change of level is in the event log, with the numbers behind it.
    std::size_t changes = 0, logged = 0;
    for (std::size_t t = 0; t < r.friction.size(); ++t) {
        for (std::size_t f = 0; f < d.flow_count(); ++f) {
            const auto last = t == 0 ? 0 : r.friction[t - 1].level[f];
            changes += r.friction[t].level[f] != last;
        }
        for (const auto& e : r.events[t]) {
            if (e.kind == "watch" || e.kind == "warning" || e.kind == "alert" ||
                e.kind == "eased") {
                logged += e.sector == "all"
                              ? 9
                              : static_cast<std::size_t>(
                                    std::count(e.sector.begin(), e.sector.end(), ';') + 1);
                REQUIRE_THAT(e.message, Contains("friction index"));
            }
        }
    }
    REQUIRE(changes > 0);
    REQUIRE(logged == changes);
}

TEST_CASE("Friction: every government on none is the scheduled run", "[friction]") {
    const std::string governments = R"(
[[government]]
country = "all"
behaviour = "none"
)";
    const auto with = classroom("friction_none", 24, us_tariff_on_china_mac + governments);
    const auto without =
        classroom("friction_off", 24, us_tariff_on_china_mac + "[friction]\nenabled = false\n");
    const Record a = run(with), b = run(without);
    // The state hash covers the friction tables too: compare what the economy did.
    REQUIRE(a.flows == b.flows);
    REQUIRE(a.tariff == b.tariff);
    REQUIRE(a.wage == b.wage);
    REQUIRE(a.welfare == b.welfare);
    REQUIRE(b.friction.empty());
    REQUIRE(a.of("tariff").size() == 1);
    REQUIRE(a.of("retaliation").empty());
    // The indicators still watch: China's machinery loses its US market.
    REQUIRE(a.friction.size() == 24);
    REQUIRE(std::any_of(a.friction.back().index.begin(), a.friction.back().index.end(),
                        [](double x) { return x > 0.0; }));
}

TEST_CASE("Friction: tit_for_tat answers a partner's rise, after the lag, in proportion",
          "[friction]") {
    const auto s = classroom("friction_tft", 12,
                             us_tariff_on_china_mac + tariff_rise("DEU", "CHN", "", 30, "2018-06") +
                                 tariff_rise("USA", "CHN", "\"MAC\"", -10, "2018-08") + R"(
[[government]]
country = "CHN"
behaviour = "tit_for_tat"
partners = "USA"
lag_months = 2
proportion = 0.5
)");
    const Record r = run(s);
    const auto& d = s.world->dims;
    const std::size_t usa = country(s, "USA"), chn = country(s, "CHN"), deu = country(s, "DEU");
    const std::size_t mac = sector(s, "MAC");
    // One answer: to the US rise of 2018-03, two months later, half the points on machinery;
    // none to Germany's rise (not a partner in the rule) nor to the US cut.
    const auto answers = r.of("retaliation");
    REQUIRE(answers.size() == 1);
    REQUIRE(answers[0].date == "2018-05");
    REQUIRE(answers[0].importer == "CHN");
    REQUIRE(answers[0].exporter == "USA");
    REQUIRE(answers[0].sector == "MAC");
    REQUIRE(answers[0].value == Approx(12.5));
    REQUIRE_THAT(answers[0].message, Contains("China answers"));
    for (std::size_t t = 0; t < 12; ++t) {
        REQUIRE(r.tariff[t][d.flow(usa, chn, mac)] == Approx(t >= 4 ? 0.125 : 0.0));
        for (std::size_t k = 0; k < d.sectors; ++k) {
            REQUIRE(r.tariff[t][d.flow(deu, chn, k)] == 0.0);
        }
    }

    // Below the threshold: no answer.
    const auto quiet = classroom("friction_tft_threshold", 8, us_tariff_on_china_mac + R"(
[[government]]
country = "CHN"
behaviour = "tit_for_tat"
threshold_points = 50
)");
    REQUIRE(run(quiet).of("retaliation").empty());

    // Named sectors: one rate on them that takes the same duty from the partner's trade.
    const auto on = classroom("friction_tft_sectors", 8, us_tariff_on_china_mac + R"(
[[government]]
country = "CHN"
behaviour = "tit_for_tat"
sectors = ["AGR", "VEH"]
)");
    const Record q = run(on);
    const auto& w = on.world->flows;
    const std::size_t agr = sector(on, "AGR"), veh = sector(on, "VEH");
    const double rate =
        25.0 * w[d.flow(chn, usa, mac)] / (w[d.flow(usa, chn, agr)] + w[d.flow(usa, chn, veh)]);
    REQUIRE(q.of("retaliation").size() == 1);
    REQUIRE(q.tariff[3][d.flow(usa, chn, agr)] == Approx(std::min(rate, 100.0) / 100.0));
    REQUIRE(q.tariff[3][d.flow(usa, chn, veh)] == Approx(std::min(rate, 100.0) / 100.0));
    REQUIRE(q.tariff[3][d.flow(usa, chn, mac)] == 0.0);
}

TEST_CASE("Friction: escalation between two tit_for_tat governments stops at the cap",
          "[friction]") {
    const auto s = classroom("friction_cap", 36, us_tariff_on_china_mac + R"(
[friction]
cap_pct = 60
[[government]]
country = ["USA", "CHN"]
behaviour = "tit_for_tat"
)");
    const Record r = run(s);
    const auto& d = s.world->dims;
    const std::size_t usa = country(s, "USA"), chn = country(s, "CHN"), mac = sector(s, "MAC");
    // 25 scheduled, then answers of 25 until the cap: the last answers are cut to fit it.
    REQUIRE(r.tariff.back()[d.flow(chn, usa, mac)] == Approx(0.60));
    REQUIRE(r.tariff.back()[d.flow(usa, chn, mac)] == Approx(0.60));
    double highest = 0;
    for (const auto& t : r.tariff) {
        highest = std::max(highest, *std::max_element(t.begin(), t.end()));
    }
    REQUIRE(highest <= 0.60 + 1e-12);
    const auto answers = r.of("retaliation");
    // CHN 25, USA 25 (50), CHN 25 (50), USA 10 (cut to the cap), CHN 10; then nothing.
    REQUIRE(answers.size() == 5);
    for (const auto& e : answers) {
        REQUIRE(e.step < 12); // over within a year, silent after
    }
}

TEST_CASE("Friction: anti_dumping fires when and only when surge and undercut pass", "[friction]") {
    const std::string war = tariff_rise("USA", "CHN", "", 25);
    const std::string rule = R"(
[[government]]
country = "DEU"
behaviour = "anti_dumping"
exporters = "CHN"
surge_pct = 20
undercut_pct = {}
lag_months = 3
term_months = 12
duty_pct = 15
)";
    const auto s = classroom("friction_ad", 30, war + fmt::format(fmt::runtime(rule), 3));
    const Record r = run(s);
    const auto& d = s.world->dims;
    const std::size_t deu = country(s, "DEU");
    const std::size_t chn = country(s, "CHN");
    const auto surge = static_cast<std::size_t>(models::Indicator::surge);
    const auto under = static_cast<std::size_t>(models::Indicator::undercut);
    const auto investigations = r.of("investigation");
    REQUIRE_FALSE(investigations.empty());
    for (std::size_t k = 0; k < d.sectors; ++k) {
        const std::size_t f = d.flow(chn, deu, k);
        // Walk the run as the rule would: the first step both pass opens a case; a duty
        // follows 3 steps later for 12; a new case only once it has ended.
        int open_until = -1;
        std::vector<int> expected;
        for (int t = 0; t < 30; ++t) {
            const auto& F = r.friction[static_cast<std::size_t>(t)];
            if (t >= open_until && F.watched[f] && F.indicator[surge][f] >= 0.20 &&
                F.indicator[under][f] >= 0.03 && t + 3 < 30) {
                expected.push_back(t);
                open_until = t + 3 + 12;
            }
        }
        std::vector<int> seen;
        for (const auto& e : investigations) {
            if (e.sector == s.world->sectors[k].code) {
                REQUIRE(e.importer == "DEU");
                REQUIRE(e.exporter == "CHN");
                seen.push_back(e.step);
            }
        }
        REQUIRE(seen == expected);
        for (int t : expected) {
            for (int u = t + 1; u < 30; ++u) {
                const double duty = r.tariff[static_cast<std::size_t>(u)][f];
                if (u >= t + 3 && u < t + 15) {
                    REQUIRE(duty == Approx(0.15));
                }
            }
        }
    }
    REQUIRE(r.of("anti_dumping").size() == investigations.size());
    REQUIRE_FALSE(r.of("anti_dumping_end").empty());

    // An undercut threshold above any price fall: never.
    REQUIRE(run(classroom("friction_ad_never", 30, war + fmt::format(fmt::runtime(rule), 90)))
                .of("investigation")
                .empty());
}

TEST_CASE("Friction: a safeguard falls on every source and not again too soon", "[friction]") {
    const auto s = classroom("friction_safeguard", 36, tariff_rise("USA", "CHN", "", 25) + R"(
[[government]]
country = "DEU"
behaviour = "safeguard"
surge_pct = 8
duty_pct = 10
lag_months = 2
term_months = 6
)");
    const Record r = run(s);
    const auto& d = s.world->dims;
    const std::size_t deu = country(s, "DEU");
    const auto safeguards = r.of("safeguard");
    REQUIRE_FALSE(safeguards.empty());
    for (const auto& e : safeguards) {
        REQUIRE(e.exporter == "all");
        const auto k = static_cast<std::size_t>(s.world->sector_index(e.sector));
        // In force on every source for six months from the step its event is logged.
        for (int u = e.step; u < std::min(36, e.step + 6); ++u) {
            for (std::size_t i = 0; i < d.countries; ++i) {
                const double t = r.tariff[static_cast<std::size_t>(u)][d.flow(i, deu, k)];
                REQUIRE(t == Approx(i == deu ? 0.0 : 0.10));
            }
        }
    }
    // Walk the run as the rule would, sector by sector: a decision whenever Germany's imports
    // from all sources have grown 8 % or more over the window (12 steps, the first step early
    // on), two steps before the duty, and none until as long after its end as it lasted.
    std::size_t sectors_with_one = 0;
    for (std::size_t k = 0; k < d.sectors; ++k) {
        double baseline = 0;
        for (std::size_t i = 0; i < d.countries; ++i) {
            baseline += i != deu ? s.world->flows[d.flow(i, deu, k)] : 0.0;
        }
        // Sectors below min_flow_bn at the baseline are not watched.
        if (!s.world->sectors[k].traded || baseline < s.friction.min_flow) {
            continue;
        }
        std::vector<int> expected;
        int allowed = 0;
        for (int t = 0; t + 2 < 36; ++t) {
            const auto now = static_cast<std::size_t>(t);
            const auto base = static_cast<std::size_t>(std::max(0, t - 12));
            double x = 0, x0 = 0;
            for (std::size_t i = 0; i < d.countries; ++i) {
                if (i != deu) {
                    x += r.flows[now][d.flow(i, deu, k)];
                    x0 += r.flows[base][d.flow(i, deu, k)];
                }
            }
            if (t >= allowed && x / x0 - 1.0 >= 0.08) {
                expected.push_back(t + 2);
                const int length = std::min(36, t + 2 + 6) - (t + 2);
                allowed = t + 2 + 2 * length;
            }
        }
        std::vector<int> seen;
        for (const auto& e : safeguards) {
            if (e.sector == s.world->sectors[k].code) {
                seen.push_back(e.step);
            }
        }
        REQUIRE(seen == expected);
        sectors_with_one += !seen.empty();
    }
    REQUIRE(sectors_with_one > 0);
}

TEST_CASE("Friction: negotiate steps down after months of mutual losses", "[friction]") {
    const std::string escalation = us_tariff_on_china_mac + R"(
[[government]]
country = "CHN"
behaviour = "tit_for_tat"
[[government]]
country = ["USA", "CHN"]
behaviour = "negotiate"
partners = ["USA", "CHN"]
patience_months = 4
step_down = 0.5
loss_pct = {}
)";
    const auto s = classroom("friction_negotiate", 24, fmt::format(fmt::runtime(escalation), 2));
    const Record r = run(s);
    const auto& d = s.world->dims;
    const std::size_t usa = country(s, "USA"), chn = country(s, "CHN"), mac = sector(s, "MAC");
    const auto steps = r.of("negotiation");
    REQUIRE(steps.size() >= 2);
    // The first: both directions at once, each tariff halved from the step it starts.
    REQUIRE(steps[0].step == steps[1].step);
    const auto t0 = static_cast<std::size_t>(steps[0].step);
    REQUIRE(r.tariff[t0][d.flow(chn, usa, mac)] ==
            Approx(0.5 * r.tariff[t0 - 1][d.flow(chn, usa, mac)]));
    REQUIRE(r.tariff[t0][d.flow(usa, chn, mac)] ==
            Approx(0.5 * r.tariff[t0 - 1][d.flow(usa, chn, mac)]));
    // Decided a step before, after four steps in which both sides' exports to each other were
    // at least 2 % below the baseline.
    const auto& w = s.world->flows;
    const auto exports = [&](std::size_t t, std::size_t from, std::size_t to) {
        double x = 0, x0 = 0;
        for (std::size_t k = 0; k < d.sectors; ++k) {
            x += r.flows[t][d.flow(from, to, k)];
            x0 += w[d.flow(from, to, k)];
        }
        return x / x0 - 1.0;
    };
    for (std::size_t t = t0 - 4; t < t0; ++t) {
        REQUIRE(exports(t, usa, chn) <= -0.02);
        REQUIRE(exports(t, chn, usa) <= -0.02);
    }
    REQUIRE_FALSE((exports(t0 - 5, usa, chn) <= -0.02 && exports(t0 - 5, chn, usa) <= -0.02));
    // Losses short of the rule's: no step-down.
    REQUIRE(
        run(classroom("friction_negotiate_never", 24, fmt::format(fmt::runtime(escalation), 50)))
            .of("negotiation")
            .empty());
}

TEST_CASE("Friction: the same at any thread count", "[friction]") {
    const auto s =
        load("friction_threads",
             fmt::format("extends = \"{}/scenarios/us_china_trade_war.toml\"\n"
                         "[calendar]\nsteps = 26\n[network]\nenabled = false\n"
                         "[[government]]\ncountry = \"all\"\nbehaviour = \"anti_dumping\"\n"
                         "lag_months = 2\n",
                         repo));
    Record one, two;
    {
        const sim::ThreadScope threads(1);
        one = run(s);
    }
    {
        const sim::ThreadScope threads(2);
        two = run(s);
    }
    REQUIRE(one.hashes == two.hashes);
    REQUIRE(one.tariff == two.tariff);
    for (std::size_t t = 0; t < one.friction.size(); ++t) {
        REQUIRE(one.friction[t].index == two.friction[t].index);
        REQUIRE(one.friction[t].level == two.friction[t].level);
    }
    REQUIRE(one.events.size() == two.events.size());
    for (std::size_t t = 0; t < one.events.size(); ++t) {
        REQUIRE(one.events[t].size() == two.events[t].size());
        for (std::size_t e = 0; e < one.events[t].size(); ++e) {
            REQUIRE(one.events[t][e].message == two.events[t][e].message);
        }
    }
    REQUIRE_FALSE(one.of("retaliation").empty());
}

TEST_CASE("Friction: us_china_trade_war, China's answers by tit_for_tat against the scheduled "
          "ones",
          "[friction][story]") {
    // The same US rounds; China's answers scheduled from the facts (us_china_tariffs_2018) or
    // produced by its tit_for_tat rule (us_china_trade_war). Bown (PIIE, "US-China Trade War
    // Tariffs: An Up-to-Date Chart") has China's trade-weighted tariff on US goods rising by
    // about 13.8 points from January 2018 to September 2019 (8.0 % to 21.8 %) and the US one
    // on Chinese goods by about 18 (3.1 % to 21 %).
    const auto scheduled = models::load_scenario(repo + "/scenarios/us_china_tariffs_2018.toml");
    const auto war = models::load_scenario(repo + "/scenarios/us_china_trade_war.toml");
    const Record a = run(scheduled), b = run(war);
    const auto& d = war.world->dims;
    const auto& w = war.world->flows;
    const std::size_t usa = country(war, "USA"), chn = country(war, "CHN");
    // Tariff of `importer` on `exporter` weighted by the baseline flows, points.
    const auto mean = [&](const std::vector<double>& t, std::size_t exporter,
                          std::size_t importer) {
        double sum = 0, weight = 0;
        for (std::size_t k = 0; k < d.sectors; ++k) {
            sum += w[d.flow(exporter, importer, k)] * t[d.flow(exporter, importer, k)];
            weight += w[d.flow(exporter, importer, k)];
        }
        return 100.0 * sum / weight;
    };
    const auto exports = [&](const Record& r, std::size_t t, std::size_t from, std::size_t to) {
        double x = 0, x0 = 0;
        for (std::size_t k = 0; k < d.sectors; ++k) {
            x += r.flows[t][d.flow(from, to, k)];
            x0 += r.flows[0][d.flow(from, to, k)];
        }
        return 100.0 * (x / x0 - 1.0);
    };
    const std::size_t sep2019 = 20, dec2019 = 23, last = 47;
    for (std::size_t t : {sep2019, dec2019, last}) {
        WARN(fmt::format(
            "{}: China's tariff on US goods {:.1f} (scheduled) vs {:.1f} (tit_for_tat) points; "
            "US on China {:.1f}; US exports to China {:+.1f} % vs {:+.1f} %; China's to the US "
            "{:+.1f} % vs {:+.1f} %; welfare USA {:+.3f} vs {:+.3f}, CHN {:+.3f} vs {:+.3f}",
            war.calendar.date_of(static_cast<int>(t)).str(), mean(a.tariff[t], usa, chn),
            mean(b.tariff[t], usa, chn), mean(b.tariff[t], chn, usa), exports(a, t, usa, chn),
            exports(b, t, usa, chn), exports(a, t, chn, usa), exports(b, t, chn, usa),
            a.welfare[t][usa], b.welfare[t][usa], a.welfare[t][chn], b.welfare[t][chn]));
    }
    // The US side is the same in both runs.
    REQUIRE(a.tariff[last].size() == b.tariff[last].size());
    for (std::size_t k = 0; k < d.sectors; ++k) {
        REQUIRE(a.tariff[sep2019][d.flow(chn, usa, k)] == b.tariff[sep2019][d.flow(chn, usa, k)]);
    }
    // Every answer comes one month after a US rise, and only then.
    const auto answers = b.of("retaliation");
    const auto rounds = b.of("tariff");
    std::size_t rises = 0;
    for (const auto& e : rounds) {
        rises += e.value > 0.0;
        if (e.value > 0.0) {
            REQUIRE(std::any_of(answers.begin(), answers.end(), [&](const models::Event& x) {
                return x.step == e.step + 1 && x.importer == "CHN" && x.exporter == "USA";
            }));
        }
    }
    REQUIRE(answers.size() == rises);
    // China's answers in points by September 2019: within a fifth of the scheduled ones and of
    // Bown's 13.8 (trade-weighted, so only roughly comparable with the baseline-weighted means).
    const double sched = mean(a.tariff[sep2019], usa, chn);
    const double tft = mean(b.tariff[sep2019], usa, chn);
    REQUIRE(std::abs(tft - sched) < sched / 5.0);
    REQUIRE(std::abs(tft - 13.8) < 13.8 / 5.0);
    // Trade between them falls in both.
    REQUIRE(exports(a, dec2019, usa, chn) < -5.0);
    REQUIRE(exports(b, dec2019, usa, chn) < -5.0);
}
