// Behaviour "negotiate": when the government and a partner both tax each other's goods (mean
// tariff of at least half a point each way, weighted by the baseline flows) and both lose —
// each side's exports to the other at least `loss_pct` below their baseline value: the losses
// that exporters bring to their government (real income may still rise for a large country
// that taxes imports: the terms of trade) — for `patience_months` in a row, the two step down
// `lag_months` later: each cuts its tariffs on the other by the share `step_down` of their
// level then. The count starts again
// after a step-down, so a dispute that goes on is stepped down again and again (geometrically).

#include "tradesim/models/friction.hpp"

#include "friction/rules.hpp"
#include "friction/words.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace tradesim::models {
namespace {

class Negotiate final : public Behaviour {
public:
    Negotiate(std::size_t government, std::vector<std::size_t> partners, double step_down,
              double loss, int patience, int lag, sim::Calendar calendar)
        : partners_(std::move(partners)), step_down_(step_down), loss_(loss), patience_(patience),
          lag_(lag), calendar_(calendar) {
        government_ = government;
    }
    [[nodiscard]] const std::string& name() const noexcept override { return name_; }
    [[nodiscard]] std::unique_ptr<Behaviour> clone() const override {
        return std::make_unique<Negotiate>(*this);
    }

    void react(const Observed& seen, Decisions& out) override {
        const std::size_t g = government_;
        const Dims& d = seen.dims;
        const World& w = seen.world;
        if (count_.empty()) {
            count_.assign(d.countries, 0);
        }
        for (std::size_t p : partners_) {
            const double mine = mean_tariff(seen, p, g);   // g's tariffs on p's goods
            const double theirs = mean_tariff(seen, g, p); // p's on g's
            double out_now = 0.0, out_base = 0.0, in_now = 0.0, in_base = 0.0;
            for (std::size_t k = 0; k < d.sectors; ++k) {
                out_now += seen.flows[d.flow(g, p, k)];
                out_base += seen.baseline_flows[d.flow(g, p, k)];
                in_now += seen.flows[d.flow(p, g, k)];
                in_base += seen.baseline_flows[d.flow(p, g, k)];
            }
            const double out_change = out_now / out_base - 1.0;
            const double in_change = in_now / in_base - 1.0;
            const bool losing =
                mine >= 0.5 && theirs >= 0.5 && out_change <= -loss_ && in_change <= -loss_;
            count_[p] = losing ? count_[p] + 1 : 0;
            if (count_[p] < patience_ || recent(out, g, p, seen.step)) {
                continue;
            }
            const int start = seen.step + lag_;
            if (start >= out.steps()) {
                continue;
            }
            count_[p] = 0;
            const std::string why = fmt::format(
                "after {} months in which both lost: exports to each other {} % and {} % against "
                "the baseline; real income {} % and {} %",
                patience_ * seen.months_per_step, detail::signed_number(100.0 * out_change),
                detail::signed_number(100.0 * in_change),
                detail::signed_number(seen.welfare_change[g], 2),
                detail::signed_number(seen.welfare_change[p], 2));
            for (const auto& [importer, exporter] : {std::pair{g, p}, std::pair{p, g}}) {
                std::vector<std::size_t> on;
                std::vector<double> points;
                for (std::size_t k = 0; k < d.sectors; ++k) {
                    const double t = 100.0 * seen.tariff[d.flow(exporter, importer, k)];
                    if (t > 0.005) {
                        on.push_back(k);
                        points.push_back(-step_down_ * t);
                    }
                }
                if (on.empty()) {
                    continue;
                }
                DutySpec spec = detail::duty(seen, "negotiation", importer, {exporter}, on, points,
                                             start, 0, out.steps(), calendar_);
                spec.government = g;
                spec.message = fmt::format(
                    "{} and {} step down ({} proposed, {}): {} cuts its tariffs on {} from {} by "
                    "{:.0f} % of their level, {:.1f} points on average",
                    w.countries[g].name, w.countries[p].name, w.countries[g].name, why,
                    w.countries[importer].name, detail::sector_words(w, on),
                    w.countries[exporter].name, 100.0 * step_down_, -spec.value);
                out.add(make_duty(std::move(spec)));
            }
        }
    }

private:
    // Tariffs of `importer` on `exporter`'s goods now, weighted by the baseline flows, points.
    static double mean_tariff(const Observed& seen, std::size_t exporter, std::size_t importer) {
        double sum = 0.0, weight = 0.0;
        for (std::size_t k = 0; k < seen.dims.sectors; ++k) {
            const std::size_t f = seen.dims.flow(exporter, importer, k);
            sum += seen.baseline_flows[f] * seen.tariff[f];
            weight += seen.baseline_flows[f];
        }
        return weight > 0.0 ? 100.0 * sum / weight : 0.0;
    }

    // A step-down between the two decided, or in force for less than the patience: either side
    // may propose, and the other's count of losses starts again from it.
    bool recent(const Decisions& d, std::size_t a, std::size_t b, int step) const {
        for (const Policy* p : d.added()) {
            const DutySpec* s = duty_of(*p);
            if (s != nullptr && s->kind == "negotiation" && s->start > step - patience_ &&
                ((s->importers.front() == a && s->exporters.front() == b) ||
                 (s->importers.front() == b && s->exporters.front() == a))) {
                return true;
            }
        }
        return false;
    }

    std::string name_ = "negotiate";
    std::vector<std::size_t> partners_;
    double step_down_, loss_;
    int patience_, lag_;
    sim::Calendar calendar_;
    std::vector<int> count_; ///< per partner: steps in a row of mutual losses
};

std::unique_ptr<Behaviour> read(const sim::SpecNode& table, BehaviourContext& ctx,
                                std::vector<std::string>& keys_used) {
    const std::vector<std::string> keys = {"partners", "step_down", "loss_pct", "patience_months",
                                           "lag_months"};
    keys_used.insert(keys_used.end(), keys.begin(), keys.end());
    detail::Fields f(table, ctx.key_path, ctx.problems, {});
    const auto partners = detail::read_partners(f, "partners", ctx);
    double step_down = 0.5;
    detail::bounded(f, "step_down", step_down, 0.0, 1.0, true, false,
                    "share of the tariffs cut at each step-down");
    double loss = 5.0;
    detail::bounded(f, "loss_pct", loss, 0.0, 100.0, false, true,
                    "fall of each side's exports to the other that counts as a loss, percent");
    const auto patience = detail::read_lag(f, "patience_months", 6, ctx);
    const auto lag = detail::read_lag(f, "lag_months", 1, ctx);
    if (!partners || !patience || !lag) {
        return nullptr;
    }
    return std::make_unique<Negotiate>(ctx.government, *partners, step_down, loss / 100.0,
                                       *patience, *lag, ctx.calendar);
}

} // namespace

void register_behaviour_negotiate(BehaviourRegistry& registry) {
    registry.add("negotiate", read);
}

} // namespace tradesim::models
