#include "friction/rules.hpp"

#include "friction/words.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>

namespace tradesim::models::detail {
namespace {

int months_to_steps(double months, const sim::Calendar& calendar) {
    const int per = calendar.months_per_step();
    return std::max(1, static_cast<int>(std::ceil(months / per - 1e-9)));
}

} // namespace

std::optional<int> read_lag(Fields& f, const std::string& key, int fallback,
                            const BehaviourContext& ctx) {
    const auto v = f.number(key, false);
    const double months = v.value_or(fallback);
    const int run = ctx.calendar.steps() * ctx.calendar.months_per_step();
    if (!(months >= 0.0) || months != std::floor(months)) {
        f.error(key, fmt::format("{} = {} must be a whole number of months, 0 or more",
                                 f.key_path(key), months));
        return std::nullopt;
    }
    if (months >= run) {
        f.error(key, fmt::format("{} = {} is longer than the run ({} months from {}): the "
                                 "behaviour could never act",
                                 f.key_path(key), months, run, ctx.calendar.start().str()));
        return std::nullopt;
    }
    // A government acts at the earliest on the step after the one it observed.
    return months_to_steps(std::max(1.0, months), ctx.calendar);
}

std::optional<int> read_term(Fields& f, const std::string& key, int fallback,
                             const BehaviourContext& ctx) {
    const auto v = f.number(key, false);
    const double months = v.value_or(fallback);
    if (!(months >= 1.0 && months <= 1200.0) || months != std::floor(months)) {
        f.error(key, fmt::format("{} = {} must be a whole number of months from 1 to 1200",
                                 f.key_path(key), months));
        return std::nullopt;
    }
    return months_to_steps(months, ctx.calendar);
}

std::optional<std::vector<std::size_t>> read_partners(Fields& f, const std::string& key,
                                                      const BehaviourContext& ctx) {
    const auto codes = resolve(f, key, false, ctx.world.country_codes(), "country");
    if (!codes) {
        return std::nullopt;
    }
    std::vector<std::size_t> out;
    for (std::size_t c : codes->index) {
        if (c != ctx.government) {
            out.push_back(c);
        }
    }
    if (out.empty()) {
        f.error(key, fmt::format("{} names no country but {} itself", f.key_path(key),
                                 ctx.world.countries[ctx.government].code));
        return std::nullopt;
    }
    return out;
}

std::optional<std::vector<std::size_t>>
read_sectors(Fields& f, const std::string& key, const BehaviourContext& ctx, bool mirror_default) {
    if (f.node(key) == nullptr) {
        return mirror_default ? std::vector<std::size_t>{} : traded_sectors(ctx.world);
    }
    const auto codes = resolve(f, key, false, ctx.world.sector_codes(), "sector");
    if (!codes) {
        return std::nullopt;
    }
    std::vector<std::size_t> out;
    for (std::size_t k : codes->index) {
        if (ctx.world.sectors[k].traded) {
            out.push_back(k);
        } else if (codes->label != "all") {
            f.error(key, fmt::format("{}: sector {} is not traded, so no duty can fall on it",
                                     f.key_path(key), ctx.world.sectors[k].code));
            return std::nullopt;
        }
    }
    return out;
}

DutySpec duty(const Observed& seen, const std::string& kind, std::size_t importer,
              std::vector<std::size_t> exporters, std::vector<std::size_t> sectors,
              std::vector<double> points, int start, int term, int steps,
              const sim::Calendar& calendar) {
    DutySpec d;
    d.kind = kind;
    d.start = start;
    d.end = term > 0 ? std::min(steps, start + term) : steps;
    d.start_date = calendar.date_of(start).str();
    d.end_date = d.end < steps ? calendar.date_of(d.end).str() : std::string{};
    d.government = importer;
    d.importers = {importer};
    d.importer_label = seen.world.countries[importer].code;
    std::string exporter_label;
    if (exporters.size() + 1 == seen.dims.countries) {
        exporter_label = "all";
    } else {
        for (std::size_t i : exporters) {
            exporter_label += (exporter_label.empty() ? "" : ";") + seen.world.countries[i].code;
        }
    }
    d.exporter_label = exporter_label;
    d.exporters = std::move(exporters);
    d.sector_label = sector_label(seen.world, sectors);
    double mean = 0.0;
    for (double p : points) {
        mean += p / static_cast<double>(points.size());
    }
    d.value = mean;
    d.sectors = std::move(sectors);
    d.points = std::move(points);
    d.cap_pct = seen.params.cap_pct;
    return d;
}

bool duty_pending(const Decisions& d, const std::string& kind, std::size_t importer,
                  std::size_t exporter, std::size_t sector, int step) {
    for (const Policy* p : d.added()) {
        const DutySpec* s = duty_of(*p);
        if (s == nullptr || s->kind != kind || s->end <= step) {
            continue;
        }
        const bool on =
            std::find(s->importers.begin(), s->importers.end(), importer) != s->importers.end() &&
            std::find(s->exporters.begin(), s->exporters.end(), exporter) != s->exporters.end() &&
            std::find(s->sectors.begin(), s->sectors.end(), sector) != s->sectors.end();
        if (on) {
            return true;
        }
    }
    return false;
}

} // namespace tradesim::models::detail
