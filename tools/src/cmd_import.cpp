// `tradesim import FORMAT FILE... --out PANEL.h5`: public trade datasets, as published, into a
// panel file (history::import_files, then output::write_panel). With --merge the import is
// merged into an existing panel (models::merge_panels), e.g. PWT's GDP into a trade panel.

#include "commands.hpp"
#include "history_commands.hpp"
#include "progress.hpp"

#include "tradesim/history/import.hpp"
#include "tradesim/models/panel.hpp"
#include "tradesim/output/panel_store.hpp"
#include "tradesim/sim/error.hpp"
#include "tradesim/sim/parallel.hpp"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fmt/format.h>
#include <memory>
#include <thread>

namespace tradesim::tools {

namespace {

struct ImportCommand {
    std::string format;
    history::ImportOptions options;
    std::string out;
    bool force = false;
    bool merge = false;
    bool quiet = false;
};

// A progress line on stderr: megabytes read of the total on disk, rate and time left. Redrawn
// at most ten times a second; the importer calls it from its reading thread only.
class ImportProgress {
public:
    ImportProgress() : start_(std::chrono::steady_clock::now()), last_draw_(start_) {}
    void operator()(std::size_t done, std::size_t total) {
        const auto now = std::chrono::steady_clock::now();
        if (now - last_draw_ < std::chrono::milliseconds(100) && done < total) {
            return;
        }
        last_draw_ = now;
        const double elapsed = std::chrono::duration<double>(now - start_).count();
        const double mb = static_cast<double>(done) / 1e6;
        const double share =
            total > 0 ? static_cast<double>(done) / static_cast<double>(total) : 0.0;
        const double remaining = share > 0 ? elapsed / share * (1 - share) : 0.0;
        fmt::print(stderr,
                   "\r  import {:.1f} of {:.1f} MB on disk  {:3.0f} %  {:.1f} MB/s  "
                   "elapsed {:.1f} s  remaining {:.1f} s   ",
                   mb, static_cast<double>(total) / 1e6, 100 * share,
                   elapsed > 0 ? mb / elapsed : 0.0, elapsed, remaining);
        std::fflush(stderr);
        drawn_ = true;
    }
    void clear() const {
        if (drawn_) {
            fmt::print(stderr, "\r{:100}\r", "");
            std::fflush(stderr);
        }
    }

private:
    std::chrono::steady_clock::time_point start_;
    std::chrono::steady_clock::time_point last_draw_;
    bool drawn_ = false;
};

int run_import(ImportCommand& c) {
    c.options.format = history::parse_format(c.format);
    // Refuse before the import, which may take minutes, rather than after it.
    models::TradePanel earlier;
    if (c.options.format == history::Format::pwt && !c.merge) {
        throw sim::UsageError("import: error: pwt gives country variables, no trade: merge it "
                              "into a trade panel with --merge --out PANEL.h5");
    }
    if (c.merge) {
        earlier = output::read_panel(c.out);
    } else if (std::filesystem::exists(c.out) && !c.force) {
        throw sim::IoError(fmt::format(
            "{} exists; pass --force to overwrite, --merge to merge into it or --out to choose "
            "another path",
            c.out));
    }
    const int threads = c.options.threads > 0
                            ? c.options.threads
                            : static_cast<int>(std::max(1U, std::thread::hardware_concurrency()));
    c.options.threads = threads;
    const sim::ThreadScope scope(threads);

    const auto progress = std::make_shared<ImportProgress>();
    if (!c.quiet && stderr_is_terminal()) {
        c.options.progress = [progress](std::size_t done, std::size_t total) {
            (*progress)(done, total);
        };
    }
    history::ImportResult result = [&] {
        try {
            return history::import_files(c.options);
        } catch (...) {
            progress->clear();
            throw;
        }
    }();
    progress->clear();
    if (!c.quiet) {
        fmt::print("{}", history::format_report(result.report));
    }

    const models::TradePanel& imported = result.panel;
    if (c.merge) {
        const models::TradePanel merged = models::merge_panels(earlier, imported);
        output::write_panel(c.out, merged, true, version());
        if (!c.quiet) {
            fmt::print("merged into {}: {} years, {} countries, {} sectors, {} country and {} "
                       "pair variables\n",
                       c.out, merged.year_count(), merged.country_count(), merged.sector_count(),
                       merged.country_variables.size(), merged.pair_variables.size());
        }
        return 0;
    }
    output::write_panel(c.out, imported, c.force, version());
    if (!c.quiet) {
        fmt::print("wrote {}: {} years, {} countries, {} sectors, {} country and {} pair "
                   "variables\n",
                   c.out, imported.year_count(), imported.country_count(), imported.sector_count(),
                   imported.country_variables.size(), imported.pair_variables.size());
    }
    return 0;
}

} // namespace

Subcommand add_import_command(CLI::App& app) {
    auto c = std::make_shared<ImportCommand>();
    history::ImportOptions& o = c->options;
    auto* cmd = app.add_subcommand(
        "import", "Import public trade datasets (BACI, Comtrade, CEPII Gravity, PWT, any "
                  "exporter-importer-year table), plain or gzip, into a panel file");
    cmd->add_option("format", c->format,
                    "baci (t,i,j,k,v,q; v in thousand USD), comtrade (bulk CSV), cepii-gravity, "
                    "pwt or table (named columns, see --exporter ...)")
        ->required();
    cmd->add_option("files", o.files, "Data files (CSV, plain or gzip)")->required();
    cmd->add_option("--out,-o", c->out, "Panel file to write (HDF5)")->required();
    cmd->add_option("--sectors", o.sectors_file,
                    "Concordance CSV hs,sector[,name] (hs a prefix of 2, 4 or 6 digits, the "
                    "longest wins); default: the default world's ten sectors by HS chapter");
    cmd->add_option("--countries", o.countries_file,
                    "Country codes CSV code,iso3 (empty iso3 drops the code), or CEPII's "
                    "country-code file for BACI; applied before the built-in table");
    cmd->add_flag("--strict", o.strict,
                  "Any row that would be dropped is an error with its file and line");
    cmd->add_option("--threads,-t", o.threads, "Parsing threads (0 = all cores)")
        ->check(CLI::Range(0, 1024));
    cmd->add_flag("--force,-f", c->force, "Overwrite an existing panel file");
    cmd->add_flag("--merge", c->merge,
                  "Merge into the existing panel file --out (union of years and countries; "
                  "values given twice must agree); the file is kept as it was on failure");
    cmd->add_option("--exporter", o.exporter_column, "table: exporter column")
        ->capture_default_str();
    cmd->add_option("--importer", o.importer_column, "table: importer column")
        ->capture_default_str();
    cmd->add_option("--year", o.year_column, "table: year column")->capture_default_str();
    cmd->add_option("--value", o.value_column, "table: trade value column")->capture_default_str();
    cmd->add_option("--product", o.product_column,
                    "table: product (HS) column; without it one sector, TOT");
    cmd->add_option("--scale", o.value_scale,
                    "Multiplies values into USD, e.g. 1e6 for millions (default: the format's "
                    "unit: thousand USD for baci and cepii-gravity, USD otherwise)")
        ->check(CLI::NonNegativeNumber);
    cmd->add_option("--pair-column", o.pair_columns,
                    "table, cepii-gravity: a column kept as a pair variable, NAME or NAME=COLUMN "
                    "(repeatable)");
    cmd->add_option("--country-column", o.country_columns,
                    "table: a column kept as a variable of the exporter per year, NAME or "
                    "NAME=COLUMN (repeatable)");
    cmd->add_flag("--quiet,-q", c->quiet, "No progress line and no report");
    cmd->get_option("--merge")->excludes("--force");
    return {cmd, [c] { return run_import(*c); }};
}

} // namespace tradesim::tools
