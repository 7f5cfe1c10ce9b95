// Country and product code tables of the importer, and its flat hash containers.

#include "import_detail.hpp"

#include "tradesim/history/csv.hpp"
#include "tradesim/sim/error.hpp"

#include <algorithm>
#include <charconv>
#include <fmt/format.h>

namespace tradesim::history::detail {

extern const char* const k_country_codes_csv;
extern const char* const k_hs_chapters_sectors_csv;

namespace {

std::size_t slot_of(std::uint64_t key, std::size_t mask) noexcept {
    return static_cast<std::size_t>((key * 0x9E3779B97F4A7C15ull) >> 20) & mask;
}

std::size_t power_of_two(std::size_t n) {
    std::size_t p = 16;
    while (p < n) {
        p *= 2;
    }
    return p;
}

// Index into the 26^3 table of alphabetic codes, or -1 for anything but three letters.
int alpha_index(std::string_view code) noexcept {
    if (code.size() != 3) {
        return -1;
    }
    int index = 0;
    for (char c : code) {
        if (c >= 'a' && c <= 'z') {
            c = static_cast<char>(c - 'a' + 'A');
        }
        if (c < 'A' || c > 'Z') {
            return -1;
        }
        index = index * 26 + (c - 'A');
    }
    return index;
}

// Numeric value of a code of 1 to 3 digits (leading zeros allowed), or -1.
int numeric_value(std::string_view code) noexcept {
    while (code.size() > 1 && code.front() == '0') {
        code.remove_prefix(1);
    }
    if (code.empty() || code.size() > 3) {
        return -1;
    }
    int value = 0;
    for (const char c : code) {
        if (c < '0' || c > '9') {
            return -1; // "12A" is not code 12
        }
        value = value * 10 + (c - '0');
    }
    return value;
}

// Minimal reader for the embedded tables: '#' comment lines, a header, RFC 4180 quotes.
std::vector<std::vector<std::string>> embedded_rows(const char* text) {
    std::vector<std::vector<std::string>> rows;
    std::string_view rest(text);
    bool header = true;
    while (!rest.empty()) {
        const auto end = rest.find('\n');
        std::string_view line = rest.substr(0, end);
        rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end + 1);
        if (line.empty() || line.front() == '#') {
            continue;
        }
        if (header) {
            header = false;
            continue;
        }
        std::vector<std::string> fields(1);
        bool quoted = false;
        for (char c : line) {
            if (c == '"') {
                quoted = !quoted;
            } else if (c == ',' && !quoted) {
                fields.emplace_back();
            } else {
                fields.back() += c;
            }
        }
        rows.push_back(std::move(fields));
    }
    return rows;
}

} // namespace

FlatMap::FlatMap(std::size_t capacity)
    : keys_(power_of_two(capacity), kEmptyKey), values_(keys_.size(), 0.0),
      mask_(keys_.size() - 1) {}

double& FlatMap::at(std::uint64_t key, bool& inserted) {
    if (key == last_key_) {
        inserted = false;
        return values_[last_slot_];
    }
    if ((size_ + 1) * 2 > keys_.size()) {
        grow();
    }
    for (std::size_t s = slot_of(key, mask_);; s = (s + 1) & mask_) {
        if (keys_[s] == key) {
            inserted = false;
            last_key_ = key;
            last_slot_ = s;
            return values_[s];
        }
        if (keys_[s] == kEmptyKey) {
            keys_[s] = key;
            values_[s] = 0;
            ++size_;
            inserted = true;
            last_key_ = key;
            last_slot_ = s;
            return values_[s];
        }
    }
}

const double* FlatMap::find(std::uint64_t key) const noexcept {
    for (std::size_t s = slot_of(key, mask_);; s = (s + 1) & mask_) {
        if (keys_[s] == key) {
            return &values_[s];
        }
        if (keys_[s] == kEmptyKey) {
            return nullptr;
        }
    }
}

std::vector<std::pair<std::uint64_t, double>> FlatMap::sorted() const {
    std::vector<std::pair<std::uint64_t, double>> entries;
    entries.reserve(size_);
    for_each([&](std::uint64_t k, double v) { entries.emplace_back(k, v); });
    std::sort(entries.begin(), entries.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    return entries;
}

void FlatMap::grow() {
    FlatMap bigger(keys_.size() * 2);
    for (std::size_t s = 0; s < keys_.size(); ++s) {
        if (keys_[s] != kEmptyKey) {
            bool inserted = false;
            bigger.at(keys_[s], inserted) = values_[s];
        }
    }
    *this = std::move(bigger);
}

void FlatMap::clear() {
    if (size_ != 0) {
        std::fill(keys_.begin(), keys_.end(), kEmptyKey);
        size_ = 0;
    }
    last_key_ = kEmptyKey;
}

void BlockResult::keep(unsigned year, std::string_view exporter, std::string_view importer,
                       std::uint32_t slot, std::uint64_t flow, double value, std::size_t line,
                       std::string_view text) {
    PairKey key;
    key.year = year;
    for (auto [code, packed] : {std::pair{exporter, &key.exporter}, {importer, &key.importer}}) {
        if (!pack_short_code(code, *packed)) {
            // Rare (user codes of other shapes): a row's own copy is enough, the merge maps
            // equal texts to one code.
            *packed = kLongCode | long_codes.size();
            long_codes.emplace_back(code);
        }
    }
    rows.push_back({pairs.intern(key), slots.intern(slot),
                    static_cast<std::uint32_t>(text.data() - begin),
                    static_cast<std::uint32_t>(line), flow, value});
}

void BlockResult::reset() {
    rows.clear();
    pairs.clear();
    slots.clear();
    long_codes.clear();
    flows.clear();
    pair_vars.clear();
    country_vars.clear();
    groups.clear();
    drops = {};
    examples.clear();
    products.clear();
    rows_read = lines = first_line = 0;
    begin = end = nullptr;
    memo_code = {}; // views into the block's old text
    memo_last = 0;
}

int CountryTable::lookup(std::string_view code) const noexcept {
    while (!code.empty() && code.front() == ' ') {
        code.remove_prefix(1);
    }
    while (!code.empty() && code.back() == ' ') {
        code.remove_suffix(1);
    }
    if (const int n = numeric_value(code); n >= 0) {
        return numeric_[static_cast<std::size_t>(n)];
    }
    if (const int a = alpha_index(code); a >= 0) {
        return alpha_[static_cast<std::size_t>(a)];
    }
    // Codes of other shapes only (overrides of numeric and alpha codes are in the arrays), so
    // the common case never builds a string.
    if (!other_.empty()) {
        const auto it = other_.find(std::string(code));
        if (it != other_.end()) {
            return it->second;
        }
    }
    return kUnknownCountry;
}

int CountryTable::intern(const std::string& iso3_code, const std::string& name) {
    if (iso3_code.empty()) {
        return kAggregate;
    }
    const int known = lookup(iso3_code);
    if (known >= 0) {
        return known;
    }
    const int a = alpha_index(iso3_code);
    if (a < 0 || iso3.size() >= static_cast<std::size_t>(kMaxCountries)) {
        throw sim::InputError(fmt::format("country code table: error: \"{}\" is not a three-letter "
                                          "code (or more than {} countries)",
                                          iso3_code, kMaxCountries));
    }
    iso3.push_back(iso3_code);
    names.push_back(name);
    const int index = static_cast<int>(iso3.size() - 1);
    alpha_[static_cast<std::size_t>(a)] = static_cast<std::int16_t>(index);
    return index;
}

CountryTable load_country_table(const std::string& overrides_file) {
    CountryTable table;
    table.numeric_.fill(static_cast<std::int16_t>(kUnknownCountry));
    table.alpha_.assign(26 * 26 * 26, static_cast<std::int16_t>(kUnknownCountry));
    // Canonical rows (with a name) first, so aliases resolve whatever their order in the file.
    const auto rows = embedded_rows(k_country_codes_csv);
    for (const auto& row : rows) {
        if (row.size() >= 3 && !row[1].empty() && !row[2].empty()) {
            (void)table.intern(row[1], row[2]);
        }
    }
    for (const auto& row : rows) {
        const int target = row[1].empty() ? kAggregate : table.lookup(row[1]);
        if (const int n = numeric_value(row[0]); n >= 0) {
            table.numeric_[static_cast<std::size_t>(n)] = static_cast<std::int16_t>(target);
        } else if (const int a = alpha_index(row[0]); a >= 0) {
            table.alpha_[static_cast<std::size_t>(a)] = static_cast<std::int16_t>(target);
        } else {
            table.other_[row[0]] = target; // e.g. CEPII's S19
        }
    }
    if (overrides_file.empty()) {
        return table;
    }
    const auto frame = read_csv(overrides_file);
    // Ours (code,iso3) or CEPII's country-code file (country_code,country_iso3,country_name...).
    const sim::DataColumn* code = frame.find("code");
    const sim::DataColumn* iso3 = frame.find("iso3");
    const sim::DataColumn* name = frame.find("name");
    if (code == nullptr || iso3 == nullptr) {
        code = frame.find("country_code");
        iso3 = frame.find("country_iso3");
        name = frame.find("country_name");
        if (name == nullptr) {
            name = frame.find("country_name_full");
        }
    }
    if (code == nullptr || iso3 == nullptr) {
        auto found = frame.names();
        throw sim::InputError(
            fmt::format("{}:1: error: a country file needs the columns code,iso3 (or CEPII's "
                        "country_code,country_iso3); found {}",
                        overrides_file, fmt::join(found, ",")));
    }
    const auto codes = code->texts();
    const auto targets = iso3->texts();
    const auto labels = name != nullptr ? name->texts() : std::vector<std::string>(codes.size());
    std::vector<std::pair<std::string, int>> mapped;
    for (std::size_t r = 0; r < codes.size(); ++r) {
        mapped.emplace_back(codes[r], table.intern(targets[r], labels[r]));
    }
    for (const auto& [raw, target] : mapped) {
        if (const int n = numeric_value(raw); n >= 0) {
            table.numeric_[static_cast<std::size_t>(n)] = static_cast<std::int16_t>(target);
        } else if (const int a = alpha_index(raw); a >= 0) {
            table.alpha_[static_cast<std::size_t>(a)] = static_cast<std::int16_t>(target);
        } else {
            table.other_[raw] = target;
        }
    }
    return table;
}

std::int64_t Concordance::product_code(std::string_view code) noexcept {
    if (code == "TOTAL" || code == "Total" || code == "total") {
        return kTotalProduct;
    }
    std::size_t digits = code.size();
    if (digits == 0 || digits > 6) {
        return kUnknownProduct;
    }
    std::uint32_t value = 0;
    for (char c : code) {
        if (c < '0' || c > '9') {
            return kUnknownProduct;
        }
        value = value * 10 + static_cast<std::uint32_t>(c - '0');
    }
    digits += digits % 2; // the lost leading zero
    return static_cast<std::int64_t>((static_cast<std::uint32_t>(digits) << 20) | value);
}

int Concordance::sector_of(std::uint32_t product) const noexcept {
    const std::uint32_t digits = product >> 20;
    const std::uint32_t value = product & 0xfffff;
    switch (digits) {
    case 2:
        return by2[value];
    case 4:
        return by4[value];
    case 6:
        return by6[value];
    default:
        return kUnknownProduct;
    }
}

Concordance load_concordance(const std::string& file) {
    std::vector<std::vector<std::string>> rows;
    Concordance c;
    if (file.empty()) {
        rows = embedded_rows(k_hs_chapters_sectors_csv);
        c.source = "built-in HS chapter concordance (history/data/hs_chapters_sectors.csv)";
    } else {
        const auto frame =
            read_csv(file, {.delimiter = ',', .categorical = {"hs", "sector"}, .columns = {}});
        const sim::DataColumn* hs = frame.find("hs");
        const sim::DataColumn* sector = frame.find("sector");
        if (hs == nullptr || sector == nullptr) {
            throw sim::InputError(fmt::format(
                "{}:1: error: a concordance needs the columns hs,sector[,name]; found {}", file,
                fmt::join(frame.names(), ",")));
        }
        const sim::DataColumn* name = frame.find("name");
        const auto h = hs->texts();
        const auto s = sector->texts();
        const auto n = name != nullptr ? name->texts() : std::vector<std::string>(h.size());
        for (std::size_t r = 0; r < h.size(); ++r) {
            rows.push_back({h[r], s[r], n[r]});
        }
        c.source = file;
    }
    c.by2.assign(100, kUnknownProduct);
    c.by4.assign(10000, kUnknownProduct);
    c.by6.assign(1000000, kUnknownProduct);
    std::vector<std::string> problems;
    for (std::size_t r = 0; r < rows.size(); ++r) {
        const auto& row = rows[r];
        auto it = std::find(c.sectors.begin(), c.sectors.end(), row[1]);
        if (it == c.sectors.end()) {
            if (c.sectors.size() >= 127) {
                problems.push_back(fmt::format("{}: error: more than 127 sectors", c.source));
                break;
            }
            c.sectors.push_back(row[1]);
            c.names.push_back(row.size() > 2 ? row[2] : "");
            it = c.sectors.end() - 1;
        }
        const auto sector = static_cast<std::int8_t>(it - c.sectors.begin());
        const auto code = Concordance::product_code(row[0]);
        const auto digits = code >= 0 ? (code >> 20) : 0;
        if (row[0].size() % 2 != 0 || digits < 2 || digits > 6) {
            problems.push_back(fmt::format("{}:{}: error: hs code \"{}\" is not 2, 4 or 6 digits",
                                           c.source, r + 2, row[0]));
            continue;
        }
        const auto value = static_cast<std::size_t>(code & 0xfffff);
        (digits == 2 ? c.by2 : digits == 4 ? c.by4 : c.by6)[value] = sector;
    }
    if (!problems.empty()) {
        throw sim::InputError(fmt::format("{}", fmt::join(problems, "\n")));
    }
    // Longest prefix wins: a code inherits its prefix's sector unless it has its own.
    for (std::size_t v = 0; v < c.by4.size(); ++v) {
        if (c.by4[v] == kUnknownProduct) {
            c.by4[v] = c.by2[v / 100];
        }
    }
    for (std::size_t v = 0; v < c.by6.size(); ++v) {
        if (c.by6[v] == kUnknownProduct) {
            c.by6[v] = c.by4[v / 100];
        }
    }
    return c;
}

const char* reason_text(int reason) noexcept {
    static constexpr std::array<const char*, kReasonCount> texts = {
        "missing field",
        "non-numeric value",
        "negative value",
        "missing value",
        "unknown country",
        "unknown product",
        "duplicate key",
        "aggregate (World, areas n.e.s., EU ...)",
        "re-export or re-import",
        "flow other than exports or imports",
        "breakdown by second partner, transport mode or customs procedure",
        "coarser commodity level than the reporter's finest"};
    return texts[static_cast<std::size_t>(reason)];
}

bool is_problem(int reason) noexcept {
    return reason <= kDuplicate;
}

} // namespace tradesim::history::detail
