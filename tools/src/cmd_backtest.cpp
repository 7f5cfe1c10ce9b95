// `tradesim backtest --history PANEL.h5 --from Y0 --to Y1`: the model's prediction of the Y1
// flows from the Y0 world and what changed in between (history::run_backtest), scored against
// the observed flows beside the no-change and uniform-growth predictions.

#include "commands.hpp"
#include "history_commands.hpp"

#include "tradesim/history/backtest.hpp"
#include "tradesim/output/backtest_store.hpp"
#include "tradesim/output/equilibrium_store.hpp"
#include "tradesim/output/panel_store.hpp"
#include "tradesim/sim/error.hpp"
#include "tradesim/sim/parallel.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace tradesim::tools {

namespace {

struct BacktestCommand {
    std::string history;
    history::BacktestOptions options;
    std::string scenario;
    std::vector<std::string> countries;
    std::size_t top = 10;
    bool json = false;
    std::string out;
    bool force = false;
    int threads = 1;
};

std::string number(double value) {
    return std::isnan(value) ? "n/a" : fmt::format("{:.4f}", value);
}

nlohmann::ordered_json metrics_json(const history::Metrics& m) {
    const auto value = [](double v) {
        return std::isnan(v) ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(v);
    };
    return {{"pairs", m.pairs},
            {"correlation_log_changes", value(m.correlation)},
            {"rmse_log_flows", value(m.rmse_log)},
            {"trade_weighted_ape", value(m.twape)},
            {"right_sign_share", value(m.right_sign)}};
}

nlohmann::ordered_json scope_json(const history::ScopeMetrics& s, bool uniform) {
    nlohmann::ordered_json j{{"scope", s.scope},
                             {"observed_trade_usd", s.observed_trade},
                             {"model", metrics_json(s.model)},
                             {"no_change", metrics_json(s.no_change)}};
    j["uniform_growth"] = uniform ? metrics_json(s.uniform) : nlohmann::ordered_json(nullptr);
    return j;
}

std::string scope_table(const history::ScopeMetrics& s, bool uniform) {
    std::string t = fmt::format("{} ({} pairs, {:.4g} USD observed)\n", s.scope, s.model.pairs,
                                s.observed_trade);
    t += fmt::format("  {:<34} {:>10} {:>10} {:>10}\n", "metric", "model", "no change", "uniform");
    const auto row = [&](const char* name, double history::Metrics::*field) {
        t += fmt::format("  {:<34} {:>10} {:>10} {:>10}\n", name, number(s.model.*field),
                         number(s.no_change.*field),
                         uniform ? number(s.uniform.*field) : std::string("n/a"));
    };
    row("correlation of log changes", &history::Metrics::correlation);
    row("RMSE of log flows", &history::Metrics::rmse_log);
    row("trade-weighted abs. % error", &history::Metrics::twape);
    row("share of pairs with right sign", &history::Metrics::right_sign);
    return t;
}

// The countries shown: those asked for, or the top N by observed trade.
std::vector<const history::ScopeMetrics*> shown(const history::BacktestResult& r,
                                                const BacktestCommand& c) {
    std::vector<const history::ScopeMetrics*> list;
    if (!c.countries.empty()) {
        std::vector<std::string> unknown;
        for (const auto& code : c.countries) {
            const auto it = std::find_if(r.per_country.begin(), r.per_country.end(),
                                         [&](const auto& s) { return s.scope == code; });
            if (it == r.per_country.end()) {
                unknown.push_back(code);
            } else {
                list.push_back(&*it);
            }
        }
        if (!unknown.empty()) {
            throw sim::UsageError(fmt::format("backtest: error: no evaluated pairs for --countries "
                                              "{} (not in the panel or no trade in both years)",
                                              fmt::join(unknown, ", ")));
        }
        return list;
    }
    for (const auto& s : r.per_country) {
        list.push_back(&s);
    }
    std::stable_sort(list.begin(), list.end(),
                     [](auto* a, auto* b) { return a->observed_trade > b->observed_trade; });
    list.resize(std::min(list.size(), c.top));
    return list;
}

std::vector<std::pair<std::string, std::string>> estimates(const history::BacktestResult& r,
                                                           const BacktestCommand& c) {
    return {{"rta_beta", fmt::format("{}", r.rta.beta)},
            {"rta_std_error", fmt::format("{}", r.rta.std_error)},
            {"rta_method", r.has_rta ? r.rta.method : "no rta variable"},
            {"rta_observations", fmt::format("{}", r.rta.observations)},
            {"rta_changes", fmt::format("{}", r.rta_changes)},
            {"theta", fmt::format("{}", c.options.theta)},
            {"tariffs", r.has_tariff ? "pair variable tariff" : "none"},
            {"scenario", c.scenario.empty() ? "none" : c.scenario},
            {"world_growth", fmt::format("{}", r.world_growth)},
            {"imputed_growth", fmt::format("{}", r.imputed_growth)},
            {"domestic_flows", r.domestic_proxy ? "proxy gdp_usd - exports" : "data"},
            {"ipf_iterations", fmt::format("{}", r.ipf_iterations)},
            {"ipf_misfit", fmt::format("{}", r.ipf_misfit)}};
}

void write_run(const history::BacktestResult& r, const BacktestCommand& c,
               const models::TradePanel& panel, const std::string& started_at) {
    output::BacktestRecord rec;
    rec.name = fmt::format("backtest {}-{}", r.from, r.to);
    rec.source = c.history;
    rec.from = r.from;
    rec.to = r.to;
    rec.countries = r.countries;
    rec.country_names = panel.country_names;
    rec.flows = {r.observed0, r.observed1, r.model, r.no_change, r.uniform};
    const std::vector<double> ones(r.countries.size(), 1.0);
    rec.variables = {
        {"output", "USD", {r.output0, r.output1, r.output1, r.output0, r.output0}},
        {"expenditure",
         "USD",
         {r.expenditure0, r.expenditure1, r.expenditure1, r.expenditure0, r.expenditure0}},
        {"growth", "Y1/Y0", {ones, r.growth, r.growth, ones, ones}}};
    for (double& y : rec.variables[0].steps[4]) {
        y *= r.has_uniform ? r.world_growth : 1.0;
    }
    for (double& e : rec.variables[1].steps[4]) {
        e *= r.has_uniform ? r.world_growth : 1.0;
    }
    std::vector<const history::ScopeMetrics*> scopes{&r.overall, &r.china_bri};
    for (const auto& s : r.per_country) {
        scopes.push_back(&s);
    }
    for (const auto* s : scopes) {
        rec.scopes.push_back(s->scope);
        for (const auto* m : {&s->model, &s->no_change, &s->uniform}) {
            rec.metrics.insert(rec.metrics.end(),
                               {static_cast<double>(m->pairs), m->correlation, m->rmse_log,
                                m->twape, m->right_sign, s->observed_trade});
        }
    }
    rec.evaluated = r.evaluated;
    rec.estimates = estimates(r, c);
    rec.notes = r.notes;
    output::write_backtest(c.out, c.force, rec, version(), sim::active_threads(), started_at);
}

int run_backtest_command(BacktestCommand& c) {
    const std::string started_at = utc_now();
    if (!c.out.empty()) {
        output::check_result_path(c.out, c.force); // refuse before the work
    }
    const sim::ThreadScope scope(c.threads);
    const models::TradePanel panel = output::read_panel(c.history);
    if (!c.scenario.empty()) {
        std::size_t shared = 0;
        c.options.scenario_partial = history::scenario_partial(panel, c.scenario, shared);
        c.options.scenario_name = c.scenario;
        fmt::print(stderr,
                   "note: {} shares {} of the panel's {} countries; its tariffs apply "
                   "to pairs of those\n",
                   c.scenario, shared, panel.country_count());
    }
    const history::BacktestResult r = history::run_backtest(panel, c.options);
    const auto countries = shown(r, c); // a bad --countries fails before a file is written
    if (!c.out.empty()) {
        write_run(r, c, panel, started_at);
    }
    if (c.json) {
        nlohmann::ordered_json j;
        j["history"] = c.history;
        j["from"] = r.from;
        j["to"] = r.to;
        nlohmann::ordered_json e;
        for (const auto& [key, value] : estimates(r, c)) {
            e[key] = value;
        }
        j["estimates"] = e;
        j["rta_effect"] = std::isnan(r.rta.beta) ? nlohmann::ordered_json(nullptr)
                                                 : nlohmann::ordered_json(r.rta.beta);
        j["overall"] = scope_json(r.overall, r.has_uniform);
        j["china_bri"] = scope_json(r.china_bri, r.has_uniform);
        nlohmann::ordered_json list = nlohmann::ordered_json::array();
        for (const auto* s : countries) {
            list.push_back(scope_json(*s, r.has_uniform));
        }
        j["countries"] = list;
        j["notes"] = r.notes;
        if (!c.out.empty()) {
            j["out"] = c.out;
        }
        fmt::print("{}\n", j.dump(2));
        return 0;
    }
    fmt::print("backtest {} -> {} on {}\n", r.from, r.to, c.history);
    fmt::print("  rta effect {} ({}), {} pairs changed; theta {}; world GDP growth {}\n",
               number(r.rta.beta), r.has_rta ? r.rta.method : "no rta variable", r.rta_changes,
               c.options.theta, number(r.world_growth));
    fmt::print("  conditional GE by IPF: {} iterations, margin misfit {:.2g}\n\n", r.ipf_iterations,
               r.ipf_misfit);
    fmt::print("{}\n{}\n", scope_table(r.overall, r.has_uniform),
               scope_table(r.china_bri, r.has_uniform));
    fmt::print("per country ({}): RMSE of log flows and trade-weighted APE, model / no change / "
               "uniform\n",
               c.countries.empty() ? fmt::format("top {} by observed trade", countries.size())
                                   : "as asked");
    for (const auto* s : countries) {
        fmt::print("  {:<4} {:>6} pairs  RMSE {} / {} / {}  APE {} / {} / {}  corr {}\n", s->scope,
                   s->model.pairs, number(s->model.rmse_log), number(s->no_change.rmse_log),
                   r.has_uniform ? number(s->uniform.rmse_log) : "n/a", number(s->model.twape),
                   number(s->no_change.twape), r.has_uniform ? number(s->uniform.twape) : "n/a",
                   number(s->model.correlation));
    }
    if (!r.has_uniform) {
        fmt::print("\nuniform growth: n/a (no GDP data; the growth of total trade would peek at "
                   "{})\n",
                   r.to);
    }
    fmt::print(
        "\ncorrelation n/a: a prediction whose log changes are all equal (no change, uniform "
        "growth) has none\n");
    for (const auto& note : r.notes) {
        fmt::print("note: {}\n", note);
    }
    if (!c.out.empty()) {
        fmt::print("wrote {}\n", c.out);
    }
    return 0;
}

} // namespace

Subcommand add_backtest_command(CLI::App& app) {
    auto c = std::make_shared<BacktestCommand>();
    auto* cmd = app.add_subcommand(
        "backtest", "Predict the flows of year --to from the world of year --from and score "
                    "them against history, beside no-change and uniform-growth predictions");
    cmd->add_option("--history", c->history, "Panel file (tradesim import)")->required();
    cmd->add_option("--from", c->options.from, "Base year Y0")->required();
    cmd->add_option("--to", c->options.to, "Year predicted, Y1")->required();
    cmd->add_option("--scenario", c->scenario,
                    "Scenario whose tariffs at the end of its calendar also apply (to the "
                    "pairs of countries in its world)");
    cmd->add_option("--theta", c->options.theta, "Trade elasticity for tariffs")
        ->capture_default_str()
        ->check(CLI::PositiveNumber);
    cmd->add_option("--rta-effect", c->options.rta_effect,
                    "Log effect of a trade agreement instead of estimating it");
    cmd->add_option("--countries", c->countries, "Countries to show (ISO alpha-3)")->delimiter(',');
    cmd->add_option("--top", c->top, "Countries shown by observed trade")->capture_default_str();
    cmd->add_flag("--json", c->json, "Print JSON instead of tables");
    cmd->add_option("--out,-o", c->out, "Run file to write (HDF5): flows, metrics, estimates");
    cmd->add_flag("--force,-f", c->force, "Overwrite --out");
    cmd->add_option("--threads,-t", c->threads, "Worker threads (0 or 1 = serial)")
        ->check(CLI::Range(0, 1024));
    return {cmd, [c] { return run_backtest_command(*c); }};
}

} // namespace tradesim::tools
