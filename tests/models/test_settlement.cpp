// The settlement core (issue 7, work in progress): shares, the steady state at the baseline,
// and tipping with a strong thick-market externality.

#include "tradesim/models/settlement.hpp"
#include "tradesim/models/world.hpp"

#include <catch2/catch.hpp>

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
    // shares go back to it once the incentive ends. (Tipping with a strong externality, the
    // other half of issue 7's test, needs the calibrated parameters: with eta = 1.2 and the
    // uncalibrated defaults the baseline already has USD take everything; to do.)
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



