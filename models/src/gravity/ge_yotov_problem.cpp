// Reading a Yotov problem from a table (yotov_problem).

#include "gravity/detail/ge_yotov.hpp"

#include "tradesim/sim/diagnostics.hpp"
#include "tradesim/sim/error.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <fmt/format.h>
#include <map>
#include <optional>
#include <set>

namespace tradesim::models::gravity {

using detail::yotov::max_listed;

namespace {

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
    return s;
}

std::string trim(const std::string& s) {
    const auto b = s.find_first_not_of(" \t");
    if (b == std::string::npos) {
        return "";
    }
    return s.substr(b, s.find_last_not_of(" \t") - b + 1);
}

// By exact name, else by the only name equal ignoring case.
const sim::DataColumn* find_column(const sim::DataFrame& data, const std::string& name) {
    if (const auto* c = data.find(name)) {
        return c;
    }
    const sim::DataColumn* found = nullptr;
    for (const auto& c : data.columns()) {
        if (lower(c.name) == lower(name)) {
            if (found != nullptr) {
                return nullptr;
            }
            found = &c;
        }
    }
    return found;
}

std::optional<double> number(const std::string& text) {
    double v = 0.0;
    const char* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, v);
    if (ec != std::errc() || ptr != end) {
        return std::nullopt;
    }
    return v;
}

// The book's international-border dummy, for data that does not carry it.
constexpr const char* border_name = "INTL_BRDR";

} // namespace

YotovProblem yotov_problem(const sim::DataFrame& data, const YotovSpec& spec) {
    sim::Diagnostics diag;
    const sim::Location at_file{data.source, 0, 0};
    const auto names = data.names();
    const auto column = [&](const std::string& name, const std::string& role,
                            bool numeric) -> const sim::DataColumn* {
        const auto* c = find_column(data, name);
        if (c == nullptr) {
            diag.error(at_file,
                       fmt::format("unknown column \"{}\" ({}){} (columns: {})", name, role,
                                   sim::did_you_mean(name, names), fmt::join(names, ", ")));
        } else if (numeric && c->kind != sim::DataColumn::Kind::numeric) {
            diag.error(at_file, fmt::format("column \"{}\" ({}) must be numeric", c->name, role));
            return nullptr;
        }
        return c;
    };

    const auto* ex_col = column(spec.exporter, "exporter", false);
    const auto* im_col = column(spec.importer, "importer", false);
    const auto* flow_col = column(spec.formula.response, "flow", true);
    if (!spec.keep.empty() && spec.keep.size() != data.rows()) {
        diag.error(at_file, fmt::format("the row filter has {} values for {} rows",
                                        spec.keep.size(), data.rows()));
    }
    if (!spec.formula.fixed_effects.empty()) {
        const std::set<std::string> given{spec.formula.fixed_effects.front().label,
                                          spec.formula.fixed_effects.back().label};
        if (spec.formula.fixed_effects.size() != 2 ||
            given != std::set<std::string>{spec.exporter, spec.importer}) {
            diag.error(at_file, fmt::format("the fixed effects are {} + {}, implied; the formula "
                                            "\"{}\" names others (leave out \"| ...\")",
                                            spec.exporter, spec.importer, spec.formula.text));
        }
    }
    // Regressors: a column each, or the border dummy (nullptr).
    std::vector<const sim::DataColumn*> reg_cols;
    for (const auto& t : spec.formula.regressors) {
        if (find_column(data, t.column) == nullptr && t.column == border_name) {
            reg_cols.push_back(nullptr);
        } else {
            reg_cols.push_back(column(t.column, "regressor " + t.label, true));
        }
    }
    // Counterfactual values per regressor column: a number or another column.
    struct Change {
        std::optional<double> value;
        const sim::DataColumn* from = nullptr;
    };
    std::map<std::string, Change> changes; // by the regressor's column as written
    for (const auto& entry : spec.set) {
        const auto eq = entry.find('=');
        const std::string name = trim(entry.substr(0, eq));
        const std::string value = eq == std::string::npos ? "" : trim(entry.substr(eq + 1));
        if (eq == std::string::npos || name.empty() || value.empty()) {
            diag.error(at_file, fmt::format("--set \"{}\": expected COLUMN=VALUE, e.g. {}=0", entry,
                                            border_name));
            continue;
        }
        std::vector<std::string> used;
        const Term* term = nullptr;
        for (const auto& t : spec.formula.regressors) {
            used.push_back(t.column);
            if (t.column == name || lower(t.column) == lower(name)) {
                term = &t;
            }
        }
        if (term == nullptr) {
            diag.error(at_file, fmt::format("--set \"{}\": no regressor reads column \"{}\"{} "
                                            "(regressor columns: {})",
                                            entry, name, sim::did_you_mean(name, used),
                                            fmt::join(used, ", ")));
            continue;
        }
        Change change;
        change.value = number(value);
        if (!change.value) {
            change.from = column(value, "--set " + entry, true);
            if (change.from == nullptr) {
                continue;
            }
        }
        if (!changes.emplace(term->column, change).second) {
            diag.error(at_file, fmt::format("--set \"{}\": column \"{}\" is set twice", entry,
                                            term->column));
        }
    }
    diag.throw_if_any();

    YotovProblem p;
    p.sigma = spec.sigma;
    const auto ex_text = ex_col->texts();
    const auto im_text = im_col->texts();
    std::vector<std::size_t> rows;
    for (std::size_t i = 0; i < data.rows(); ++i) {
        if (spec.keep.empty() || spec.keep[i]) {
            rows.push_back(i);
        }
    }
    std::set<std::string> country_set;
    for (std::size_t i : rows) {
        if (!ex_text[i].empty()) {
            country_set.insert(ex_text[i]);
        }
        if (!im_text[i].empty()) {
            country_set.insert(im_text[i]);
        }
    }
    p.countries.assign(country_set.begin(), country_set.end());
    std::map<std::string, std::int32_t> code;
    for (std::size_t c = 0; c < p.countries.size(); ++c) {
        code[p.countries[c]] = static_cast<std::int32_t>(c);
    }
    const std::size_t k_count = spec.formula.regressors.size();
    for (const auto& t : spec.formula.regressors) {
        p.cost_names.push_back(t.label);
    }
    p.costs.assign(k_count, {});
    p.counterfactual.assign(k_count, {});

    std::size_t problems = 0;
    const auto row_error = [&](std::size_t i, std::string message) {
        if (++problems <= max_listed) {
            // Data line = row + 2: the header is line 1.
            diag.error({data.source, static_cast<std::uint32_t>(i + 2), 0}, std::move(message));
        }
    };
    std::map<std::pair<std::int32_t, std::int32_t>, std::size_t> pair_row;
    std::size_t repeated = 0;
    std::pair<std::size_t, std::size_t> first_repeat;
    for (std::size_t i : rows) {
        if (ex_text[i].empty() || im_text[i].empty()) {
            row_error(i, "missing exporter or importer");
            continue;
        }
        const auto ie = code[ex_text[i]];
        const auto ii = code[im_text[i]];
        const auto [at, fresh] = pair_row.emplace(std::pair{ie, ii}, i);
        if (!fresh) {
            // Usually a panel without a year filter: one message, not one per row.
            if (repeated++ == 0) {
                first_repeat = {i, at->second};
            }
            continue;
        }
        const double flow = flow_col->numbers[i];
        if (std::isnan(flow)) {
            row_error(
                i, fmt::format("missing {} for {} -> {}", flow_col->name, ex_text[i], im_text[i]));
            continue;
        }
        bool ok = true;
        std::vector<double> base(k_count), cf(k_count);
        for (std::size_t k = 0; k < k_count; ++k) {
            const Term& t = spec.formula.regressors[k];
            const double b =
                reg_cols[k] == nullptr ? (ie != ii ? 1.0 : 0.0) : reg_cols[k]->numbers[i];
            double c = b;
            const auto change = changes.find(t.column);
            if (change != changes.end()) {
                c = change->second.value ? *change->second.value : change->second.from->numbers[i];
            }
            if (std::isnan(b) || std::isnan(c)) {
                row_error(i, fmt::format("missing value of {} for {} -> {}", t.label, ex_text[i],
                                         im_text[i]));
                ok = false;
                continue;
            }
            if (t.log && (b <= 0.0 || c <= 0.0)) {
                row_error(i, fmt::format("{} needs a positive {} for {} -> {}, not {}", t.label,
                                         t.column, ex_text[i], im_text[i], b <= 0.0 ? b : c));
                ok = false;
                continue;
            }
            base[k] = t.log ? std::log(b) : b;
            cf[k] = t.log ? std::log(c) : c;
        }
        if (!ok) {
            continue;
        }
        p.exporter.push_back(ie);
        p.importer.push_back(ii);
        p.flows.push_back(flow);
        for (std::size_t k = 0; k < k_count; ++k) {
            p.costs[k].push_back(base[k]);
            p.counterfactual[k].push_back(cf[k]);
        }
    }
    if (repeated > 0) {
        const auto [i, earlier] = first_repeat;
        diag.error({data.source, static_cast<std::uint32_t>(i + 2), 0},
                   fmt::format("{} rows repeat an earlier pair, the first {} -> {} of line {}; "
                               "the method needs one cross-section (filter one year, e.g. "
                               "--where \"year == 2006\")",
                               repeated, ex_text[i], im_text[i], earlier + 2));
    }
    if (problems > max_listed) {
        diag.error(at_file,
                   fmt::format("... and {} more problems with rows", problems - max_listed));
    }
    if (rows.empty()) {
        diag.error(at_file, "no rows (after the filter)");
    }
    const auto ref = code.find(spec.reference);
    if (ref == code.end()) {
        diag.error(at_file,
                   fmt::format("unknown reference country \"{}\"{} (countries: {})", spec.reference,
                               sim::did_you_mean(spec.reference, p.countries),
                               fmt::join(p.countries, ", ")));
    } else {
        p.reference = ref->second;
    }
    diag.throw_if_any();
    return p;
}

} // namespace tradesim::models::gravity
