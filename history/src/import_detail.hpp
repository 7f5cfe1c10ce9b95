#pragma once
// Internals of the importer shared by its source files: packed keys, a flat hash map, the
// country and product code tables, and what one parsed block yields.

#include "import_dedupe.hpp"
#include "tradesim/history/import.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace tradesim::history::detail {

// Keys pack (year, exporter, importer, slot) so partial results are plain integer maps:
// year 16 bits, countries 12 bits each (4096 codes), then 24 bits for the sector, variable
// or product. ~0 is never a key (year 65535 is rejected).
inline constexpr std::uint64_t kEmptyKey = ~std::uint64_t{0};
inline constexpr int kMaxCountries = 4096;
[[nodiscard]] inline std::uint64_t pack(unsigned year, unsigned exporter, unsigned importer,
                                        std::uint64_t low24) noexcept {
    return (std::uint64_t{year} << 48) | (std::uint64_t{exporter} << 36) |
           (std::uint64_t{importer} << 24) | low24;
}
[[nodiscard]] inline unsigned key_year(std::uint64_t k) noexcept {
    return static_cast<unsigned>(k >> 48);
}
[[nodiscard]] inline unsigned key_exporter(std::uint64_t k) noexcept {
    return static_cast<unsigned>((k >> 36) & 0xfff);
}
[[nodiscard]] inline unsigned key_importer(std::uint64_t k) noexcept {
    return static_cast<unsigned>((k >> 24) & 0xfff);
}
[[nodiscard]] inline unsigned key_low(std::uint64_t k) noexcept {
    return static_cast<unsigned>(k & 0xffffff);
}

// Open addressing with linear probing: std::unordered_map allocates a node per entry, which
// costs more than the parsing at BACI's 10 million rows a year.
class FlatMap {
public:
    explicit FlatMap(std::size_t capacity = 1024);
    // The value of `key`, inserted as 0 when absent (`inserted` tells which).
    double& at(std::uint64_t key, bool& inserted);
    void add(std::uint64_t key, double value) {
        bool inserted = false;
        at(key, inserted) += value;
    }
    // First value wins: variables observed twice keep the one earlier in the file.
    void insert_if_absent(std::uint64_t key, double value) {
        bool inserted = false;
        double& slot = at(key, inserted);
        if (inserted) {
            slot = value;
        }
    }
    [[nodiscard]] const double* find(std::uint64_t key) const noexcept;
    // Empties the map but keeps its capacity (blocks are recycled).
    void clear();
    [[nodiscard]] std::size_t size() const noexcept { return size_; }
    template <class F> void for_each(F&& f) const {
        for (std::size_t s = 0; s < keys_.size(); ++s) {
            if (keys_[s] != kEmptyKey) {
                f(keys_[s], values_[s]);
            }
        }
    }
    // Entries in ascending key order, so sums over them do not depend on hashing.
    [[nodiscard]] std::vector<std::pair<std::uint64_t, double>> sorted() const;

private:
    void grow();
    std::vector<std::uint64_t> keys_;
    std::vector<double> values_;
    std::size_t size_ = 0;
    std::size_t mask_ = 0;
    // The last key found: sorted files (BACI: by pair, then product) repeat it row after row.
    std::uint64_t last_key_ = kEmptyKey;
    std::size_t last_slot_ = 0;
};

inline constexpr int kUnknownCountry = -1;
inline constexpr int kAggregate = -2;

// Country codes as they appear in data -> index of an ISO alpha-3 code.
struct CountryTable {
    std::vector<std::string> iso3;  // by index
    std::vector<std::string> names; // by index
    [[nodiscard]] int lookup(std::string_view code) const noexcept;
    // Index of a canonical or alias code, adding a new country when unknown.
    int intern(const std::string& iso3_code, const std::string& name);

    std::array<std::int16_t, 1000> numeric_{};   // numeric code -> index or kUnknown/kAggregate
    std::vector<std::int16_t> alpha_;            // 3 letters (26^3) -> index
    std::unordered_map<std::string, int> other_; // user codes of other shapes
};

// The built-in table, then `overrides_file` (code,iso3 or CEPII's country_code,country_iso3)
// on top. Throws sim::InputError / IoError for a bad file.
[[nodiscard]] CountryTable load_country_table(const std::string& overrides_file);

inline constexpr int kUnknownProduct = -1;
// Product codes are packed into 23 bits: digit count (3 bits) and value (20 bits), so "01" and
// "0001" differ; kTotalProduct is Comtrade's "TOTAL".
inline constexpr std::uint32_t kTotalProduct = 7u << 20;

// HS prefix -> sector, resolved for every 2-, 4- and 6-digit code up front (longest wins).
struct Concordance {
    std::vector<std::string> sectors;
    std::vector<std::string> names;
    std::vector<std::int8_t> by2, by4, by6;
    std::string source;
    // The packed product code of a digit string (odd lengths get back the leading zero that
    // numeric storage dropped: BACI's "10121" is HS 010121), or kUnknownProduct.
    [[nodiscard]] static std::int64_t product_code(std::string_view code) noexcept;
    [[nodiscard]] int sector_of(std::uint32_t product) const noexcept;
};

// The built-in HS chapter concordance or a user's `hs,sector[,name]` file.
[[nodiscard]] Concordance load_concordance(const std::string& file);

// Why a row was dropped. Order = order in the report.
enum Reason : int {
    kMissingField,
    kNonNumeric,
    kNegative,
    kMissingValue,
    kUnknownCountryCode,
    kUnknownProductCode,
    kDuplicate,
    kAggregateCode,
    kReExport,
    kOtherFlow,
    kBreakdown,
    kCoarserLevel,
    kReasonCount
};
[[nodiscard]] const char* reason_text(int reason) noexcept;
// Reasons that are faults of the data (errors under strict), as opposed to rows dropped by a
// documented rule (aggregates, re-exports, breakdowns, coarser levels).
[[nodiscard]] bool is_problem(int reason) noexcept;

struct Example {
    int reason = 0;
    std::size_t line = 0;
    std::string text;
};

// A row that passed validation; kept until the in-order merge has checked it is not a
// duplicate of an earlier row of the same file. 32 bytes: a block holds one per row.
struct Row {
    std::uint32_t pair = 0;         // BlockResult::pairs id of (year, codes as written)
    std::uint32_t slot = 0;         // BlockResult::slots id of the product code (and side)
    std::uint32_t offset = 0;       // of the row's text in the block
    std::uint32_t line = 0;         // relative to the block's first line
    std::uint64_t flow = kEmptyKey; // kEmptyKey: no flow (variables only)
    double value = 0;
};

inline constexpr std::size_t kExamplesPerReason = 20;

// What parsing one block yields; merged into the file's totals in block order. Line numbers
// are relative to the block's first line (`first_line`, known only at the merge, so the
// reader need not count lines).
struct BlockResult {
    std::vector<Row> rows;
    PairIndex pairs;                     // (year, exporter, importer as written) of the rows
    SlotIndex slots;                     // product codes (and Comtrade's side bit) of the rows
    std::vector<std::string> long_codes; // codes as written longer than 7 bytes
    FlatMap flows{256};
    FlatMap pair_vars{64};
    FlatMap country_vars{64};
    FlatMap groups{64}; // comtrade: rows per (year, reporter, side, level)
    std::array<std::size_t, kReasonCount> drops{};
    std::vector<Example> examples;
    std::vector<std::uint32_t> products; // packed product codes seen (deduplicated later)
    std::size_t rows_read = 0;
    std::size_t lines = 0;      // line numbers the block spans
    std::size_t first_line = 0; // set by the merge
    const char* begin = nullptr;
    const char* end = nullptr;
    // The last two country codes looked up (views into the block) and their indices: files
    // sorted by exporter and importer repeat them row after row.
    std::array<std::string_view, 2> memo_code{};
    std::array<int, 2> memo_index{};
    int memo_last = 0;

    void drop(int reason, std::size_t line, std::string_view text) {
        if (drops[static_cast<std::size_t>(reason)]++ < kExamplesPerReason) {
            examples.push_back({reason, line, std::string(text.substr(0, 300))});
        }
    }
    // Keeps a valid row (`text` is its text in the block) for the duplicate check: its key is
    // (year, the codes as written, slot); `flow` kEmptyKey when it adds no flow.
    void keep(unsigned year, std::string_view exporter, std::string_view importer,
              std::uint32_t slot, std::uint64_t flow, double value, std::size_t line,
              std::string_view text);
    // Empties the result but keeps its storage for the next block.
    void reset();
};

// The text of the row starting at `p` (up to its line end outside quotes).
[[nodiscard]] std::string_view row_text(const char* p, const char* end);

// A line split into fields (views into the block; quotes removed, "" left doubled).
using Fields = std::vector<std::string_view>;

// Format-specific handling of the fields of one row.
class Layout {
public:
    virtual ~Layout() = default;
    // A row with as many fields as the header (the reader drops the others as missing fields).
    virtual void row(const Fields& fields, std::size_t line, std::string_view text,
                     BlockResult& out) const = 0;
    std::size_t columns = 0; // header's field count
};

// Sector slot of rows without products and of Comtrade's "TOTAL": the panel's sector "TOT".
inline constexpr int kTotalSector = 127;

// Parses a number the way data files write it: surrounding blanks, a leading '+'; empty, NA,
// NaN and "." are missing.
enum class Parsed { ok, missing, bad };
/// `t` without leading blanks and tabs and trailing blanks, tabs and carriage returns.
[[nodiscard]] std::string_view trim(std::string_view t) noexcept;
[[nodiscard]] Parsed parse_number(std::string_view text, double& value) noexcept;
[[nodiscard]] Parsed parse_year(std::string_view text, unsigned& year) noexcept;

// Reads one file (plain or gzip) in blocks of `block_bytes`, cut after the last line end that
// is not inside quotes; `make_layout` gets the header's fields; blocks are parsed in parallel
// on `threads` threads (0 = all) and handed to `merge` in file order. Returns the bytes read
// after decompression. Throws sim::IoError for unreadable or corrupt files.
struct StreamJob {
    std::string path;
    std::size_t block_bytes = 16u << 20;
    int threads = 0;
    std::function<std::unique_ptr<Layout>(const Fields& header)> make_layout;
    std::function<void(BlockResult&&)> merge;
    std::function<void(std::size_t compressed_done)> progress;
};
std::size_t stream_file(const StreamJob& job);

struct VariableSpec {
    std::string name, unit, source;
};
// Variables by name, shared by all files of an import so their slots agree.
struct Schema {
    std::vector<VariableSpec> pair, country;
    static int slot(std::vector<VariableSpec>& list, VariableSpec spec);
};

struct FormatContext {
    const ImportOptions& options;
    const CountryTable& countries;
    const Concordance& concordance;
    Schema& schema;
    std::string path;
};

// The layout of a file of options.format after its header; throws sim::InputError naming the
// columns expected and those found when the header does not fit.
[[nodiscard]] std::unique_ptr<Layout> make_layout(const FormatContext& context,
                                                  const Fields& header);

} // namespace tradesim::history::detail
