// `tradesim events RUN`: the event log of a run as a timeline in plain words, filtered by kind,
// country, dates and friction level.
#include "commands.hpp"
#include "tradesim/models/policy.hpp"
#include "tradesim/output/run_store.hpp"
#include "tradesim/sim/calendar.hpp"
#include "tradesim/sim/diagnostics.hpp"
#include "tradesim/sim/error.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace tradesim::tools {

namespace {

// The friction levels in rising order; "eased" (a level falling) belongs to the family too.
const std::vector<std::string> alert_kinds = {"watch", "warning", "alert"};
const std::vector<std::string> duty_kinds = {"retaliation", "anti_dumping", "safeguard",
                                             "negotiation"};

std::vector<std::string> split(const std::string& text, char separator) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string part; std::getline(in, part, separator);) {
        if (!part.empty()) {
            out.push_back(part);
        }
    }
    return out;
}

// The kinds a shorthand stands for; empty for any other name.
std::vector<std::string> shorthand(const std::string& name) {
    if (name == "alerts") {
        std::vector<std::string> kinds = alert_kinds;
        kinds.push_back("eased");
        return kinds;
    }
    if (name == "duties") {
        std::vector<std::string> kinds;
        for (const std::string& k : duty_kinds) {
            kinds.push_back(k);
            kinds.push_back(k + "_end");
        }
        for (const char* k : {"investigation", "tariff", "tariff_end"}) {
            kinds.push_back(k);
        }
        return kinds;
    }
    return {};
}

// Every kind a run can log: scheduled policies (and their ends), friction levels and duties.
std::set<std::string> kinds_known(const std::vector<models::Event>& events) {
    std::set<std::string> known;
    for (const std::string& k : models::PolicyRegistry::builtin().kinds()) {
        known.insert(k);
        known.insert(k + "_end");
    }
    for (const char* s : {"alerts", "duties"}) {
        const std::vector<std::string> kinds = shorthand(s);
        known.insert(kinds.begin(), kinds.end());
    }
    for (const models::Event& e : events) {
        known.insert(e.kind);
    }
    return known;
}

std::set<std::string> wanted_kinds(const std::vector<std::string>& given,
                                   const std::vector<models::Event>& events) {
    std::set<std::string> wanted;
    const std::set<std::string> known = kinds_known(events);
    std::vector<std::string> unknown;
    for (const std::string& item : given) {
        for (const std::string& name : split(item, ',')) {
            if (const std::vector<std::string> kinds = shorthand(name); !kinds.empty()) {
                wanted.insert(kinds.begin(), kinds.end());
            } else if (known.count(name) > 0) {
                wanted.insert(name);
            } else {
                unknown.push_back(name);
            }
        }
    }
    if (!unknown.empty()) {
        std::set<std::string> present_set;
        for (const models::Event& e : events) {
            present_set.insert(e.kind);
        }
        const std::vector<std::string> present(present_set.begin(), present_set.end());
        std::vector<std::string> candidates(known.begin(), known.end());
        candidates.insert(candidates.end(), {"alerts", "duties"});
        throw sim::UsageError(fmt::format(
            "unknown event kind{} \"{}\"{}; kinds in this file: {} (and the shorthands alerts, "
            "duties)",
            unknown.size() > 1 ? "s" : "", fmt::join(unknown, "\", \""),
            sim::did_you_mean(unknown.front(), candidates),
            present.empty() ? std::string("none") : fmt::format("{}", fmt::join(present, ", "))));
    }
    return wanted;
}

std::optional<sim::YearMonth> month_option(const std::string& text, const char* option) {
    if (text.empty()) {
        return std::nullopt;
    }
    const auto month = sim::parse_year_month(text);
    if (!month) {
        throw sim::UsageError(
            fmt::format("{} \"{}\": expected a month as YYYY-MM, e.g. 2018-07", option, text));
    }
    return month;
}

// The level of an alert-family event (watch 1 to alert 3), 0 for "eased", nullopt for others.
std::optional<std::size_t> alert_level(const std::string& kind) {
    const auto it = std::find(alert_kinds.begin(), alert_kinds.end(), kind);
    if (it != alert_kinds.end()) {
        return static_cast<std::size_t>(it - alert_kinds.begin()) + 1;
    }
    return kind == "eased" ? std::optional<std::size_t>{0} : std::nullopt;
}

// An importer or exporter field: a code, "all", or codes joined by ';'. "all" concerns every
// country (a tariff on all exporters falls on each of them).
bool names_country(const std::string& field, const std::string& code) {
    if (field == "all") {
        return true;
    }
    const std::vector<std::string> codes = split(field, ';');
    return std::find(codes.begin(), codes.end(), code) != codes.end();
}

} // namespace

int events_command(const EventsOptions& options) {
    const output::RunReader run(options.run_file);
    const std::vector<models::Event> events = run.events();

    const std::set<std::string> kinds =
        options.kinds.empty() ? std::set<std::string>{} : wanted_kinds(options.kinds, events);
    const auto from = month_option(options.from, "--from");
    const auto to = month_option(options.to, "--to");
    if (from && to && *to < *from) {
        throw sim::UsageError(fmt::format("--from {} is after --to {}: no month lies between them",
                                          options.from, options.to));
    }
    std::string country = options.country;
    std::transform(country.begin(), country.end(), country.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    if (!country.empty()) {
        const std::vector<std::string> codes = run.countries();
        if (std::find(codes.begin(), codes.end(), country) == codes.end()) {
            throw sim::UsageError(fmt::format("--country {}: not a country of this run{} (its "
                                              "countries: {})",
                                              options.country, sim::did_you_mean(country, codes),
                                              fmt::join(codes, ", ")));
        }
    }
    // CLI11 has checked the name; 0 when no --min-level.
    const std::size_t min_level = options.min_level.empty() ? 0 : *alert_level(options.min_level);

    const auto keep = [&](const models::Event& e) {
        if (!kinds.empty() && kinds.count(e.kind) == 0) {
            return false;
        }
        if (!country.empty() && !names_country(e.importer, country) &&
            !names_country(e.exporter, country)) {
            return false;
        }
        const auto date = sim::parse_year_month(e.date);
        if (date && ((from && *date < *from) || (to && *to < *date))) {
            return false;
        }
        const auto level = alert_level(e.kind);
        return !(min_level > 0 && level && *level < min_level);
    };

    // One line per event; the date only on the first of its month, the others lined up below.
    std::map<std::string, int> counts;
    std::string last_date;
    int shown = 0;
    for (const models::Event& e : events) {
        if (!keep(e)) {
            continue;
        }
        const std::string& message =
            e.message.empty()
                ? fmt::format("{} {} <- {} ({})", e.kind, e.importer, e.exporter, e.sector)
                : e.message;
        fmt::print("{:<7}  {}\n", e.date == last_date ? "" : e.date, message);
        last_date = e.date;
        ++counts[e.kind];
        ++shown;
    }
    std::vector<std::string> parts;
    for (const auto& [kind, count] : counts) {
        parts.push_back(fmt::format("{} {}", count, kind));
    }
    fmt::print("{}{} event{} of {} in {}{}{}\n", shown > 0 ? "\n" : "", shown,
               shown == 1 ? "" : "s", events.size(), options.run_file, parts.empty() ? "" : ": ",
               fmt::join(parts, ", "));
    return 0;
}

} // namespace tradesim::tools
