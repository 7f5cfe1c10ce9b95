// Behaviour "anti_dumping": when imports from one exporter in one sector surge by at least
// `surge_pct` over the friction window while the exporter's landed price falls by at least
// `undercut_pct` against the government's own producers (the "undercut" indicator), the
// government opens an investigation and, `lag_months` later (the investigation; WTO
// Anti-Dumping Agreement Art. 5.10: normally within a year, at most 18 months), imposes a duty
// of `duty_pct` on that exporter and sector for `term_months` (Art. 11.3: five years unless
// reviewed). With `lesser_duty = true` the duty is no higher than the price fall it answers
// (Art. 9.1). A pair and sector under a duty, or under investigation, is not investigated again.

#include "tradesim/models/friction.hpp"

#include "friction/rules.hpp"
#include "friction/words.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace tradesim::models {
namespace {

class AntiDumping final : public Behaviour {
public:
    struct Options {
        std::vector<std::size_t> exporters, sectors;
        double surge = 0.2, undercut = 0.03, duty = 20.0;
        bool lesser = false;
        int lag = 12, term = 60;
    };
    AntiDumping(std::size_t government, Options o, sim::Calendar calendar)
        : o_(std::move(o)), calendar_(calendar) {
        government_ = government;
    }
    [[nodiscard]] const std::string& name() const noexcept override { return name_; }
    [[nodiscard]] std::unique_ptr<Behaviour> clone() const override {
        return std::make_unique<AntiDumping>(*this);
    }

    void react(const Observed& seen, Decisions& out) override {
        const std::size_t g = government_;
        const World& w = seen.world;
        const auto& surge = seen.friction.indicator[static_cast<std::size_t>(Indicator::surge)];
        const auto& under = seen.friction.indicator[static_cast<std::size_t>(Indicator::undercut)];
        const int months = std::min(seen.window_steps(), seen.step) * seen.months_per_step;
        for (std::size_t i : o_.exporters) {
            for (std::size_t k : o_.sectors) {
                const std::size_t f = seen.dims.flow(i, g, k);
                if (!seen.friction.watched[f] || surge[f] < o_.surge || under[f] < o_.undercut ||
                    detail::duty_pending(out, name_, g, i, k, seen.step)) {
                    continue;
                }
                const int start = seen.step + o_.lag;
                if (start >= out.steps()) {
                    continue;
                }
                const double rate = o_.lesser ? std::min(o_.duty, 100.0 * under[f]) : o_.duty;
                DutySpec spec = detail::duty(seen, name_, g, {i}, {k}, {rate}, start, o_.term,
                                             out.steps(), calendar_);
                const std::string what =
                    fmt::format("{} from {}", w.sectors[k].name, w.countries[i].name);
                const std::string why =
                    fmt::format("imports {} % in {} months, price {} % against {} producers",
                                detail::signed_number(100.0 * surge[f]), months,
                                detail::signed_number(-100.0 * under[f]),
                                detail::possessive(w.countries[g].name));
                Event e;
                e.step = seen.step;
                e.date = calendar_.date_of(seen.step).str();
                e.kind = "investigation";
                e.importer = w.countries[g].code;
                e.exporter = w.countries[i].code;
                e.sector = w.sectors[k].code;
                e.value = 100.0 * under[f];
                e.message = fmt::format("{} opens an anti-dumping investigation into {} ({})",
                                        w.countries[g].name, what, why);
                out.note(std::move(e));
                spec.message =
                    fmt::format("{} imposes an anti-dumping duty of {:.1f} % on {} for "
                                "{} months (investigation opened {}: {})",
                                w.countries[g].name, rate, what, o_.term * seen.months_per_step,
                                calendar_.date_of(seen.step).str(), why);
                spec.end_message = fmt::format("{} anti-dumping duty on {} expires",
                                               detail::possessive(w.countries[g].name), what);
                out.add(make_duty(std::move(spec)));
            }
        }
    }

private:
    std::string name_ = "anti_dumping";
    Options o_;
    sim::Calendar calendar_;
};

std::unique_ptr<Behaviour> read(const sim::SpecNode& table, BehaviourContext& ctx,
                                std::vector<std::string>& keys_used) {
    const std::vector<std::string> keys = {"exporters", "sectors",     "surge_pct",  "undercut_pct",
                                           "duty_pct",  "lesser_duty", "lag_months", "term_months"};
    keys_used.insert(keys_used.end(), keys.begin(), keys.end());
    detail::Fields f(table, ctx.key_path, ctx.problems, {});
    AntiDumping::Options o;
    const auto exporters = detail::read_partners(f, "exporters", ctx);
    const auto sectors = detail::read_sectors(f, "sectors", ctx, false);
    double surge = 20.0, undercut = 3.0;
    detail::bounded(f, "surge_pct", surge, 0.0, 1000.0, true, false,
                    "growth of imports over the friction window, percent");
    detail::bounded(f, "undercut_pct", undercut, 0.0, 100.0, true, false,
                    "fall of the import price against home producers, percent");
    detail::bounded(f, "duty_pct", o.duty, 0.0, ctx.params.cap_pct, true, false,
                    "the duty, percent, at most friction.cap_pct");
    if (const sim::SpecNode* lesser = f.node("lesser_duty")) {
        if (!lesser->is_boolean()) {
            f.error("lesser_duty",
                    fmt::format("{} must be true or false", f.key_path("lesser_duty")));
        } else {
            o.lesser = lesser->as_boolean();
        }
    }
    const auto lag = detail::read_lag(f, "lag_months", 12, ctx);
    const auto term = detail::read_term(f, "term_months", 60, ctx);
    if (!exporters || !sectors || !lag || !term) {
        return nullptr;
    }
    o.exporters = *exporters;
    o.sectors = *sectors;
    o.surge = surge / 100.0;
    o.undercut = undercut / 100.0;
    o.lag = *lag;
    o.term = *term;
    return std::make_unique<AntiDumping>(ctx.government, std::move(o), ctx.calendar);
}

} // namespace

void register_behaviour_anti_dumping(BehaviourRegistry& registry) {
    registry.add("anti_dumping", read);
}

} // namespace tradesim::models
