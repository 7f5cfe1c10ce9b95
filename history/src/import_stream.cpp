// The importer's streaming reader: blocks of a (gzip or plain) file parsed in parallel and
// merged in file order with a TBB pipeline.

#include "import_detail.hpp"

#include "tradesim/sim/error.hpp"

#include <algorithm>
#include <cstring>
#include <fmt/format.h>
#include <limits>
#include <memory>
#include <mutex>
#include <oneapi/tbb/parallel_pipeline.h>
#include <oneapi/tbb/task_arena.h>
#include <zlib.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace tradesim::history::detail {

namespace {

const char* split_quoted(const char* p, const char* end, Fields& fields, std::size_t& extra_lines);

// Splits the line starting at `p` into `fields`; returns the start of the next line and adds
// the line ends inside quoted fields to `extra_lines`.
const char* split_line(const char* p, const char* end, Fields& fields, std::size_t& extra_lines) {
    fields.clear();
    // Fast path, one pass, for lines without quotes (the common case); from the start again
    // on the first quote. SSE2 finds the separators 16 bytes at a time.
    const char* field = p;
    const auto last = [&](const char* q) {
        const char* stop = q;
        if (stop > field && stop[-1] == '\r') {
            --stop;
        }
        fields.emplace_back(field, static_cast<std::size_t>(stop - field));
        return q == end ? end : q + 1;
    };
    const char* q = p;
#if defined(__SSE2__)
    const __m128i comma = _mm_set1_epi8(','), newline = _mm_set1_epi8('\n');
    const __m128i quote = _mm_set1_epi8('"');
    while (end - q >= 16) {
        const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(q));
        auto mask = static_cast<unsigned>(_mm_movemask_epi8(
            _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, comma), _mm_cmpeq_epi8(x, newline)),
                         _mm_cmpeq_epi8(x, quote))));
        for (; mask != 0; mask &= mask - 1) {
            const char* at = q + __builtin_ctz(mask);
            if (*at == ',') {
                fields.emplace_back(field, static_cast<std::size_t>(at - field));
                field = at + 1;
            } else if (*at == '\n') {
                return last(at);
            } else {
                return split_quoted(p, end, fields, extra_lines);
            }
        }
        q += 16;
    }
#endif
    for (;; ++q) {
        if (q == end || *q == '\n') {
            return last(q);
        }
        if (*q == ',') {
            fields.emplace_back(field, static_cast<std::size_t>(q - field));
            field = q + 1;
        } else if (*q == '"') {
            return split_quoted(p, end, fields, extra_lines);
        }
    }
}

// The general case of split_line: RFC 4180 quotes, line ends inside quotes.
const char* split_quoted(const char* p, const char* end, Fields& fields, std::size_t& extra_lines) {
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
std::size_t cut_point(const char* begin, std::size_t n) {
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

    // Reads up to `n` bytes into `out` (fewer only at the end of the file).
    std::size_t read(char* out, std::size_t n) {
        std::size_t got = 0;
        while (got < n) {
            const auto chunk = static_cast<unsigned>(std::min<std::size_t>(n - got, 1u << 30));
            const int r = gzread(gz_, out + got, chunk);
            if (r < 0) {
                fail();
            }
            if (r == 0) {
                check_end();
                break;
            }
            got += static_cast<std::size_t>(r);
        }
        return got;
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

// A block's bytes and what parsing them gave. Blocks are recycled through a pool, so their
// buffers and maps are allocated (and their pages faulted in) once per import, not per block.
struct Block {
    std::unique_ptr<char[]> data;
    std::size_t capacity = 0;
    std::size_t size = 0;
    bool too_long = false; // a line that does not fit 32-bit offsets: an error at the merge
    BlockResult result;

    void reserve(std::size_t n, std::size_t keep) {
        if (n > capacity) {
            auto bigger = std::make_unique_for_overwrite<char[]>(n);
            if (keep > 0) { // memcpy from a null pointer is undefined even for 0 bytes
                std::memcpy(bigger.get(), data.get(), keep);
            }
            data = std::move(bigger);
            capacity = n;
        }
    }
};

class BlockPool {
public:
    std::unique_ptr<Block> get() {
        const std::lock_guard lock(mutex_);
        if (free_.empty()) {
            return std::make_unique<Block>();
        }
        auto block = std::move(free_.back());
        free_.pop_back();
        return block;
    }
    void put(std::unique_ptr<Block> block) {
        block->result.reset();
        const std::lock_guard lock(mutex_);
        free_.push_back(std::move(block));
    }

private:
    std::mutex mutex_;
    std::vector<std::unique_ptr<Block>> free_;
};

void parse_block(const Layout& layout, Block& block) {
    Fields fields;
    fields.reserve(layout.columns + 4);
    const char* p = block.data.get();
    const char* end = p + block.size;
    BlockResult& out = block.result;
    out.begin = p;
    out.end = end;
    std::size_t line = 0;
    while (p < end) {
        const char* start = p;
        std::size_t extra = 0;
        const char* next = split_line(p, end, fields, extra);
        std::string_view text(start, static_cast<std::size_t>(next - start));
        while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) {
            text.remove_suffix(1);
        }
        if (!text.empty()) {
            ++out.rows_read;
            // Every layout needs all the header's fields.
            if (fields.size() != layout.columns) {
                out.drop(kMissingField, line, text);
            } else {
                layout.row(fields, line, text, out);
            }
        }
        line += 1 + extra;
        p = next;
    }
    out.lines = line;
}

} // namespace

std::string_view row_text(const char* p, const char* end) {
    Fields fields;
    std::size_t extra = 0;
    std::string_view text(p, static_cast<std::size_t>(split_line(p, end, fields, extra) - p));
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) {
        text.remove_suffix(1);
    }
    return text;
}

std::size_t stream_file(const StreamJob& job) {
    GzReader reader(job.path);
    // Row offsets are 32 bits (Row); a block only outgrows this for a line of over 1 GiB.
    const std::size_t block_bytes = std::clamp<std::size_t>(job.block_bytes, 64, 1u << 30);
    std::string carry(block_bytes, '\0');
    carry.resize(reader.read(carry.data(), block_bytes));
    bool more = carry.size() == block_bytes;
    std::size_t bytes_read = carry.size();
    if (carry.size() >= 3 && std::memcmp(carry.data(), "\xEF\xBB\xBF", 3) == 0) {
        carry.erase(0, 3);
    }
    // The header: the first line (grown until it is complete).
    std::size_t header_end = carry.find('\n');
    while (header_end == std::string::npos && more) {
        const std::size_t old = carry.size();
        carry.resize(old + block_bytes);
        const std::size_t got = reader.read(carry.data() + old, block_bytes);
        carry.resize(old + got);
        more = got == block_bytes;
        bytes_read += got;
        header_end = carry.find('\n', old);
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
    BlockPool pool;
    tbb::task_arena arena(threads);
    arena.execute([&] {
        tbb::parallel_pipeline(
            static_cast<std::size_t>(2 * threads + 2),
            tbb::make_filter<void, Block*>(
                tbb::filter_mode::serial_in_order,
                [&](tbb::flow_control& fc) -> Block* {
                    // The reader only copies bytes: the partial last line of the previous
                    // block, then the file straight into the block's buffer.
                    std::unique_ptr<Block> block = pool.get();
                    // Blocks end where the reads end, never where a buffer happens to: the
                    // cuts (hence the order of additions) do not depend on the pool.
                    std::size_t target = std::max(block_bytes, carry.size());
                    block->reserve(target, 0);
                    std::memcpy(block->data.get(), carry.data(), carry.size());
                    block->size = carry.size();
                    carry.clear();
                    std::size_t cut = 0;
                    for (;;) {
                        if (more && block->size < target) {
                            const std::size_t want = target - block->size;
                            const std::size_t got =
                                reader.read(block->data.get() + block->size, want);
                            block->size += got;
                            bytes_read += got;
                            more = got == want;
                            if (job.progress) {
                                job.progress(reader.compressed_offset());
                            }
                        }
                        cut = more ? cut_point(block->data.get(), block->size) : block->size;
                        if (cut != 0 || !more) {
                            break;
                        }
                        target += block_bytes; // a line longer than a block
                        if (target > std::numeric_limits<std::uint32_t>::max()) {
                            // Rows keep 32-bit offsets. The block is this one line: the merge,
                            // which knows its line number, reports it.
                            block->too_long = true;
                            block->size = 0;
                            more = false;
                            break;
                        }
                        block->reserve(target, block->size);
                    }
                    if (block->size == 0 && !block->too_long) {
                        pool.put(std::move(block));
                        fc.stop();
                        return nullptr;
                    }
                    carry.assign(block->data.get() + cut, block->size - cut);
                    block->size = cut;
                    return block.release();
                }) &
                tbb::make_filter<Block*, Block*>(tbb::filter_mode::parallel,
                                                 [&](Block* block) {
                                                     parse_block(*layout, *block);
                                                     return block;
                                                 }) &
                tbb::make_filter<Block*, void>(
                    tbb::filter_mode::serial_in_order, [&](Block* block) {
                        std::unique_ptr<Block> owned(block);
                        if (owned->too_long) {
                            throw sim::InputError(fmt::format("{}:{}: error: a line longer than 4 "
                                                              "GiB (not a CSV file?)",
                                                              job.path, next_line));
                        }
                        owned->result.first_line = next_line;
                        next_line += owned->result.lines;
                        job.merge(std::move(owned->result));
                        pool.put(std::move(owned));
                    }));
    });
    if (job.progress) {
        job.progress(reader.compressed_offset());
    }
    return bytes_read;
}

} // namespace tradesim::history::detail
