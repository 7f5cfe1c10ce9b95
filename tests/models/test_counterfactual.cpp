// The scenario route of `tradesim counterfactual`: the general-equilibrium solution of a
// scenario's tariffs is where the monthly run settles once sourcing has adjusted.

#include "tradesim/models/counterfactual.hpp"
#include "tradesim/models/simulation.hpp"

#include <catch2/catch.hpp>
#include <cmath>

namespace gr = tradesim::models::gravity;
using namespace tradesim;

namespace {

struct LastStep : models::RunObserver {
    std::vector<double> flows;
    std::vector<double> welfare;
    void on_step(const models::StepView& view) override {
        flows = view.flows;
        const auto& t = view.countries;
        welfare.clear();
        const std::size_t c = t.find("welfare_change").value();
        for (std::size_t i = 0; i < t.rows(); ++i) {
            welfare.push_back(t.column(c)[i]);
        }
    }
};

} // namespace

TEST_CASE("Counterfactual: the monthly run settles on the general equilibrium of its tariffs",
          "[counterfactual]") {
    const auto scenario = models::load_scenario(std::string(TRADESIM_SOURCE_DIR) +
                                                "/tests/scenarios/steady_tariff.toml");
    LastStep last;
    models::run_scenario(scenario, last);
    const int final_step = scenario.calendar.steps() - 1;
    const auto problem = models::tariff_counterfactual(scenario, final_step);
    REQUIRE(!problem.new_tariffs.empty());
    gr::GeSectorsOptions o;
    o.decomposition_steps = 0;
    const auto ge = gr::solve_ge_sectors(problem, o);

    double world = 0.0;
    for (double v : problem.flows) {
        world += v;
    }
    double worst = 0.0;
    for (std::size_t f = 0; f < ge.flows.size(); ++f) {
        worst = std::max(worst, std::abs(ge.flows[f] - last.flows[f]));
    }
    CHECK(worst / world < 1e-9);
    REQUIRE(last.welfare.size() == ge.welfare.size());
    for (std::size_t j = 0; j < ge.welfare.size(); ++j) {
        // The run reports the welfare change in percent.
        CHECK(last.welfare[j] == Approx(100.0 * (ge.welfare[j] - 1.0)).margin(1e-7));
    }
    // The tariffs did something: US-China flows moved.
    const auto& dims = scenario.world->dims;
    const auto usa = static_cast<std::size_t>(scenario.world->country_index("USA"));
    const auto chn = static_cast<std::size_t>(scenario.world->country_index("CHN"));
    double before = 0.0, after = 0.0;
    for (std::size_t k = 0; k < dims.sectors; ++k) {
        before += problem.flows[dims.flow(chn, usa, k)];
        after += ge.flows[dims.flow(chn, usa, k)];
    }
    CHECK(after < 0.9 * before);
}
