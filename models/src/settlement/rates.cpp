// Exchange rates against USD, one log value per currency, moved each step by its regime:
//   float   x += sigma sqrt(dt) z
//   managed x += (1 - (1 - pull)^months) (anchor's x + parity - x) + sigma_own sqrt(dt) z
//   peg     x  = anchor's x + parity + d, d += sigma_own sqrt(dt) z kept within ln(1 +- band)
// dt in years, z standard normal from a stream keyed by (seed, currency, step), sigma_own the
// part of the volatility the anchor does not carry; "basket" is half USD, half EUR. fx_shock
// adds its jump to the currency's value (and so to the currencies that follow it). The FX-risk
// cost uses the same structure: each currency's log rate as loadings on independent shocks.

#include "impl.hpp"

#include "tradesim/sim/random.hpp"

#include <algorithm>
#include <cmath>

namespace tradesim::models {
namespace {

constexpr auto fx_purpose = static_cast<std::uint64_t>(sim::Purpose::fx_rate);

// Loadings of each currency's log rate on one shock per currency (and the anchor's).
std::vector<std::vector<double>> loadings(const Currencies& set,
                                          const std::vector<FxRegime>& regime,
                                          const std::vector<std::string>& anchor,
                                          const std::vector<double>& volatility) {
    const std::size_t n = set.currencies.size();
    std::vector<std::vector<double>> out(n, std::vector<double>(n, 0.0));
    std::vector<int> done(n, 0);
    const int eur = set.index("EUR");
    const auto fill = [&](auto&& self, std::size_t c) -> void {
        if (done[c] != 0) {
            return;
        }
        done[c] = 1; // an anchor cycle ends here
        const double sd = volatility[c] / 100.0;
        if (set.currencies[c].code == "USD") {
            return;
        }
        std::vector<double> base(n, 0.0);
        if (regime[c] == FxRegime::floating || anchor[c].empty()) {
            out[c][c] = sd;
            return;
        }
        if (anchor[c] == "basket") {
            if (eur >= 0 && static_cast<std::size_t>(eur) != c) {
                self(self, static_cast<std::size_t>(eur));
                for (std::size_t s = 0; s < n; ++s) {
                    base[s] = 0.5 * out[static_cast<std::size_t>(eur)][s];
                }
            }
        } else if (const int a = set.index(anchor[c]); a >= 0) {
            self(self, static_cast<std::size_t>(a));
            base = out[static_cast<std::size_t>(a)];
        }
        double var = 0.0;
        for (std::size_t s = 0; s < n; ++s) {
            out[c][s] = base[s];
            var += base[s] * base[s];
        }
        out[c][c] = std::sqrt(std::max(0.0, sd * sd - var));
    };
    for (std::size_t c = 0; c < n; ++c) {
        fill(fill, c);
    }
    return out;
}

} // namespace

void Settlement::Impl::set_regimes(const SettlementPolicy* policy) {
    std::vector<FxRegime> r;
    std::vector<std::string> a;
    std::vector<double> v;
    if (policy != nullptr && !policy->regime.empty()) {
        r = policy->regime;
        a = policy->anchor;
        v = policy->volatility;
    } else {
        for (const Currency& c : set.currencies) {
            r.push_back(c.regime);
            a.push_back(c.anchor);
            v.push_back(c.volatility);
        }
    }
    if (!risk.empty() && r == regime && a == anchor && v == volatility) {
        return;
    }
    // A currency that changes regime keeps its value: the new parity is where it stands.
    for (std::size_t c = 0; c < nc && !regime.empty(); ++c) {
        if (r[c] != regime[c] || a[c] != anchor[c]) {
            dev[c] = 0.0;
            double base = 0.0;
            if (a[c] == "basket") {
                const int eur = set.index("EUR");
                base = eur >= 0 ? 0.5 * x_eff[static_cast<std::size_t>(eur)] : 0.0;
            } else if (const int at = set.index(a[c]); at >= 0) {
                base = x_eff[static_cast<std::size_t>(at)];
            }
            parity[c] = x[c] - base;
        }
    }
    regime = std::move(r);
    anchor = std::move(a);
    volatility = std::move(v);
    const auto load = loadings(set, regime, anchor, volatility);
    risk.assign(nc * nc, 0.0);
    for (std::size_t i = 0; i < nc; ++i) {
        for (std::size_t j = 0; j < nc; ++j) {
            double var = 0.0;
            for (std::size_t s = 0; s < nc; ++s) {
                var += (load[i][s] - load[j][s]) * (load[i][s] - load[j][s]);
            }
            risk[i * nc + j] = std::sqrt(var);
        }
    }
    // Anchors first: a depth-first order over anchor links (cycles cut where met).
    order.clear();
    std::vector<int> seen(nc, 0);
    const int eur = set.index("EUR");
    const auto visit = [&](auto&& self, std::size_t c) -> void {
        if (seen[c] != 0) {
            return;
        }
        seen[c] = 1;
        if (regime[c] != FxRegime::floating) {
            const int up = anchor[c] == "basket" ? eur : set.index(anchor[c]);
            if (up >= 0) {
                self(self, static_cast<std::size_t>(up));
            }
        }
        order.push_back(c);
    };
    for (std::size_t c = 0; c < nc; ++c) {
        visit(visit, c);
    }
}

void Settlement::Impl::move_rates(const SettlementPolicy* policy, int step, double months) {
    const double dt = months / 12.0;
    const double pull = 1.0 - std::pow(1.0 - p.managed_pull, months);
    const int eur = set.index("EUR");
    const auto load = loadings(set, regime, anchor, volatility);
    for (const std::size_t c : order) {
        const Currency& cur = set.currencies[c];
        const double jump =
            policy != nullptr && !policy->fx_jump.empty() ? policy->fx_jump[c] : 0.0;
        if (cur.code == "USD") {
            x[c] = 0.0;
            x_eff[c] = 0.0;
            continue;
        }
        double z = 0.0;
        if (p.fx_random) {
            sim::RandomStream rng(seed, c, static_cast<std::uint64_t>(step), fx_purpose);
            z = rng.normal();
        }
        const double noise = load[c][c] * std::sqrt(dt) * z;
        double base = 0.0;
        if (regime[c] != FxRegime::floating) {
            if (anchor[c] == "basket") {
                base = eur >= 0 ? 0.5 * x_eff[static_cast<std::size_t>(eur)] : 0.0;
            } else if (const int a = set.index(anchor[c]); a >= 0) {
                base = x_eff[static_cast<std::size_t>(a)];
            }
        }
        switch (regime[c]) {
        case FxRegime::floating:
            x[c] += noise;
            break;
        case FxRegime::managed:
            x[c] += pull * (base + parity[c] - x[c]) + noise;
            break;
        case FxRegime::peg: {
            const double band =
                (policy != nullptr && !policy->band.empty() ? policy->band[c] : cur.band) / 100.0;
            dev[c] = std::clamp(dev[c] + noise, std::log1p(-band), std::log1p(band));
            x[c] = base + parity[c] + dev[c];
            break;
        }
        }
        x_eff[c] = x[c] + jump;
    }
}

} // namespace tradesim::models
