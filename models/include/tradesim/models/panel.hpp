#pragma once
/// A historical panel: bilateral trade by year, exporter, importer and sector, with variables
/// per country and year (GDP, population) and per ordered pair and year (distance, agreements),
/// as imported from public trade datasets (history/) and kept in panel files (output/).
///
/// Dense and aggregated: its size is years x countries^2 x sectors, whatever the number of
/// rows it was imported from (a year of BACI, 10 million HS6 rows, becomes 230^2 x 10 cells).

#include <cstddef>
#include <string>
#include <vector>

namespace tradesim::models {

/// A variable observed per country and year, or per ordered pair and year.
struct PanelVariable {
    std::string name;   ///< e.g. "gdp_usd", "pop", "dist", "rta"
    std::string unit;   ///< e.g. "USD", "persons", "km", "1"
    std::string source; ///< the file and column it came from
    /// [year][country] (country variable) or [year][exporter][importer] (pair variable),
    /// flat, in the panel's year and country order; NaN = not observed.
    std::vector<double> values;
};

struct TradePanel {
    std::vector<int> years;                 ///< ascending, distinct
    std::vector<std::string> countries;     ///< ISO 3166-1 alpha-3 codes, ascending
    std::vector<std::string> country_names; ///< one per country ("" when unknown)
    std::vector<std::string> sectors;       ///< sector codes; {"TOT"} when the data has none
    std::vector<std::string> sector_names;  ///< one per sector
    /// Trade in USD per year (not thousands or millions), [year][exporter][importer][sector]
    /// flat. Domestic flows (exporter == importer) where the data gives them. 0 = no trade
    /// or not reported (see `reported`).
    std::vector<double> flows;
    /// [year][exporter][importer]: 1 when the data had a row for the pair in that year, so a
    /// reported zero can be told from a pair the data does not cover.
    std::vector<unsigned char> reported;
    std::vector<PanelVariable> country_variables;
    std::vector<PanelVariable> pair_variables;
    /// One entry per import that built the panel: the format, the files, the options and the
    /// import report, as text a person reads.
    std::vector<std::string> provenance;

    [[nodiscard]] std::size_t year_count() const noexcept { return years.size(); }
    [[nodiscard]] std::size_t country_count() const noexcept { return countries.size(); }
    [[nodiscard]] std::size_t sector_count() const noexcept { return sectors.size(); }
    [[nodiscard]] std::size_t flow_index(std::size_t y, std::size_t i, std::size_t j,
                                         std::size_t k) const noexcept {
        return ((y * countries.size() + i) * countries.size() + j) * sectors.size() + k;
    }
    [[nodiscard]] std::size_t pair_index(std::size_t y, std::size_t i,
                                         std::size_t j) const noexcept {
        return (y * countries.size() + i) * countries.size() + j;
    }
    [[nodiscard]] std::size_t country_index(std::size_t y, std::size_t i) const noexcept {
        return y * countries.size() + i;
    }
    /// Index of a year, country code or sector code, or -1.
    [[nodiscard]] int find_year(int year) const noexcept;
    [[nodiscard]] int find_country(const std::string& code) const noexcept;
    [[nodiscard]] int find_sector(const std::string& code) const noexcept;
    /// A variable by name, or nullptr.
    [[nodiscard]] const PanelVariable* country_variable(const std::string& name) const noexcept;
    [[nodiscard]] const PanelVariable* pair_variable(const std::string& name) const noexcept;
    /// Total trade of a year across all sectors, [exporter][importer] flat (USD).
    [[nodiscard]] std::vector<double> pair_totals(std::size_t y) const;
    /// Throws sim::InputError when the sizes do not agree with the dimensions or the years
    /// or countries are not ascending and distinct.
    void check() const;
};

/// Panel `b` merged into `a`: the union of years and countries (both kept ascending);
/// sectors must be the same in both unless one of them has no flows. Flows of a (year,
/// exporter, importer) reported in both must agree, as must variables of the same name
/// observed in both for the same year and country or pair; otherwise sim::InputError
/// names the first conflicts. Provenance is concatenated.
[[nodiscard]] TradePanel merge_panels(const TradePanel& a, const TradePanel& b);

} // namespace tradesim::models
