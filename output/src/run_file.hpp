#pragma once
/// Internal to output/: the writer of the "tradesim-run" layout described in run_store.hpp,
/// shared by RunWriter (simulation runs) and write_equilibrium (counterfactuals), so that
/// `inspect` and `export` read both.

#include "h5.hpp"

#include "tradesim/models/simulation.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace tradesim::output {
class RunReader;
}

namespace tradesim::output::detail {

/// The `format` and `format_version` attributes of a result file.
inline constexpr const char* format_name = "tradesim-run";
inline constexpr int format_version = 1;

/// The per exporter-importer-sector firm datasets under /firms, in the order of FirmTables.
inline constexpr std::array<const char*, 4> firm_pair_datasets{"serving", "entries", "exits",
                                                               "sales_per_firm"};

/// Writes the CSV of `table` ("firms" or "firm_pairs") for steps [first, last) of `run`, which
/// has firm tables (run_store_firms.cpp).
void write_firm_csv(const RunReader& run, const std::string& table, int first, int last,
                    std::ostream& out);

/// The variables of /corridors/links, /corridors/pairs and /corridors/assignment, in the
/// order of their last dimension, with their units (run_store_corridors.cpp).
inline constexpr std::array<const char*, 6> link_variables{"teu",          "value", "utilisation",
                                                           "cost_per_teu", "days",  "open"};
inline constexpr std::array<const char*, 6> link_units{
    "TEU/month", "USD bn/yr", "load/capacity", "USD/TEU", "days", "1 open, 0 closed"};
inline constexpr std::array<const char*, 7> pair_variables{
    "rail_share", "sea_share", "road_share", "air_share", "days", "cost_pct", "routes"};
inline constexpr std::array<const char*, 7> pair_units{
    "share of TEU", "share of TEU", "share of TEU", "share of TEU", "days", "% of value", "count"};

/// The route table: /corridors/route_keys int32[rows][5] (step, exporter, importer, path index
/// into /corridors/paths, mode 0-3) and /corridors/route_values float64[rows][4] (share, teu,
/// value, days).
inline constexpr std::size_t route_key_columns = 5;
inline constexpr std::size_t route_value_columns = 4;

/// Writes the CSV of `table` ("corridors", "routes" or "paths") for steps [first, last) of `run`,
/// which has corridor tables (run_store_corridors.cpp).
void write_corridor_csv(const RunReader& run, const std::string& table, int first, int last,
                        std::ostream& out);

/// The step-indexed datasets of /currencies: per currency, per economy and currency, per pair
/// and slot, and the two means (run_store_currencies.cpp).
inline constexpr std::array<const char*, 9> currency_step_datasets{
    "world_share", "payments",     "fx_turnover", "rate",     "country_share",
    "pair_share",  "pair_payment", "cost",        "price_gap"};

/// Writes the CSV of `table` ("currencies", "settlement" or "payments") for steps [first, last)
/// of `run`, which has currency tables (run_store_currencies.cpp).
void write_currency_csv(const RunReader& run, const std::string& table, int first, int last,
                        std::ostream& out);

/// The step-indexed datasets of /friction (run_store_friction.cpp).
inline constexpr std::array<const char*, 3> friction_step_datasets{"index", "level", "indicators"};

/// Writes the CSV of the "friction" table for steps [first, last) of `run`, which has friction
/// tables (run_store_friction.cpp).
void write_friction_csv(const RunReader& run, int first, int last, std::ostream& out);

/// Writes the CSV of the "tariffs" table for steps [first, last) of `run`, which has /tariffs
/// (run_store_tariffs.cpp).
void write_tariff_csv(const RunReader& run, int first, int last, std::ostream& out);

/// What a run file says about itself, written when it is created.
struct RunHeader {
    std::string program_version;
    std::string scenario_name;
    std::string scenario_path;
    std::uint64_t seed = 0;
    int threads = 1;
    std::string started_at; ///< ISO 8601 UTC
    int steps_planned = 0;
    std::string calendar_start;
    std::string step_length;
    std::string scenario_text;
    std::string scenario_resolved;
    std::vector<std::string> countries;
    std::vector<std::string> country_names;
    std::vector<std::string> sectors;
    /// The scenario's [friction] parameters when friction is on (attributes of /friction).
    std::optional<models::FrictionParams> friction;
};

/// A CSV field as RFC 4180 wants it: quoted when it holds a comma, a quote or a line break.
[[nodiscard]] std::string csv_field(const std::string& text);
/// One CSV header line.
void write_csv_header(std::ostream& out, const std::vector<std::string>& names);
/// The CSV rows "step,date,country,values..." of one step's [country][variable] table.
void write_country_rows(std::ostream& out, int step, const std::string& date,
                        const std::vector<std::string>& codes, const std::vector<double>& values);

/// The current time as ISO 8601 UTC, as run files store it.
[[nodiscard]] std::string utc_now();

/// Throws IoError when `path` exists and `force` is false.
void refuse_overwrite(const std::string& path, bool force);
/// refuse_overwrite, then creates missing parent folders.
void prepare_result_path(const std::string& path, bool force);

/// An open run file being written, one step at a time.
class RunFile {
public:
    /// Creates `path` (see prepare_result_path) and writes the header and empty series.
    RunFile(const std::string& path, const RunHeader& header, bool force);
    /// Flushes and closes what is still open; a file never finished keeps status "running".
    ~RunFile();
    RunFile(const RunFile&) = delete;
    RunFile& operator=(const RunFile&) = delete;

    void write_step(const models::StepView& view);
    /// Marks the file complete (or failed), writes finished_at and closes it.
    void finish(bool ok);
    /// The root group, for attributes beyond the common header.
    [[nodiscard]] h5::File& file() noexcept { return file_; }
    [[nodiscard]] const std::string& path() const noexcept { return path_; }
    void set_flush_interval(int steps);

private:
    void close_objects();
    void create_countries(const sim::ColumnTable& table);
    void write_countries(const sim::ColumnTable& table);
    void write_events(const std::vector<models::Event>& list);
    /// Appends `table` to `dataset` as one [country][variable] row; `what` names the table in
    /// messages. Throws std::logic_error when its shape or columns changed since the first step.
    void append_table(h5::Dataset& dataset, const sim::ColumnTable& table,
                      const std::vector<std::string>& variables, const char* what);
    /// Whether a step writes an optional group (firms, corridors, ...): `present` when the
    /// step has its tables, `created` when the file has the group. A group exists from the
    /// first step or never: throws std::logic_error when a later step disagrees with the first.
    [[nodiscard]] bool optional_group(bool present, bool created, const char* what, int step) const;
    // The tariff path (run_store_tariffs.cpp): /tariffs, created with the file like /flows.
    void create_tariffs();
    void write_tariffs(const models::StepView& view);
    // Firm tables (run_store_firms.cpp): /firms, created at the first step of a run with firms.
    void create_firms(const models::StepView& view);
    void write_firms(const models::StepView& view);

    struct FirmDatasets {
        h5::Dataset countries, serving, entries, exits, sales_per_firm;
        std::vector<std::string> variables;
    };
    // Corridor tables (run_store_corridors.cpp): /corridors, created at the first step of a
    // run whose world has a transport network.
    void create_corridors(const models::StepView& view);
    void write_corridors(const models::StepView& view);

    struct CorridorDatasets {
        h5::Dataset links, pairs, assignment;
        h5::Dataset paths, route_keys, route_values; ///< the route table, rows appended
        std::size_t links_n = 0;
        std::size_t paths_written = 0;
    };

    // Currency tables (run_store_currencies.cpp): /currencies, created at the first step of a
    // run with currency settlement.
    void create_currencies(const models::StepView& view);
    void write_currencies(const models::StepView& view);

    struct CurrencyDatasets {
        h5::Dataset world_share, payments, fx_turnover, rate, country_share, pair_share,
            pair_payment, cost, price_gap;
        std::size_t currencies_n = 0;
        std::vector<std::int32_t> slot_currency; ///< as written at the first step
    };

    // Friction tables (run_store_friction.cpp): /friction, created at the first step of a run
    // with friction on.
    void create_friction(const models::StepView& view);
    void write_friction(const models::StepView& view);

    struct FrictionDatasets {
        h5::Dataset index, level, indicators;
        std::vector<std::uint8_t> watched; ///< as written at the first step
        std::vector<std::int32_t> levels;  ///< one step's levels, as the file stores them
    };

    std::string path_;
    // Declared first so it is destroyed last: HDF5 only really closes a file once every
    // object opened from it is closed.
    h5::File file_;
    h5::Dataset flows_;
    h5::Dataset tariffs_;
    std::optional<h5::Dataset> countries_; // needs the variables, known at the first step
    h5::Group metadata_;
    h5::Dataset dates_;
    h5::Dataset state_hashes_;
    h5::Dataset solver_iterations_;
    struct EventColumns {
        h5::Dataset step, date, kind, importer, exporter, sector, value, message;
    } events_;
    std::optional<FirmDatasets> firms_;
    std::optional<CorridorDatasets> corridors_;
    std::optional<CurrencyDatasets> currencies_;
    std::optional<FrictionDatasets> friction_;
    std::optional<models::FrictionParams> friction_params_;

    std::size_t countries_n_ = 0;
    std::size_t sectors_n_ = 0;
    std::vector<std::string> variables_;
    int steps_written_ = 0;
    int flush_interval_ = 12;
    int steps_since_flush_ = 0;
    bool open_ = true;
    std::vector<double> buffer_;
};

} // namespace tradesim::output::detail
