#include "tradesim/history/csv.hpp"

#include "tradesim/sim/diagnostics.hpp"
#include "tradesim/sim/error.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fmt/format.h>
#include <limits>
#include <memory>
#include <optional>
#include <string_view>
#include <system_error>
#include <unordered_map>
#include <zlib.h>

namespace tradesim::history {
namespace {

constexpr std::size_t max_problems = 20;
constexpr std::size_t read_block = std::size_t{1} << 20;

// The whole decompressed file. Not a std::string: that would zero-fill before gzread
// overwrites it. The scanner unescapes quoted fields in place, so cells can point into it.
struct Buffer {
    std::unique_ptr<char[]> data;
    std::size_t size = 0;
};

struct GzClose {
    void operator()(gzFile_s* file) const noexcept { gzclose(file); }
};

Buffer load(const std::string& path) {
    errno = 0;
    const std::unique_ptr<gzFile_s, GzClose> file(gzopen(path.c_str(), "rb"));
    if (!file) {
        throw sim::IoError(fmt::format("{}: error: cannot open: {}", path,
                                       errno != 0 ? std::strerror(errno) : "out of memory"));
    }
    gzbuffer(file.get(), static_cast<unsigned>(read_block));

    // A plain file fits at once; a gzip file grows the buffer a few times.
    std::error_code ec;
    const auto on_disk = std::filesystem::file_size(path, ec);
    std::size_t capacity = (ec ? 0 : static_cast<std::size_t>(on_disk)) + read_block;
    Buffer buffer{std::make_unique_for_overwrite<char[]>(capacity), 0};
    for (;;) {
        if (capacity - buffer.size < read_block) {
            const std::size_t grown = capacity * 2;
            auto bigger = std::make_unique_for_overwrite<char[]>(grown);
            std::memcpy(bigger.get(), buffer.data.get(), buffer.size);
            buffer.data = std::move(bigger);
            capacity = grown;
        }
        // Large reads let zlib inflate (or read(2)) straight into the buffer.
        const auto want = static_cast<unsigned>(
            std::min<std::size_t>(capacity - buffer.size, std::size_t{1} << 30));
        const int got = gzread(file.get(), buffer.data.get() + buffer.size, want);
        if (got < 0) {
            int code = 0;
            const char* message = gzerror(file.get(), &code);
            throw sim::IoError(fmt::format("{}: error: cannot read: {}", path,
                                           code == Z_ERRNO ? std::strerror(errno) : message));
        }
        if (got == 0) {
            return buffer;
        }
        buffer.size += static_cast<std::size_t>(got);
    }
}

struct Cell {
    const char* data = nullptr;
    std::uint32_t size = 0;
    bool quoted = false;

    [[nodiscard]] std::string_view view() const noexcept { return {data, size}; }
};

std::uint32_t clamp32(std::size_t n) {
    return static_cast<std::uint32_t>(
        std::min<std::size_t>(n, std::numeric_limits<std::uint32_t>::max()));
}

// Splits the buffer into rows and fields, tracking line and column for messages.
class Scanner {
public:
    Scanner(const std::string& path, char* begin, char* end, char delimiter,
            sim::Diagnostics& problems)
        : path_(path), p_(begin), end_(end), line_start_(begin), delimiter_(delimiter),
          problems_(problems) {}

    [[nodiscard]] std::uint32_t line() const noexcept { return line_; }

    /// A problem in the last row that makes it unusable (text after a closing quote).
    [[nodiscard]] const std::optional<sim::Diagnostic>& malformed() const noexcept {
        return malformed_;
    }

    /// Skips blank lines; false at the end of the input.
    bool next_row() {
        while (p_ != end_) {
            if (*p_ == '\n') {
                ++p_;
                new_line();
            } else if (*p_ == '\r' && (p_ + 1 == end_ || p_[1] == '\n')) {
                ++p_;
            } else {
                return true;
            }
        }
        return false;
    }

    /// Reads one row, passing each field to sink(index, cell); returns the number of fields.
    template <class Sink> std::size_t read_row(Sink&& sink) {
        malformed_.reset();
        std::size_t index = 0;
        for (;;) {
            const Cell cell = (p_ != end_ && *p_ == '"') ? quoted() : plain();
            sink(index, cell);
            ++index;
            if (p_ == end_) {
                return index;
            }
            if (*p_ == delimiter_) {
                ++p_;
                continue;
            }
            ++p_; // '\n'
            new_line();
            return index;
        }
    }

private:
    void new_line() noexcept {
        ++line_;
        line_start_ = p_;
    }

    [[nodiscard]] std::uint32_t column(const char* at) const noexcept {
        return clamp32(static_cast<std::size_t>(at - line_start_) + 1);
    }

    Cell make_cell(const char* begin, const char* end, bool quoted) {
        const auto size = static_cast<std::size_t>(end - begin);
        if (size > std::numeric_limits<std::uint32_t>::max()) {
            problems_.error({path_, line_, 0}, "field longer than 4 GiB");
            problems_.throw_if_any();
        }
        return {begin, static_cast<std::uint32_t>(size), quoted};
    }

    Cell plain() {
        const char* begin = p_;
        const char delimiter = delimiter_;
        while (p_ != end_ && *p_ != delimiter && *p_ != '\n') {
            ++p_;
        }
        const char* stop = p_;
        if (stop != begin && stop[-1] == '\r' && (p_ == end_ || *p_ == '\n')) {
            --stop;
        }
        return make_cell(begin, stop, false);
    }

    // Unescapes "" in place: the write position never passes the read position.
    Cell quoted() {
        const std::uint32_t open_line = line_;
        const std::uint32_t open_column = column(p_);
        ++p_;
        char* const begin = p_;
        char* out = p_;
        for (;;) {
            if (p_ == end_) {
                problems_.error({path_, open_line, open_column},
                                "unterminated quoted field: the quote opened here is never closed");
                problems_.throw_if_any();
            }
            const char c = *p_;
            if (c == '"') {
                if (p_ + 1 != end_ && p_[1] == '"') {
                    *out++ = '"';
                    p_ += 2;
                    continue;
                }
                ++p_;
                break;
            }
            *out++ = c;
            ++p_;
            if (c == '\n') {
                new_line();
            }
        }
        if (p_ != end_ && *p_ == '\r' && (p_ + 1 == end_ || p_[1] == '\n')) {
            ++p_;
        }
        if (p_ != end_ && *p_ != delimiter_ && *p_ != '\n') {
            if (!malformed_) {
                malformed_ = sim::Diagnostic{
                    {path_, line_, column(p_)},
                    fmt::format("unexpected text after a closing quote (write a quote inside a "
                                "quoted field as \"\")")};
            }
            while (p_ != end_ && *p_ != delimiter_ && *p_ != '\n') {
                ++p_;
            }
        }
        return make_cell(begin, out, true);
    }

    const std::string& path_;
    char* p_;
    char* const end_;
    const char* line_start_;
    std::uint32_t line_ = 1;
    const char delimiter_;
    sim::Diagnostics& problems_;
    std::optional<sim::Diagnostic> malformed_;
};

bool is_missing(const Cell& cell) noexcept {
    if (cell.size == 0) {
        return true;
    }
    if (cell.quoted) {
        return false;
    }
    const std::string_view v = cell.view();
    return v == "NA" || v == "NaN" || v == ".";
}

bool parse_number(const char* begin, const char* end, double& out) {
    while (begin != end && (*begin == ' ' || *begin == '\t')) {
        ++begin;
    }
    while (end != begin && (end[-1] == ' ' || end[-1] == '\t')) {
        --end;
    }
    if (end - begin > 1 && *begin == '+' && begin[1] != '-' && begin[1] != '+') {
        ++begin; // from_chars rejects a leading '+'
    }
    if (begin == end) {
        return false;
    }
    const auto [stop, ec] = std::from_chars(begin, end, out);
    if (stop != end) {
        return false;
    }
    if (ec == std::errc::result_out_of_range) {
        // from_chars leaves `out` alone; strtod gives +-HUGE_VAL or the underflowed value.
        const std::string text(begin, end);
        out = std::strtod(text.c_str(), nullptr);
        return true;
    }
    return ec == std::errc();
}

bool to_numbers(const std::vector<Cell>& cells, std::vector<double>& numbers) {
    numbers.resize(cells.size());
    for (std::size_t i = 0; i < cells.size(); ++i) {
        const Cell& cell = cells[i];
        if (is_missing(cell)) {
            numbers[i] = std::numeric_limits<double>::quiet_NaN();
        } else if (!parse_number(cell.data, cell.data + cell.size, numbers[i])) {
            return false;
        }
    }
    return true;
}

void to_codes(const std::string& path, const std::vector<Cell>& cells, sim::DataColumn& column) {
    column.codes.resize(cells.size());
    std::unordered_map<std::string_view, std::int32_t> index;
    // Consecutive repeats are common (data sorted by country or year): skip the hash then.
    std::string_view last;
    std::int32_t last_code = -1;
    for (std::size_t i = 0; i < cells.size(); ++i) {
        const Cell& cell = cells[i];
        if (is_missing(cell)) {
            column.codes[i] = -1;
            continue;
        }
        const std::string_view v = cell.view();
        if (last_code < 0 || v != last) {
            const auto [it, inserted] =
                index.try_emplace(v, static_cast<std::int32_t>(column.levels.size()));
            if (inserted) {
                if (column.levels.size() >=
                    static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max())) {
                    throw sim::InputError(
                        fmt::format("{}: error: column \"{}\" has too many distinct values", path,
                                    column.name));
                }
                column.levels.emplace_back(v);
            }
            last = v;
            last_code = it->second;
        }
        column.codes[i] = last_code;
    }
}

std::string known_list(const std::vector<std::string>& names) {
    constexpr std::size_t shown = 40;
    std::string out;
    for (std::size_t i = 0; i < names.size() && i < shown; ++i) {
        out += (i == 0 ? "" : ", ") + names[i];
    }
    if (names.size() > shown) {
        out += fmt::format(", ... ({} in all)", names.size());
    }
    return out;
}

std::size_t count_lines(const char* begin, const char* end) {
    std::size_t n = 1;
    while (begin != end) {
        const void* hit = std::memchr(begin, '\n', static_cast<std::size_t>(end - begin));
        if (hit == nullptr) {
            break;
        }
        ++n;
        begin = static_cast<const char*>(hit) + 1;
    }
    return n;
}

} // namespace

sim::DataFrame read_csv(const std::string& path, const CsvOptions& options) {
    const char delimiter = options.delimiter;
    if (delimiter == '"' || delimiter == '\n' || delimiter == '\r') {
        throw sim::UsageError(
            fmt::format("read_csv: bad delimiter for {} (a quote or line break)", path));
    }
    Buffer buffer = load(path);
    char* begin = buffer.data.get();
    char* const end = begin + buffer.size;
    if (buffer.size >= 3 && std::memcmp(begin, "\xEF\xBB\xBF", 3) == 0) {
        begin += 3;
    }

    sim::Diagnostics problems;
    Scanner scan(path, begin, end, delimiter, problems);
    if (!scan.next_row()) {
        throw sim::InputError(
            fmt::format("{}: error: the file is empty; expected a header row", path));
    }
    const std::uint32_t header_line = scan.line();
    std::vector<std::string> header;
    scan.read_row([&](std::size_t, const Cell& cell) { header.emplace_back(cell.view()); });
    if (const auto& bad = scan.malformed()) {
        problems.error(bad->where, bad->message);
    }
    std::unordered_map<std::string_view, std::size_t> field_of;
    for (std::size_t i = 0; i < header.size(); ++i) {
        const auto [it, inserted] = field_of.try_emplace(header[i], i);
        if (!inserted) {
            problems.error(
                {path, header_line, 0},
                fmt::format("column \"{}\" appears twice in the header (fields {} and {})",
                            header[i], it->second + 1, i + 1));
        }
    }
    problems.throw_if_any();

    const auto unknown = [&](const std::string& name, const char* where) {
        problems.error({path, 0, 0},
                       fmt::format("unknown column \"{}\" in {} (known: {}){}", name, where,
                                   known_list(header), sim::did_you_mean(name, header)));
    };
    std::vector<std::size_t> selected; // header field of each output column
    if (options.columns.empty()) {
        for (std::size_t i = 0; i < header.size(); ++i) {
            selected.push_back(i);
        }
    } else {
        for (const auto& name : options.columns) {
            const auto it = field_of.find(name);
            if (it == field_of.end()) {
                unknown(name, "the column selection");
            } else if (std::find(selected.begin(), selected.end(), it->second) != selected.end()) {
                problems.error({path, 0, 0}, fmt::format("column \"{}\" is selected twice", name));
            } else {
                selected.push_back(it->second);
            }
        }
    }
    for (const auto& name : options.categorical) {
        if (!field_of.contains(name)) {
            unknown(name, "the categorical columns");
        }
    }
    problems.throw_if_any();

    const std::size_t width = header.size();
    std::vector<std::int32_t> slot_of(width, -1);
    for (std::size_t s = 0; s < selected.size(); ++s) {
        slot_of[selected[s]] = static_cast<std::int32_t>(s);
    }
    std::vector<std::vector<Cell>> cells(selected.size());
    const std::size_t expected_rows = count_lines(begin, end);
    for (auto& column : cells) {
        column.reserve(expected_rows);
    }

    std::size_t rows = 0;
    while (scan.next_row()) {
        const std::uint32_t line = scan.line();
        const std::size_t fields = scan.read_row([&](std::size_t i, const Cell& cell) {
            if (i < width && slot_of[i] >= 0) {
                cells[static_cast<std::size_t>(slot_of[i])].push_back(cell);
            }
        });
        const auto& bad = scan.malformed();
        if (fields == width && !bad) {
            ++rows;
            continue;
        }
        for (auto& column : cells) {
            if (column.size() > rows) {
                column.resize(rows);
            }
        }
        if (problems.errors().size() >= max_problems) {
            problems.error({path, line, 0},
                           fmt::format("too many errors; stopped after {}", max_problems));
            break;
        }
        if (bad) {
            problems.error(bad->where, bad->message);
        } else {
            problems.error({path, line, 0},
                           fmt::format("row has {} fields, the header has {}", fields, width));
        }
    }
    problems.throw_if_any();

    sim::DataFrame frame;
    frame.source = path;
    for (std::size_t s = 0; s < selected.size(); ++s) {
        sim::DataColumn column;
        column.name = header[selected[s]];
        const bool forced = std::find(options.categorical.begin(), options.categorical.end(),
                                      column.name) != options.categorical.end();
        if (forced || !to_numbers(cells[s], column.numbers)) {
            column.numbers = {};
            column.kind = sim::DataColumn::Kind::categorical;
            to_codes(path, cells[s], column);
        }
        std::vector<Cell>().swap(cells[s]);
        frame.add(std::move(column));
    }
    return frame;
}

} // namespace tradesim::history
