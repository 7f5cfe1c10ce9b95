#pragma once
/// The panel file: a historical trade panel (models::TradePanel) in HDF5, as `tradesim import`
/// writes it and `calibrate`, `backtest`, `inspect` and `export` read it. Same conventions as
/// run files (run_store.hpp): root attributes say what the file is, per-year datasets are
/// chunked one year per chunk, string lists are variable-length UTF-8.
///
/// Layout (format "tradesim-panel", version 1; Y years, N countries, K sectors):
///   /                 attributes: format, format_version, program_version, created_at
///   /years                        int32[Y], ascending
///   /metadata/countries           ISO alpha-3 codes, ascending (string[N])
///   /metadata/country_names       their names, "" when unknown (string[N])
///   /metadata/sectors             sector codes (string[K])
///   /metadata/sector_names        their names (string[K])
///   /metadata/country_variables   names of the datasets under /country_variables, in the
///                                 panel's order (string[V])
///   /metadata/pair_variables      names of the datasets under /pair_variables (string[P])
///   /metadata/provenance          one text per import that built the panel (string[I])
///   /flows                        float64[Y][N][N][K] exporter, importer, sector, USD;
///                                 shuffle + deflate
///   /reported                     uint8[Y][N][N] 1 when the data had the pair that year
///   /country_variables/NAME       float64[Y][N], NaN = not observed; attributes unit, source
///   /pair_variables/NAME          float64[Y][N][N] exporter, importer; attributes unit, source

#include "tradesim/models/panel.hpp"

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

namespace tradesim::output {

/// The `format` attribute of a panel file.
inline constexpr const char* panel_format_name = "tradesim-panel";

/// Writes `panel` to `path` through a temporary file in the same folder that is renamed over
/// `path` only once complete, so a failure leaves an earlier file as it was. Creates missing
/// parent folders. Throws IoError when `path` exists and `force` is false or the file cannot
/// be written, InputError when the panel is inconsistent (TradePanel::check), has no country
/// or no sector, or a variable name is empty, holds '/' or appears twice.
void write_panel(const std::string& path, const models::TradePanel& panel, bool force,
                 const std::string& program_version);

/// Reads a panel file. Throws IoError when the file is missing, not HDF5, not a panel file
/// (a run file included, said so) or its datasets do not agree with each other.
[[nodiscard]] models::TradePanel read_panel(const std::string& path);

/// True when `path` is an HDF5 file whose format attribute says "tradesim-panel"; false for
/// anything else (missing, not HDF5, a run file). Never throws.
[[nodiscard]] bool is_panel_file(const std::string& path) noexcept;

/// What `inspect` shows of a panel file beyond the panel itself.
struct PanelFileInfo {
    std::string format_version;
    std::string program_version;
    std::string created_at;
    struct Dataset {
        std::string path;
        std::vector<std::uint64_t> shape;
        std::uint64_t stored_bytes = 0;
    };
    std::vector<Dataset> datasets;
};
/// Throws as read_panel.
[[nodiscard]] PanelFileInfo read_panel_info(const std::string& path);

/// Names of the tables `export` writes from a panel: flows, countries, country_variables,
/// pair_variables, totals.
[[nodiscard]] std::vector<std::string> panel_table_names();

/// Writes `table` of `panel` as CSV (header row first):
///   flows              year,exporter,importer,sector,value_usd: reported pairs only, sectors
///                      of 0 left out unless the whole pair is 0 (a reported zero)
///   countries          code,name
///   country_variables  year,country,<each variable>: rows with at least one observed value,
///                      an unobserved one empty
///   pair_variables     year,exporter,importer,<each variable>: likewise
///   totals             year,value_usd,domestic_usd,reported_pairs: all flows of the year,
///                      the domestic ones among them, the pairs the data had
/// Throws UsageError for an unknown table (listing the known ones).
void write_panel_csv(const models::TradePanel& panel, const std::string& table, std::ostream& out);

} // namespace tradesim::output
