// RunReader: opens a result file, counts its whole steps, reads its tables and writes them as
// CSV (`tradesim export`). The writer is in run_store.cpp; each optional group's reading code
// is in its run_store_<group>.cpp.

#include "tradesim/output/run_store.hpp"

#include "h5.hpp"
#include "run_file.hpp"
#include "run_reader.hpp"

#include "tradesim/sim/diagnostics.hpp"
#include "tradesim/sim/error.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <filesystem>
#include <optional>
#include <stdexcept>

namespace tradesim::output {

using detail::csv_field;
using detail::write_csv_header;

RunReader::RunReader(const std::string& path) : impl_(std::make_unique<Impl>()) {
    namespace fs = std::filesystem;
    Impl& r = *impl_;
    r.path = path;
    std::error_code ec;
    if (!fs::exists(path, ec)) {
        throw sim::IoError(fmt::format("{}: no such file", path));
    }
    if (!fs::is_regular_file(path, ec) || !h5::File::is_hdf5(path)) {
        throw sim::IoError(fmt::format("{}: not a tradesim run file (not an HDF5 file)", path));
    }
    r.file = h5::File::open_read_only(path);
    if (r.file.read_attribute("format").value_or("") != detail::format_name) {
        throw sim::IoError(fmt::format("{}: not a tradesim run file", path));
    }

    r.countries_n = r.strings("metadata/countries").size();
    r.sectors_n = r.strings("metadata/sectors").size();
    r.variables_n = r.strings("metadata/country_variables").size();
    // A run that died between flushes may hold more rows in some datasets than in others;
    // only steps present everywhere count.
    hsize_t steps = r.file.open_dataset("steps/date").rows();
    for (const char* name : {"steps/state_hash", "steps/solver_iterations", "flows"}) {
        steps = std::min(steps, r.file.open_dataset(name).rows());
    }
    // A dataset missing from the file (or from a group the file has) means no whole step.
    const auto limit = [&](const std::string& name) {
        steps = r.file.contains(name) ? std::min(steps, r.file.open_dataset(name).rows()) : 0;
    };
    const auto limit_group = [&](const char* group, const auto& names) {
        if (r.file.contains(group)) {
            for (const char* name : names) {
                limit(fmt::format("{}/{}", group, name));
            }
        }
    };
    limit("countries");
    // Files written before /tariffs have none; their steps count without it.
    if (r.file.contains("tariffs")) {
        limit("tariffs");
    }
    limit_group("firms", std::array{"countries"});
    limit_group("firms", detail::firm_pair_datasets);
    limit_group("corridors", std::array{"links", "pairs", "assignment"});
    limit_group("currencies", detail::currency_step_datasets);
    limit_group("friction", detail::friction_step_datasets);
    r.steps = static_cast<int>(steps);
    r.dates = r.file.open_dataset("steps/date").read_strings();
    r.dates.resize(steps);
}

RunReader::~RunReader() = default;

std::string RunReader::attribute(const std::string& name) const {
    return impl_->file.read_attribute(name).value_or("");
}

int RunReader::steps() const {
    return impl_->steps;
}

std::vector<std::string> RunReader::countries() const {
    return impl_->strings("metadata/countries");
}

std::vector<std::string> RunReader::sectors() const {
    return impl_->strings("metadata/sectors");
}

std::vector<std::string> RunReader::country_variables() const {
    return impl_->strings("metadata/country_variables");
}

std::vector<std::string> RunReader::dates() const {
    return impl_->dates;
}

std::vector<std::uint64_t> RunReader::state_hashes() const {
    if (impl_->steps == 0) {
        return {};
    }
    return impl_->file.open_dataset("steps/state_hash")
        .read_rows<std::uint64_t>(0, static_cast<hsize_t>(impl_->steps));
}

std::string RunReader::scenario_text() const {
    return impl_->file.open_dataset("metadata/scenario_text").read_string();
}

std::string RunReader::scenario_resolved() const {
    return impl_->file.open_dataset("metadata/scenario_resolved").read_string();
}

std::vector<double> RunReader::country_values(int step) const {
    impl_->check_step(step);
    return impl_->file.open_dataset("countries").read_rows<double>(static_cast<hsize_t>(step), 1);
}

std::vector<double> RunReader::flow_values(int step) const {
    impl_->check_step(step);
    return impl_->file.open_dataset("flows").read_rows<double>(static_cast<hsize_t>(step), 1);
}

bool RunReader::has_firms() const {
    return impl_->has_firms();
}

std::vector<std::string> RunReader::firm_country_variables() const {
    return impl_->strings("metadata/firm_country_variables");
}

std::string RunReader::corridor_attribute(const std::string& name) const {
    if (!impl_->has_corridors()) {
        return "";
    }
    return impl_->file.open_group("corridors").read_attribute(name).value_or("");
}

std::string RunReader::firm_attribute(const std::string& name) const {
    if (!impl_->has_firms()) {
        return "";
    }
    return impl_->file.open_group("firms").read_attribute(name).value_or("");
}

std::vector<double> RunReader::firm_country_values(int step) const {
    impl_->require_firms();
    impl_->check_step(step);
    return impl_->file.open_dataset("firms/countries")
        .read_rows<double>(static_cast<hsize_t>(step), 1);
}

std::vector<double> RunReader::firm_pair_values(const std::string& name, int step) const {
    const auto& known = detail::firm_pair_datasets;
    if (std::find(known.begin(), known.end(), name) == known.end()) {
        const std::vector<std::string> names(known.begin(), known.end());
        throw sim::UsageError(fmt::format("unknown firm table \"{}\"{}; known: {}", name,
                                          sim::did_you_mean(name, names), fmt::join(names, ", ")));
    }
    impl_->require_firms();
    impl_->check_step(step);
    return impl_->file.open_dataset("firms/" + name)
        .read_rows<double>(static_cast<hsize_t>(step), 1);
}

bool RunReader::has_corridors() const {
    return impl_->has_corridors();
}

std::vector<std::string> RunReader::link_ids() const {
    return impl_->strings("metadata/link_ids");
}

std::vector<std::string> RunReader::link_modes() const {
    return impl_->strings("metadata/link_modes");
}

std::vector<double> RunReader::link_values(int step) const {
    impl_->require_corridors();
    impl_->check_step(step);
    return impl_->file.open_dataset("corridors/links")
        .read_rows<double>(static_cast<hsize_t>(step), 1);
}

std::vector<double> RunReader::pair_values(int step) const {
    impl_->require_corridors();
    impl_->check_step(step);
    return impl_->file.open_dataset("corridors/pairs")
        .read_rows<double>(static_cast<hsize_t>(step), 1);
}

std::vector<double> RunReader::assignment_values(int step) const {
    impl_->require_corridors();
    impl_->check_step(step);
    return impl_->file.open_dataset("corridors/assignment")
        .read_rows<double>(static_cast<hsize_t>(step), 1);
}

bool RunReader::has_currencies() const {
    return impl_->has_currencies();
}

std::vector<std::string> RunReader::currency_codes() const {
    return impl_->strings("currencies/codes");
}

std::vector<std::string> RunReader::currency_regimes() const {
    return impl_->strings("currencies/regime");
}

std::vector<std::int32_t> RunReader::slot_currency() const {
    impl_->require_currencies();
    return impl_->file.open_dataset("currencies/slot_currency").read<std::int32_t>();
}

std::string RunReader::currency_attribute(const std::string& name) const {
    if (!impl_->has_currencies()) {
        return "";
    }
    return impl_->file.open_group("currencies").read_attribute(name).value_or("");
}

models::SettlementTables RunReader::settlement_tables(int step) const {
    impl_->require_currencies();
    impl_->check_step(step);
    const auto row = [&](const char* name) {
        return impl_->file.open_dataset(fmt::format("currencies/{}", name))
            .read_rows<double>(static_cast<hsize_t>(step), 1);
    };
    models::SettlementTables t;
    t.world_share = row("world_share");
    t.payments = row("payments");
    t.fx_turnover = row("fx_turnover");
    t.rate = row("rate");
    t.country_share = row("country_share");
    t.pair_share = row("pair_share");
    t.pair_payment = row("pair_payment");
    t.cost = row("cost").at(0);
    t.price_gap = row("price_gap").at(0);
    return t;
}

std::vector<RunReader::RouteRow> RunReader::route_rows(int first, int last) const {
    impl_->require_corridors();
    const h5::File& f = impl_->file;
    std::vector<RouteRow> out;
    // Runs written before the route table have none.
    if (!f.contains("corridors/route_keys")) {
        return out;
    }
    const auto keys = f.open_dataset("corridors/route_keys").read<std::int32_t>();
    const auto values = f.open_dataset("corridors/route_values").read<double>();
    const auto paths = f.open_dataset("corridors/paths").read_strings();
    // A killed run may have more keys than values or paths: keep the rows that are whole.
    const std::size_t n = std::min(keys.size() / detail::route_key_columns,
                                   values.size() / detail::route_value_columns);
    for (std::size_t i = 0; i < n; ++i) {
        const std::int32_t* key = &keys[i * detail::route_key_columns];
        const double* value = &values[i * detail::route_value_columns];
        if (key[0] < first || key[0] >= last || key[0] >= impl_->steps || key[3] < 0 ||
            static_cast<std::size_t>(key[3]) >= paths.size() || key[4] < 0 ||
            key[4] >= static_cast<std::int32_t>(models::mode_count)) {
            continue;
        }
        out.push_back({key[0], key[1], key[2], paths[static_cast<std::size_t>(key[3])],
                       models::to_string(static_cast<models::Mode>(key[4])), value[0], value[1],
                       value[2], value[3]});
    }
    return out;
}

std::vector<models::Event> RunReader::events() const {
    const h5::File& f = impl_->file;
    const std::vector<std::int32_t> step = f.open_dataset("events/step").read<std::int32_t>();
    const std::vector<double> value = f.open_dataset("events/value").read<double>();
    const std::vector<std::string> date = f.open_dataset("events/date").read_strings();
    const std::vector<std::string> kind = f.open_dataset("events/kind").read_strings();
    const std::vector<std::string> importer = f.open_dataset("events/importer").read_strings();
    const std::vector<std::string> exporter = f.open_dataset("events/exporter").read_strings();
    const std::vector<std::string> sector = f.open_dataset("events/sector").read_strings();
    const std::vector<std::string> message = f.open_dataset("events/message").read_strings();
    // Columns of a killed run may differ in length; keep the events that are whole, and only
    // those of steps that are in the file.
    const std::size_t n =
        std::min({step.size(), value.size(), date.size(), kind.size(), importer.size(),
                  exporter.size(), sector.size(), message.size()});
    std::vector<models::Event> out;
    out.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
        if (step[i] >= impl_->steps) {
            continue;
        }
        out.push_back(
            {step[i], date[i], kind[i], importer[i], exporter[i], sector[i], value[i], message[i]});
    }
    return out;
}

std::vector<std::string> RunReader::table_names() {
    return {"countries", "flows",  "tariffs", "events",     "steps",      "firms",    "firm_pairs",
            "corridors", "routes", "paths",   "currencies", "settlement", "payments", "friction"};
}

void RunReader::write_csv(const std::string& table, int step, std::ostream& out) const {
    const std::vector<std::string> known = table_names();
    if (std::find(known.begin(), known.end(), table) == known.end()) {
        throw sim::UsageError(fmt::format("unknown table \"{}\"{}; known tables: {}", table,
                                          sim::did_you_mean(table, known), fmt::join(known, ", ")));
    }
    const Impl& r = *impl_;
    const bool firm_table = table == "firms" || table == "firm_pairs";
    const bool corridor_table = table == "corridors" || table == "routes" || table == "paths";
    if (firm_table) {
        r.require_firms();
    }
    if (corridor_table) {
        r.require_corridors();
    }
    const bool currency_table =
        table == "currencies" || table == "settlement" || table == "payments";
    if (currency_table) {
        r.require_currencies();
    }
    if (table == "friction") {
        r.require_friction();
    }
    if (table == "tariffs") {
        r.require_tariffs();
    }
    if (step >= 0) {
        r.check_step(step);
    }
    const int first = step >= 0 ? step : 0;
    const int last = step >= 0 ? step + 1 : r.steps;

    if (firm_table) {
        detail::write_firm_csv(*this, table, first, last, out);
        return;
    }
    if (corridor_table) {
        detail::write_corridor_csv(*this, table, first, last, out);
        return;
    }
    if (currency_table) {
        detail::write_currency_csv(*this, table, first, last, out);
        return;
    }
    if (table == "friction") {
        detail::write_friction_csv(*this, first, last, out);
        return;
    }
    if (table == "tariffs") {
        detail::write_tariff_csv(*this, first, last, out);
        return;
    }

    if (table == "countries") {
        const std::vector<std::string> codes = countries();
        std::vector<std::string> header{"step", "date", "country"};
        for (const std::string& v : country_variables()) {
            header.push_back(v);
        }
        write_csv_header(out, header);
        for (int s = first; s < last; ++s) {
            detail::write_country_rows(out, s, r.dates[static_cast<std::size_t>(s)], codes,
                                       country_values(s));
        }
    } else if (table == "flows") {
        const std::vector<std::string> codes = countries();
        const std::vector<std::string> sector_codes = sectors();
        write_csv_header(out, {"step", "date", "exporter", "importer", "sector", "value"});
        const std::size_t n = codes.size();
        const std::size_t k_n = sector_codes.size();
        for (int s = first; s < last; ++s) {
            const std::vector<double> values = flow_values(s);
            const std::string prefix = fmt::format("{},{},", s, csv_field(r.dates[s]));
            fmt::memory_buffer buf;
            for (std::size_t i = 0; i < n; ++i) {
                for (std::size_t j = 0; j < n; ++j) {
                    for (std::size_t k = 0; k < k_n; ++k) {
                        fmt::format_to(std::back_inserter(buf), "{}{},{},{},{}\n", prefix,
                                       csv_field(codes[i]), csv_field(codes[j]),
                                       csv_field(sector_codes[k]), values[(i * n + j) * k_n + k]);
                    }
                }
            }
            out.write(buf.data(), static_cast<std::streamsize>(buf.size()));
        }
    } else if (table == "events") {
        write_csv_header(
            out, {"step", "date", "kind", "importer", "exporter", "sector", "value", "message"});
        for (const models::Event& e : events()) {
            if (e.step < first || e.step >= last) {
                continue;
            }
            out << fmt::format("{},{},{},{},{},{},{},{}\n", e.step, csv_field(e.date),
                               csv_field(e.kind), csv_field(e.importer), csv_field(e.exporter),
                               csv_field(e.sector), e.value, csv_field(e.message));
        }
    } else { // steps
        write_csv_header(out, {"step", "date", "state_hash", "solver_iterations"});
        const std::vector<std::uint64_t> hashes = state_hashes();
        const std::vector<std::int32_t> iterations =
            r.steps == 0 ? std::vector<std::int32_t>{}
                         : r.file.open_dataset("steps/solver_iterations")
                               .read_rows<std::int32_t>(0, static_cast<hsize_t>(r.steps));
        for (int s = first; s < last; ++s) {
            out << fmt::format("{},{},{:016x},{}\n", s, csv_field(r.dates[s]), hashes[s],
                               iterations[s]);
        }
    }
}

std::vector<RunReader::DatasetInfo> RunReader::datasets() const {
    std::vector<DatasetInfo> out;
    for (const std::string& name : impl_->file.dataset_paths()) {
        const h5::Dataset d = impl_->file.open_dataset(name);
        DatasetInfo info;
        info.path = "/" + name;
        for (const hsize_t extent : d.shape()) {
            info.shape.push_back(extent);
        }
        info.stored_bytes = d.storage_size();
        out.push_back(std::move(info));
    }
    return out;
}

} // namespace tradesim::output
