// The settlement core: shares, the steady state at the baseline, calibration to the cited
// shares, and tipping with a strong thick-market externality and not without it.

#include "tradesim/models/settlement.hpp"
#include "tradesim/models/world.hpp"

#include <catch2/catch.hpp>

#include <array>
#include <string>

using namespace tradesim;

namespace {

const std::string repo = TRADESIM_SOURCE_DIR;

// CNY's share of China's settlement (exports and imports, value-weighted).
double cny_share_of_china(const models::World& w, const models::Settlement& s) {
    const models::Dims& d = w.dims;
    const auto chn = static_cast<std::size_t>(w.country_index("CHN"));
    const auto cny = static_cast<std::uint32_t>(w.currencies->index("CNY"));
    double in = 0.0, all = 0.0;
    for (std::size_t o = 0; o < d.countries; ++o) {
        for (const auto& [i, j] : {std::pair{chn, o}, std::pair{o, chn}}) {
            if (i == j) {
                continue;
            }
            const auto& list = s.candidates(d.pair(i, j));
            for (std::size_t k = 0; k < d.sectors; ++k) {
                const std::size_t f = d.flow(i, j, k);
                all += w.flows[f];
                for (std::size_t slot = 0; slot < list.size(); ++slot) {
                    in += list[slot] == cny ? w.flows[f] * s.share(f, slot) : 0.0;
                }
            }
        }
    }
    return in / all;
}

// A cost cut for CNY on every pair with China, `cut` of value.
std::vector<double> incentive(const models::World& w, double cut) {
    const models::Dims& d = w.dims;
    const std::size_t nc = w.currencies->currencies.size();
    std::vector<double> out(d.countries * d.countries * nc, 0.0);
    const auto chn = static_cast<std::size_t>(w.country_index("CHN"));
    const auto cny = static_cast<std::size_t>(w.currencies->index("CNY"));
    for (std::size_t o = 0; o < d.countries; ++o) {
        out[d.pair(chn, o) * nc + cny] = cut;
        out[d.pair(o, chn) * nc + cny] = cut;
    }
    return out;
}

} // namespace

TEST_CASE("settlement: shares of every flow sum to one and the baseline is a steady state",
          "[settlement]") {
    const models::World w = models::load_world(repo + "/scenarios/world");
    const models::Settlement s(w, *w.currencies, {}, w.flows);
    const models::Dims& d = w.dims;
    for (std::size_t f = 0; f < d.flow_count(); ++f) {
        const auto& list = s.candidates(f / d.sectors);
        if (list.empty()) {
            continue;
        }
        double sum = 0.0;
        for (std::size_t slot = 0; slot < list.size(); ++slot) {
            sum += s.share(f, slot);
        }
        REQUIRE(sum == Approx(1.0).epsilon(1e-12));
    }
    models::Settlement again(w, *w.currencies, {}, w.flows);
    again.step(w.flows, {}, 12);
    for (std::size_t c = 0; c < s.world_shares().size(); ++c) {
        CHECK(again.world_shares()[c] == Approx(s.world_shares()[c]).margin(1e-9));
    }
    const auto usd = static_cast<std::size_t>(w.currencies->index("USD"));
    INFO("USD share of world settlement " << s.world_shares()[usd] << ", CNY of China's "
                                          << cny_share_of_china(w, s));
    CHECK(s.world_shares()[usd] > 0.2);
}

TEST_CASE("settlement: without the externality an incentive's effect fades when it ends",
          "[settlement]") {
    // eta = 0: spreads do not depend on shares, so the choice has one steady state and the
    // shares go back to it once the incentive ends.
    const models::World w = models::load_world(repo + "/scenarios/world");
    models::SettlementParams p;
    p.eta = 0.0;
    models::Settlement s(w, *w.currencies, p, w.flows);
    const double before = cny_share_of_china(w, s);
    const auto cut = incentive(w, 0.004);
    for (int m = 0; m < 60; ++m) {
        s.step(w.flows, cut, 1);
    }
    const double during = cny_share_of_china(w, s);
    for (int m = 0; m < 240; ++m) {
        s.step(w.flows, {}, 1);
    }
    const double after = cny_share_of_china(w, s);
    INFO("CNY share of China's settlement " << before << " -> " << during << " -> " << after);
    CHECK(during > before + 0.05);
    CHECK(after == Approx(before).margin(1e-3));
}

TEST_CASE("settlement: a strong externality tips China's settlement; the same incentive "
          "without it, or at half the size, fades",
          "[settlement]") {
    // A world with strong network effects (rmb_settlement_shift.toml's parameters): a 1 %-of-
    // value CNY incentive on all of China's trade for five years moves it to a second steady
    // state that holds twenty years after the incentive ends; at 0.5 % it falls back.
    const models::World w = models::load_world(repo + "/scenarios/world");
    models::SettlementParams strong;
    strong.eta = 2.0;
    strong.half = 0.05;
    strong.local_weight = 0.0;
    strong.risk = 0.2;
    strong.scale = 0.004;
    const auto run = [&](const models::SettlementParams& p, double cut) {
        models::Settlement s(w, *w.currencies, p, w.flows);
        const double before = cny_share_of_china(w, s);
        const auto inc = incentive(w, cut);
        for (int m = 0; m < 60; ++m) {
            s.step(w.flows, inc, 1);
        }
        const double during = cny_share_of_china(w, s);
        for (int m = 0; m < 240; ++m) {
            s.step(w.flows, {}, 1);
        }
        return std::array<double, 3>{before, during, cny_share_of_china(w, s)};
    };
    const auto tipped = run(strong, 0.01);
    INFO("strong, 1 %: " << tipped[0] << " -> " << tipped[1] << " -> " << tipped[2]);
    CHECK(tipped[0] < 0.05);
    CHECK(tipped[2] > 0.3); // measured 0.365 (0.032 -> 0.693 -> 0.365)
    const auto below = run(strong, 0.005);
    INFO("strong, 0.5 %: " << below[0] << " -> " << below[1] << " -> " << below[2]);
    CHECK(below[1] > 2 * below[0]);
    CHECK(below[2] == Approx(below[0]).margin(0.005));
    models::SettlementParams none = strong;
    none.eta = 0.0;
    const auto flat = run(none, 0.01);
    INFO("no externality, 1 %: " << flat[0] << " -> " << flat[1] << " -> " << flat[2]);
    CHECK(flat[1] > flat[0] + 0.05);
    CHECK(flat[2] == Approx(flat[0]).margin(1e-3));
}

TEST_CASE("settlement: the default parameters reproduce the cited base-year shares",
          "[settlement]") {
    // settlement.csv: USD about 40 % of world export invoicing (Boz et al. 2022, as summarised
    // by Georgiadis et al. 2021) and CNY about 12 % of China's goods-trade settlement in 2017
    // (PBoC RMB Internationalization Report 2018, approx.). fit_settlement fitted risk and scale
    // to them; refitting from the defaults stays there.
    const models::World w = models::load_world(repo + "/scenarios/world");
    const auto targets = models::settlement_targets(w, *w.currencies);
    CHECK(targets.usd_world == Approx(0.40));
    CHECK(targets.cny_china == Approx(0.12));
    const models::Settlement s(w, *w.currencies, {}, w.flows);
    const auto usd = static_cast<std::size_t>(w.currencies->index("USD"));
    CHECK(s.world_shares()[usd] == Approx(0.40).margin(0.002));
    CHECK(cny_share_of_china(w, s) == Approx(0.12).margin(0.002));
    const auto fit = models::fit_settlement(w, *w.currencies, {}, targets);
    CHECK(fit.converged);
    CHECK(fit.params.risk == Approx(models::SettlementParams{}.risk).epsilon(0.01));
    CHECK(fit.params.scale == Approx(models::SettlementParams{}.scale).epsilon(0.01));
    // CNY's share of world settlement stays small, as the cited invoicing and SWIFT figures
    // (under 2 % of invoicing in 2023, 1.6 % of SWIFT payments in Dec 2017) say it should be;
    // the model's is higher (it counts China's own trade, a quarter of the world's here).
    const auto cny = static_cast<std::size_t>(w.currencies->index("CNY"));
    INFO("CNY share of world settlement " << s.world_shares()[cny]);
    CHECK(s.world_shares()[cny] < 0.1);
}
