#pragma once
// Exact duplicate-key detection whose memory follows the panel, not the rows: a key is a
// "pair" (year, exporter code as written, importer code as written) and a "slot" (the product
// code, with Comtrade's side bit). Pairs get dense ids; slots get dense indices in order of
// first appearance in the file; each pair has a bitmap over slot indices, grown lazily up to
// the largest index it has seen. Memory per file is at most
//   pairs * (48 + slots / 8) bytes + slots * 20 bytes,
// e.g. ~40,000 pairs a year * 5,400 HS6 codes: ~30 MB a year, against 16 bytes a row for a
// hash set of the rows' keys (~256 MB at 10 million rows). The check is exact (no hashing of
// keys into fewer bits). Codes as written, not as harmonised: two codes that map to one country
// (DDR and DEU, 280 and 276) are summed, not duplicates.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace tradesim::history::detail {

// A country code as written, packed exactly: up to 7 bytes with the length in the top byte
// (0 = empty). Longer codes are kLongCode | an index into a table of their texts.
inline constexpr std::uint64_t kLongCode = std::uint64_t{1} << 63;
[[nodiscard]] inline bool pack_short_code(std::string_view code, std::uint64_t& packed) noexcept {
    if (code.size() > 7) {
        return false;
    }
    std::uint64_t p = std::uint64_t{code.size()} << 56;
    for (std::size_t c = 0; c < code.size(); ++c) {
        p |= std::uint64_t{static_cast<unsigned char>(code[c])} << (8 * c);
    }
    packed = p;
    return true;
}

struct PairKey {
    std::uint64_t exporter = 0, importer = 0;
    std::uint32_t year = 0;
    bool operator==(const PairKey&) const = default;
};

// PairKeys -> dense ids in order of first insertion (open addressing, linear probing). The
// last key is cached: most files come sorted by year and pair.
class PairIndex {
public:
    std::uint32_t intern(const PairKey& key);
    [[nodiscard]] std::size_t size() const noexcept { return keys_.size(); }
    [[nodiscard]] const PairKey& key(std::uint32_t id) const noexcept { return keys_[id]; }
    // Empties the index but keeps its storage (blocks are recycled).
    void clear();
    [[nodiscard]] std::size_t bytes() const noexcept {
        return keys_.capacity() * sizeof(PairKey) + table_.capacity() * sizeof(std::uint32_t);
    }

private:
    void grow();
    std::vector<PairKey> keys_;
    std::vector<std::uint32_t> table_; // id + 1; 0 = empty
    PairKey last_;
    std::uint32_t last_id_ = ~0u;
};

// Slots -> dense ids in order of first insertion (open addressing over 32-bit keys).
class SlotIndex {
public:
    std::uint32_t intern(std::uint32_t slot);
    [[nodiscard]] std::size_t size() const noexcept { return slots_.size(); }
    [[nodiscard]] std::uint32_t slot(std::uint32_t id) const noexcept { return slots_[id]; }
    void clear();

private:
    void grow();
    std::vector<std::uint32_t> slots_; // by id
    std::vector<std::uint64_t> table_; // (slot << 32 | id), ~0 = empty
    std::uint32_t last_slot_ = ~0u;    // ~0 is never a slot (24 bits)
    std::uint32_t last_id_ = 0;
};

// The keys of one file seen so far, in file order.
class DuplicateFilter {
public:
    // The file-wide id of a pair of a block whose long codes index `long_codes`.
    std::uint32_t pair(PairKey key, const std::vector<std::string>& long_codes);
    // The file-wide index of a slot.
    std::uint32_t slot(std::uint32_t slot) { return slots_.intern(slot); }
    // True (and the key marked) the first time (pair, slot index) is seen.
    bool first(std::uint32_t pair, std::uint32_t slot_index);
    [[nodiscard]] std::size_t bytes() const noexcept;

private:
    std::uint64_t long_code(std::uint64_t code, const std::vector<std::string>& texts);
    PairIndex pairs_;
    SlotIndex slots_;
    std::vector<std::vector<std::uint64_t>> bits_; // by pair id, over slot indices
    std::unordered_map<std::string, std::uint64_t> long_codes_;
};

} // namespace tradesim::history::detail
