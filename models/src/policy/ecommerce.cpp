// Policy kind "ecommerce" (cross-border e-commerce, seed paper 4.2): on the given pairs, small
// firms no longer pay a share of the fixed and sunk costs of serving the market, from a date,
// optionally until an end date. Small means below a productivity percentile of the firm's
// country-sector, i.e. below it in size at the baseline. Needs a [firms] population.

#include "tradesim/models/policy.hpp"

#include "detail/codes.hpp"
#include "detail/fields.hpp"

#include <fmt/format.h>

namespace tradesim::models {
namespace {

using detail::Codes;

class EcommercePolicy final : public Policy {
public:
    EcommercePolicy(int start, int end, Codes importers, Codes exporters, double cut,
                    double percentile, std::string note, std::string date, std::string end_date)
        : importers_(std::move(importers)), exporters_(std::move(exporters)), cut_(cut),
          percentile_(percentile), note_(std::move(note)), date_(std::move(date)),
          end_date_(std::move(end_date)) {
        start_step_ = start;
        end_step_ = end;
    }

    [[nodiscard]] const std::string& kind() const noexcept override { return kind_; }

    void apply(PolicyState& state) const override {
        const std::size_t n = state.dims.countries;
        if (state.small_firm_cost_cut.empty()) {
            state.small_firm_cost_cut.assign(n * n, 0.0);
            state.small_firm_percentile.assign(n * n, 0.0);
        }
        for (std::size_t i : exporters_.index) {
            for (std::size_t j : importers_.index) {
                if (i == j) {
                    continue; // e-commerce is about exporting
                }
                // A later measure on the same pair replaces an earlier one.
                state.small_firm_cost_cut[state.dims.pair(i, j)] = cut_;
                state.small_firm_percentile[state.dims.pair(i, j)] = percentile_;
            }
        }
    }

    [[nodiscard]] Event describe(bool ending) const override {
        Event e;
        e.step = ending ? end_step_ : start_step_;
        e.date = ending ? end_date_ : date_;
        e.kind = ending ? "ecommerce_end" : "ecommerce";
        e.importer = importers_.label;
        e.exporter = exporters_.label;
        e.sector = "all";
        e.value = 100.0 * cut_;
        const std::string what = fmt::format(
            "cross-border e-commerce for {} firms selling to {} (firms below the {}th "
            "percentile of their industry)",
            exporters_.label, importers_.label, percentile_);
        e.message = ending ? fmt::format("{} ends", what)
                           : fmt::format("{}: fixed and sunk export costs cut by {} %", what,
                                         100.0 * cut_);
        if (!note_.empty()) {
            e.message += " — " + note_;
        }
        return e;
    }

private:
    std::string kind_ = "ecommerce";
    Codes importers_, exporters_;
    double cut_, percentile_;
    std::string note_, date_, end_date_;
};

std::unique_ptr<Policy> read_ecommerce(const sim::SpecNode& table, PolicyContext& ctx,
                                       std::vector<std::string>& keys_used) {
    const std::vector<std::string> keys = {"importer", "exporter", "fixed_cost_cut",
                                           "small_firm_percentile", "note"};
    keys_used.insert(keys_used.end(), keys.begin(), keys.end());
    detail::Fields f(table, ctx.key_path, ctx.problems, {});
    const auto countries = ctx.world.country_codes();
    const auto importers = detail::resolve(f, "importer", true, countries, "country");
    const auto exporters = detail::resolve(f, "exporter", true, countries, "country");
    const auto cut = f.number("fixed_cost_cut", true);
    const auto percentile = f.number("small_firm_percentile", false).value_or(90.0);
    const auto note = f.string("note", false);
    bool ok = importers && exporters && cut;
    if (cut && !(*cut > 0.0 && *cut <= 100.0)) {
        f.error("fixed_cost_cut",
                fmt::format("{}.fixed_cost_cut = {} must be a percentage in (0, 100]",
                            ctx.key_path, *cut));
        ok = false;
    }
    if (!(percentile > 0.0 && percentile <= 100.0)) {
        f.error("small_firm_percentile",
                fmt::format("{}.small_firm_percentile = {} must be in (0, 100]", ctx.key_path,
                            percentile));
        ok = false;
    }
    if (!ctx.firms) {
        ctx.problems.error(f.where(),
                           fmt::format("{}: kind \"ecommerce\" acts on firms; add a [firms] table "
                                       "(e.g. count = 1_000_000)",
                                       ctx.key_path));
        ok = false;
    }
    if (ok && importers->index.size() == 1 && exporters->index.size() == 1 &&
        importers->index[0] == exporters->index[0]) {
        f.error("exporter",
                fmt::format("{}: importer and exporter are the same country", ctx.key_path));
        ok = false;
    }
    if (!ok) {
        return nullptr;
    }
    const auto* end = table.find("end");
    return std::make_unique<EcommercePolicy>(
        ctx.start_step, ctx.end_step, *importers, *exporters, *cut / 100.0, percentile,
        note.value_or(""), ctx.calendar.date_of(ctx.start_step).str(),
        end != nullptr ? ctx.calendar.date_of(ctx.end_step).str() : std::string{});
}

} // namespace

void register_policy_ecommerce(PolicyRegistry& registry) {
    registry.add("ecommerce", read_ecommerce);
}

} // namespace tradesim::models
