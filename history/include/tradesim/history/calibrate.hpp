#pragma once
/// Calibrating a world from one year of a historical panel: the observed flows become the
/// world's baseline (flows.csv, read by models::load_world), and a PPML gravity fit on the
/// same year gives the trade-cost estimates recorded in world.toml and estimates.txt.

#include "tradesim/models/gravity/ppml.hpp"
#include "tradesim/models/panel.hpp"

#include <cstddef>
#include <string>
#include <vector>

namespace tradesim::history {

struct CalibrateOptions {
    int year = 0;
    /// The world folder to write; created if absent. Existing world files in it are
    /// replaced only with `overwrite`.
    std::string out_dir;
    bool overwrite = false;
    /// CEPII GeoDist geo_cepii.csv (iso3, country, area, dis_int, continent, city_en, lat,
    /// lon, cap): coordinates, areas, names and continents of the countries, and distances
    /// for the fit when the panel has no distance variable. Empty: none.
    std::string geo_file;
    /// Regressors to leave out of the fit: any of "dist", "contig", "rta", "border".
    std::vector<std::string> without;
    /// Trade elasticity theta written as the world's default (Head & Mayer 2014: 5).
    double trade_elasticity = 5.0;
};

/// One regressor of the fit and where its values came from.
struct CalibrateRegressor {
    std::string name;   ///< "dist", "contig", "rta" or "border"
    std::string term;   ///< as in the formula: "log(dist)", "contig", ...
    std::string source; ///< e.g. `panel pair variable "cntg"`; or why it was left out
    bool used = false;
};

struct CalibrateResult {
    std::string directory;
    int year = 0;
    std::vector<std::string> countries;         ///< countries of the world, panel order
    std::vector<std::string> dropped_countries; ///< "CODE: reason", e.g. no trade in the year
    std::vector<std::string> sectors;
    std::size_t flow_rows = 0;       ///< non-zero flows written to flows.csv
    double total_usd = 0;            ///< sum of the world's flows, domestic included (USD)
    double international_usd = 0;    ///< of which between different countries (USD)
    bool domestic_from_data = false; ///< false: derived as GDP - exports (see notes)
    std::string formula;
    std::vector<CalibrateRegressor> regressors;
    models::gravity::PpmlResult fit;
    std::size_t pairs = 0;           ///< pairs offered to the fit
    std::size_t dropped_missing = 0; ///< of which with a missing regressor or outcome
    std::vector<std::string> notes;  ///< the choices made, in words
    std::vector<std::string> files;  ///< paths written
};

/// Builds the world of `options.year` from `panel` and writes countries.csv, sectors.csv,
/// world.toml, flows.csv and estimates.txt into `options.out_dir`.
///
/// Countries with no international trade in the year are dropped (and listed). Domestic
/// flows come from the data when it has exporter == importer rows in that year; otherwise
/// they are GDP (country variable gdp_usd) less exports, split over sectors as the
/// country's trade, and countries without GDP are dropped. The fit is PPML of pair totals:
/// trade ~ log(dist) + contig + rta [+ border] | exporter + importer, with robust standard
/// errors; border (international pair) only when domestic flows come from the data, which
/// are then in the fit; a regressor the data lacks is left out and said so in the notes.
///
/// Throws sim::UsageError for a year not in the panel, an unknown `without` name or an out
/// directory holding a world without `overwrite`; sim::InputError when the panel has no
/// domestic flows and no gdp_usd, fewer than two countries trade, or the geo file lacks
/// columns; sim::IoError when a file cannot be written or read; sim::NumericalError when
/// the fit does not converge.
[[nodiscard]] CalibrateResult calibrate(const models::TradePanel& panel,
                                        const CalibrateOptions& options);

/// What was built, as text a person reads (the command prints it).
[[nodiscard]] std::string format_calibration(const CalibrateResult& result);

} // namespace tradesim::history
