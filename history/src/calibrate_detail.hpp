#pragma once
// Internals of history::calibrate shared by its two source files: the countries chosen and
// their flows (calibrate.cpp), the geography file and the writing of the world folder
// (calibrate_write.cpp).

#include "tradesim/history/calibrate.hpp"

#include <cstddef>
#include <map>
#include <string>
#include <vector>

namespace tradesim::history::detail {

/// One country of CEPII's geo_cepii.csv: its main city (the one CEPII measures distances
/// from), capital, area and internal distance.
struct GeoRow {
    std::string name;
    std::string continent;
    std::string capital;
    double lat = 0;
    double lon = 0;
    double area_km2 = 0;
    double internal_km = 0; ///< dis_int: 0.67 sqrt(area / pi)
};
using GeoTable = std::map<std::string, GeoRow>;

/// Reads geo_cepii.csv; an empty path gives an empty table. Throws InputError naming the
/// missing columns, IoError when unreadable.
[[nodiscard]] GeoTable read_geo(const std::string& path);

/// The world chosen from a panel year.
struct WorldData {
    std::size_t year = 0;              ///< index into panel.years
    std::vector<std::size_t> members;  ///< panel country indices
    std::vector<double> flows;         ///< USD, [a][b][k] over members
    std::vector<double> gdp_usd;       ///< per member, NaN when the panel has none
    std::vector<unsigned char> contig; ///< [a][b] over members; empty when unknown
    std::vector<unsigned char> rta;    ///< [a][b] over members; empty when unknown
    [[nodiscard]] std::size_t size() const noexcept { return members.size(); }
};

/// Writes countries.csv, sectors.csv, world.toml, flows.csv and estimates.txt.
void write_world(const models::TradePanel& panel, const WorldData& world, const GeoTable& geo,
                 const CalibrateOptions& options, CalibrateResult& result);

} // namespace tradesim::history::detail
