#include "tradesim/history/backtest.hpp"

#include "tradesim/models/counterfactual.hpp"
#include "tradesim/models/scenario.hpp"

#include <cmath>

namespace tradesim::history {

std::vector<double> scenario_partial(const models::TradePanel& panel,
                                     const std::string& scenario_path, std::size_t& shared) {
    const models::Scenario scenario = models::load_scenario(scenario_path);
    // The tariffs in force at the last step against none at the start: a scenario's tariffs
    // are changes from its world's baseline, as `tradesim counterfactual` takes them.
    const auto problem = models::tariff_counterfactual(scenario, scenario.calendar.steps() - 1);
    const std::size_t wn = problem.countries.size();
    const std::size_t wk = problem.sectors.size();
    const std::size_t n = panel.country_count();
    std::vector<int> in_world(n, -1);
    shared = 0;
    for (std::size_t c = 0; c < n; ++c) {
        for (std::size_t w = 0; w < wn; ++w) {
            if (problem.countries[w] == panel.countries[c]) {
                in_world[c] = static_cast<int>(w);
                ++shared;
            }
        }
    }
    std::vector<double> partial(n * n, 0.0);
    if (problem.new_tariffs.empty()) {
        return partial;
    }
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t j = 0; j < n; ++j) {
            if (i == j || in_world[i] < 0 || in_world[j] < 0) {
                continue;
            }
            const auto wi = static_cast<std::size_t>(in_world[i]);
            const auto wj = static_cast<std::size_t>(in_world[j]);
            // The panel has flows summed over sectors: the pair's sector effects are averaged
            // with the world's baseline sector shares of that pair as weights, i.e. the
            // change of the pair's total at unchanged prices and sourcing within sectors.
            double weight = 0, effect = 0;
            for (std::size_t k = 0; k < wk; ++k) {
                const std::size_t at = (wi * wn + wj) * wk + k;
                const double x = problem.flows[at];
                weight += x;
                effect += x * std::pow(1.0 + problem.new_tariffs[at], -problem.theta[k]);
            }
            if (weight > 0.0 && effect > 0.0) {
                partial[i * n + j] = std::log(effect / weight);
            }
        }
    }
    return partial;
}

} // namespace tradesim::history
