// The importer's streaming reader: blocks of a (gzip or plain) file parsed in parallel and
// merged in file order with a TBB pipeline.

#include "import_detail.hpp"

#include "tradesim/sim/error.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <fmt/format.h>
#include <oneapi/tbb/parallel_pipeline.h>
#include <oneapi/tbb/task_arena.h>
#include <zlib.h>

namespace tradesim::history::detail {

namespace {

bool is_missing(std::string_view t) noexcept {
    return t.empty() || t == "NA" || t == "NaN" || t == "nan" || t == "." || t == "NULL";
}

std::string_view trim(std::string_view t) noexcept {
    while (!t.empty() && (t.front() == ' ' || t.front() == '\t')) {
        t.remove_prefix(1);
    }
    while (!t.empty() && (t.back() == ' ' || t.back() == '\t' || t.back() == '\r')) {
        t.remove_suffix(1);
    }
    return t;
}

// Splits the line starting at `p` into `fields`; returns the start of the next line and adds
// the line ends inside quoted fields to `extra_lines`.
const char* split_line(const char* p, const char* end, Fields& fields, std::size_t& extra_lines) {
    fields.clear();
    for (;;) {
        if (p < end && *p == '"') {
            const char* q = p + 1;
            for (;;) {
                const auto* close = static_cast<const char*>(
                    std::memchr(q, '"', static_cast<std::size_t>(end - q)));
                if (close == nullptr) {
                    q = end; // unterminated: the rest of the block (cut at a line end outside
                    break;   // quotes, so this is the end of the file)
                }
                if (close + 1 < end && close[1] == '"') {
                    q = close + 2;
                    continue;
                }
                q = close;
                break;
            }
            extra_lines += static_cast<std::size_t>(std::count(p + 1, q, '\n'));
            fields.emplace_back(p + 1, static_cast<std::size_t>(q - p - 1));
            p = q < end ? q + 1 : end;
            // Text after the closing quote up to the separator is ignored.
            while (p < end && *p != ',' && *p != '\n') {
                ++p;
            }
        } else {
            const char* q = p;
            while (q < end && *q != ',' && *q != '\n') {
                ++q;
            }
            const char* stop = q;
            if (stop > p && stop[-1] == '\r' && (q == end || *q == '\n')) {
                --stop;
            }
            fields.emplace_back(p, static_cast<std::size_t>(stop - p));
            p = q;
        }
        if (p >= end) {
            return end;
        }
        if (*p == '\n') {
            return p + 1;
        }
        ++p; // the comma
    }
}

// Where to cut `data` so the block ends after a line end outside quotes (0: no such place).
std::size_t cut_point(const std::string& data) {
    const char* begin = data.data();
    const std::size_t n = data.size();
    if (std::memchr(begin, '"', n) == nullptr) {
        const auto* last = static_cast<const char*>(memrchr(begin, '\n', n));
        return last == nullptr ? 0 : static_cast<std::size_t>(last - begin) + 1;
    }
    // The block starts outside quotes; the parity of the quotes before a position tells
    // whether it is inside a quoted field.
    std::size_t quotes = static_cast<std::size_t>(std::count(begin, begin + n, '"'));
    for (std::size_t p = n; p-- > 0;) {
        if (begin[p] == '"') {
            --quotes;
        } else if (begin[p] == '\n' && quotes % 2 == 0) {
            return p + 1;
        }
    }
    return 0;
}

class GzReader {
public:
    explicit GzReader(const std::string& path) : path_(path) {
        gz_ = gzopen(path.c_str(), "rb");
        if (gz_ == nullptr) {
            throw sim::IoError(
                fmt::format("{}: error: cannot open: {}", path, std::strerror(errno)));
        }
        gzbuffer(gz_, 1u << 20);
    }
    ~GzReader() {
        if (gz_ != nullptr) {
            gzclose_r(gz_);
        }
    }
    GzReader(const GzReader&) = delete;
    GzReader& operator=(const GzReader&) = delete;

    // Appends up to `n` bytes to `out`; false at the end of the file.
    bool read(std::string& out, std::size_t n) {
        const std::size_t old = out.size();
        out.resize(old + n);
        std::size_t got = 0;
        while (got < n) {
            const auto chunk = static_cast<unsigned>(std::min<std::size_t>(n - got, 1u << 30));
            const int r = gzread(gz_, out.data() + old + got, chunk);
            if (r < 0) {
                fail();
            }
            if (r == 0) {
                check_end();
                out.resize(old + got);
                return false;
            }
            got += static_cast<std::size_t>(r);
        }
        return true;
    }
    [[nodiscard]] std::size_t compressed_offset() const {
        return static_cast<std::size_t>(gzoffset(gz_));
    }

private:
    [[noreturn]] void fail() {
        int code = 0;
        const char* message = gzerror(gz_, &code);
        throw sim::IoError(fmt::format("{}: error: cannot read: {}{}", path_,
                                       code == Z_ERRNO ? std::strerror(errno) : message,
                                       code == Z_DATA_ERROR ? " (corrupt gzip data)" : ""));
    }
    // zlib reports a gzip stream cut short only as an error state after the last read.
    void check_end() {
        int code = 0;
        const char* message = gzerror(gz_, &code);
        if (code != Z_OK) {
            std::string_view text(message); // zlib prefixes the path: "file: message"
            if (text.substr(0, path_.size() + 2) == path_ + ": ") {
                text.remove_prefix(path_.size() + 2);
            }
            throw sim::IoError(
                fmt::format("{}: error: truncated or corrupt gzip file: {}", path_, text));
        }
    }
    std::string path_;
    gzFile gz_ = nullptr;
};

struct Block {
    std::string data;
    std::size_t first_line = 0;
    BlockResult result;
};

void parse_block(const Layout& layout, Block& block) {
    Fields fields;
    fields.reserve(layout.columns + 4);
    const char* p = block.data.data();
    const char* end = p + block.data.size();
    std::size_t line = block.first_line;
    while (p < end) {
        const char* start = p;
        std::size_t extra = 0;
        const char* next = split_line(p, end, fields, extra);
        std::string_view text(start, static_cast<std::size_t>(next - start));
        while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) {
            text.remove_suffix(1);
        }
        if (!text.empty()) {
            ++block.result.rows_read;
            layout.row(fields, line, text, block.result);
        }
        line += 1 + extra;
        p = next;
    }
}

} // namespace

Parsed parse_number(std::string_view text, double& value) noexcept {
    text = trim(text);
    if (is_missing(text)) {
        return Parsed::missing;
    }
    if (text.front() == '+') {
        text.remove_prefix(1);
    }
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    return ec == std::errc{} && ptr == text.data() + text.size() && std::isfinite(value)
               ? Parsed::ok
               : Parsed::bad;
}

Parsed parse_year(std::string_view text, unsigned& year) noexcept {
    text = trim(text);
    if (is_missing(text)) {
        return Parsed::missing;
    }
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), year);
    // "2016.0" (a year written as a float) is accepted; "201601" (a month period) is not.
    const bool whole =
        ptr == text.data() + text.size() ||
        (std::string_view(ptr, static_cast<std::size_t>(text.data() + text.size() - ptr))
             .find_first_not_of(".0") == std::string_view::npos);
    return ec == std::errc{} && whole && year > 0 && year < 10000 ? Parsed::ok : Parsed::bad;
}

std::size_t stream_file(const StreamJob& job) {
    GzReader reader(job.path);
    const std::size_t block_bytes = std::max<std::size_t>(job.block_bytes, 64);
    std::string carry;
    bool more = reader.read(carry, block_bytes);
    std::size_t bytes_read = carry.size();
    if (carry.size() >= 3 && std::memcmp(carry.data(), "\xEF\xBB\xBF", 3) == 0) {
        carry.erase(0, 3);
    }
    // The header: the first line (grown until it is complete).
    std::size_t header_end = carry.find('\n');
    while (header_end == std::string::npos && more) {
        const std::size_t old = carry.size();
        more = reader.read(carry, block_bytes);
        bytes_read += carry.size() - old;
        header_end = carry.find('\n');
    }
    if (carry.empty()) {
        throw sim::InputError(fmt::format("{}:1: error: the file is empty (no header)", job.path));
    }
    Fields header;
    std::size_t extra = 0;
    const std::size_t header_size = header_end == std::string::npos ? carry.size() : header_end + 1;
    split_line(carry.data(), carry.data() + header_size, header, extra);
    for (auto& name : header) {
        name = trim(name);
    }
    std::unique_ptr<Layout> layout = job.make_layout(header);
    layout->columns = header.size();
    carry.erase(0, header_size);
    std::size_t next_line = 2 + extra;

    const int threads = job.threads > 0 ? job.threads : tbb::this_task_arena::max_concurrency();
    tbb::task_arena arena(threads);
    arena.execute([&] {
        tbb::parallel_pipeline(
            static_cast<std::size_t>(2 * threads + 1),
            tbb::make_filter<void, Block*>(
                tbb::filter_mode::serial_in_order,
                [&](tbb::flow_control& fc) -> Block* {
                    while (more && carry.size() < block_bytes) {
                        const std::size_t old = carry.size();
                        more = reader.read(carry, block_bytes - old);
                        bytes_read += carry.size() - old;
                        if (job.progress) {
                            job.progress(reader.compressed_offset());
                        }
                    }
                    if (carry.empty()) {
                        fc.stop();
                        return nullptr;
                    }
                    std::size_t cut = more ? cut_point(carry) : carry.size();
                    while (cut == 0 && more) { // a line longer than a block
                        const std::size_t old = carry.size();
                        more = reader.read(carry, block_bytes);
                        bytes_read += carry.size() - old;
                        cut = more ? cut_point(carry) : carry.size();
                    }
                    // The block takes the buffer; only the partial last line is copied back.
                    auto* block = new Block;
                    block->data = std::move(carry);
                    carry.assign(block->data, cut, std::string::npos);
                    block->data.resize(cut);
                    carry.reserve(block_bytes + block_bytes / 8);
                    block->first_line = next_line;
                    next_line += static_cast<std::size_t>(
                        std::count(block->data.begin(), block->data.end(), '\n'));
                    return block;
                }) &
                tbb::make_filter<Block*, Block*>(tbb::filter_mode::parallel,
                                                 [&](Block* block) {
                                                     parse_block(*layout, *block);
                                                     return block;
                                                 }) &
                tbb::make_filter<Block*, void>(tbb::filter_mode::serial_in_order,
                                               [&](Block* block) {
                                                   std::unique_ptr<Block> owned(block);
                                                   job.merge(std::move(owned->result));
                                               }));
    });
    if (job.progress) {
        job.progress(reader.compressed_offset());
    }
    return bytes_read;
}

} // namespace tradesim::history::detail
