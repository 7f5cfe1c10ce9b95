#include "commands.hpp"
#include "counterfactual_common.hpp"
#include "tradesim/history/csv.hpp"
#include "tradesim/models/gravity/design.hpp"
#include "tradesim/models/gravity/ge.hpp"
#include "tradesim/models/gravity/where.hpp"
#include "tradesim/output/equilibrium_store.hpp"
#include "tradesim/sim/diagnostics.hpp"
#include "tradesim/sim/error.hpp"
#include "tradesim/sim/parallel.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>

namespace tradesim::tools {

namespace {

namespace gr = models::gravity;

// Bad rows beyond this many are counted, not listed: one mistake repeated over a panel
// would otherwise bury the message.
constexpr std::size_t max_listed_problems = 20;

// Line in the file of data row `row` (the header is line 1).
std::uint32_t line_of(std::size_t row) {
    return static_cast<std::uint32_t>(row + 2);
}

const sim::DataColumn& require_column(const sim::DataFrame& data, const std::string& name,
                                      const char* option) {
    const sim::DataColumn* c = data.find(name);
    if (c == nullptr) {
        throw sim::InputError(fmt::format(
            "{}: error: unknown column \"{}\" given to {}{} (columns: {})", data.source, name,
            option, sim::did_you_mean(name, data.names()), fmt::join(data.names(), ", ")));
    }
    return *c;
}

const sim::DataColumn& require_numeric(const sim::DataFrame& data, const std::string& name,
                                       const char* option) {
    const sim::DataColumn& c = require_column(data, name, option);
    if (c.kind == sim::DataColumn::Kind::numeric) {
        return c;
    }
    gr::require_numeric_cells(data, c, option);
    throw sim::InputError(
        fmt::format("{}: error: column \"{}\" ({}) is not numeric", data.source, name, option));
}

struct Built {
    gr::GeProblem problem;
    std::size_t rows_kept = 0;
    std::size_t shocked_pairs = 0; ///< pairs with a flow and a non-zero partial effect
};

// Collects problems, listing the first max_listed_problems.
class Problems {
public:
    void error(const sim::Location& where, std::string message) {
        if (++count_ <= max_listed_problems) {
            list_.error(where, std::move(message));
        }
    }
    void throw_if_any(const std::string& file) {
        if (count_ > max_listed_problems) {
            list_.error({file, 0, 0},
                        fmt::format("{} more problems not listed", count_ - max_listed_problems));
        }
        list_.throw_if_any();
    }

private:
    sim::Diagnostics list_;
    std::size_t count_ = 0;
};

// The baseline and the shock of the exact method: one n x n matrix of flows and one of
// partial effects, over the countries that appear in the rows kept.
Built build_problem(const sim::DataFrame& data, const std::vector<unsigned char>& keep,
                    const CounterfactualOptions& options) {
    const sim::DataColumn& ex = require_column(data, options.exporter, "--exporter");
    const sim::DataColumn& im = require_column(data, options.importer, "--importer");
    const sim::DataColumn& flow = require_numeric(data, options.flow, "--flow");
    const sim::DataColumn& partial = require_numeric(data, options.partial, "--partial");
    const std::string& file = data.source;
    const auto kept = [&](std::size_t row) { return keep.empty() || keep[row] != 0; };

    Built b;
    Problems problems;
    std::vector<std::string> names;
    for (std::size_t r = 0; r < data.rows(); ++r) {
        if (!kept(r)) {
            continue;
        }
        ++b.rows_kept;
        for (const sim::DataColumn* c : {&ex, &im}) {
            if (c->codes[r] < 0) {
                problems.error({file, line_of(r), 0},
                               fmt::format("the {} (column \"{}\") is missing",
                                           c == &ex ? "exporter" : "importer", c->name));
            } else {
                names.push_back(c->levels[static_cast<std::size_t>(c->codes[r])]);
            }
        }
    }
    if (b.rows_kept == 0) {
        throw sim::InputError(
            options.where.empty()
                ? fmt::format("{}: error: the file holds no rows", file)
                : fmt::format("{}: error: no rows left ({} removed by --where \"{}\")", file,
                              data.rows(), options.where));
    }
    problems.throw_if_any(file);
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());
    const std::size_t n = names.size();

    // Level code of each column -> country index.
    const auto index_of = [&](const sim::DataColumn& c) {
        std::vector<std::size_t> out(c.levels.size(), n);
        for (std::size_t l = 0; l < c.levels.size(); ++l) {
            const auto it = std::lower_bound(names.begin(), names.end(), c.levels[l]);
            if (it != names.end() && *it == c.levels[l]) {
                out[l] = static_cast<std::size_t>(it - names.begin());
            }
        }
        return out;
    };
    const std::vector<std::size_t> ex_index = index_of(ex);
    const std::vector<std::size_t> im_index = index_of(im);

    gr::GeProblem& p = b.problem;
    p.countries = names;
    p.flows.assign(n * n, 0.0);
    p.partial.assign(n * n, 0.0);
    p.theta = options.theta;
    p.imbalances = options.imbalances == "multiplicative" ? gr::Imbalances::multiplicative
                                                          : gr::Imbalances::additive;
    std::vector<std::size_t> first_row(n * n, data.rows()); // data.rows() = pair not seen
    for (std::size_t r = 0; r < data.rows(); ++r) {
        if (!kept(r)) {
            continue;
        }
        const std::size_t i = ex_index[static_cast<std::size_t>(ex.codes[r])];
        const std::size_t j = im_index[static_cast<std::size_t>(im.codes[r])];
        const std::string pair = fmt::format("{} -> {}", names[i], names[j]);
        const sim::Location at{file, line_of(r), 0};
        const std::size_t ij = i * n + j;
        if (first_row[ij] < data.rows()) {
            problems.error(at, fmt::format("pair {} appears twice (lines {} and {})", pair,
                                           line_of(first_row[ij]), line_of(r)));
            continue;
        }
        first_row[ij] = r;
        const double x = flow.numbers[r];
        const double beta = partial.numbers[r];
        if (std::isnan(x)) {
            problems.error(at, fmt::format("the flow {} of {} is missing (leave the pair out "
                                           "or write 0 for no trade)",
                                           options.flow, pair));
            continue;
        }
        if (!std::isfinite(x) || x < 0) {
            problems.error(at, fmt::format("the flow {} of {} is {} (flows must be finite and "
                                           ">= 0)",
                                           options.flow, pair, x));
            continue;
        }
        if (std::isnan(beta) && x > 0) {
            problems.error(at, fmt::format("pair {} has a flow ({}) but no partial effect in "
                                           "column \"{}\"",
                                           pair, x, options.partial));
            continue;
        }
        if (std::isinf(beta)) {
            problems.error(at, fmt::format("the partial effect {} of {} is {} (it is in logs: "
                                           "b = exp({}) must be finite)",
                                           options.partial, pair, beta, options.partial));
            continue;
        }
        p.flows[ij] = x;
        // A pair without trade stays without trade, whatever its partial effect.
        p.partial[ij] = std::isnan(beta) ? 0.0 : beta;
        if (x > 0 && p.partial[ij] != 0) {
            ++b.shocked_pairs;
        }
    }
    // Shares pi_ij = X_ij / E_j need every country's own sales (ge_gravity's data has them).
    for (std::size_t i = 0; i < n; ++i) {
        const std::size_t ii = i * n + i;
        if (first_row[ii] == data.rows()) {
            problems.error({file, 0, 0},
                           fmt::format("no domestic flow for {}: add a row with {} = {} = {} "
                                       "holding its sales at home",
                                       names[i], options.exporter, options.importer, names[i]));
        } else if (flow.numbers[first_row[ii]] == 0) {
            problems.error({file, line_of(first_row[ii]), 0},
                           fmt::format("the domestic flow of {} is {}; it must be positive",
                                       names[i], p.flows[ii]));
        }
    }
    problems.throw_if_any(file);
    return b;
}

double pct(double ratio) {
    return (ratio - 1.0) * 100.0;
}

// A change in percent with its sign, "0.000" when it rounds to zero either way.
std::string show_pct(double ratio) {
    std::string s = fmt::format("{:+.3f}", pct(ratio));
    return s == "+0.000" || s == "-0.000" ? "0.000" : s;
}

struct Column {
    const char* title; ///< in the table; nullptr = JSON only (the table fits 100 columns)
    const char* key;   ///< JSON key, without "_pct"
    std::vector<double> gr::GeResult::*values;
};
// The per-country changes reported, in order.
const std::vector<Column>& columns() {
    static const std::vector<Column> list{
        {"welfare", "welfare", &gr::GeResult::welfare},
        {"real wage", "real_wage", &gr::GeResult::real_wage},
        {"factory price", "factory_price", &gr::GeResult::factory_price},
        {"output", "output", &gr::GeResult::output},
        {nullptr, "expenditure", &gr::GeResult::expenditure},
        {"exports", "exports", &gr::GeResult::exports},
        {"imports", "imports", &gr::GeResult::imports},
        {"inward MR", "inward_resistance", &gr::GeResult::inward_resistance},
        {"outward MR", "outward_resistance", &gr::GeResult::outward_resistance},
    };
    return list;
}

void print_table(const gr::GeResult& r) {
    std::vector<std::size_t> order(r.countries.size());
    for (std::size_t i = 0; i < order.size(); ++i) {
        order[i] = i;
    }
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return r.welfare[a] > r.welfare[b]; });
    std::size_t name_width = 7;
    for (const auto& c : r.countries) {
        name_width = std::max(name_width, c.size());
    }
    std::string line = fmt::format("  {:<{}}", "country", name_width);
    for (const Column& c : columns()) {
        if (c.title != nullptr) {
            line +=
                fmt::format("  {:>{}}", c.title, std::max<std::size_t>(8, std::strlen(c.title)));
        }
    }
    fmt::print("{}\n", line);
    for (const std::size_t i : order) {
        line = fmt::format("  {:<{}}", r.countries[i], name_width);
        for (const Column& c : columns()) {
            if (c.title != nullptr) {
                line += fmt::format("  {:>{}}", show_pct((r.*c.values)[i]),
                                    std::max<std::size_t>(8, std::strlen(c.title)));
            }
        }
        fmt::print("{}\n", line);
    }
}

// What was solved, for the result file.
output::Equilibrium equilibrium_record(const CounterfactualOptions& options,
                                       const gr::GeProblem& problem, const gr::GeResult& r) {
    output::Equilibrium eq;
    eq.countries = problem.countries;
    eq.baseline_flows = problem.flows;
    eq.counterfactual_flows = r.flows;
    eq.iterations = r.iterations;
    eq.max_excess_demand = r.max_excess_demand;
    const std::size_t n = problem.countries.size();
    // Levels from the flows themselves, so the country table adds up to the flow table.
    const auto totals = [n](const std::vector<double>& x) {
        std::vector<double> output(n, 0.0), expenditure(n, 0.0), exports(n, 0.0), imports(n, 0.0);
        for (std::size_t i = 0; i < n; ++i) {
            for (std::size_t j = 0; j < n; ++j) {
                output[i] += x[i * n + j];
                expenditure[j] += x[i * n + j];
                if (i != j) {
                    exports[i] += x[i * n + j];
                    imports[j] += x[i * n + j];
                }
            }
        }
        return std::array{output, expenditure, exports, imports};
    };
    const auto base = totals(problem.flows);
    const auto cf = totals(r.flows);
    const char* level_unit = "as the data's flows";
    const char* names[] = {"output", "expenditure", "exports", "imports"};
    for (std::size_t k = 0; k < 4; ++k) {
        eq.variables.push_back({names[k], level_unit, base[k], cf[k]});
    }
    const std::vector<double> ones(n, 1.0);
    const auto index = [&](const char* name, const std::vector<double>& values) {
        eq.variables.push_back({name, "index, baseline 1", ones, values});
    };
    index("welfare", r.welfare);
    index("real_wage", r.real_wage);
    index("factory_price", r.factory_price);
    index("inward_resistance", r.inward_resistance);
    index("outward_resistance", r.outward_resistance);

    eq.solved = {{"method", "exact"},
                 {"data", options.data},
                 {"where", options.where},
                 {"exporter", options.exporter},
                 {"importer", options.importer},
                 {"flow", options.flow},
                 {"partial", options.partial},
                 {"theta", fmt::format("{}", options.theta)},
                 {"imbalances", options.imbalances}};
    eq.name = data_stem(options.data);
    eq.source = options.data;
    return eq;
}

} // namespace

int counterfactual_command(const CounterfactualOptions& options) {
    if (!options.scenario.empty()) {
        return counterfactual_scenario(options);
    }
    if (options.method == "yotov") {
        return counterfactual_yotov(options);
    }
    const std::string started_at = utc_now();
    if (!options.out.empty()) {
        // Refuse before the work, not after it.
        output::check_result_path(options.out, options.force);
    }
    const auto start = std::chrono::steady_clock::now();

    history::CsvOptions csv;
    csv.categorical = {options.exporter, options.importer};
    if (options.where.empty()) {
        csv.columns = {options.exporter, options.importer, options.flow, options.partial};
        std::sort(csv.columns.begin(), csv.columns.end());
        csv.columns.erase(std::unique(csv.columns.begin(), csv.columns.end()), csv.columns.end());
    } // else the filter may name any column: read them all
    const sim::DataFrame data = history::read_csv(options.data, csv);
    std::vector<unsigned char> keep;
    if (!options.where.empty()) {
        keep = gr::evaluate_where(options.where, data);
    }
    const Built built = build_problem(data, keep, options);
    const gr::GeResult r = gr::solve_ge(built.problem);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

    if (!options.out.empty()) {
        output::write_equilibrium(options.out, options.force,
                                  equilibrium_record(options, built.problem, r),
                                  {version(), sim::active_threads(), started_at});
    }

    const std::size_t n = r.countries.size();
    if (options.json) {
        nlohmann::ordered_json j;
        j["method"] = "exact";
        j["data"] = options.data;
        j["where"] = options.where;
        j["partial"] = options.partial;
        j["theta"] = options.theta;
        j["imbalances"] = options.imbalances;
        auto& countries = j["countries"];
        countries = nlohmann::ordered_json::object();
        for (std::size_t i = 0; i < n; ++i) {
            auto& c = countries[r.countries[i]];
            for (const Column& col : columns()) {
                c[std::string(col.key) + "_pct"] = pct((r.*col.values)[i]);
            }
        }
        auto& flows = j["flows"];
        flows = nlohmann::ordered_json::array();
        for (std::size_t i = 0; i < n; ++i) {
            for (std::size_t k = 0; k < n; ++k) {
                flows.push_back({{"exporter", r.countries[i]},
                                 {"importer", r.countries[k]},
                                 {"baseline", built.problem.flows[i * n + k]},
                                 {"counterfactual", r.flows[i * n + k]}});
            }
        }
        j["iterations"] = r.iterations;
        j["max_excess_demand"] = r.max_excess_demand;
        j["seconds"] = seconds;
        if (!options.out.empty()) {
            j["out"] = options.out;
        }
        std::cout << j.dump(2) << '\n';
        return 0;
    }

    fmt::print("General equilibrium (exact hat algebra, as ge_gravity): theta {}, {} imbalances\n",
               options.theta, options.imbalances);
    fmt::print("data: {} ({} rows{}), partial effects in \"{}\" on {} of {} pairs with trade\n",
               options.data, data.rows(),
               options.where.empty() ? std::string{}
                                     : fmt::format(", {} kept by --where", built.rows_kept),
               options.partial, built.shocked_pairs,
               std::count_if(built.problem.flows.begin(), built.problem.flows.end(),
                             [](double x) { return x > 0; }));
    fmt::print("changes in %, counterfactual against baseline, by welfare change:\n\n");
    print_table(r);
    fmt::print("\n{} countries, {} iterations, max excess demand {:.3g} of world output, "
               "{:.3f} s on {} thread(s)\n",
               n, r.iterations, r.max_excess_demand, seconds, sim::active_threads());
    if (!options.out.empty()) {
        fmt::print("result    {}\n", options.out);
    }
    return 0;
}

} // namespace tradesim::tools
