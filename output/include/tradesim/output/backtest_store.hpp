#pragma once
/// The result file of a backtest (`tradesim backtest --out`): a run file (format
/// "tradesim-run", see run_store.hpp) whose steps are the flows compared, so that `tradesim
/// inspect` and `tradesim export` read it unchanged:
///   step 0 "Y0 observed", 1 "Y1 observed", 2 "Y1 model", 3 "Y1 no change",
///   4 "Y1 uniform growth" (e.g. "2014 model"); one sector "all", flows in USD with domestic
///   flows (proxies where the data has none), and per step the country table of the
///   variables given (output, expenditure, growth).
///
/// Beyond a run file's layout:
///   /   attributes: kind = "backtest", from, to, and one string attribute per entry of
///       BacktestRecord::estimates (rta_beta, rta_method, theta, ...)
///   /backtest/metric_names    string[M]: pairs, correlation, rmse_log, twape, right_sign,
///                             observed_trade
///   /backtest/predictions     string[3]: model, no_change, uniform
///   /backtest/scopes          string[S]: "all", "CHN-BRI", then the countries
///   /backtest/metrics         float64[S][3][M], NaN where a metric is undefined
///   /backtest/evaluated       uint8[N][N], 1 for the pairs the metrics cover
///   /backtest/notes           string[...], absent when there are none
///   /metadata/scenario_text   the estimates, one `key = value` a line
/// The seed is 0, calendar_start is "", step_length is "backtest".

#include <string>
#include <utility>
#include <vector>

namespace tradesim::output {

struct BacktestRecord {
    std::string name;   ///< scenario_name attribute (e.g. "backtest 2000-2014")
    std::string source; ///< scenario_path attribute (the panel file)
    int from = 0, to = 0;
    std::vector<std::string> countries; ///< n codes
    std::vector<std::string> country_names;
    /// The five steps' flows, in the order above, n * n each.
    std::vector<std::vector<double>> flows;
    struct Variable {
        std::string name, unit;
        std::vector<std::vector<double>> steps; ///< one vector of n values per step
    };
    std::vector<Variable> variables;
    std::vector<std::string> scopes;
    std::vector<double> metrics; ///< [scope][prediction][metric], scopes x 3 x 6
    std::vector<unsigned char> evaluated;
    std::vector<std::pair<std::string, std::string>> estimates;
    std::vector<std::string> notes;
};

/// The metric names, in the order of BacktestRecord::metrics' last dimension.
[[nodiscard]] const std::vector<std::string>& backtest_metric_names();

/// Writes `record` to `path` (creating missing parent folders). Throws IoError when the file
/// exists and `force` is false or it cannot be written; std::invalid_argument when sizes do
/// not agree.
void write_backtest(const std::string& path, bool force, const BacktestRecord& record,
                    const std::string& program_version, int threads, const std::string& started_at);

} // namespace tradesim::output
