// The panel file (layout in panel_store.hpp): writing through a temporary file, reading with
// checks that turn a damaged or foreign file into an IoError naming it.

#include "tradesim/output/panel_store.hpp"

#include "h5.hpp"
#include "run_file.hpp"

#include "tradesim/sim/error.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <filesystem>
#include <set>
#include <span>
#include <system_error>
#include <unistd.h>

namespace tradesim::output {

namespace {

constexpr int panel_format_version = 1;
// Country variables are small ([year][country]): many years share a chunk.
constexpr hsize_t country_variable_chunk_rows = 64;
constexpr hsize_t years_chunk_rows = 64;

void check_names(const std::string& path, const std::vector<models::PanelVariable>& variables,
                 const char* kind, std::vector<std::string>& problems) {
    std::set<std::string> seen;
    for (const auto& variable : variables) {
        if (variable.name.empty() || variable.name.find('/') != std::string::npos ||
            variable.name == "." || variable.name == "..") {
            problems.push_back(fmt::format("{}: error: {} variable name \"{}\" cannot name a "
                                           "dataset (empty, '/', '.' or '..')",
                                           path, kind, variable.name));
        } else if (!seen.insert(variable.name).second) {
            problems.push_back(fmt::format("{}: error: {} variable \"{}\" appears twice", path,
                                           kind, variable.name));
        }
    }
}

std::vector<std::string> names_of(const std::vector<models::PanelVariable>& variables) {
    std::vector<std::string> out;
    for (const auto& variable : variables) {
        out.push_back(variable.name);
    }
    return out;
}

// One dataset per variable, one year per row (`row_shape` is [N] or [N, N]).
void write_variables(h5::Group group, const std::vector<models::PanelVariable>& variables,
                     const std::vector<hsize_t>& row_shape, hsize_t chunk_rows, std::size_t years) {
    for (const auto& variable : variables) {
        h5::Dataset dataset = group.create_extendible<double>(variable.name, row_shape, chunk_rows,
                                                              h5::Compress::deflate);
        dataset.write_string_attribute("unit", variable.unit);
        dataset.write_string_attribute("source", variable.source);
        dataset.append(std::span<const double>(variable.values), years);
    }
}

void write_contents(h5::File& file, const models::TradePanel& panel,
                    const std::string& program_version) {
    file.write_string_attribute("format", panel_format_name);
    file.write_int_attribute("format_version", panel_format_version);
    file.write_string_attribute("program_version", program_version);
    file.write_string_attribute("created_at", detail::utc_now());

    const std::size_t y = panel.year_count();
    const std::size_t n = panel.country_count();
    const std::size_t k = panel.sector_count();
    {
        h5::Group metadata = file.create_group("metadata");
        metadata.write_strings("countries", panel.countries);
        metadata.write_strings("country_names", panel.country_names);
        metadata.write_strings("sectors", panel.sectors);
        metadata.write_strings("sector_names", panel.sector_names);
        metadata.write_strings("country_variables", names_of(panel.country_variables));
        metadata.write_strings("pair_variables", names_of(panel.pair_variables));
        metadata.write_strings("provenance", panel.provenance);
    }
    const std::vector<std::int32_t> years(panel.years.begin(), panel.years.end());
    file.create_extendible<std::int32_t>("years", {}, years_chunk_rows, h5::Compress::deflate)
        .append(std::span<const std::int32_t>(years), y);
    // One year per chunk, as one step per chunk in run files: a year is what readers take.
    // Deflate pays here, unlike in run files: a panel is written once, and most cells of a
    // sector-level matrix are zero.
    h5::Dataset flows =
        file.create_extendible<double>("flows", {n, n, k}, 1, h5::Compress::deflate);
    h5::Dataset reported =
        file.create_extendible<std::uint8_t>("reported", {n, n}, 1, h5::Compress::deflate);
    for (std::size_t t = 0; t < y; ++t) {
        flows.append(std::span<const double>(panel.flows).subspan(t * n * n * k, n * n * k), 1);
        reported.append(std::span<const std::uint8_t>(panel.reported).subspan(t * n * n, n * n), 1);
    }
    write_variables(file.create_group("country_variables"), panel.country_variables, {n},
                    country_variable_chunk_rows, y);
    write_variables(file.create_group("pair_variables"), panel.pair_variables, {n, n}, 1, y);
}

// Opens `path` read-only after checking it is a panel file this version can read.
h5::File open_panel(const std::string& path) {
    namespace fs = std::filesystem;
    std::error_code ec;
    if (!fs::exists(path, ec)) {
        throw sim::IoError(fmt::format("{}: no such file", path));
    }
    if (!fs::is_regular_file(path, ec) || !h5::File::is_hdf5(path)) {
        throw sim::IoError(fmt::format("{}: not a tradesim panel file (not an HDF5 file)", path));
    }
    h5::File file = h5::File::open_read_only(path);
    const std::string format = file.read_attribute("format").value_or("");
    if (format == detail::format_name) {
        throw sim::IoError(fmt::format("{}: a tradesim run file, not a panel file (panel files "
                                       "are written by `tradesim import`)",
                                       path));
    }
    if (format != panel_format_name) {
        throw sim::IoError(
            fmt::format("{}: not a tradesim panel file (format attribute \"{}\")", path, format));
    }
    const std::string version = file.read_attribute("format_version").value_or("");
    if (version != fmt::format("{}", panel_format_version)) {
        throw sim::IoError(fmt::format("{}: panel format version \"{}\"; this tradesim reads "
                                       "version {}",
                                       path, version, panel_format_version));
    }
    return file;
}

std::vector<models::PanelVariable> read_variables(const h5::File& file, const char* group) {
    std::vector<models::PanelVariable> out;
    const h5::Group metadata = file.open_group("metadata");
    const h5::Group variables = file.open_group(group);
    for (const std::string& name : metadata.open_dataset(group).read_strings()) {
        const h5::Dataset dataset = variables.open_dataset(name);
        out.push_back({name, dataset.read_attribute("unit").value_or(""),
                       dataset.read_attribute("source").value_or(""), dataset.read<double>()});
    }
    return out;
}

} // namespace

void write_panel(const std::string& path, const models::TradePanel& panel, bool force,
                 const std::string& program_version) {
    namespace fs = std::filesystem;
    std::vector<std::string> problems;
    try {
        panel.check();
    } catch (const sim::InputError& e) {
        problems.push_back(fmt::format("{}: {}", path, e.what()));
    }
    if (panel.country_count() == 0 || panel.sector_count() == 0) {
        problems.push_back(fmt::format("{}: error: nothing to write: the panel has {} countries "
                                       "and {} sectors",
                                       path, panel.country_count(), panel.sector_count()));
    }
    check_names(path, panel.country_variables, "country", problems);
    check_names(path, panel.pair_variables, "pair", problems);
    if (!problems.empty()) {
        throw sim::InputError(fmt::format("{}", fmt::join(problems, "\n")));
    }
    detail::prepare_result_path(path, force);

    // The temporary file sits beside the target so that the rename stays on one file system
    // and is atomic; the pid keeps two writers of the same path apart.
    const fs::path target(path);
    const fs::path temporary =
        target.parent_path() /
        fmt::format(".{}.{}.tmp", target.filename().string(), static_cast<long>(::getpid()));
    try {
        h5::File file = h5::File::create(temporary.string(), true);
        write_contents(file, panel, program_version);
        file.close();
        std::error_code ec;
        fs::rename(temporary, target, ec);
        if (ec) {
            throw sim::IoError(fmt::format("{}: cannot rename {} to it ({})", path,
                                           temporary.string(), ec.message()));
        }
    } catch (...) {
        std::error_code ignored;
        fs::remove(temporary, ignored);
        throw;
    }
}

models::TradePanel read_panel(const std::string& path) {
    const h5::File file = open_panel(path);
    models::TradePanel panel;
    const h5::Group metadata = file.open_group("metadata");
    panel.countries = metadata.open_dataset("countries").read_strings();
    panel.country_names = metadata.open_dataset("country_names").read_strings();
    panel.sectors = metadata.open_dataset("sectors").read_strings();
    panel.sector_names = metadata.open_dataset("sector_names").read_strings();
    panel.provenance = metadata.open_dataset("provenance").read_strings();
    const auto years = file.open_dataset("years").read<std::int32_t>();
    panel.years.assign(years.begin(), years.end());
    panel.flows = file.open_dataset("flows").read<double>();
    panel.reported = file.open_dataset("reported").read<std::uint8_t>();
    panel.country_variables = read_variables(file, "country_variables");
    panel.pair_variables = read_variables(file, "pair_variables");
    try {
        panel.check();
    } catch (const sim::InputError& e) {
        throw sim::IoError(fmt::format("{}: a damaged panel file ({})", path, e.what()));
    }
    return panel;
}

bool is_panel_file(const std::string& path) noexcept {
    try {
        std::error_code ec;
        if (!std::filesystem::is_regular_file(path, ec) || !h5::File::is_hdf5(path)) {
            return false;
        }
        const h5::File file = h5::File::open_read_only(path);
        return file.read_attribute("format").value_or("") == panel_format_name;
    } catch (...) {
        return false;
    }
}

PanelFileInfo read_panel_info(const std::string& path) {
    const h5::File file = open_panel(path);
    PanelFileInfo info;
    info.format_version = file.read_attribute("format_version").value_or("");
    info.program_version = file.read_attribute("program_version").value_or("");
    info.created_at = file.read_attribute("created_at").value_or("");
    for (const std::string& name : file.dataset_paths()) {
        const h5::Dataset dataset = file.open_dataset(name);
        const auto shape = dataset.shape();
        info.datasets.push_back(
            {name, std::vector<std::uint64_t>(shape.begin(), shape.end()), dataset.storage_size()});
    }
    return info;
}

} // namespace tradesim::output
