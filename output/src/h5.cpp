#include "h5.hpp"

#include "tradesim/sim/error.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <mutex>
#include <stdexcept>

namespace tradesim::output::h5 {

namespace {

// HDF5 prints its whole error stack to stderr by default; we report through exceptions
// instead, so printing is switched off once, before the first call that can fail.
void init() {
    static std::once_flag once;
    std::call_once(once, [] {
        H5open();
        H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    });
}

herr_t keep_deepest(unsigned /*n*/, const H5E_error2_t* error, void* data) {
    if (error->desc != nullptr && error->desc[0] != '\0') {
        *static_cast<std::string*>(data) = error->desc;
    }
    return 0;
}

// The outermost HDF5 messages are generic ("unable to open file"); the innermost one says
// why ("file signature not found"), so that is the one worth showing.
std::string hdf5_reason() {
    std::string reason;
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, keep_deepest, &reason);
    H5Eclear2(H5E_DEFAULT);
    return reason;
}

Id vl_string_type(H5T_cset_t cset = H5T_CSET_UTF8) {
    Id type(H5Tcopy(H5T_C_S1), H5Tclose);
    H5Tset_size(type.get(), H5T_VARIABLE);
    H5Tset_cset(type.get(), cset);
    return type;
}

Id scalar_space() {
    return Id(H5Screate(H5S_SCALAR), H5Sclose);
}

std::vector<const char*> c_strings(const std::vector<std::string>& values) {
    std::vector<const char*> out;
    out.reserve(values.size());
    for (const std::string& v : values) {
        out.push_back(v.c_str());
    }
    return out;
}

// Takes over strings HDF5 allocated while reading variable-length data.
std::vector<std::string> adopt_strings(std::vector<char*>& raw) {
    std::vector<std::string> out;
    out.reserve(raw.size());
    for (char*& p : raw) {
        out.emplace_back(p != nullptr ? p : "");
        H5free_memory(p);
        p = nullptr;
    }
    return out;
}

} // namespace

void fail(const std::string& file, std::string_view operation) {
    const std::string reason = hdf5_reason();
    throw sim::IoError(reason.empty() ? fmt::format("{}: cannot {}", file, operation)
                                      : fmt::format("{}: cannot {} ({})", file, operation, reason));
}

// ---- Node -------------------------------------------------------------------------------

void Node::fail(std::string_view operation) const {
    h5::fail(file_, fmt::format("{} {}", operation, name_));
}

std::string Node::child_path(const std::string& child) const {
    return name_ == "/" ? "/" + child : name_ + "/" + child;
}

void Node::drop_attribute(const std::string& key) {
    const htri_t exists = H5Aexists(id(), key.c_str());
    if (exists < 0) {
        fail(fmt::format("check attribute \"{}\" of", key));
    }
    if (exists > 0 && H5Adelete(id(), key.c_str()) < 0) {
        fail(fmt::format("replace attribute \"{}\" of", key));
    }
}

void Node::write_string_attribute(const std::string& key, const std::string& value) {
    drop_attribute(key);
    const Id type = vl_string_type();
    const Id space = scalar_space();
    const Id attr(H5Acreate2(id(), key.c_str(), type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT),
                  H5Aclose);
    const char* text = value.c_str();
    if (!attr.valid() || H5Awrite(attr.get(), type.get(), &text) < 0) {
        fail(fmt::format("write attribute \"{}\" of", key));
    }
}

void Node::write_int_attribute(const std::string& key, std::int64_t value) {
    drop_attribute(key);
    const Id space = scalar_space();
    const Id attr(
        H5Acreate2(id(), key.c_str(), H5T_STD_I64LE, space.get(), H5P_DEFAULT, H5P_DEFAULT),
        H5Aclose);
    if (!attr.valid() || H5Awrite(attr.get(), H5T_NATIVE_INT64, &value) < 0) {
        fail(fmt::format("write attribute \"{}\" of", key));
    }
}

void Node::write_uint_attribute(const std::string& key, std::uint64_t value) {
    drop_attribute(key);
    const Id space = scalar_space();
    const Id attr(
        H5Acreate2(id(), key.c_str(), H5T_STD_U64LE, space.get(), H5P_DEFAULT, H5P_DEFAULT),
        H5Aclose);
    if (!attr.valid() || H5Awrite(attr.get(), H5T_NATIVE_UINT64, &value) < 0) {
        fail(fmt::format("write attribute \"{}\" of", key));
    }
}

void Node::write_double_attribute(const std::string& key, double value) {
    drop_attribute(key);
    const Id space = scalar_space();
    const Id attr(
        H5Acreate2(id(), key.c_str(), H5T_IEEE_F64LE, space.get(), H5P_DEFAULT, H5P_DEFAULT),
        H5Aclose);
    if (!attr.valid() || H5Awrite(attr.get(), H5T_NATIVE_DOUBLE, &value) < 0) {
        fail(fmt::format("write attribute \"{}\" of", key));
    }
}

std::optional<std::string> Node::read_attribute(const std::string& key) const {
    const htri_t exists = H5Aexists(id(), key.c_str());
    if (exists < 0) {
        fail(fmt::format("check attribute \"{}\" of", key));
    }
    if (exists == 0) {
        return std::nullopt;
    }
    const std::string what = fmt::format("read attribute \"{}\" of", key);
    const Id attr(H5Aopen(id(), key.c_str(), H5P_DEFAULT), H5Aclose);
    const Id type(attr.valid() ? H5Aget_type(attr.get()) : H5I_INVALID_HID, H5Tclose);
    const Id space(attr.valid() ? H5Aget_space(attr.get()) : H5I_INVALID_HID, H5Sclose);
    if (!type.valid() || !space.valid()) {
        fail(what);
    }
    // Only single values can be shown as one string; arrays would overflow the buffers below.
    if (H5Sget_simple_extent_npoints(space.get()) != 1) {
        fail(what + " (not a single value)");
    }
    switch (H5Tget_class(type.get())) {
    case H5T_STRING: {
        if (H5Tis_variable_str(type.get()) > 0) {
            const Id memory = vl_string_type(H5Tget_cset(type.get()));
            char* text = nullptr;
            if (H5Aread(attr.get(), memory.get(), &text) < 0) {
                fail(what);
            }
            std::string out = text != nullptr ? text : "";
            H5free_memory(text);
            return out;
        }
        // Fixed-length strings (as h5py or other tools may write) are NUL- or space-padded.
        const std::size_t size = H5Tget_size(type.get());
        const Id memory(H5Tcopy(type.get()), H5Tclose);
        std::string out(size, '\0');
        if (size == 0 || H5Aread(attr.get(), memory.get(), out.data()) < 0) {
            fail(what);
        }
        out.resize(std::strlen(out.c_str()));
        return out;
    }
    case H5T_INTEGER: {
        if (H5Tget_sign(type.get()) == H5T_SGN_NONE) {
            std::uint64_t value = 0;
            if (H5Aread(attr.get(), H5T_NATIVE_UINT64, &value) < 0) {
                fail(what);
            }
            return fmt::format("{}", value);
        }
        std::int64_t value = 0;
        if (H5Aread(attr.get(), H5T_NATIVE_INT64, &value) < 0) {
            fail(what);
        }
        return fmt::format("{}", value);
    }
    case H5T_FLOAT: {
        double value = 0;
        if (H5Aread(attr.get(), H5T_NATIVE_DOUBLE, &value) < 0) {
            fail(what);
        }
        return fmt::format("{}", value);
    }
    default:
        fail(what + " (unsupported type)");
    }
}

// ---- Dataset ----------------------------------------------------------------------------

std::vector<hsize_t> Dataset::shape() const {
    const Id space(H5Dget_space(id()), H5Sclose);
    const int rank = space.valid() ? H5Sget_simple_extent_ndims(space.get()) : -1;
    if (rank < 0) {
        fail("get the shape of");
    }
    std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
    if (rank > 0 && H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr) < 0) {
        fail("get the shape of");
    }
    return dims;
}

hsize_t Dataset::rows() const {
    const std::vector<hsize_t> dims = shape();
    return dims.empty() ? 1 : dims[0];
}

std::uint64_t Dataset::storage_size() const {
    return H5Dget_storage_size(id());
}

std::size_t Dataset::element_count(const std::vector<hsize_t>& shape) {
    std::size_t n = 1;
    for (const hsize_t d : shape) {
        n *= static_cast<std::size_t>(d);
    }
    return n;
}

std::size_t Dataset::row_size() const {
    const std::vector<hsize_t> dims = shape();
    return dims.empty() ? 1 : element_count({dims.begin() + 1, dims.end()});
}

void Dataset::append_raw(const void* data, hid_t memory_type, std::size_t elements, hsize_t rows) {
    if (rows == 0) {
        return;
    }
    std::vector<hsize_t> dims = shape();
    if (dims.empty() || elements != static_cast<std::size_t>(rows) * row_size()) {
        throw std::logic_error(fmt::format(
            "h5::Dataset::append: {} values do not fill {} rows of {}", elements, rows, name()));
    }
    const hsize_t old_rows = dims[0];
    dims[0] += rows;
    if (H5Dset_extent(id(), dims.data()) < 0) {
        fail("extend");
    }
    const Id file_space(H5Dget_space(id()), H5Sclose);
    std::vector<hsize_t> start(dims.size(), 0);
    std::vector<hsize_t> count = dims;
    start[0] = old_rows;
    count[0] = rows;
    const hsize_t n = elements;
    const Id memory_space(H5Screate_simple(1, &n, nullptr), H5Sclose);
    if (!file_space.valid() || !memory_space.valid() ||
        H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, start.data(), nullptr, count.data(),
                            nullptr) < 0 ||
        H5Dwrite(id(), memory_type, memory_space.get(), file_space.get(), H5P_DEFAULT, data) < 0) {
        fail("append to");
    }
}

void Dataset::read_raw(void* data, hid_t memory_type, std::size_t elements, hsize_t first,
                       hsize_t count, bool whole) const {
    if (elements == 0) {
        return;
    }
    if (whole) {
        if (H5Dread(id(), memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0) {
            fail("read");
        }
        return;
    }
    const std::vector<hsize_t> dims = shape();
    if (dims.empty() || first + count > dims[0]) {
        throw std::logic_error(
            fmt::format("h5::Dataset::read_rows: rows {}..{} outside {} ({} rows)", first,
                        first + count, name(), dims.empty() ? 0 : dims[0]));
    }
    const Id file_space(H5Dget_space(id()), H5Sclose);
    std::vector<hsize_t> start(dims.size(), 0);
    std::vector<hsize_t> extent = dims;
    start[0] = first;
    extent[0] = count;
    const hsize_t n = elements;
    const Id memory_space(H5Screate_simple(1, &n, nullptr), H5Sclose);
    if (!file_space.valid() || !memory_space.valid() ||
        H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, start.data(), nullptr, extent.data(),
                            nullptr) < 0 ||
        H5Dread(id(), memory_type, memory_space.get(), file_space.get(), H5P_DEFAULT, data) < 0) {
        fail(fmt::format("read rows {}..{} of", first, first + count - 1));
    }
}

void Dataset::append_strings(const std::vector<std::string>& values) {
    const std::vector<const char*> raw = c_strings(values);
    const Id type = vl_string_type();
    append_raw(raw.data(), type.get(), raw.size(), raw.size());
}

std::vector<std::string> Dataset::read_strings() const {
    const Id file_type(H5Dget_type(id()), H5Tclose);
    if (!file_type.valid() || H5Tget_class(file_type.get()) != H5T_STRING) {
        fail("read strings from");
    }
    std::vector<char*> raw(element_count(shape()), nullptr);
    if (H5Tis_variable_str(file_type.get()) > 0) {
        const Id memory = vl_string_type(H5Tget_cset(file_type.get()));
        read_raw(raw.data(), memory.get(), raw.size(), 0, 0, true);
        return adopt_strings(raw);
    }
    // Fixed-length strings: one padded block per element.
    const std::size_t size = H5Tget_size(file_type.get());
    std::vector<char> block(raw.size() * size + 1, '\0');
    read_raw(block.data(), file_type.get(), raw.size(), 0, 0, true);
    std::vector<std::string> out;
    for (std::size_t i = 0; i < raw.size(); ++i) {
        const char* p = block.data() + i * size;
        out.emplace_back(p, strnlen(p, size));
    }
    return out;
}

std::string Dataset::read_string() const {
    std::vector<std::string> all = read_strings();
    if (all.size() != 1) {
        fail("read one string from");
    }
    return std::move(all.front());
}

// ---- Group ------------------------------------------------------------------------------

Group Group::create_group(const std::string& name) {
    Id group(H5Gcreate2(id(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose);
    if (!group.valid()) {
        h5::fail(file(), "create group " + child_path(name));
    }
    return Group(std::move(group), file(), child_path(name));
}

Group Group::open_group(const std::string& name) const {
    Id group(H5Gopen2(id(), name.c_str(), H5P_DEFAULT), H5Gclose);
    if (!group.valid()) {
        h5::fail(file(), "open group " + child_path(name));
    }
    return Group(std::move(group), file(), child_path(name));
}

bool Group::contains(const std::string& path) const {
    // H5Lexists fails rather than answering "no" when an intermediate group is missing, so
    // the path is checked one component at a time.
    std::size_t end = 0;
    while (end != std::string::npos) {
        end = path.find('/', end + 1);
        const std::string prefix = path.substr(0, end);
        const htri_t exists = H5Lexists(id(), prefix.c_str(), H5P_DEFAULT);
        if (exists < 0) {
            h5::fail(file(), "look up " + child_path(prefix));
        }
        if (exists == 0) {
            return false;
        }
    }
    return true;
}

Dataset Group::create_extendible_raw(const std::string& name, hid_t file_type,
                                     const std::vector<hsize_t>& row_shape, hsize_t chunk_rows,
                                     Compress compress) {
    const std::string path = child_path(name);
    std::vector<hsize_t> dims{0};
    dims.insert(dims.end(), row_shape.begin(), row_shape.end());
    std::vector<hsize_t> max_dims = dims;
    max_dims[0] = H5S_UNLIMITED;
    std::vector<hsize_t> chunk = dims;
    chunk[0] = std::max<hsize_t>(chunk_rows, 1);
    const int rank = static_cast<int>(dims.size());
    const Id space(H5Screate_simple(rank, dims.data(), max_dims.data()), H5Sclose);
    const Id properties(H5Pcreate(H5P_DATASET_CREATE), H5Pclose);
    if (!space.valid() || !properties.valid() ||
        H5Pset_chunk(properties.get(), rank, chunk.data()) < 0) {
        h5::fail(file(), "set up dataset " + path);
    }
    // Numeric chunks are written whole before they are read: skip filling them first
    // (variable-length strings need their fill value).
    if (H5Tis_variable_str(file_type) <= 0 &&
        H5Pset_fill_time(properties.get(), H5D_FILL_TIME_NEVER) < 0) {
        h5::fail(file(), "set fill time of dataset " + path);
    }
    // Shuffle groups the bytes of each significance together, which lets deflate find the
    // repetition in slowly changing float64 series.
    if (compress == Compress::deflate &&
        (H5Pset_shuffle(properties.get()) < 0 || H5Pset_deflate(properties.get(), 1) < 0)) {
        h5::fail(file(), "set compression of dataset " + path);
    }
    Id dataset(H5Dcreate2(id(), name.c_str(), file_type, space.get(), H5P_DEFAULT, properties.get(),
                          H5P_DEFAULT),
               H5Dclose);
    if (!dataset.valid()) {
        h5::fail(file(), "create dataset " + path);
    }
    return Dataset(std::move(dataset), file(), path);
}

Dataset Group::create_extendible_strings(const std::string& name, hsize_t chunk_rows) {
    const Id type = vl_string_type();
    return create_extendible_raw(name, type.get(), {}, chunk_rows, Compress::none);
}

Dataset Group::write_strings(const std::string& name, const std::vector<std::string>& values) {
    const std::string path = child_path(name);
    const Id type = vl_string_type();
    const hsize_t n = values.size();
    const Id space(H5Screate_simple(1, &n, nullptr), H5Sclose);
    Id dataset(H5Dcreate2(id(), name.c_str(), type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT,
                          H5P_DEFAULT),
               H5Dclose);
    const std::vector<const char*> raw = c_strings(values);
    if (!dataset.valid() || (n > 0 && H5Dwrite(dataset.get(), type.get(), H5S_ALL, H5S_ALL,
                                               H5P_DEFAULT, raw.data()) < 0)) {
        h5::fail(file(), "write dataset " + path);
    }
    return Dataset(std::move(dataset), file(), path);
}

Dataset Group::write_string(const std::string& name, const std::string& value) {
    const std::string path = child_path(name);
    const Id type = vl_string_type();
    const Id space = scalar_space();
    Id dataset(H5Dcreate2(id(), name.c_str(), type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT,
                          H5P_DEFAULT),
               H5Dclose);
    const char* text = value.c_str();
    if (!dataset.valid() ||
        H5Dwrite(dataset.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, &text) < 0) {
        h5::fail(file(), "write dataset " + path);
    }
    return Dataset(std::move(dataset), file(), path);
}

Dataset Group::open_dataset(const std::string& name) const {
    Id dataset(H5Dopen2(id(), name.c_str(), H5P_DEFAULT), H5Dclose);
    if (!dataset.valid()) {
        h5::fail(file(), "open dataset " + child_path(name));
    }
    return Dataset(std::move(dataset), file(), child_path(name));
}

namespace {
herr_t collect_link(hid_t /*group*/, const char* name, const H5L_info_t* /*info*/, void* data) {
    static_cast<std::vector<std::string>*>(data)->emplace_back(name);
    return 0;
}
} // namespace

std::vector<std::string> Group::dataset_paths() const {
    std::vector<std::string> links;
    if (H5Lvisit(id(), H5_INDEX_NAME, H5_ITER_INC, collect_link, &links) < 0) {
        h5::fail(file(), "list the contents of " + name());
    }
    std::vector<std::string> out;
    for (const std::string& link : links) {
        const Id object(H5Oopen(id(), link.c_str(), H5P_DEFAULT), H5Oclose);
        if (!object.valid()) {
            h5::fail(file(), "open " + child_path(link));
        }
        if (H5Iget_type(object.get()) == H5I_DATASET) {
            out.push_back(link);
        }
    }
    return out;
}

// ---- File -------------------------------------------------------------------------------

File File::create(const std::string& path, bool truncate) {
    init();
    // Default file access properties on purpose: the earliest format keeps no "file is open
    // for writing" flag in the superblock, so a crashed writer leaves a readable file.
    Id file(
        H5Fcreate(path.c_str(), truncate ? H5F_ACC_TRUNC : H5F_ACC_EXCL, H5P_DEFAULT, H5P_DEFAULT),
        H5Fclose);
    if (!file.valid()) {
        h5::fail(path, "create the file");
    }
    return File(std::move(file), path, "/");
}

File File::open_read_only(const std::string& path) {
    init();
    Id file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
    if (!file.valid()) {
        // HDF5 1.10 locks a file while a writer has it open; its "errno = 11" text would not
        // tell a user that the run is simply still going.
        const std::string reason = hdf5_reason();
        if (reason.find("unable to lock file") != std::string::npos) {
            throw sim::IoError(fmt::format(
                "{}: cannot open the file: another process is writing it (a run in progress?)",
                path));
        }
        throw sim::IoError(reason.empty()
                               ? fmt::format("{}: cannot open the file", path)
                               : fmt::format("{}: cannot open the file ({})", path, reason));
    }
    return File(std::move(file), path, "/");
}

bool File::is_hdf5(const std::string& path) {
    init();
    const htri_t result = H5Fis_hdf5(path.c_str());
    H5Eclear2(H5E_DEFAULT);
    return result > 0;
}

void File::flush() {
    if (H5Fflush(id(), H5F_SCOPE_GLOBAL) < 0) {
        h5::fail(file(), "flush the file");
    }
}

void File::close() {
    if (id_.reset() < 0) {
        h5::fail(file(), "close the file");
    }
}

} // namespace tradesim::output::h5
