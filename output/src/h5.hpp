#pragma once
/// Internal to output/: a small RAII layer over the HDF5 C API. Every handle closes itself,
/// every failure becomes a sim::IoError naming the file, the object and the operation, and
/// HDF5's own error printing is switched off. This header is the only one that includes
/// <hdf5.h>; it lives in output/src/ so that HDF5 stays PRIVATE to tradesim::output.

#include <hdf5.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tradesim::output::h5 {

/// The element types run files store, with their in-memory and on-disk HDF5 types.
template <class T> struct Type;
template <> struct Type<double> {
    static hid_t memory() { return H5T_NATIVE_DOUBLE; }
    static hid_t file() { return H5T_IEEE_F64LE; }
};
template <> struct Type<std::int32_t> {
    static hid_t memory() { return H5T_NATIVE_INT32; }
    static hid_t file() { return H5T_STD_I32LE; }
};
template <> struct Type<std::uint8_t> {
    static hid_t memory() { return H5T_NATIVE_UINT8; }
    static hid_t file() { return H5T_STD_U8LE; }
};
template <> struct Type<std::uint64_t> {
    static hid_t memory() { return H5T_NATIVE_UINT64; }
    static hid_t file() { return H5T_STD_U64LE; }
};

/// Owns one HDF5 identifier and closes it with the matching H5?close. Move-only.
class Id {
public:
    using Closer = herr_t (*)(hid_t);
    Id() noexcept = default;
    Id(hid_t id, Closer closer) noexcept : id_(id), closer_(closer) {}
    ~Id() { reset(); }
    Id(Id&& other) noexcept
        : id_(std::exchange(other.id_, H5I_INVALID_HID)), closer_(other.closer_) {}
    Id& operator=(Id&& other) noexcept {
        if (this != &other) {
            reset();
            id_ = std::exchange(other.id_, H5I_INVALID_HID);
            closer_ = other.closer_;
        }
        return *this;
    }
    Id(const Id&) = delete;
    Id& operator=(const Id&) = delete;

    [[nodiscard]] hid_t get() const noexcept { return id_; }
    [[nodiscard]] bool valid() const noexcept { return id_ >= 0; }
    /// Closes now. Returns the closer's status (negative on failure), 0 when nothing was open.
    herr_t reset() noexcept {
        herr_t status = 0;
        if (id_ >= 0 && closer_ != nullptr) {
            status = closer_(id_);
        }
        id_ = H5I_INVALID_HID;
        return status;
    }

private:
    hid_t id_ = H5I_INVALID_HID;
    Closer closer_ = nullptr;
};

/// Throws IoError "FILE: cannot OPERATION (HDF5's reason)" and clears HDF5's error stack.
[[noreturn]] void fail(const std::string& file, std::string_view operation);

/// A named object in an open file: the file itself (its root group), a group or a dataset.
/// Carries attributes.
class Node {
public:
    [[nodiscard]] hid_t id() const noexcept { return id_.get(); }
    [[nodiscard]] bool valid() const noexcept { return id_.valid(); }
    [[nodiscard]] const std::string& file() const noexcept { return file_; }
    /// Path inside the file, "/" for the root.
    [[nodiscard]] const std::string& name() const noexcept { return name_; }

    /// Writes (or replaces) a scalar UTF-8 variable-length string attribute.
    void write_string_attribute(const std::string& key, const std::string& value);
    /// Writes (or replaces) a scalar int64 attribute.
    void write_int_attribute(const std::string& key, std::int64_t value);
    /// Writes (or replaces) a scalar uint64 attribute.
    void write_uint_attribute(const std::string& key, std::uint64_t value);
    /// Writes (or replaces) a scalar float64 attribute.
    void write_double_attribute(const std::string& key, double value);
    /// A scalar attribute as text (strings as stored, numbers with fmt "{}"); nullopt when
    /// absent. Throws IoError for a type it cannot show.
    [[nodiscard]] std::optional<std::string> read_attribute(const std::string& key) const;

    Node() = default;
    /// Takes ownership of `id`; `file` and `name` are for messages.
    Node(Id id, std::string file, std::string name)
        : id_(std::move(id)), file_(std::move(file)), name_(std::move(name)) {}

protected:
    [[noreturn]] void fail(std::string_view operation) const;
    [[nodiscard]] std::string child_path(const std::string& child) const;
    void drop_attribute(const std::string& key);

    Id id_;
    std::string file_;
    std::string name_;
};

/// A dataset. Extendible datasets grow along their first dimension ("rows").
class Dataset : public Node {
public:
    using Node::Node;

    [[nodiscard]] std::vector<hsize_t> shape() const;
    /// Extent of the first dimension (1 for a scalar dataset).
    [[nodiscard]] hsize_t rows() const;
    /// Bytes the data takes in the file, after compression (H5Dget_storage_size).
    [[nodiscard]] std::uint64_t storage_size() const;

    /// Appends `rows` rows; `data` holds rows times the row size elements, row-major.
    template <class T> void append(std::span<const T> data, hsize_t rows) {
        append_raw(data.data(), Type<T>::memory(), data.size(), rows);
    }
    /// Appends strings to a 1-D variable-length string dataset.
    void append_strings(const std::vector<std::string>& values);

    /// The whole dataset, row-major.
    template <class T> [[nodiscard]] std::vector<T> read() const {
        std::vector<T> out(element_count(shape()));
        read_raw(out.data(), Type<T>::memory(), out.size(), 0, 0, true);
        return out;
    }
    /// Rows [first, first + count) along the first dimension, row-major.
    template <class T> [[nodiscard]] std::vector<T> read_rows(hsize_t first, hsize_t count) const {
        std::vector<T> out(static_cast<std::size_t>(count) * row_size());
        read_raw(out.data(), Type<T>::memory(), out.size(), first, count, false);
        return out;
    }
    /// Every string of a 1-D (or scalar) string dataset.
    [[nodiscard]] std::vector<std::string> read_strings() const;
    /// The string of a scalar string dataset.
    [[nodiscard]] std::string read_string() const;

private:
    [[nodiscard]] static std::size_t element_count(const std::vector<hsize_t>& shape);
    [[nodiscard]] std::size_t row_size() const;
    void append_raw(const void* data, hid_t memory_type, std::size_t elements, hsize_t rows);
    void read_raw(void* data, hid_t memory_type, std::size_t elements, hsize_t first, hsize_t count,
                  bool whole) const;
};

/// Compression of an extendible dataset.
enum class Compress { none, deflate };

/// A group (or, through File, the root group).
class Group : public Node {
public:
    using Node::Node;

    [[nodiscard]] Group create_group(const std::string& name);
    [[nodiscard]] Group open_group(const std::string& name) const;
    /// True when `path` (relative, may hold '/') names an existing link.
    [[nodiscard]] bool contains(const std::string& path) const;

    /// An empty dataset of shape [0, row_shape...] that grows without limit along the first
    /// dimension, chunked by `chunk_rows` rows; with Compress::deflate, shuffle + deflate 4.
    template <class T>
    [[nodiscard]] Dataset create_extendible(const std::string& name,
                                            const std::vector<hsize_t>& row_shape,
                                            hsize_t chunk_rows, Compress compress) {
        return create_extendible_raw(name, Type<T>::file(), row_shape, chunk_rows, compress);
    }
    /// An empty 1-D extendible dataset of variable-length strings.
    [[nodiscard]] Dataset create_extendible_strings(const std::string& name, hsize_t chunk_rows);
    /// A fixed-size 1-D dataset holding `values`.
    Dataset write_strings(const std::string& name, const std::vector<std::string>& values);
    /// A scalar dataset holding one string.
    Dataset write_string(const std::string& name, const std::string& value);

    [[nodiscard]] Dataset open_dataset(const std::string& name) const;
    /// Paths (from this group, without a leading '/') of every dataset below it, in name order.
    [[nodiscard]] std::vector<std::string> dataset_paths() const;

private:
    Dataset create_extendible_raw(const std::string& name, hid_t file_type,
                                  const std::vector<hsize_t>& row_shape, hsize_t chunk_rows,
                                  Compress compress);
};

/// An open HDF5 file, written with the default (earliest) format versions so that a file whose
/// writer was killed stays readable up to its last flush.
class File : public Group {
public:
    using Group::Group;
    /// Creates `path`; replaces an existing file only when `truncate`.
    [[nodiscard]] static File create(const std::string& path, bool truncate);
    [[nodiscard]] static File open_read_only(const std::string& path);
    /// True when `path` starts with the HDF5 signature.
    [[nodiscard]] static bool is_hdf5(const std::string& path);

    /// Writes everything buffered to disk (H5Fflush, global scope).
    void flush();
    /// Closes the file; every object opened from it must be closed first.
    void close();
};

} // namespace tradesim::output::h5
