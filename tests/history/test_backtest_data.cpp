// Backtests on the real panels of ../shared/data (skipped when it is absent). The metrics are
// printed (run the test binary with -s to read them); the model must beat the no-change
// prediction where it honestly does.
#include "tradesim/history/backtest.hpp"
#include "tradesim/history/import.hpp"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fmt/format.h>
#include <iostream>
#include <string>

using namespace tradesim;

namespace {

const std::string shared_data = TRADESIM_SHARED_DATA_DIR;

bool have(const std::string& relative) {
    if (std::filesystem::exists(shared_data + "/" + relative)) {
        return true;
    }
    WARN("skipped: " << shared_data << "/" << relative << " is absent");
    return false;
}

models::TradePanel with_pwt(const models::TradePanel& trade) {
    history::ImportOptions o;
    o.format = history::Format::pwt;
    o.files = {shared_data + "/macro/pwt1001_183c_1950_2019.csv.gz"};
    return models::merge_panels(trade, history::import_files(o).panel);
}

std::string line(const char* name, double model, double no_change, double uniform) {
    return fmt::format("  {:<22} model {:>8.4f}   no change {:>8.4f}   uniform {:>8.4f}\n", name,
                       model, no_change, uniform);
}

void print(const std::string& title, const history::BacktestResult& r) {
    std::string text = fmt::format("{} (rta beta {:.4f}, {}; {} rta changes; {} countries "
                                   "imputed growth; world growth {:.4f}; IPF {} it, misfit "
                                   "{:.2g})\n",
                                   title, r.rta.beta, r.rta.method, r.rta_changes, r.imputed_growth,
                                   r.world_growth, r.ipf_iterations, r.ipf_misfit);
    for (const auto* s : {&r.overall, &r.china_bri}) {
        text += fmt::format(" {} ({} pairs)\n", s->scope, s->model.pairs);
        text += line("corr log changes", s->model.correlation, s->no_change.correlation,
                     s->uniform.correlation);
        text +=
            line("RMSE log flows", s->model.rmse_log, s->no_change.rmse_log, s->uniform.rmse_log);
        text += line("trade-weighted APE", s->model.twape, s->no_change.twape, s->uniform.twape);
        text +=
            line("right sign", s->model.right_sign, s->no_change.right_sign, s->uniform.right_sign);
    }
    for (const auto& note : r.notes) {
        text += "  note: " + note + "\n";
    }
    std::cout << text << std::flush;
}

} // namespace

TEST_CASE("Backtest on data: WIOD 2000 -> 2014 with PWT output growth",
          "[history][backtest][validation]") {
    if (!have("trade/wiod_ge_gravity_44c_2000_2014.csv") ||
        !have("macro/pwt1001_183c_1950_2019.csv.gz")) {
        return;
    }
    history::ImportOptions o;
    o.format = history::Format::table;
    o.files = {shared_data + "/trade/wiod_ge_gravity_44c_2000_2014.csv"};
    o.value_column = "trade";
    o.value_scale = 1e6; // millions of USD
    o.pair_columns = {"rta=FTA"};
    const auto panel = with_pwt(history::import_files(o).panel);
    history::BacktestOptions b;
    b.from = 2000;
    b.to = 2014;
    const auto r = run_backtest(panel, b);
    print("WIOD 2000 -> 2014", r);
    REQUIRE(r.overall.model.pairs > 1800); // 44 x 43 pairs, nearly all with trade
    REQUIRE_FALSE(r.domestic_proxy);
    REQUIRE(r.imputed_growth >= 1); // ROW has no PWT row
    REQUIRE(r.has_uniform);
    REQUIRE(r.rta.beta == 0.557); // one year up to 2000: the literature value
    REQUIRE(r.overall.model.rmse_log < r.overall.no_change.rmse_log);
    REQUIRE(r.overall.model.twape < r.overall.no_change.twape);
}

TEST_CASE("Backtest on data: Comtrade 2004 -> 2016 with agreements and PWT output growth",
          "[history][backtest][validation]") {
    if (!have("trade/penppml_comtrade_1964_2016_every4y.csv.gz") ||
        !have("macro/pwt1001_183c_1950_2019.csv.gz")) {
        return;
    }
    history::ImportOptions o;
    o.format = history::Format::table;
    o.files = {shared_data + "/trade/penppml_comtrade_1964_2016_every4y.csv.gz"};
    o.exporter_column = "exp";
    o.importer_column = "imp";
    o.year_column = "time";
    o.value_column = "export";
    o.pair_columns = {"rta=id"}; // agreement id, 0 = none
    const auto panel = with_pwt(history::import_files(o).panel);
    history::BacktestOptions b;
    b.from = 2004;
    b.to = 2016;
    const auto r = run_backtest(panel, b);
    print("Comtrade 2004 -> 2016", r);
    REQUIRE(r.domestic_proxy);
    REQUIRE(r.overall.model.pairs > 10000);
    REQUIRE(r.china_bri.model.pairs > 100);
    REQUIRE_THAT(r.rta.method, Catch::Matchers::Contains("three-way PPML"));
    REQUIRE(r.rta.beta > 0.0);
    REQUIRE(r.overall.model.rmse_log < r.overall.no_change.rmse_log);
    REQUIRE(r.overall.model.twape < r.overall.no_change.twape);
}
