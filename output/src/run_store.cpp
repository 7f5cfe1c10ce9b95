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
    file_.write_string_attribute("format", detail::format_name);
    file_.write_int_attribute("format_version", detail::format_version);
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

} // namespace tradesim::output
