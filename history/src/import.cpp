// import_files: runs the streaming reader over each file, merges blocks in order (duplicates
// found here, per file), then builds the dense panel and the report.

#include "import_detail.hpp"

#include "tradesim/sim/error.hpp"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <limits>
#include <map>
#include <set>

namespace tradesim::history {

namespace {

using namespace detail;

struct FileExample {
    int reason = 0;
    std::size_t file = 0;
    std::size_t line = 0;
    std::string text;
};

// Everything merged so far, in file and block order.
struct Totals {
    FlatMap flows{1u << 16};
    FlatMap pair_vars{1024};
    FlatMap country_vars{1024};
    FlatMap groups{1024};
    std::array<std::size_t, kReasonCount> drops{};
    std::vector<FileExample> examples;
    std::vector<bool> products = std::vector<bool>(1u << 23);
    std::size_t rows = 0;
};

void merge_block(BlockResult&& block, std::size_t file, DuplicateFilter& seen, Totals& totals) {
    std::vector<std::uint32_t> pair_ids(block.pairs.size());
    for (std::uint32_t p = 0; p < pair_ids.size(); ++p) {
        pair_ids[p] = seen.pair(block.pairs.key(p), block.long_codes);
    }
    std::vector<std::uint32_t> slot_ids(block.slots.size());
    for (std::uint32_t s = 0; s < slot_ids.size(); ++s) {
        slot_ids[s] = seen.slot(block.slots.slot(s));
    }
    bool duplicates = false;
    for (auto& row : block.rows) {
        if (!seen.first(pair_ids[row.pair], slot_ids[row.slot])) {
            // The text is found again only for the rows that become examples.
            if (block.drops[kDuplicate] < kExamplesPerReason) {
                block.drop(kDuplicate, row.line, row_text(block.begin + row.offset, block.end));
            } else {
                ++block.drops[kDuplicate];
            }
            row.flow = kEmptyKey;
            duplicates = true;
        }
    }
    if (duplicates) {
        // Sum again without the duplicates rather than subtracting them: same additions in the
        // same order as a block that never had them.
        block.flows.clear();
        for (const auto& row : block.rows) {
            if (row.flow != kEmptyKey) {
                block.flows.add(row.flow, row.value);
            }
        }
    }
    block.flows.for_each([&](std::uint64_t k, double v) { totals.flows.add(k, v); });
    block.pair_vars.for_each(
        [&](std::uint64_t k, double v) { totals.pair_vars.insert_if_absent(k, v); });
    block.country_vars.for_each(
        [&](std::uint64_t k, double v) { totals.country_vars.insert_if_absent(k, v); });
    block.groups.for_each([&](std::uint64_t k, double v) { totals.groups.add(k, v); });
    for (const auto code : block.products) {
        totals.products[code] = true;
    }
    std::array<std::size_t, kReasonCount> have{};
    for (const auto& e : totals.examples) {
        ++have[static_cast<std::size_t>(e.reason)];
    }
    std::stable_sort(block.examples.begin(), block.examples.end(),
                     [](const Example& a, const Example& b) { return a.line < b.line; });
    for (auto& e : block.examples) {
        if (have[static_cast<std::size_t>(e.reason)]++ < kExamplesPerReason) {
            totals.examples.push_back(
                {e.reason, file, block.first_line + e.line, std::move(e.text)});
        }
    }
    for (std::size_t r = 0; r < kReasonCount; ++r) {
        totals.drops[r] += block.drops[r];
    }
    totals.rows += block.rows_read;
}

// Comtrade: keep each (reporter, year, flow)'s finest commodity level, then the mirror rule.
FlatMap resolve_comtrade(const Totals& totals, ImportReport& report,
                         std::array<std::size_t, kReasonCount>& drops) {
    FlatMap finest(1024);
    totals.groups.for_each([&](std::uint64_t k, double) {
        const std::uint64_t group = k & ~std::uint64_t{0xf};
        bool inserted = false;
        double& level = finest.at(group, inserted);
        level = inserted ? double(k & 0xf) : std::max(level, double(k & 0xf));
    });
    totals.groups.for_each([&](std::uint64_t k, double rows) {
        if (double(k & 0xf) < *finest.find(k & ~std::uint64_t{0xf})) {
            drops[kCoarserLevel] += static_cast<std::size_t>(rows);
        }
    });
    // Imports win: importers record CIF values at the border and check them for duties, so
    // mirror statistics prefer them (UN Comtrade, IMF DOTS and CEPII BACI do the same).
    FlatMap imports(1024), cells(1024);
    std::size_t mirrored = 0, exports_only = 0;
    const auto entries = totals.flows.sorted();
    for (const int side : {1, 0}) {
        for (const auto& [k, v] : entries) {
            const unsigned low = key_low(k);
            if (static_cast<int>((low >> 4) & 1) != side) {
                continue;
            }
            const unsigned reporter = side == 0 ? key_exporter(k) : key_importer(k);
            const std::uint64_t group =
                pack(key_year(k), reporter, 0, static_cast<std::uint64_t>(side) << 4);
            if (double(low & 0xf) < *finest.find(group)) {
                continue;
            }
            const std::uint64_t cell = k & ~std::uint64_t{0xff};
            if (side == 1) {
                cells.add(cell, v);
                imports.add(cell, 1);
            } else if (imports.find(cell) != nullptr) {
                ++mirrored;
            } else {
                cells.add(cell, v);
                ++exports_only;
            }
        }
    }
    report.notes.push_back(fmt::format(
        "mirror rule: {} (year, exporter, importer, sector) cells reported by both sides took the "
        "importer's value; {} came from exporters' reports only",
        mirrored, exports_only));
    return cells;
}

template <class T> std::size_t position(const std::vector<T>& sorted, const T& value) {
    return static_cast<std::size_t>(std::lower_bound(sorted.begin(), sorted.end(), value) -
                                    sorted.begin());
}

models::TradePanel build_panel(const ImportOptions& options, const FlatMap& cells,
                               const Totals& totals, const CountryTable& table,
                               const Concordance& concordance, const Schema& schema) {
    std::set<unsigned> years;
    std::set<unsigned> country_ids;
    bool total_sector = false;
    cells.for_each([&](std::uint64_t k, double) {
        years.insert(key_year(k));
        country_ids.insert(key_exporter(k));
        country_ids.insert(key_importer(k));
        total_sector = total_sector || ((key_low(k) >> 8) == kTotalSector);
    });
    const auto note_vars = [&](std::uint64_t k, double) {
        years.insert(key_year(k));
        country_ids.insert(key_exporter(k));
    };
    totals.country_vars.for_each(note_vars);
    totals.pair_vars.for_each([&](std::uint64_t k, double v) {
        note_vars(k, v);
        country_ids.insert(key_importer(k));
    });
    models::TradePanel panel;
    panel.years.assign(years.begin(), years.end());
    std::vector<std::pair<std::string, unsigned>> named;
    for (const unsigned id : country_ids) {
        named.emplace_back(table.iso3[id], id);
    }
    std::sort(named.begin(), named.end());
    std::vector<std::size_t> at(table.iso3.size());
    for (const auto& [code, id] : named) {
        at[id] = panel.countries.size();
        panel.countries.push_back(code);
        panel.country_names.push_back(table.names[id]);
    }
    const bool products = options.format == Format::baci || options.format == Format::comtrade ||
                          (options.format == Format::table && !options.product_column.empty());
    if (products) {
        panel.sectors = concordance.sectors;
        panel.sector_names = concordance.names;
    }
    // PWT has no flows: no sectors, so merge_panels takes the sectors of a trade panel.
    if (options.format != Format::pwt && (!products || total_sector)) {
        panel.sectors.push_back("TOT");
        panel.sector_names.push_back("all goods (no product detail)");
    }
    const auto sector_slot = [&](unsigned s) {
        return s == kTotalSector ? panel.sectors.size() - 1 : std::size_t{s};
    };
    const std::size_t Y = panel.years.size(), C = panel.countries.size();
    panel.flows.assign(Y * C * C * panel.sectors.size(), 0.0);
    panel.reported.assign(Y * C * C, 0);
    for (const auto& [k, v] : cells.sorted()) {
        const std::size_t y = position(panel.years, static_cast<int>(key_year(k)));
        const std::size_t i = at[key_exporter(k)], j = at[key_importer(k)];
        panel.flows[panel.flow_index(y, i, j, sector_slot(key_low(k) >> 8))] += v;
        panel.reported[panel.pair_index(y, i, j)] = 1;
    }
    const double nan = std::numeric_limits<double>::quiet_NaN();
    for (std::size_t s = 0; s < schema.pair.size(); ++s) {
        const auto& spec = schema.pair[s];
        panel.pair_variables.push_back(
            {spec.name, spec.unit, spec.source, std::vector<double>(Y * C * C, nan)});
    }
    totals.pair_vars.for_each([&](std::uint64_t k, double v) {
        const std::size_t y = position(panel.years, static_cast<int>(key_year(k)));
        panel.pair_variables[key_low(k)]
            .values[panel.pair_index(y, at[key_exporter(k)], at[key_importer(k)])] = v;
    });
    for (std::size_t s = 0; s < schema.country.size(); ++s) {
        const auto& spec = schema.country[s];
        panel.country_variables.push_back(
            {spec.name, spec.unit, spec.source, std::vector<double>(Y * C, nan)});
    }
    totals.country_vars.for_each([&](std::uint64_t k, double v) {
        const std::size_t y = position(panel.years, static_cast<int>(key_year(k)));
        panel.country_variables[key_low(k)].values[panel.country_index(y, at[key_exporter(k)])] = v;
    });
    return panel;
}

[[noreturn]] void throw_strict(const Totals& totals, const std::vector<std::string>& files) {
    std::vector<const FileExample*> problems;
    std::size_t count = 0;
    for (const auto& e : totals.examples) {
        if (is_problem(e.reason)) {
            problems.push_back(&e);
        }
    }
    for (int r = 0; r < kReasonCount; ++r) {
        count += is_problem(r) ? totals.drops[static_cast<std::size_t>(r)] : 0;
    }
    std::sort(problems.begin(), problems.end(), [](const auto* a, const auto* b) {
        return std::tie(a->file, a->line) < std::tie(b->file, b->line);
    });
    problems.resize(std::min<std::size_t>(problems.size(), kExamplesPerReason));
    std::string message;
    for (const auto* e : problems) {
        message += fmt::format("{}:{}: error: {}: {}\n", files[e->file], e->line,
                               reason_text(e->reason), e->text);
    }
    if (count > problems.size()) {
        message += fmt::format("and {} more\n", count - problems.size());
    }
    message.pop_back();
    throw sim::InputError(message);
}

} // namespace

Format parse_format(const std::string& name) {
    for (const Format f :
         {Format::baci, Format::comtrade, Format::cepii_gravity, Format::pwt, Format::table}) {
        if (format_name(f) == name) {
            return f;
        }
    }
    throw sim::UsageError(fmt::format(
        "unknown import format \"{}\" (known: baci, comtrade, cepii-gravity, pwt, table)", name));
}

std::string format_name(Format format) {
    switch (format) {
    case Format::baci:
        return "baci";
    case Format::comtrade:
        return "comtrade";
    case Format::cepii_gravity:
        return "cepii-gravity";
    case Format::pwt:
        return "pwt";
    case Format::table:
        return "table";
    }
    return "?";
}

ImportResult import_files(const ImportOptions& options) {
    const auto start = std::chrono::steady_clock::now();
    if (options.files.empty()) {
        throw sim::UsageError("import: no files given");
    }
    const CountryTable table = load_country_table(options.countries_file);
    const Concordance concordance = load_concordance(options.sectors_file);
    Schema schema;
    Totals totals;
    ImportResult result;
    ImportReport& report = result.report;
    report.files = options.files;
    std::vector<std::size_t> sizes;
    for (const auto& file : options.files) {
        std::error_code ec;
        const auto size = std::filesystem::file_size(file, ec);
        if (ec) {
            throw sim::IoError(fmt::format("{}: error: cannot open: {}", file, ec.message()));
        }
        sizes.push_back(static_cast<std::size_t>(size));
        report.bytes += static_cast<std::size_t>(size);
    }
    std::size_t done_before = 0;
    for (std::size_t f = 0; f < options.files.size(); ++f) {
        // Duplicates are detected within a file: BACI and Comtrade publish one year per file,
        // and a check over all files would grow with the years of all files at once.
        DuplicateFilter seen;
        StreamJob job;
        job.path = options.files[f];
        job.block_bytes = options.block_bytes != 0 ? options.block_bytes : (16u << 20);
        job.threads = options.threads;
        job.make_layout = [&](const Fields& header) {
            return make_layout({options, table, concordance, schema, job.path}, header);
        };
        job.merge = [&](BlockResult&& block) { merge_block(std::move(block), f, seen, totals); };
        if (options.progress) {
            job.progress = [&](std::size_t done) {
                options.progress(done_before + done, report.bytes);
            };
        }
        report.bytes_read += stream_file(job);
        done_before += sizes[f];
    }
    if (options.strict) {
        for (int r = 0; r < kReasonCount; ++r) {
            if (is_problem(r) && totals.drops[static_cast<std::size_t>(r)] > 0 &&
                !(r == kMissingValue && (options.format == Format::cepii_gravity))) {
                throw_strict(totals, options.files);
            }
        }
    }
    std::array<std::size_t, kReasonCount> drops = totals.drops;
    FlatMap cells(1024);
    if (options.format == Format::comtrade) {
        cells = resolve_comtrade(totals, report, drops);
    } else {
        totals.flows.for_each([&](std::uint64_t k, double v) { cells.add(k, v); });
    }
    result.panel = build_panel(options, cells, totals, table, concordance, schema);
    models::TradePanel& panel = result.panel;

    report.rows = totals.rows;
    std::size_t dropped = 0;
    for (int r = 0; r < kReasonCount; ++r) {
        const std::size_t rows = drops[static_cast<std::size_t>(r)];
        if (rows == 0) {
            continue;
        }
        // Gravity rows without a flow still gave their pair variables.
        if (!(r == kMissingValue && options.format == Format::cepii_gravity)) {
            dropped += rows;
        }
        DropCount d{reason_text(r), rows, {}};
        for (const auto& e : totals.examples) {
            if (e.reason == r && d.examples.size() < 5) {
                d.examples.push_back(
                    fmt::format("{}:{}: {}", options.files[e.file], e.line, e.text));
            }
        }
        report.dropped.push_back(std::move(d));
    }
    report.rows_kept = report.rows - std::min(dropped, report.rows);
    report.products =
        static_cast<std::size_t>(std::count(totals.products.begin(), totals.products.end(), true));
    report.years = panel.years;
    report.countries = panel.countries.size();
    const std::size_t cells_per_year =
        panel.countries.size() * panel.countries.size() * panel.sectors.size();
    for (std::size_t y = 0; y < panel.years.size(); ++y) {
        double sum = 0;
        for (std::size_t c = 0; c < cells_per_year; ++c) {
            sum += panel.flows[y * cells_per_year + c];
        }
        report.value_by_year.push_back(sum);
    }
    if (options.format == Format::cepii_gravity) {
        report.notes.push_back("cepii-gravity: rows without a trade value are counted as "
                               "\"missing value\" but their pair and country variables are kept");
    }
    if (options.format == Format::baci || options.format == Format::comtrade ||
        (options.format == Format::table && !options.product_column.empty())) {
        report.notes.push_back(fmt::format("sectors: {}", concordance.source));
    } else if (options.format != Format::pwt) {
        report.notes.emplace_back("sectors: one, TOT (the data has no products)");
    }
    report.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    panel.provenance.push_back(
        fmt::format("import {} {}\noptions: countries={} sectors={} strict={} value_scale={}\n{}",
                    format_name(options.format), fmt::join(options.files, " "),
                    options.countries_file.empty() ? "built-in" : options.countries_file,
                    options.sectors_file.empty() ? "built-in" : options.sectors_file,
                    options.strict, options.value_scale, format_report(report)));
    return result;
}

std::string format_report(const ImportReport& r) {
    std::string out;
    out += fmt::format("files: {}\n", fmt::join(r.files, ", "));
    out += fmt::format("bytes: {} on disk, {} after decompression; {:.2f} s ({:.1f} MB/s)\n",
                       r.bytes, r.bytes_read, r.seconds,
                       r.seconds > 0 ? double(r.bytes_read) / 1e6 / r.seconds : 0.0);
    out += fmt::format("rows: {} read, {} kept, {} dropped\n", r.rows, r.rows_kept,
                       r.rows - r.rows_kept);
    out += fmt::format("countries: {}; products: {}; years: {}", r.countries, r.products,
                       r.years.size());
    if (!r.years.empty()) {
        out += fmt::format(" ({}-{})", r.years.front(), r.years.back());
    }
    out += "\nvalue by year (USD):\n";
    for (std::size_t y = 0; y < r.years.size(); ++y) {
        out += fmt::format("  {} {:>22.0f}\n", r.years[y], r.value_by_year[y]);
    }
    if (!r.dropped.empty()) {
        out += "dropped:\n";
    }
    for (const auto& d : r.dropped) {
        out += fmt::format("  {}: {} rows\n", d.reason, d.rows);
        for (const auto& e : d.examples) {
            out += fmt::format("    e.g. {}\n", e);
        }
    }
    for (const auto& note : r.notes) {
        out += fmt::format("note: {}\n", note);
    }
    return out;
}

} // namespace tradesim::history
