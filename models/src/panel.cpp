#include "tradesim/models/panel.hpp"

#include "tradesim/sim/error.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <limits>

namespace tradesim::models {

namespace {

template <class T> int position(const std::vector<T>& sorted_or_not, const T& value) noexcept {
    const auto it = std::find(sorted_or_not.begin(), sorted_or_not.end(), value);
    return it == sorted_or_not.end() ? -1 : static_cast<int>(it - sorted_or_not.begin());
}

const PanelVariable* named(const std::vector<PanelVariable>& variables,
                           const std::string& name) noexcept {
    for (const auto& variable : variables) {
        if (variable.name == name) {
            return &variable;
        }
    }
    return nullptr;
}

template <class T> bool ascending_distinct(const std::vector<T>& values) {
    return std::adjacent_find(values.begin(), values.end(),
                              [](const T& a, const T& b) { return !(a < b); }) == values.end();
}

// Where each entry of `part` sits in `all` (both ascending, `part` a subset).
template <class T>
std::vector<std::size_t> placement(const std::vector<T>& part, const std::vector<T>& all) {
    std::vector<std::size_t> at(part.size());
    for (std::size_t p = 0; p < part.size(); ++p) {
        at[p] = static_cast<std::size_t>(std::lower_bound(all.begin(), all.end(), part[p]) -
                                         all.begin());
    }
    return at;
}

template <class T> std::vector<T> sorted_union(const std::vector<T>& a, const std::vector<T>& b) {
    std::vector<T> out;
    std::set_union(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
    return out;
}

struct Conflicts {
    std::vector<std::string> lines;
    std::size_t count = 0;
    void add(std::string line) {
        if (count++ < 10) {
            lines.push_back(std::move(line));
        }
    }
};

bool same_value(double a, double b) {
    return a == b || std::abs(a - b) <= 1e-9 * std::max(std::abs(a), std::abs(b));
}

// Copies the variables of one panel into the merged layout, checking values seen twice.
void place_variables(const std::vector<PanelVariable>& from, std::vector<PanelVariable>& into,
                     const std::vector<std::size_t>& year_at,
                     const std::vector<std::size_t>& country_at, std::size_t from_countries,
                     std::size_t countries, std::size_t years, bool pairs, Conflicts& conflicts,
                     const std::vector<int>& year_values, const std::vector<std::string>& codes) {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const std::size_t per_year = pairs ? countries * countries : countries;
    const std::size_t from_per_year = pairs ? from_countries * from_countries : from_countries;
    for (const auto& variable : from) {
        const auto found = std::find_if(into.begin(), into.end(), [&](const PanelVariable& v) {
            return v.name == variable.name;
        });
        PanelVariable* target = found == into.end() ? nullptr : &*found;
        if (target == nullptr) {
            into.push_back({variable.name, variable.unit, variable.source,
                            std::vector<double>(years * per_year, nan)});
            target = &into.back();
        } else if (target->source != variable.source) {
            target->source += "; " + variable.source;
        }
        for (std::size_t y = 0; y < year_at.size(); ++y) {
            for (std::size_t c = 0; c < from_per_year; ++c) {
                const double value = variable.values[y * from_per_year + c];
                if (std::isnan(value)) {
                    continue;
                }
                const std::size_t i = pairs ? c / from_countries : c;
                const std::size_t cell =
                    pairs ? country_at[i] * countries + country_at[c % from_countries]
                          : country_at[c];
                double& slot = target->values[year_at[y] * per_year + cell];
                if (!std::isnan(slot) && !same_value(slot, value)) {
                    conflicts.add(fmt::format("{} of {} in {}: {} and {}", variable.name,
                                              pairs ? codes[country_at[i]] + "-" +
                                                          codes[country_at[c % from_countries]]
                                                    : codes[country_at[c]],
                                              year_values[year_at[y]], slot, value));
                }
                slot = value;
            }
        }
    }
}

} // namespace

int TradePanel::find_year(int year) const noexcept {
    return position(years, year);
}

int TradePanel::find_country(const std::string& code) const noexcept {
    return position(countries, code);
}

int TradePanel::find_sector(const std::string& code) const noexcept {
    return position(sectors, code);
}

const PanelVariable* TradePanel::country_variable(const std::string& name) const noexcept {
    return named(country_variables, name);
}

const PanelVariable* TradePanel::pair_variable(const std::string& name) const noexcept {
    return named(pair_variables, name);
}

std::vector<double> TradePanel::pair_totals(std::size_t y) const {
    const std::size_t n = countries.size();
    const std::size_t k = sectors.size();
    std::vector<double> totals(n * n, 0.0);
    for (std::size_t p = 0; p < n * n; ++p) {
        const double* cell = flows.data() + (y * n * n + p) * k;
        for (std::size_t s = 0; s < k; ++s) {
            totals[p] += cell[s];
        }
    }
    return totals;
}

void TradePanel::check() const {
    std::vector<std::string> problems;
    const std::size_t y = years.size();
    const std::size_t n = countries.size();
    const std::size_t k = sectors.size();
    if (!ascending_distinct(years)) {
        problems.emplace_back("years are not ascending and distinct");
    }
    if (!ascending_distinct(countries)) {
        problems.emplace_back("countries are not ascending and distinct");
    }
    if (country_names.size() != n) {
        problems.push_back(
            fmt::format("{} country names for {} countries", country_names.size(), n));
    }
    if (sector_names.size() != k) {
        problems.push_back(fmt::format("{} sector names for {} sectors", sector_names.size(), k));
    }
    if (flows.size() != y * n * n * k) {
        problems.push_back(fmt::format("{} flows, expected years x countries^2 x sectors = {}",
                                       flows.size(), y * n * n * k));
    }
    if (reported.size() != y * n * n) {
        problems.push_back(fmt::format("{} reported marks, expected years x countries^2 = {}",
                                       reported.size(), y * n * n));
    }
    for (const auto& variable : country_variables) {
        if (variable.values.size() != y * n) {
            problems.push_back(fmt::format("country variable {} has {} values, expected {}",
                                           variable.name, variable.values.size(), y * n));
        }
    }
    for (const auto& variable : pair_variables) {
        if (variable.values.size() != y * n * n) {
            problems.push_back(fmt::format("pair variable {} has {} values, expected {}",
                                           variable.name, variable.values.size(), y * n * n));
        }
    }
    if (!problems.empty()) {
        throw sim::InputError("panel: error: " + fmt::format("{}", fmt::join(problems, "; ")));
    }
}

TradePanel merge_panels(const TradePanel& a, const TradePanel& b) {
    a.check();
    b.check();
    const bool a_flows =
        std::any_of(a.reported.begin(), a.reported.end(), [](unsigned char r) { return r != 0; });
    const bool b_flows =
        std::any_of(b.reported.begin(), b.reported.end(), [](unsigned char r) { return r != 0; });
    if (a_flows && b_flows && a.sectors != b.sectors) {
        throw sim::InputError(
            fmt::format("panel: error: cannot merge panels with different sectors ({} and {})",
                        fmt::join(a.sectors, ","), fmt::join(b.sectors, ",")));
    }
    TradePanel out;
    out.years = sorted_union(a.years, b.years);
    out.countries = sorted_union(a.countries, b.countries);
    const TradePanel& shape = a_flows || !b_flows ? a : b;
    out.sectors = shape.sectors;
    out.sector_names = shape.sector_names;
    const std::size_t n = out.countries.size();
    const std::size_t k = out.sectors.size();
    out.country_names.assign(n, "");
    out.flows.assign(out.years.size() * n * n * k, 0.0);
    out.reported.assign(out.years.size() * n * n, 0);
    out.provenance = a.provenance;
    out.provenance.insert(out.provenance.end(), b.provenance.begin(), b.provenance.end());

    Conflicts conflicts;
    for (const TradePanel* part : {&a, &b}) {
        const auto year_at = placement(part->years, out.years);
        const auto country_at = placement(part->countries, out.countries);
        const std::size_t pn = part->countries.size();
        for (std::size_t c = 0; c < pn; ++c) {
            if (out.country_names[country_at[c]].empty()) {
                out.country_names[country_at[c]] = part->country_names[c];
            }
        }
        const bool has_flows = part == &a ? a_flows : b_flows;
        for (std::size_t y = 0; has_flows && y < part->years.size(); ++y) {
            for (std::size_t i = 0; i < pn; ++i) {
                for (std::size_t j = 0; j < pn; ++j) {
                    if (part->reported[part->pair_index(y, i, j)] == 0) {
                        continue;
                    }
                    const std::size_t yo = year_at[y], io = country_at[i], jo = country_at[j];
                    const bool seen = out.reported[out.pair_index(yo, io, jo)] != 0;
                    for (std::size_t s = 0; s < k; ++s) {
                        const double value = part->flows[part->flow_index(y, i, j, s)];
                        double& slot = out.flows[out.flow_index(yo, io, jo, s)];
                        if (seen && !same_value(slot, value)) {
                            conflicts.add(fmt::format("trade {}-{} {} in {}: {} and {}",
                                                      out.countries[io], out.countries[jo],
                                                      out.sectors[s], out.years[yo], slot, value));
                        }
                        slot = value;
                    }
                    out.reported[out.pair_index(yo, io, jo)] = 1;
                }
            }
        }
        place_variables(part->country_variables, out.country_variables, year_at, country_at, pn, n,
                        out.years.size(), false, conflicts, out.years, out.countries);
        place_variables(part->pair_variables, out.pair_variables, year_at, country_at, pn, n,
                        out.years.size(), true, conflicts, out.years, out.countries);
    }
    if (conflicts.count > 0) {
        throw sim::InputError(
            fmt::format("panel: error: the panels disagree on {} values, e.g.\n  {}",
                        conflicts.count, fmt::join(conflicts.lines, "\n  ")));
    }
    return out;
}

} // namespace tradesim::models
