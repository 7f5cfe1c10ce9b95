// Policy kind "tariff": an importer's ad valorem tariff on goods from exporters in sectors,
// set to a rate or raised by an increase (percentage points), from a date, optionally until
// an end date.

#include "tradesim/models/policy.hpp"

#include "detail/codes.hpp"
#include "detail/fields.hpp"
#include "friction/words.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>

namespace tradesim::models {
namespace {

using detail::Codes;
using detail::resolve;

// Lowest tariff change: a cut of 99 % of the price keeps 1 + t positive.
constexpr double min_tariff = -0.99;

class TariffPolicy final : public Policy {
public:
    // Names for the event's message.
    struct Words {
        std::string importers, exporters, sectors;
        std::vector<std::string> sector_names;
    };

    TariffPolicy(int start, int end, Codes importers, Codes exporters, Codes sectors, bool is_rate,
                 std::vector<double> percent, std::string note, std::string date,
                 std::string end_date, Words words)
        : importers_(std::move(importers)), exporters_(std::move(exporters)),
          sectors_(std::move(sectors)), is_rate_(is_rate), percent_(std::move(percent)),
          note_(std::move(note)), date_(std::move(date)), end_date_(std::move(end_date)),
          words_(std::move(words)) {
        start_step_ = start;
        end_step_ = end;
    }

    [[nodiscard]] const std::string& kind() const noexcept override { return kind_; }

    void apply(PolicyState& state) const override {
        for (std::size_t j : importers_.index) {
            for (std::size_t i : exporters_.index) {
                if (i == j) {
                    continue; // a country does not tariff itself
                }
                for (std::size_t s = 0; s < sectors_.index.size(); ++s) {
                    const double value = percent_[s] / 100.0;
                    double& t = state.tariff[state.dims.flow(i, j, sectors_.index[s])];
                    // Tariffs are changes from the baseline; the cost factor 1 + t stays positive.
                    t = std::max(min_tariff, is_rate_ ? value : t + value);
                }
            }
        }
    }

    [[nodiscard]] Event describe(bool ending) const override {
        Event e;
        e.step = ending ? end_step_ : start_step_;
        e.date = ending ? end_date_ : date_;
        e.kind = ending ? "tariff_end" : "tariff";
        e.importer = importers_.label;
        e.exporter = exporters_.label;
        e.sector = sectors_.label;
        // A single number for a uniform change, else the trade-unweighted mean.
        double mean = 0.0;
        bool uniform = true;
        for (double p : percent_) {
            mean += p / static_cast<double>(percent_.size());
            uniform = uniform && p == percent_.front();
        }
        e.value = mean;
        // Plain words: "United States raises its tariff on machinery from China by 25 points".
        const std::string from = words_.exporters;
        std::string change;
        if (uniform) {
            const double v = percent_.front();
            change =
                is_rate_
                    ? fmt::format("sets its tariff on {} from {} to {} %", words_.sectors, from, v)
                    : fmt::format("{} its tariff on {} from {} by {} points",
                                  v >= 0 ? "raises" : "cuts", words_.sectors, from, std::abs(v));
        } else {
            std::string amounts;
            for (std::size_t s = 0; s < percent_.size(); ++s) {
                amounts += fmt::format("{}{} {}{}", s ? ", " : "", words_.sector_names[s],
                                       is_rate_ ? fmt::format("{}", percent_[s])
                                                : detail::signed_number(percent_[s]),
                                       is_rate_ ? " %" : "");
            }
            change = fmt::format("{} its tariffs on goods from {}: {}{}",
                                 is_rate_ ? "sets" : (mean >= 0 ? "raises" : "cuts"), from, amounts,
                                 is_rate_ ? "" : " points");
        }
        e.message =
            ending ? fmt::format("{} tariff measure on {} from {} of {} ends",
                                 detail::possessive(words_.importers), words_.sectors, from, date_)
                   : fmt::format("{} {}", words_.importers, change);
        if (!note_.empty()) {
            e.message += " — " + note_;
        }
        return e;
    }

private:
    std::string kind_ = "tariff";
    Codes importers_, exporters_, sectors_;
    bool is_rate_;
    std::vector<double> percent_; ///< per entry of sectors_.index
    std::string note_, date_, end_date_;
    Words words_;
};

// "China", "DEU, FRA" or "every partner".
std::string country_words(const Codes& codes, const World& world) {
    if (codes.label == "all") {
        return "every partner";
    }
    if (codes.index.size() == 1) {
        return world.countries[codes.index.front()].name;
    }
    return fmt::format("{}", fmt::join(codes.names, ", "));
}

// Reads `rate` or `increase`: a number for every sector in `sectors`, or a table
// { SECTOR = value } that names the sectors itself.
struct Amounts {
    bool is_rate = false;
    Codes sectors;
    std::vector<double> percent;
};

std::optional<Amounts> read_amounts(detail::Fields& f, PolicyContext& ctx) {
    const sim::SpecNode* rate = f.node("rate");
    const sim::SpecNode* increase = f.node("increase");
    if (rate != nullptr && increase != nullptr) {
        f.error("increase", fmt::format("{} gives both rate and increase; use one", ctx.key_path));
        return std::nullopt;
    }
    if (rate == nullptr && increase == nullptr) {
        ctx.problems.error(
            f.where(),
            fmt::format("{} needs rate (percent) or increase (percentage points)", ctx.key_path));
        return std::nullopt;
    }
    Amounts out;
    out.is_rate = rate != nullptr;
    const std::string key = out.is_rate ? "rate" : "increase";
    const sim::SpecNode& node = out.is_rate ? *rate : *increase;
    const double lo = out.is_rate ? 0.0 : -99.0;
    const auto sector_codes = ctx.world.sector_codes();
    bool ok = true;
    const auto check = [&](double v, const sim::Location& where, const std::string& path) {
        if (!(v >= lo && v <= 1000.0)) {
            ctx.problems.error(where, fmt::format("{} = {} must be {} between {} and 1000", path, v,
                                                  out.is_rate ? "a percentage" : "a change", lo));
            ok = false;
        }
    };
    if (node.is_table()) {
        if (f.node("sectors") != nullptr) {
            f.error("sectors", fmt::format("{}: give sectors or a table of {} by sector, not both",
                                           ctx.key_path, key));
            return std::nullopt;
        }
        for (const auto& [code, value] : node.members()) {
            const std::string path = f.key_path(key) + "." + code;
            const auto it = std::find(sector_codes.begin(), sector_codes.end(), code);
            if (it == sector_codes.end()) {
                ctx.problems.error(value.key_where(),
                                   fmt::format("unknown sector \"{}\" in {}{}", code, path,
                                               sim::did_you_mean(code, sector_codes)));
                ok = false;
                continue;
            }
            if (!value.is_number()) {
                ctx.problems.error(value.where(), fmt::format("{} must be a number, not {}", path,
                                                              value.kind_name()));
                ok = false;
                continue;
            }
            check(value.as_number(), value.where(), path);
            out.sectors.index.push_back(static_cast<std::size_t>(it - sector_codes.begin()));
            out.sectors.names.push_back(code);
            out.sectors.label += (out.sectors.label.empty() ? "" : ";") + code;
            out.percent.push_back(value.as_number());
        }
        if (node.members().empty()) {
            ctx.problems.error(node.where(), fmt::format("{} is an empty table", f.key_path(key)));
            ok = false;
        }
        return ok ? std::optional<Amounts>(std::move(out)) : std::nullopt;
    }
    if (!node.is_number()) {
        ctx.problems.error(node.where(),
                           fmt::format("{} must be a number or a table by sector, not {}",
                                       f.key_path(key), node.kind_name()));
        return std::nullopt;
    }
    check(node.as_number(), node.where(), f.key_path(key));
    auto sectors = resolve(f, "sectors", false, sector_codes, "sector");
    if (!sectors || !ok) {
        return std::nullopt;
    }
    out.sectors = std::move(*sectors);
    out.percent.assign(out.sectors.index.size(), node.as_number());
    return out;
}

std::unique_ptr<Policy> read_tariff(const sim::SpecNode& table, PolicyContext& ctx,
                                    std::vector<std::string>& keys_used) {
    const std::vector<std::string> keys = {"importer", "exporter", "sectors",
                                           "rate",     "increase", "note"};
    keys_used.insert(keys_used.end(), keys.begin(), keys.end());
    detail::Fields f(table, ctx.key_path, ctx.problems, {});
    const auto countries = ctx.world.country_codes();
    const auto importers = resolve(f, "importer", true, countries, "country");
    const auto exporters = resolve(f, "exporter", true, countries, "country");
    auto amounts = read_amounts(f, ctx);
    const auto note = f.string("note", false);
    if (!importers || !exporters || !amounts) {
        return nullptr;
    }
    if (importers->index.size() == 1 && exporters->index.size() == 1 &&
        importers->index[0] == exporters->index[0]) {
        f.error("exporter",
                fmt::format("{}: importer and exporter are the same country", ctx.key_path));
        return nullptr;
    }
    const auto* end = table.find("end");
    TariffPolicy::Words words{country_words(*importers, ctx.world),
                              country_words(*exporters, ctx.world),
                              detail::sector_words(ctx.world, amounts->sectors.index),
                              {}};
    for (std::size_t k : amounts->sectors.index) {
        words.sector_names.push_back(ctx.world.sectors[k].name);
    }
    return std::make_unique<TariffPolicy>(
        ctx.start_step, ctx.end_step, *importers, *exporters, std::move(amounts->sectors),
        amounts->is_rate, std::move(amounts->percent), note.value_or(""),
        ctx.calendar.date_of(ctx.start_step).str(),
        end != nullptr ? ctx.calendar.date_of(ctx.end_step).str() : std::string{},
        std::move(words));
}

} // namespace

void register_policy_tariff(PolicyRegistry& registry) {
    registry.add("tariff", read_tariff);
}

} // namespace tradesim::models
