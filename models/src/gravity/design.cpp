#include "tradesim/models/gravity/design.hpp"

#include "tradesim/sim/diagnostics.hpp"
#include "tradesim/sim/error.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fmt/format.h>
#include <map>

namespace tradesim::models::gravity {

void require_numeric_cells(const sim::DataFrame& data, const sim::DataColumn& column,
                           const std::string& role) {
    if (column.kind == sim::DataColumn::Kind::numeric) {
        return;
    }
    for (std::size_t i = 0; i < column.codes.size(); ++i) {
        if (column.codes[i] < 0) {
            continue;
        }
        const std::string& text = column.levels[static_cast<std::size_t>(column.codes[i])];
        char* end = nullptr;
        std::strtod(text.c_str(), &end);
        if (text.empty() || *end != '\0') {
            // Line = row + 2: the header is line 1.
            throw sim::InputError(fmt::format("{}:{}: error: column \"{}\" ({}) must be "
                                              "numeric, but holds \"{}\"",
                                              data.source, i + 2, column.name, role, text));
        }
    }
}

namespace {

const sim::DataColumn& column(const sim::DataFrame& data, const std::string& name,
                              const std::string& role) {
    const sim::DataColumn* c = data.find(name);
    if (c == nullptr) {
        throw sim::InputError(fmt::format(
            "{}: unknown column \"{}\" in the {}{} (columns: {})", data.source, name, role,
            sim::did_you_mean(name, data.names()), fmt::join(data.names(), ", ")));
    }
    return *c;
}

const sim::DataColumn& numeric(const sim::DataFrame& data, const std::string& name,
                               const std::string& role) {
    const auto& c = column(data, name, role);
    if (c.kind != sim::DataColumn::Kind::numeric) {
        require_numeric_cells(data, c, role);
        throw sim::InputError(
            fmt::format("{}: column \"{}\" ({}) is not numeric", data.source, name, role));
    }
    return c;
}

// A code per row for one or more columns combined (an interaction), -1 when any is missing.
std::vector<std::int64_t> keys(const sim::DataFrame& data, const std::vector<std::string>& names,
                               const std::string& role) {
    std::vector<std::int64_t> out(data.rows(), 0);
    for (const auto& name : names) {
        const auto& c = column(data, name, role);
        std::vector<std::int64_t> code(data.rows(), -1);
        std::int64_t levels = 0;
        if (c.kind == sim::DataColumn::Kind::categorical) {
            for (std::size_t i = 0; i < data.rows(); ++i) {
                code[i] = c.codes[i];
            }
            levels = static_cast<std::int64_t>(c.levels.size());
        } else {
            std::map<double, std::int64_t> seen;
            for (std::size_t i = 0; i < data.rows(); ++i) {
                if (!std::isnan(c.numbers[i])) {
                    code[i] = seen.emplace(c.numbers[i], static_cast<std::int64_t>(seen.size()))
                                  .first->second;
                }
            }
            levels = static_cast<std::int64_t>(seen.size());
        }
        for (std::size_t i = 0; i < data.rows(); ++i) {
            out[i] = (out[i] < 0 || code[i] < 0) ? -1 : out[i] * levels + code[i];
        }
    }
    return out;
}

// Compact codes 0..G-1 over the selected rows.
std::vector<std::int32_t> compact(const std::vector<std::int64_t>& key,
                                  const std::vector<std::size_t>& rows) {
    std::map<std::int64_t, std::int32_t> index;
    std::vector<std::int32_t> out(rows.size());
    for (std::size_t r = 0; r < rows.size(); ++r) {
        out[r] = index.emplace(key[rows[r]], static_cast<std::int32_t>(index.size())).first->second;
    }
    return out;
}

} // namespace

std::vector<std::string> interaction_columns(const std::string& text) {
    std::vector<std::string> parts;
    std::size_t start = 0;
    while (true) {
        const std::size_t hat = text.find('^', start);
        parts.push_back(text.substr(start, hat - start));
        if (hat == std::string::npos) {
            return parts;
        }
        start = hat + 1;
    }
}

Design build_design(const sim::DataFrame& data, const Formula& formula,
                    const DesignOptions& options) {
    const std::size_t n = data.rows();
    const auto& y = numeric(data, formula.response, "response");
    std::vector<const sim::DataColumn*> xs;
    for (const auto& term : formula.regressors) {
        xs.push_back(&numeric(data, term.column, "regressor " + term.label));
    }
    std::vector<std::vector<std::int64_t>> fe_keys;
    for (const auto& fe : formula.fixed_effects) {
        fe_keys.push_back(keys(data, fe.columns, "fixed effect " + fe.label));
    }
    if (options.cluster.size() > 2) {
        throw sim::UsageError("--cluster takes one or two columns");
    }
    std::vector<std::vector<std::int64_t>> cluster_keys;
    for (const auto& c : options.cluster) {
        // `a^b` clusters by the combination, as fixest's `cluster = ~a^b`.
        cluster_keys.push_back(keys(data, interaction_columns(c), "cluster"));
    }

    Design design;
    for (std::size_t i = 0; i < n; ++i) {
        if (!options.keep.empty() && !options.keep[i]) {
            ++design.filtered;
            continue;
        }
        bool ok = !std::isnan(y.numbers[i]);
        for (std::size_t t = 0; t < xs.size() && ok; ++t) {
            const double v = xs[t]->numbers[i];
            ok = !std::isnan(v) && (!formula.regressors[t].log || v > 0.0);
        }
        for (const auto& k : fe_keys) {
            ok = ok && k[i] >= 0;
        }
        for (const auto& k : cluster_keys) {
            ok = ok && k[i] >= 0;
        }
        if (!ok) {
            ++design.missing;
            continue;
        }
        if (y.numbers[i] < 0.0) {
            throw sim::InputError(fmt::format("{}:{}: error: the response {} is negative ({}); "
                                              "PPML needs flows >= 0",
                                              data.source, i + 2, formula.response, y.numbers[i]));
        }
        design.rows.push_back(i);
    }
    if (design.rows.empty()) {
        throw sim::InputError(
            fmt::format("{}: no observations left ({} removed by --where, {} with "
                        "missing values)",
                        data.source, design.filtered, design.missing));
    }
    auto& p = design.problem;
    const std::size_t m = design.rows.size();
    p.y.resize(m);
    for (std::size_t r = 0; r < m; ++r) {
        p.y[r] = y.numbers[design.rows[r]];
    }
    for (std::size_t t = 0; t < xs.size(); ++t) {
        std::vector<double> v(m);
        for (std::size_t r = 0; r < m; ++r) {
            const double raw = xs[t]->numbers[design.rows[r]];
            v[r] = formula.regressors[t].log ? std::log(raw) : raw;
        }
        p.x.push_back(std::move(v));
        p.x_names.push_back(formula.regressors[t].label);
    }
    for (std::size_t f = 0; f < fe_keys.size(); ++f) {
        p.fe.push_back(compact(fe_keys[f], design.rows));
        p.fe_names.push_back(formula.fixed_effects[f].label);
    }
    for (std::size_t c = 0; c < cluster_keys.size(); ++c) {
        p.clusters.push_back(compact(cluster_keys[c], design.rows));
        p.cluster_names.push_back(options.cluster[c]);
    }
    p.vcov = cluster_keys.empty() ? Vcov::hetero : options.vcov;
    return design;
}

} // namespace tradesim::models::gravity
