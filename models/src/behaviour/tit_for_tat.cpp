// Behaviour "tit_for_tat": when a partner raises its tariffs on the government's goods by at
// least `threshold_points` (baseline-trade-weighted mean over sectors), the government answers
// `lag_months` later with a duty on the partner's goods in proportion to the rise: the same
// points times `proportion` on the sectors the partner hit, or, when `sectors` are named, one
// rate on those that takes the same duty from the partner's trade as the partner's rise takes
// from its own (proportion x sum_k rise_k X0_gpk / sum_{k in sectors} X0_pgk). Answers stop at
// the friction cap: a partner that is already at the cap gets no further answer.

#include "tradesim/models/friction.hpp"

#include "friction/rules.hpp"
#include "friction/words.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace tradesim::models {
namespace {

class TitForTat final : public Behaviour {
public:
    TitForTat(std::size_t government, std::vector<std::size_t> partners,
              std::vector<std::size_t> sectors, double proportion, double threshold, int lag,
              sim::Calendar calendar)
        : partners_(std::move(partners)), sectors_(std::move(sectors)), proportion_(proportion),
          threshold_(threshold), lag_(lag), calendar_(calendar) {
        government_ = government;
    }
    [[nodiscard]] const std::string& name() const noexcept override { return name_; }
    [[nodiscard]] std::unique_ptr<Behaviour> clone() const override {
        return std::make_unique<TitForTat>(*this);
    }

    void react(const Observed& seen, Decisions& out) override {
        const std::size_t g = government_;
        const Dims& d = seen.dims;
        const World& w = seen.world;
        const double cap = seen.params.cap_pct;
        for (std::size_t p : partners_) {
            // The partner's rise on our goods since the step before, per sector (points).
            std::vector<std::size_t> hit;
            std::vector<double> rise;
            double bite = 0.0, weight = 0.0;
            for (std::size_t k = 0; k < d.sectors; ++k) {
                const std::size_t f = d.flow(g, p, k);
                const double r = 100.0 * (seen.tariff[f] - seen.tariff_before[f]);
                weight += seen.baseline_flows[f];
                if (r > 0.0 && w.sectors[k].traded) {
                    hit.push_back(k);
                    rise.push_back(r);
                    bite += r * seen.baseline_flows[f];
                }
            }
            const double mean = weight > 0.0 ? bite / weight : 0.0;
            if (hit.empty() || mean < threshold_) {
                continue;
            }
            std::vector<std::size_t> on;
            std::vector<double> points;
            const auto answer = [&](std::size_t k, double want) {
                // Up to the cap only: what is left below it is all an answer can add.
                const double room = cap - 100.0 * seen.tariff[d.flow(p, g, k)];
                const double add = std::min(want, room);
                if (add > 0.005) {
                    on.push_back(k);
                    points.push_back(add);
                }
            };
            if (sectors_.empty()) {
                for (std::size_t s = 0; s < hit.size(); ++s) {
                    answer(hit[s], proportion_ * rise[s]);
                }
            } else {
                double base = 0.0;
                for (std::size_t k : sectors_) {
                    base += seen.baseline_flows[d.flow(p, g, k)];
                }
                const double rate = base > 0.0 ? proportion_ * bite / base : cap;
                for (std::size_t k : sectors_) {
                    answer(k, rate);
                }
            }
            const int start = seen.step + lag_;
            if (on.empty() || start >= out.steps()) {
                continue; // at the cap: escalation has ended
            }
            DutySpec spec = detail::duty(seen, "retaliation", g, {p}, on, points, start, 0,
                                         out.steps(), calendar_);
            const std::string& me = w.countries[g].name;
            const std::string& them = w.countries[p].name;
            spec.message = fmt::format(
                "{} answers {} tariff rise of {} ({:.1f} points on average over {} exports to {}, "
                "on {}): its tariffs on {} from {} rise by {:.1f} points",
                me, detail::possessive(them), calendar_.date_of(seen.step).str(), mean,
                detail::possessive(me), them, detail::sector_words(w, hit),
                detail::sector_words(w, on), them, spec.value);
            spec.end_message =
                fmt::format("{} retaliation on {} ends", detail::possessive(me), them);
            out.add(make_duty(std::move(spec)));
        }
    }

private:
    std::string name_ = "tit_for_tat";
    std::vector<std::size_t> partners_, sectors_;
    double proportion_, threshold_;
    int lag_;
    sim::Calendar calendar_;
};

std::unique_ptr<Behaviour> read(const sim::SpecNode& table, BehaviourContext& ctx,
                                std::vector<std::string>& keys_used) {
    const std::vector<std::string> keys = {"partners", "sectors", "proportion", "threshold_points",
                                           "lag_months"};
    keys_used.insert(keys_used.end(), keys.begin(), keys.end());
    detail::Fields f(table, ctx.key_path, ctx.problems, {});
    const auto partners = detail::read_partners(f, "partners", ctx);
    const auto sectors = detail::read_sectors(f, "sectors", ctx, true);
    double proportion = 1.0, threshold = 0.5;
    detail::bounded(f, "proportion", proportion, 0.0, 5.0, true, false,
                    "answer per point of the partner's rise");
    detail::bounded(f, "threshold_points", threshold, 0.0, 100.0, false, false,
                    "smallest mean rise answered, percentage points");
    const auto lag = detail::read_lag(f, "lag_months", 1, ctx);
    if (!partners || !sectors || !lag) {
        return nullptr;
    }
    return std::make_unique<TitForTat>(ctx.government, *partners, *sectors, proportion, threshold,
                                       *lag, ctx.calendar);
}

} // namespace

void register_behaviour_tit_for_tat(BehaviourRegistry& registry) {
    registry.add("tit_for_tat", read);
}

} // namespace tradesim::models
