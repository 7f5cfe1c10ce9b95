// General-equilibrium effects by the procedure of Yotov, Piermartini, Monteiro & Larch (2016)
// "An Advanced Guide to Trade Policy Analysis", ch. 2, application 1 "Trade without borders".
// Reference numbers: the book's Stata code and output (github pachadotdev/tradepolicy,
// 00-application-files/Chapter2/Applications/1_TradeWithoutBorder: TradeWithoutBorder.do,
// Results/TradeWithoutBorder.log and Results/1_TradeWithoutBorder_FULL.xls), staged in
// ../shared/data/reference_results (REFERENCE_RESULTS.md, section B).

#include "shared_data.hpp"
#include "tradesim/history/csv.hpp"
#include "tradesim/models/gravity/ge_yotov.hpp"
#include "tradesim/models/gravity/where.hpp"
#include "tradesim/sim/error.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>

using namespace tradesim;
namespace gr = tradesim::models::gravity;
using namespace tradesim::validation;
using Catch::Matchers::Contains;

namespace {

double percent(double ratio) {
    return (ratio - 1.0) * 100.0;
}

const std::string agtpa = "trade/yotov2016_agtpa_69c_1986_2006.csv.gz";
const std::string stata_full =
    "reference_results/yotov2016_stata_ch2_app1_trade_without_borders_FULL.csv";

// TradeWithoutBorder.do: 2006, ln_DIST CNTG INTL_BRDR, INTL_BRDR_CFL = 0, DEU ("ZZZ") as
// reference, sigma = 7.
gr::YotovProblem trade_without_borders(const sim::DataFrame& data) {
    gr::YotovSpec spec;
    spec.formula = gr::parse_formula("trade ~ log(DIST) + CNTG + INTL_BRDR");
    spec.set = {"INTL_BRDR=0"};
    spec.reference = "DEU";
    spec.sigma = 7.0;
    spec.keep = gr::evaluate_where("year == 2006", data);
    return gr::yotov_problem(data, spec);
}

// Largest |ours - Stata| over countries, in percentage points, and where.
struct Gap {
    double points = 0;
    std::string country;
};

Gap gap(const gr::YotovResult& r, const sim::DataFrame& stata, const std::string& column,
        const std::vector<double>& ratio) {
    const auto names = stata.find("country")->texts();
    const auto& values = stata.find(column)->numbers;
    REQUIRE(names.size() == r.countries.size());
    Gap g;
    for (std::size_t i = 0; i < names.size(); ++i) {
        const auto at = std::find(r.countries.begin(), r.countries.end(), names[i]);
        REQUIRE(at != r.countries.end());
        const double d = std::abs(
            percent(ratio[static_cast<std::size_t>(at - r.countries.begin())]) - values[i]);
        if (d > g.points) {
            g = {d, names[i]};
        }
    }
    return g;
}

double of(const gr::YotovResult& r, const std::vector<double>& ratio, const std::string& c) {
    const auto at = std::find(r.countries.begin(), r.countries.end(), c);
    REQUIRE(at != r.countries.end());
    return percent(ratio[static_cast<std::size_t>(at - r.countries.begin())]);
}

// Largest relative gap between output p_i Y_i and sales sum_j X_ij in the full endowment.
double sales_gap(const gr::YotovProblem& p, const gr::YotovResult& r) {
    std::vector<double> sales(p.countries.size(), 0.0);
    for (std::size_t k = 0; k < p.flows.size(); ++k) {
        sales[static_cast<std::size_t>(p.exporter[k])] += r.flows_full[k];
    }
    double worst = 0.0;
    for (std::size_t c = 0; c < sales.size(); ++c) {
        worst = std::max(worst, std::abs(sales[c] / (r.factory_price[c] * r.output[c]) - 1.0));
    }
    return worst;
}

// Five countries, two years, domestic pairs included; flows follow a gravity equation with
// a border effect and a small deterministic disturbance.
sim::DataFrame small_world() {
    const std::vector<std::string> names{"AAA", "BBB", "CCC", "DDD", "EEE"};
    const double size[] = {5.0, 1.0, 3.0, 0.5, 2.0};
    sim::DataColumn ex, im, year, trade, dist;
    ex.name = "exporter";
    im.name = "importer";
    ex.kind = im.kind = sim::DataColumn::Kind::categorical;
    ex.levels = im.levels = names;
    year.name = "year";
    trade.name = "trade";
    dist.name = "dist";
    for (int y : {2005, 2006}) {
        for (int i = 0; i < 5; ++i) {
            for (int j = 0; j < 5; ++j) {
                const double d =
                    i == j ? 80.0 : 300.0 + 400.0 * std::abs(i - j) + 90.0 * (i * j % 3);
                const double border = i == j ? 0.0 : -1.8;
                ex.codes.push_back(i);
                im.codes.push_back(j);
                year.numbers.push_back(y);
                dist.numbers.push_back(d);
                trade.numbers.push_back(
                    1000.0 * size[i] * size[j] *
                    std::exp(-0.8 * std::log(d) + border + 0.2 * std::sin(3.0 * i + 7.0 * j + y)));
            }
        }
    }
    sim::DataFrame data;
    data.source = "world.csv";
    for (auto* c : {&ex, &im, &year, &trade, &dist}) {
        data.add(std::move(*c));
    }
    return data;
}

gr::YotovSpec small_spec(const sim::DataFrame& data) {
    gr::YotovSpec spec;
    spec.formula = gr::parse_formula("trade ~ log(dist) + INTL_BRDR");
    spec.set = {"INTL_BRDR=0"};
    spec.reference = "AAA";
    spec.keep = gr::evaluate_where("year == 2006", data);
    return spec;
}

} // namespace

TEST_CASE("GE Yotov: trade without borders, the book's stopping rule, matches the Stata output",
          "[validation][gravity]") {
    const auto path = data_file(agtpa);
    const auto ref_path = data_file(stata_full);
    if (!have(path) || !have(ref_path)) {
        return;
    }
    const auto data = history::read_csv(path);
    const auto stata = history::read_csv(ref_path);
    const auto problem = trade_without_borders(data);
    REQUIRE(problem.countries.size() == 69);
    REQUIRE(problem.flows.size() == 4761);
    gr::YotovOptions options;
    options.stop = gr::YotovStop::book;
    const auto r = gr::solve_yotov(problem, options);

    // TradeWithoutBorder.log, baseline ppml: ln_DIST -.7912879, CNTG .6736456,
    // INTL_BRDR -2.47445 (seven significant digits), 4761 observations.
    REQUIRE(r.names.size() == 3);
    CHECK(printed(r.coefficients[0], 7) == -0.7912879);
    CHECK(printed(r.coefficients[1], 7) == 0.6736456);
    CHECK(printed(r.coefficients[2], 6) == -2.474450);
    // Not compared: the standard errors. The log's "semirobust" ln_DIST error 0.0501494 is
    // the sandwich times n/(n-1); fit_ppml scales by n/(n-K), K = 140, and gives 0.0508981.
    CHECK(r.observations == 4761);
    // The log prints "iteration number" 1 to 5.
    CHECK(r.iterations == 5);

    // 1_TradeWithoutBorder_FULL.xls, every country, within 0.01 percentage points.
    const std::vector<std::pair<std::string, const std::vector<double>*>> columns{
        {"change_Xi_CDL", &r.exports_cdl},
        {"change_Xi_FULL", &r.exports_full},
        {"change_price_FULL", &r.factory_price},
        {"change_IMR_FULL", &r.imr_full},
        {"change_rGDP_FULL", &r.real_gdp}};
    for (const auto& [column, ratio] : columns) {
        const Gap g = gap(r, stata, column, *ratio);
        INFO(column << ": largest gap " << g.points << " points, " << g.country);
        CHECK(g.points <= 0.01);
    }
    // REFERENCE_RESULTS.md, section B.
    CHECK(printed(of(r, r.exports_cdl, "CHN"), 2) == 175.50);
    CHECK(printed(of(r, r.exports_full, "CHN"), 2) == 238.41);
    CHECK(printed(of(r, r.factory_price, "CHN"), 2) == 23.32);
    CHECK(printed(of(r, r.imr_full, "CHN"), 2) == 7.84);
    CHECK(printed(of(r, r.real_gdp, "CHN"), 2) == 14.35);
    CHECK(printed(of(r, r.real_gdp, "USA"), 2) == 10.65);
    CHECK(printed(of(r, r.real_gdp, "DEU"), 2) == 24.31);
    CHECK(of(r, r.imr_full, "DEU") == 0.0);
}

TEST_CASE("GE Yotov: trade without borders, converged, clears goods markets",
          "[validation][gravity]") {
    const auto path = data_file(agtpa);
    const auto ref_path = data_file(stata_full);
    if (!have(path) || !have(ref_path)) {
        return;
    }
    const auto data = history::read_csv(path);
    const auto stata = history::read_csv(ref_path);
    const auto problem = trade_without_borders(data);
    const auto r = gr::solve_yotov(problem);
    CHECK(r.last_change <= 1e-12);
    CHECK(r.iterations > 5);
    // At the fixed point output equals sales; where the book stops it does not (0.6 %).
    CHECK(sales_gap(problem, r) < 1e-9);
    gr::YotovOptions book;
    book.stop = gr::YotovStop::book;
    CHECK(sales_gap(problem, gr::solve_yotov(problem, book)) > 1e-3);

    // The conditional effects do not depend on the loop. The full-endowment ones move on
    // after the book stops; the largest gaps measured are 0.226 points (factory price,
    // MEX), 0.107 (IMR, USA), 0.082 (real GDP, MEX) and 9.26 on exports of +1540 % (HKG).
    CHECK(gap(r, stata, "change_Xi_CDL", r.exports_cdl).points <= 0.01);
    CHECK(gap(r, stata, "change_price_FULL", r.factory_price).points < 0.25);
    CHECK(gap(r, stata, "change_IMR_FULL", r.imr_full).points < 0.12);
    CHECK(gap(r, stata, "change_rGDP_FULL", r.real_gdp).points < 0.1);
    CHECK(gap(r, stata, "change_Xi_FULL", r.exports_full).points < 10.0);
    CHECK(of(r, r.imr_full, "DEU") == 0.0);
}

TEST_CASE("GE Yotov: re-estimating the effects on flows t_ij u_i v_j gives them back",
          "[gravity]") {
    // The full-endowment loop skips the book's PPML re-estimations because its flows have
    // this form: PPML with the offset ln t_ij and both fixed effects must fit them exactly.
    gr::PpmlProblem p;
    p.fe.resize(2);
    for (int i = 0; i < 6; ++i) {
        for (int j = 0; j < 6; ++j) {
            const double log_t = -0.8 * std::log(100.0 + 50.0 * std::abs(i - j)) - (i != j);
            p.offset.push_back(log_t);
            p.y.push_back(std::exp(log_t + 0.3 * i - 0.2 * j + 0.1 * i * i));
            p.fe[0].push_back(i);
            p.fe[1].push_back(j);
        }
    }
    p.fe_names = {"exporter", "importer"};
    gr::PpmlOptions o;
    o.tolerance = 1e-12;
    o.demean_tolerance = 1e-13;
    const auto fit = gr::fit_ppml(p, o);
    for (std::size_t k = 0; k < p.y.size(); ++k) {
        CHECK(fit.fitted[k] == Approx(p.y[k]).epsilon(1e-9));
    }
}

TEST_CASE("GE Yotov: a counterfactual equal to the baseline changes nothing", "[gravity]") {
    const auto data = small_world();
    auto spec = small_spec(data);
    spec.set = {"INTL_BRDR=INTL_BRDR_COPY"};
    // The border dummy comes from exporter != importer; a copy as column sets it unchanged.
    sim::DataFrame copy = data;
    sim::DataColumn border;
    border.name = "INTL_BRDR_COPY";
    const auto* ex = data.find("exporter");
    const auto* im = data.find("importer");
    for (std::size_t i = 0; i < data.rows(); ++i) {
        border.numbers.push_back(ex->codes[i] != im->codes[i] ? 1.0 : 0.0);
    }
    copy.add(std::move(border));
    const auto p = gr::yotov_problem(copy, spec);
    REQUIRE(p.countries.size() == 5);
    const auto r = gr::solve_yotov(p);
    for (std::size_t c = 0; c < 5; ++c) {
        INFO(r.countries[c]);
        CHECK(r.exports_cdl[c] == Approx(1.0).epsilon(1e-9));
        CHECK(r.exports_full[c] == Approx(1.0).epsilon(1e-9));
        CHECK(r.factory_price[c] == Approx(1.0).epsilon(1e-9));
        CHECK(r.imr_full[c] == Approx(1.0).epsilon(1e-9));
        CHECK(r.omr_full[c] == Approx(1.0).epsilon(1e-9));
        CHECK(r.real_gdp[c] == Approx(1.0).epsilon(1e-9));
    }
}

TEST_CASE("GE Yotov: removing borders in a small world raises trade and clears markets",
          "[gravity]") {
    const auto data = small_world();
    const auto p = gr::yotov_problem(data, small_spec(data));
    REQUIRE(p.flows.size() == 25);
    const auto r = gr::solve_yotov(p);
    CHECK(r.coefficients[1] < -1.0); // the border effect of the generated flows, -1.8
    CHECK(sales_gap(p, r) < 1e-9);
    CHECK(r.imr_full[0] == 1.0); // the reference
    for (std::size_t c = 0; c < 5; ++c) {
        INFO(r.countries[c]);
        CHECK(r.exports_cdl[c] > 1.0);
        CHECK(r.exports_full[c] > 1.0);
        CHECK(r.real_gdp[c] > 1.0);
    }
}

TEST_CASE("GE Yotov: bad input lists every problem", "[gravity][error]") {
    const auto data = small_world();
    SECTION("two years without a filter, an unknown reference and a bad --set") {
        auto spec = small_spec(data);
        spec.keep.clear();
        spec.reference = "AAB";
        spec.set = {"INTL_BRDR=0", "dis=1"};
        try {
            (void)gr::yotov_problem(data, spec);
            FAIL("no error");
        } catch (const sim::InputError& e) {
            const std::string what = e.what();
            CHECK_THAT(what, Contains("--set \"dis=1\": no regressor reads column \"dis\" (did "
                                      "you mean \"dist\"?)"));
            // No further checks once the options are wrong.
            CHECK_THAT(what, !Contains("repeat an earlier pair"));
        }
        spec.set = {"INTL_BRDR=0"};
        try {
            (void)gr::yotov_problem(data, spec);
            FAIL("no error");
        } catch (const sim::InputError& e) {
            const std::string what = e.what();
            CHECK_THAT(what, Contains("world.csv:27: error: 25 rows repeat an earlier pair, the "
                                      "first AAA -> AAA of line 2; the method needs one "
                                      "cross-section (filter one year, e.g. --where \"year == "
                                      "2006\")"));
            CHECK_THAT(what, Contains("unknown reference country \"AAB\" (did you mean \"AAA\"?)"));
        }
    }
    SECTION("the border dummy without domestic flows") {
        auto spec = small_spec(data);
        spec.keep = gr::evaluate_where("year == 2006 && exporter != importer", data);
        const auto p = gr::yotov_problem(data, spec);
        REQUIRE_THROWS_WITH(gr::solve_yotov(p),
                            Contains("trade cost INTL_BRDR is collinear with the exporter and "
                                     "importer fixed effects"));
    }
    SECTION("sigma at most 1, then a negative flow") {
        auto p = gr::yotov_problem(data, small_spec(data));
        p.sigma = 1.0;
        p.flows[3] = -2.0;
        try {
            (void)gr::solve_yotov(p);
            FAIL("no error");
        } catch (const sim::InputError& e) {
            CHECK_THAT(e.what(), Contains("sigma must be finite and > 1, not 1"));
        }
        p.sigma = 7.0;
        REQUIRE_THROWS_WITH(gr::solve_yotov(p),
                            Contains("yotov: row 4: error: flow AAA -> DDD is -2"));
    }
}
