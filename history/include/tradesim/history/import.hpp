#pragma once
/// Importing public trade datasets, as published, into a historical panel (models::TradePanel).
///
/// Files are read as a stream (plain or gzip, told by the magic bytes) in blocks that are
/// parsed in parallel; rows are aggregated to (year, exporter, importer, sector) as they come,
/// so memory follows the panel's size, not the number of rows. Country codes (ISO numeric,
/// ISO alpha-3, Comtrade's and CEPII's own numeric codes, old codes such as ROM or ZAR) are
/// harmonised to ISO alpha-3; aggregates (World, areas n.e.s.) and re-exports are dropped and
/// counted. Product codes (HS, 2 to 6 digits) are aggregated to sectors by a concordance.
///
/// Memory. Besides the panel's cells, an import holds at most 2 * threads + 2 blocks in flight
/// (each block_bytes of text plus 32 bytes per row: ~200 MiB at 2 threads with 16 MiB blocks),
/// and, for the file being read, the exact duplicate-key check: a bitmap per (year, exporter
/// code as written, importer code as written) over the product codes seen in the file, i.e.
/// at most pairs * (48 + products / 8) bytes + products * 16 bytes (BACI, ~40,000 pairs and
/// ~5,400 HS6 codes a year: ~30 MB a year), whatever the number of rows.

#include "tradesim/models/panel.hpp"

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

namespace tradesim::history {

enum class Format {
    baci,          ///< CEPII BACI: t,i,j,k,v,q (v in thousand USD), CEPII numeric country codes
    comtrade,      ///< UN Comtrade bulk CSV (legacy bulk columns or the current API's)
    cepii_gravity, ///< CEPII Gravity: year, iso3_o, iso3_d, trade flows, GDP, distances, FTA
    pwt,           ///< Penn World Table: countrycode/isocode, year, GDP and price columns
    table,         ///< any CSV with named exporter, importer, year and value columns
};

/// Parses "baci", "comtrade", "cepii-gravity", "pwt" or "table"; throws sim::UsageError
/// listing the formats otherwise.
[[nodiscard]] Format parse_format(const std::string& name);
[[nodiscard]] std::string format_name(Format format);

struct ImportOptions {
    Format format = Format::table;
    std::vector<std::string> files;
    /// CSV mapping product codes to sectors (columns `hs,sector[,name]`; hs is a prefix of
    /// 2, 4 or 6 digits, the longest match wins). Empty: the default world's ten sectors by HS
    /// chapter (scenarios/world/sectors.csv).
    std::string sectors_file;
    /// CSV mapping country codes as they appear in the data to ISO alpha-3 codes
    /// (columns `code,iso3`; an empty iso3 drops the code), or CEPII's country-code file
    /// for BACI (country_code, country_iso3, ...). Applied before the built-in table.
    std::string countries_file;
    /// Every row that would be dropped is an error with its file and line instead.
    bool strict = false;
    /// Parsing threads; 0 = all cores.
    int threads = 0;
    /// table format: the columns to read (names in the header).
    std::string exporter_column = "exporter";
    std::string importer_column = "importer";
    std::string year_column = "year";
    std::string value_column = "value";
    std::string product_column; ///< empty: no products, one sector "TOT"
    /// table and cepii-gravity: more columns kept as pair variables (e.g. "rta", "dist").
    std::vector<std::string> pair_columns;
    /// table: more columns kept as variables of the exporter per year (e.g. "Y", "gdp_o").
    std::vector<std::string> country_columns;
    /// Multiplies the value column into USD (table: 1; e.g. 1e6 for millions). 0 = the
    /// format's own unit (BACI and CEPII Gravity: thousand USD; Comtrade: USD).
    double value_scale = 0;
    /// Called now and then from the reading thread with bytes read and total bytes on disk.
    std::function<void(std::size_t done, std::size_t total)> progress;
    /// Size of the blocks read and parsed in parallel (after decompression). Results do not
    /// depend on the thread count; they may differ in the last bits between block sizes only
    /// through the order of additions. 0 = 16 MiB.
    std::size_t block_bytes = 0;
};

/// Why rows were dropped, how many, and the first few of them ("file:line: text").
struct DropCount {
    std::string reason;
    std::size_t rows = 0;
    std::vector<std::string> examples;
};

struct ImportReport {
    std::vector<std::string> files;
    std::size_t bytes = 0;      ///< on disk
    std::size_t bytes_read = 0; ///< after decompression
    std::size_t rows = 0;       ///< data rows read (header excluded)
    std::size_t rows_kept = 0;
    std::size_t products = 0;          ///< distinct product codes seen (0 without products)
    std::vector<int> years;            ///< years kept
    std::vector<double> value_by_year; ///< USD kept per year
    std::size_t countries = 0;
    std::vector<DropCount> dropped; ///< reasons in a fixed order, only those with rows
    /// Facts about what was kept that are not drops (e.g. how many Comtrade cells the mirror
    /// rule took from the importer's report rather than the exporter's).
    std::vector<std::string> notes;
    double seconds = 0;
};

struct ImportResult {
    models::TradePanel panel;
    ImportReport report;
};

/// Imports the files. Throws sim::IoError when a file cannot be read (a truncated or corrupt
/// gzip stream included, with the file name), sim::InputError listing the problems of bad
/// content (wrong header: the columns expected and those found; under `strict`, every
/// dropped row as file:line: reason), sim::UsageError for contradictory options.
[[nodiscard]] ImportResult import_files(const ImportOptions& options);

/// The report as text: rows, years, countries, products, value per year, drops by reason
/// with examples.
[[nodiscard]] std::string format_report(const ImportReport& report);

} // namespace tradesim::history
