// `tradesim export PANEL.h5 TABLE`: the tables of a historical panel as CSV (see
// write_panel_csv in panel_store.hpp).

#include "tradesim/output/panel_store.hpp"

#include "run_file.hpp"

#include "tradesim/sim/error.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <iterator>

namespace tradesim::output {

using detail::csv_field;
using detail::write_csv_header;

namespace {

// Rows are built in a buffer and written in blocks: a BACI panel has millions of them.
class Rows {
public:
    explicit Rows(std::ostream& out) : out_(out) {}
    ~Rows() { flush(); }
    Rows(const Rows&) = delete;
    Rows& operator=(const Rows&) = delete;
    fmt::memory_buffer& buffer() { return buf_; }
    void end_row() {
        buf_.push_back('\n');
        if (buf_.size() > (1U << 20)) {
            flush();
        }
    }
    void flush() {
        out_.write(buf_.data(), static_cast<std::streamsize>(buf_.size()));
        buf_.clear();
    }

private:
    std::ostream& out_;
    fmt::memory_buffer buf_;
};

// An unobserved value (NaN) is an empty field, as in the files the panel came from.
void append_value(fmt::memory_buffer& buf, double value) {
    if (std::isnan(value)) {
        buf.push_back(',');
    } else {
        fmt::format_to(std::back_inserter(buf), ",{}", value);
    }
}

void write_flows(const models::TradePanel& p, std::ostream& out) {
    write_csv_header(out, {"year", "exporter", "importer", "sector", "value_usd"});
    Rows rows(out);
    const std::size_t n = p.country_count();
    const std::size_t k = p.sector_count();
    for (std::size_t y = 0; y < p.year_count(); ++y) {
        for (std::size_t i = 0; i < n; ++i) {
            for (std::size_t j = 0; j < n; ++j) {
                if (p.reported[p.pair_index(y, i, j)] == 0) {
                    continue;
                }
                const double* cell = p.flows.data() + p.flow_index(y, i, j, 0);
                const bool all_zero = std::all_of(cell, cell + k, [](double v) { return v == 0; });
                for (std::size_t s = 0; s < k; ++s) {
                    if (cell[s] != 0 || all_zero) {
                        fmt::format_to(std::back_inserter(rows.buffer()), "{},{},{},{},{}",
                                       p.years[y], csv_field(p.countries[i]),
                                       csv_field(p.countries[j]), csv_field(p.sectors[s]), cell[s]);
                        rows.end_row();
                    }
                }
            }
        }
    }
}

void write_countries(const models::TradePanel& p, std::ostream& out) {
    write_csv_header(out, {"code", "name"});
    for (std::size_t i = 0; i < p.country_count(); ++i) {
        out << csv_field(p.countries[i]) << ',' << csv_field(p.country_names[i]) << '\n';
    }
}

// One row per year and country (or pair) where at least one variable is observed.
void write_variables(const models::TradePanel& p, const std::vector<models::PanelVariable>& vars,
                     bool pairs, std::ostream& out) {
    std::vector<std::string> header{"year"};
    if (pairs) {
        header.insert(header.end(), {"exporter", "importer"});
    } else {
        header.emplace_back("country");
    }
    for (const auto& v : vars) {
        header.push_back(v.name);
    }
    write_csv_header(out, header);
    Rows rows(out);
    const std::size_t n = p.country_count();
    const std::size_t per_year = pairs ? n * n : n;
    for (std::size_t y = 0; y < p.year_count(); ++y) {
        for (std::size_t c = 0; c < per_year; ++c) {
            const std::size_t at = y * per_year + c;
            if (std::all_of(vars.begin(), vars.end(), [at](const models::PanelVariable& v) {
                    return std::isnan(v.values[at]);
                })) {
                continue;
            }
            auto& buf = rows.buffer();
            if (pairs) {
                fmt::format_to(std::back_inserter(buf), "{},{},{}", p.years[y],
                               csv_field(p.countries[c / n]), csv_field(p.countries[c % n]));
            } else {
                fmt::format_to(std::back_inserter(buf), "{},{}", p.years[y],
                               csv_field(p.countries[c]));
            }
            for (const auto& v : vars) {
                append_value(buf, v.values[at]);
            }
            rows.end_row();
        }
    }
}

void write_totals(const models::TradePanel& p, std::ostream& out) {
    write_csv_header(out, {"year", "value_usd", "domestic_usd", "reported_pairs"});
    const std::size_t n = p.country_count();
    for (std::size_t y = 0; y < p.year_count(); ++y) {
        const auto totals = p.pair_totals(y);
        double all = 0, domestic = 0;
        for (std::size_t i = 0; i < n; ++i) {
            for (std::size_t j = 0; j < n; ++j) {
                all += totals[i * n + j];
                domestic += i == j ? totals[i * n + j] : 0.0;
            }
        }
        const auto first = p.reported.begin() + static_cast<std::ptrdiff_t>(y * n * n);
        const auto pairs = std::count(first, first + static_cast<std::ptrdiff_t>(n * n), 1);
        out << fmt::format("{},{},{},{}\n", p.years[y], all, domestic, pairs);
    }
}

} // namespace

std::vector<std::string> panel_table_names() {
    return {"flows", "countries", "country_variables", "pair_variables", "totals"};
}

void write_panel_csv(const models::TradePanel& panel, const std::string& table, std::ostream& out) {
    if (table == "flows") {
        write_flows(panel, out);
    } else if (table == "countries") {
        write_countries(panel, out);
    } else if (table == "country_variables") {
        write_variables(panel, panel.country_variables, false, out);
    } else if (table == "pair_variables") {
        write_variables(panel, panel.pair_variables, true, out);
    } else if (table == "totals") {
        write_totals(panel, out);
    } else {
        throw sim::UsageError(fmt::format("unknown table \"{}\" of a panel file (known: {})", table,
                                          fmt::join(panel_table_names(), ", ")));
    }
}

} // namespace tradesim::output
