#include "tradesim/output/run_store.hpp"

#include "h5.hpp"
#include "run_file.hpp"
#include "run_reader.hpp"

#include "tradesim/sim/diagnostics.hpp"
#include "tradesim/sim/error.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <array>
#include <ctime>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <system_error>

namespace tradesim::output {

namespace {

constexpr const char* format_name = "tradesim-run";
constexpr int format_version = 1;

// Per-step series get one small chunk of this many steps; events are fewer than steps on
// average, so a chunk of 64 rows keeps them compact without many chunks per read.
constexpr hsize_t series_chunk_rows = 64;
constexpr hsize_t event_chunk_rows = 64;

} // namespace

// ---- RunFile ----------------------------------------------------------------------------

namespace detail {

// RFC 4180: a field with a comma, a quote or a line break is quoted, quotes doubled.
std::string csv_field(const std::string& text) {
    if (text.find_first_of(",\"\r\n") == std::string::npos) {
        return text;
    }
    std::string out = "\"";
    for (const char c : text) {
        out += c;
        if (c == '"') {
            out += '"';
        }
    }
    out += '"';
    return out;
}

void write_csv_header(std::ostream& out, const std::vector<std::string>& names) {
    for (std::size_t i = 0; i < names.size(); ++i) {
        out << (i > 0 ? "," : "") << csv_field(names[i]);
    }
    out << '\n';
}

void write_country_rows(std::ostream& out, int step, const std::string& date,
                        const std::vector<std::string>& codes, const std::vector<double>& values) {
    const std::size_t v_n = codes.empty() ? 0 : values.size() / codes.size();
    const std::string prefix = fmt::format("{},{},", step, csv_field(date));
    fmt::memory_buffer buf;
    for (std::size_t i = 0; i < codes.size(); ++i) {
        fmt::format_to(std::back_inserter(buf), "{}{}", prefix, csv_field(codes[i]));
        for (std::size_t v = 0; v < v_n; ++v) {
            fmt::format_to(std::back_inserter(buf), ",{}", values[i * v_n + v]);
        }
        buf.push_back('\n');
    }
    out.write(buf.data(), static_cast<std::streamsize>(buf.size()));
}

std::string utc_now() {
    return fmt::format("{:%Y-%m-%dT%H:%M:%SZ}", fmt::gmtime(std::time(nullptr)));
}

void refuse_overwrite(const std::string& path, bool force) {
    std::error_code ec;
    if (std::filesystem::exists(path, ec) && !force) {
        throw sim::IoError(fmt::format(
            "{} exists; pass --force to overwrite or --out to choose another path", path));
    }
}

void prepare_result_path(const std::string& path, bool force) {
    namespace fs = std::filesystem;
    refuse_overwrite(path, force);
    std::error_code ec;
    const fs::path parent = fs::path(path).parent_path();
    if (!parent.empty() && !fs::exists(parent, ec)) {
        fs::create_directories(parent, ec);
        if (ec) {
            throw sim::IoError(fmt::format("{}: cannot create folder {} ({})", path,
                                           parent.string(), ec.message()));
        }
    }
}

RunFile::RunFile(const std::string& path, const RunHeader& header, bool force)
    : path_(path), friction_params_(header.friction), countries_n_(header.countries.size()),
      sectors_n_(header.sectors.size()) {
    prepare_result_path(path, force);
    file_ = h5::File::create(path, force);
    file_.write_string_attribute("format", format_name);
    file_.write_int_attribute("format_version", format_version);
    file_.write_string_attribute("program_version", header.program_version);
    file_.write_string_attribute("scenario_name", header.scenario_name);
    file_.write_string_attribute("scenario_path", header.scenario_path);
    file_.write_uint_attribute("seed", header.seed);
    file_.write_int_attribute("threads", header.threads);
    file_.write_string_attribute("started_at", header.started_at);
    file_.write_string_attribute("finished_at", "");
    file_.write_string_attribute("status", "running");
    file_.write_int_attribute("steps_planned", header.steps_planned);
    file_.write_string_attribute("calendar_start", header.calendar_start);
    file_.write_string_attribute("step_length", header.step_length);

    metadata_ = file_.create_group("metadata");
    metadata_.write_string("scenario_text", header.scenario_text);
    metadata_.write_string("scenario_resolved", header.scenario_resolved);
    metadata_.write_strings("countries", header.countries);
    metadata_.write_strings("country_names", header.country_names);
    metadata_.write_strings("sectors", header.sectors);

    h5::Group steps = file_.create_group("steps");
    dates_ = steps.create_extendible_strings("date", series_chunk_rows);
    state_hashes_ = steps.create_extendible<std::uint64_t>("state_hash", {}, series_chunk_rows,
                                                           h5::Compress::deflate);
    solver_iterations_ = steps.create_extendible<std::int32_t>(
        "solver_iterations", {}, series_chunk_rows, h5::Compress::deflate);

    const std::size_t n = countries_n_;
    // Flows are chunked one step per chunk but not compressed: measured on the default
    // world, deflate saves about 15 % of their size and triples the time of a run.
    flows_ = file_.create_extendible<double>("flows", {n, n, sectors_n_}, 1, h5::Compress::none);
    create_tariffs();

    h5::Group events = file_.create_group("events");
    auto& ev = events_;
    ev.step =
        events.create_extendible<std::int32_t>("step", {}, event_chunk_rows, h5::Compress::deflate);
    ev.date = events.create_extendible_strings("date", event_chunk_rows);
    ev.kind = events.create_extendible_strings("kind", event_chunk_rows);
    ev.importer = events.create_extendible_strings("importer", event_chunk_rows);
    ev.exporter = events.create_extendible_strings("exporter", event_chunk_rows);
    ev.sector = events.create_extendible_strings("sector", event_chunk_rows);
    ev.value =
        events.create_extendible<double>("value", {}, event_chunk_rows, h5::Compress::deflate);
    ev.message = events.create_extendible_strings("message", event_chunk_rows);

    // A reader should find the metadata even if the run dies before its first flush.
    file_.flush();
}

RunFile::~RunFile() {
    if (open_) {
        try {
            file_.flush();
        } catch (...) {
            // A destructor must not throw; the file keeps status "running", which is the
            // honest state of a run that ended without finish().
        }
        close_objects();
    }
}

void RunFile::close_objects() {
    firms_.reset();
    corridors_.reset();
    currencies_.reset();
    friction_.reset();
    countries_.reset();
    flows_ = {};
    tariffs_ = {};
    metadata_ = {};
    dates_ = {};
    state_hashes_ = {};
    solver_iterations_ = {};
    events_ = {};
}

void RunFile::create_countries(const sim::ColumnTable& table) {
    std::vector<std::string> units;
    for (std::size_t v = 0; v < table.columns(); ++v) {
        variables_.push_back(table.info(v).name);
        units.push_back(table.info(v).unit);
    }
    metadata_.write_strings("country_variables", variables_);
    metadata_.write_strings("country_units", units);
    // One step per chunk: readers usually want one step's table, and the writer then
    // writes whole chunks and never reads one back.
    countries_ = file_.create_extendible<double>("countries", {countries_n_, variables_.size()}, 1,
                                                 h5::Compress::deflate);
}

void RunFile::write_countries(const sim::ColumnTable& table) {
    if (!countries_) {
        create_countries(table);
    }
    append_table(*countries_, table, variables_, "country");
}

void RunFile::append_table(h5::Dataset& dataset, const sim::ColumnTable& table,
                           const std::vector<std::string>& variables, const char* what) {
    const std::size_t v_n = variables.size();
    if (table.rows() != countries_n_ || table.columns() != v_n) {
        throw std::logic_error(fmt::format("RunWriter: {} table is {} x {}, expected {} x {} ({})",
                                           what, table.rows(), table.columns(), countries_n_, v_n,
                                           path_));
    }
    buffer_.assign(countries_n_ * v_n, 0.0);
    for (std::size_t v = 0; v < v_n; ++v) {
        if (table.info(v).name != variables[v]) {
            throw std::logic_error(
                fmt::format("RunWriter: {} column {} is \"{}\", was \"{}\" at the first step ({})",
                            what, v, table.info(v).name, variables[v], path_));
        }
        const std::span<const double> column = table.column(v);
        for (std::size_t i = 0; i < countries_n_; ++i) {
            buffer_[i * v_n + v] = column[i];
        }
    }
    dataset.append<double>(buffer_, 1);
}

bool RunFile::optional_group(bool present, bool created, const char* what, int step) const {
    if (present == created || (present && steps_written_ == 0)) {
        return present;
    }
    throw std::logic_error(fmt::format("RunWriter: step {} has {}{}, the first step had{} ({})",
                                       step, present ? "" : "no ", what, present ? " none" : "",
                                       path_));
}

void RunFile::write_events(const std::vector<models::Event>& list) {
    if (list.empty()) {
        return;
    }
    std::vector<std::int32_t> step;
    std::vector<std::string> date, kind, importer, exporter, sector, message;
    std::vector<double> value;
    for (const models::Event& e : list) {
        step.push_back(e.step);
        date.push_back(e.date);
        kind.push_back(e.kind);
        importer.push_back(e.importer);
        exporter.push_back(e.exporter);
        sector.push_back(e.sector);
        value.push_back(e.value);
        message.push_back(e.message);
    }
    const hsize_t n = list.size();
    events_.step.append<std::int32_t>(step, n);
    events_.date.append_strings(date);
    events_.kind.append_strings(kind);
    events_.importer.append_strings(importer);
    events_.exporter.append_strings(exporter);
    events_.sector.append_strings(sector);
    events_.value.append<double>(value, n);
    events_.message.append_strings(message);
}

void RunFile::write_step(const models::StepView& view) {
    if (!open_) {
        throw std::logic_error(fmt::format("RunWriter::on_step after finish ({})", path_));
    }
    const std::size_t flow_count = countries_n_ * countries_n_ * sectors_n_;
    if (view.flows.size() != flow_count) {
        throw std::logic_error(fmt::format("RunWriter: step {} has {} flows, expected {} ({})",
                                           view.step, view.flows.size(), flow_count, path_));
    }
    // Series in /steps are written last: a reader takes the shortest extent as the number of
    // steps, so a step counts only once everything of it is in the file.
    write_countries(view.countries);
    flows_.append<double>(view.flows, 1);
    write_tariffs(view);
    write_firms(view);
    write_corridors(view);
    write_currencies(view);
    write_friction(view);
    write_events(view.events);
    dates_.append_strings({view.date});
    const std::uint64_t hash = view.state_hash;
    const std::int32_t iterations = view.solver_iterations;
    state_hashes_.append<std::uint64_t>({&hash, 1}, 1);
    solver_iterations_.append<std::int32_t>({&iterations, 1}, 1);
    ++steps_written_;

    if (++steps_since_flush_ >= flush_interval_) {
        file_.flush();
        steps_since_flush_ = 0;
    }
}

void RunFile::finish(bool ok) {
    if (!open_) {
        return;
    }
    open_ = false;
    file_.write_string_attribute("status", ok ? "complete" : "failed");
    file_.write_string_attribute("finished_at", utc_now());
    close_objects();
    file_.close();
}

void RunFile::set_flush_interval(int steps) {
    flush_interval_ = std::max(steps, 1);
}

} // namespace detail

using detail::csv_field;
using detail::write_csv_header;

// ---- RunWriter --------------------------------------------------------------------------

struct RunWriter::Impl : detail::RunFile {
    using RunFile::RunFile;
};

namespace {

detail::RunHeader run_header(const models::Scenario& scenario, const RunInfo& info) {
    if (!scenario.world) {
        throw std::logic_error("RunWriter: scenario has no world");
    }
    detail::RunHeader h;
    h.program_version = info.program_version;
    h.scenario_name = scenario.name;
    h.scenario_path = scenario.path;
    h.seed = scenario.seed;
    h.threads = info.threads;
    h.started_at = info.started_at;
    h.steps_planned = scenario.calendar.steps();
    h.calendar_start = scenario.calendar.start().str();
    h.step_length = sim::to_string(scenario.calendar.length());
    h.scenario_text = scenario.text;
    h.scenario_resolved = scenario.resolved;
    for (const models::Country& c : scenario.world->countries) {
        h.countries.push_back(c.code);
        h.country_names.push_back(c.name);
    }
    for (const models::Sector& s : scenario.world->sectors) {
        h.sectors.push_back(s.code);
    }
    if (scenario.friction.enabled) {
        h.friction = scenario.friction;
    }
    return h;
}

} // namespace

RunWriter::RunWriter(const std::string& path, const models::Scenario& scenario, const RunInfo& info,
                     bool force)
    : impl_(std::make_unique<Impl>(path, run_header(scenario, info), force)) {}

RunWriter::~RunWriter() = default;

void RunWriter::on_step(const models::StepView& view) {
    impl_->write_step(view);
}

void RunWriter::finish(bool ok) {
    impl_->finish(ok);
}

const std::string& RunWriter::path() const noexcept {
    return impl_->path();
}

void RunWriter::set_flush_interval(int steps) {
    impl_->set_flush_interval(steps);
}

// ---- RunReader --------------------------------------------------------------------------

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
    if (r.file.read_attribute("format").value_or("") != format_name) {
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
