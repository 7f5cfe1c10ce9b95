// Behaviour "safeguard": when the government's imports of a sector from all sources together
// surge by at least `surge_pct` over the friction window, it imposes, `lag_months` later, a
// temporary duty of `duty_pct` on every source for `term_months` (WTO Agreement on Safeguards
// Art. 2: on a product "irrespective of its source"; Art. 7.1: four years at first). A sector
// gets no new safeguard for as long as the last one lasted once it has ended (Art. 7.5).

#include "tradesim/models/friction.hpp"

#include "friction/rules.hpp"
#include "friction/words.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace tradesim::models {
namespace {

class Safeguard final : public Behaviour {
public:
    struct Options {
        std::vector<std::size_t> sectors;
        double surge = 0.3, duty = 25.0;
        int lag = 6, term = 48;
    };
    Safeguard(std::size_t government, Options o, sim::Calendar calendar)
        : o_(std::move(o)), calendar_(calendar) {
        government_ = government;
    }
    [[nodiscard]] const std::string& name() const noexcept override { return name_; }
    [[nodiscard]] std::unique_ptr<Behaviour> clone() const override {
        return std::make_unique<Safeguard>(*this);
    }

    void react(const Observed& seen, Decisions& out) override {
        const std::size_t g = government_;
        const Dims& d = seen.dims;
        const World& w = seen.world;
        if (next_allowed_.empty()) {
            next_allowed_.assign(d.sectors, 0);
        }
        const int window = seen.window_steps();
        const std::vector<double>& then = seen.flows_ago(window);
        for (std::size_t k : o_.sectors) {
            if (seen.step < next_allowed_[k]) {
                continue;
            }
            double now_in = 0.0, then_in = 0.0, base = 0.0;
            for (std::size_t i = 0; i < d.countries; ++i) {
                if (i != g) {
                    now_in += seen.flows[d.flow(i, g, k)];
                    then_in += then[d.flow(i, g, k)];
                    base += seen.baseline_flows[d.flow(i, g, k)];
                }
            }
            if (base < seen.params.min_flow || then_in <= 0.0) {
                continue;
            }
            const double surge = now_in / then_in - 1.0;
            const int start = seen.step + o_.lag;
            if (surge < o_.surge || start >= out.steps()) {
                continue;
            }
            std::vector<std::size_t> all;
            for (std::size_t i = 0; i < d.countries; ++i) {
                if (i != g) {
                    all.push_back(i);
                }
            }
            DutySpec spec = detail::duty(seen, name_, g, all, {k}, {o_.duty}, start, o_.term,
                                         out.steps(), calendar_);
            const int length = spec.end - spec.start;
            next_allowed_[k] = spec.end + length;
            spec.message = fmt::format(
                "{} imposes a safeguard duty of {:.1f} % on {} from every source for {} months: "
                "its imports rose {} % in {} months (seen {})",
                w.countries[g].name, o_.duty, w.sectors[k].name, length * seen.months_per_step,
                detail::signed_number(100.0 * surge),
                std::min(window, seen.step) * seen.months_per_step,
                calendar_.date_of(seen.step).str());
            spec.end_message =
                fmt::format("{} safeguard on {} ends", detail::possessive(w.countries[g].name),
                            w.sectors[k].name);
            out.add(make_duty(std::move(spec)));
        }
    }

private:
    std::string name_ = "safeguard";
    Options o_;
    sim::Calendar calendar_;
    std::vector<int> next_allowed_; ///< per sector: first step a new safeguard may be decided
};

std::unique_ptr<Behaviour> read(const sim::SpecNode& table, BehaviourContext& ctx,
                                std::vector<std::string>& keys_used) {
    const std::vector<std::string> keys = {"sectors", "surge_pct", "duty_pct", "lag_months",
                                           "term_months"};
    keys_used.insert(keys_used.end(), keys.begin(), keys.end());
    detail::Fields f(table, ctx.key_path, ctx.problems, {});
    Safeguard::Options o;
    const auto sectors = detail::read_sectors(f, "sectors", ctx, false);
    double surge = 30.0;
    detail::bounded(f, "surge_pct", surge, 0.0, 1000.0, true, false,
                    "growth of the sector's imports from all sources over the window, percent");
    detail::bounded(f, "duty_pct", o.duty, 0.0, ctx.params.cap_pct, true, false,
                    "the duty, percent, at most friction.cap_pct");
    const auto lag = detail::read_lag(f, "lag_months", 6, ctx);
    const auto term = detail::read_term(f, "term_months", 48, ctx);
    if (!sectors || !lag || !term) {
        return nullptr;
    }
    o.sectors = *sectors;
    o.surge = surge / 100.0;
    o.lag = *lag;
    o.term = *term;
    return std::make_unique<Safeguard>(ctx.government, std::move(o), ctx.calendar);
}

} // namespace

void register_behaviour_safeguard(BehaviourRegistry& registry) {
    registry.add("safeguard", read);
}

} // namespace tradesim::models
