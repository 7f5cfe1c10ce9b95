// Duplicate detection over (pair, slot) bitmaps; see import_dedupe.hpp for the memory bound.

#include "import_dedupe.hpp"

#include <algorithm>

namespace tradesim::history::detail {

namespace {

std::size_t hash_of(const PairKey& k) noexcept {
    std::uint64_t h = k.exporter * 0x9E3779B97F4A7C15ull;
    h ^= (k.importer + (std::uint64_t{k.year} << 40)) * 0xBF58476D1CE4E5B9ull;
    h ^= h >> 29;
    return static_cast<std::size_t>(h * 0x94D049BB133111EBull >> 16);
}

std::size_t slot_hash(std::uint32_t slot) noexcept {
    return static_cast<std::size_t>((std::uint64_t{slot} * 0x9E3779B97F4A7C15ull) >> 24);
}

} // namespace

std::uint32_t PairIndex::intern(const PairKey& key) {
    if (last_id_ != ~0u && key == last_) {
        return last_id_;
    }
    if ((keys_.size() + 1) * 2 > table_.size()) {
        grow();
    }
    const std::size_t mask = table_.size() - 1;
    for (std::size_t s = hash_of(key) & mask;; s = (s + 1) & mask) {
        const std::uint32_t id = table_[s];
        if (id == 0) {
            keys_.push_back(key);
            table_[s] = static_cast<std::uint32_t>(keys_.size());
            last_id_ = static_cast<std::uint32_t>(keys_.size() - 1);
            break;
        }
        if (keys_[id - 1] == key) {
            last_id_ = id - 1;
            break;
        }
    }
    last_ = key;
    return last_id_;
}

void PairIndex::clear() {
    keys_.clear();
    std::fill(table_.begin(), table_.end(), 0u);
    last_id_ = ~0u;
}

void PairIndex::grow() {
    std::vector<std::uint32_t> bigger(std::max<std::size_t>(64, table_.size() * 2), 0u);
    const std::size_t mask = bigger.size() - 1;
    for (std::size_t id = 0; id < keys_.size(); ++id) {
        std::size_t s = hash_of(keys_[id]) & mask;
        while (bigger[s] != 0) {
            s = (s + 1) & mask;
        }
        bigger[s] = static_cast<std::uint32_t>(id + 1);
    }
    table_ = std::move(bigger);
}

std::uint32_t SlotIndex::intern(std::uint32_t slot) {
    if (slot == last_slot_) {
        return last_id_;
    }
    if ((slots_.size() + 1) * 2 > table_.size()) {
        grow();
    }
    const std::size_t mask = table_.size() - 1;
    for (std::size_t s = slot_hash(slot) & mask;; s = (s + 1) & mask) {
        const std::uint64_t entry = table_[s];
        if (entry == ~0ull) {
            last_id_ = static_cast<std::uint32_t>(slots_.size());
            table_[s] = (std::uint64_t{slot} << 32) | last_id_;
            slots_.push_back(slot);
            break;
        }
        if (static_cast<std::uint32_t>(entry >> 32) == slot) {
            last_id_ = static_cast<std::uint32_t>(entry);
            break;
        }
    }
    last_slot_ = slot;
    return last_id_;
}

void SlotIndex::clear() {
    slots_.clear();
    std::fill(table_.begin(), table_.end(), ~0ull);
    last_slot_ = ~0u;
}

void SlotIndex::grow() {
    std::vector<std::uint64_t> bigger(std::max<std::size_t>(1024, table_.size() * 2), ~0ull);
    const std::size_t mask = bigger.size() - 1;
    for (const auto entry : table_) {
        if (entry != ~0ull) {
            std::size_t s = slot_hash(static_cast<std::uint32_t>(entry >> 32)) & mask;
            while (bigger[s] != ~0ull) {
                s = (s + 1) & mask;
            }
            bigger[s] = entry;
        }
    }
    table_ = std::move(bigger);
}

std::uint64_t DuplicateFilter::long_code(std::uint64_t code,
                                         const std::vector<std::string>& texts) {
    if ((code & kLongCode) == 0) {
        return code;
    }
    const auto& text = texts[static_cast<std::size_t>(code & ~kLongCode)];
    const auto [it, inserted] = long_codes_.try_emplace(text, kLongCode | long_codes_.size());
    return it->second;
}

std::uint32_t DuplicateFilter::pair(PairKey key, const std::vector<std::string>& long_codes) {
    key.exporter = long_code(key.exporter, long_codes);
    key.importer = long_code(key.importer, long_codes);
    const std::uint32_t id = pairs_.intern(key);
    if (id >= bits_.size()) {
        bits_.emplace_back();
    }
    return id;
}

bool DuplicateFilter::first(std::uint32_t pair, std::uint32_t index) {
    auto& bits = bits_[pair];
    const std::size_t word = index / 64;
    if (word >= bits.size()) {
        // Room for the slots known so far: the bitmap then rarely grows again.
        bits.resize(std::max(word + 1, (slots_.size() + 63) / 64), 0);
    }
    const std::uint64_t bit = std::uint64_t{1} << (index % 64);
    if ((bits[word] & bit) != 0) {
        return false;
    }
    bits[word] |= bit;
    return true;
}

std::size_t DuplicateFilter::bytes() const noexcept {
    std::size_t total = pairs_.bytes() + bits_.capacity() * sizeof(bits_[0]) + slots_.size() * 20;
    for (const auto& b : bits_) {
        total += b.capacity() * sizeof(std::uint64_t);
    }
    return total;
}

} // namespace tradesim::history::detail
