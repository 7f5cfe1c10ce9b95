#pragma once
/// The world a run starts from: countries, sectors and the baseline bilateral flows by
/// sector, built from plain-text facts (scenarios/world/) and a structural gravity model, or
/// read as observed flows from the world's flows.csv (worlds built by `tradesim calibrate`).

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

namespace tradesim::models {

struct Country {
    std::string code; ///< ISO 3166-1 alpha-3, or ROW
    std::string name;
    std::string region;
    std::string capital;
    std::string currency;  ///< ISO 4217
    std::string fx_regime; ///< peg, managed or float
    double gdp_usd_bn = 0;
    double population_mn = 0;
    double area_km2 = 0;
    double lat = 0;
    double lon = 0;
    int bri_year = 0; ///< year of its Belt and Road cooperation document, 0 if none
    double agri_pct = 0;
    double manuf_pct = 0;
    double resource_pct = 0;
    double trade_balance_pct = 0; ///< goods and services balance, % of GDP (0 when not given)
};

/// A regional trade agreement between economies of the world (world.toml [[agreements]]).
struct Agreement {
    std::string name;
    std::vector<std::size_t> members; ///< country indices
    int in_force = 0;                 ///< year it entered into force
};

struct Sector {
    std::string code;
    std::string name;
    std::string hs_sections;
    double manuf_split = 0; ///< share of world manufacturing output (manufacturing sectors)
    bool traded = true;
};

/// Gravity parameters for the baseline trade costs (world.toml [gravity]).
struct GravitySpec {
    double distance = 0;                 ///< elasticity of trade to distance
    double contiguity = 0;               ///< log effect of a shared border
    double border = 0;                   ///< log effect of crossing an international border
    double rta = 0;                      ///< log effect of a regional trade agreement
    double internal_distance_factor = 0; ///< d_ii = factor * sqrt(area / pi)
};

/// Flat index helpers: flows are stored exporter-major, then importer, then sector.
struct Dims {
    std::size_t countries = 0;
    std::size_t sectors = 0;
    [[nodiscard]] std::size_t flow(std::size_t i, std::size_t j, std::size_t k) const noexcept {
        return (i * countries + j) * sectors + k;
    }
    [[nodiscard]] std::size_t pair(std::size_t i, std::size_t j) const noexcept {
        return i * countries + j;
    }
    [[nodiscard]] std::size_t cs(std::size_t i, std::size_t k) const noexcept {
        return i * sectors + k;
    }
    [[nodiscard]] std::size_t flow_count() const noexcept {
        return countries * countries * sectors;
    }
};

struct Network;
struct Currencies;

struct World {
    std::string directory;
    std::string description;
    int base_year = 0;
    std::vector<Country> countries;
    std::vector<Sector> sectors;
    GravitySpec gravity;
    std::vector<double> default_theta; ///< trade elasticity per sector
    Dims dims;
    /// N*N, internal distance on the diagonal; NaN for pairs with a country whose location
    /// an observed world does not give (empty lat, lon or area in countries.csv).
    std::vector<double> distance_km;
    std::vector<unsigned char> contiguous; ///< N*N
    std::vector<Agreement> agreements;
    std::vector<unsigned char>
        rta;                    ///< N*N: 1 when both belong to an agreement in force by base_year
    std::vector<double> output; ///< Y_ik, USD bn per year (N*K)
    std::vector<double> expenditure; ///< E_jk, USD bn per year (N*K)
    std::vector<double> flows;       ///< X_ijk baseline, USD bn per year (N*N*K)
    /// True when `flows` were read from flows.csv (observed) instead of fitted by gravity:
    /// output and expenditure are then their row and column sums, and [gravity] documents
    /// the estimates the flows were calibrated with rather than building them.
    bool observed_flows = false;
    /// The transport network (folder network/ of the world), or null: trade costs then stay
    /// those of the baseline.
    std::shared_ptr<const Network> network;
    /// The currencies (folder currencies/ of the world), or null.
    std::shared_ptr<const Currencies> currencies;

    /// Index of a country code, or -1.
    [[nodiscard]] int country_index(const std::string& code) const noexcept;
    /// Index of a sector code, or -1.
    [[nodiscard]] int sector_index(const std::string& code) const noexcept;
    [[nodiscard]] std::vector<std::string> country_codes() const;
    [[nodiscard]] std::vector<std::string> sector_codes() const;
};

/// Loads world.toml, countries.csv and sectors.csv from `directory` and builds the baseline.
///
/// When the folder also has flows.csv (columns exporter, importer, sector, value_usd_bn; one
/// row per non-zero flow, domestic pairs included, absent rows are zero), the baseline is
/// those observed flows. Such a world needs no AGR/MIN/SRV sectors nor manuf_split summing
/// to 1, and countries.csv may leave population_mn, area_km2, lat, lon, capital, currency,
/// fx_regime, bri_year and the sector shares empty (unknown); every country must sell and buy.
///
/// Throws InputError listing every bad row or value (file:line:column), IoError if a file
/// is missing, NumericalError if the gravity fit does not converge.
[[nodiscard]] World load_world(const std::string& directory);

/// Great-circle distance in km between two points given in degrees (haversine, R = 6371 km).
[[nodiscard]] double great_circle_km(double lat1, double lon1, double lat2, double lon2) noexcept;

} // namespace tradesim::models
