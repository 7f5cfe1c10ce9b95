#pragma once
// What the currency policies share: the check that the scenario settles in currencies, currency
// and country codes resolved with every unknown one reported (with a suggestion and the known
// codes), the pairs a policy targets (`countries` with optional `partners`), and the candidate
// currencies of a pair.

#include "detail/fields.hpp"
#include "tradesim/models/policy.hpp"

#include <optional>
#include <string>
#include <vector>

namespace tradesim::models::detail {

/// ctx.currencies, or null after reporting that `kind` needs currencies.
const Currencies* require_currencies(Fields& f, const PolicyContext& ctx, const char* kind);

/// The currency code of `key` (a string), or nullopt after reporting it missing or unknown.
std::optional<std::size_t> read_currency(Fields& f, const Currencies& set, const std::string& key,
                                         bool required);

/// Currency codes of `key` (a string or a list; repeats dropped); nullopt when absent (not
/// required) or after reporting the problems.
std::optional<std::vector<std::size_t>> read_currency_list(Fields& f, const Currencies& set,
                                                           const std::string& key, bool required);

/// Country codes of `key` (a string, a list, or "all"; repeats dropped); nullopt when absent
/// (not required) or after reporting the problems.
std::optional<std::vector<std::size_t>> read_countries(Fields& f, const World& world,
                                                       const std::string& key, bool required);

/// The pairs of a policy with `countries` and optional `partners`: (i, j) and (j, i) for i in
/// countries and j in partners (every other economy without partners), never i == j.
struct PairTarget {
    std::vector<std::size_t> pairs; ///< Dims::pair, sorted, each once
    std::vector<std::size_t> countries, partners;
    bool all_partners = false;                   ///< no `partners` key
    std::string countries_label, partners_label; ///< codes joined by ';' ("all" without partners)
    /// "trade between CHN and 12 partners", "trade between CHN and every other economy".
    std::string phrase;
};

/// Reads `countries` and `partners`; nullopt after reporting the problems, or when no pair
/// remains.
std::optional<PairTarget> read_pairs(Fields& f, const PolicyContext& ctx);

/// Candidate currencies of the pair (i, j): their home currencies, USD, EUR and CNY, each once
/// (settlement.hpp).
std::vector<std::size_t> candidates(const Currencies& set, std::size_t i, std::size_t j);

/// `state.settlement`, set to the baseline of `set` first when nothing sized it yet.
SettlementPolicy& settlement_of(PolicyState& state, const Currencies& set);

/// "A-B, C-D, E-F and 4 more" for pairs (Dims::pair) of `world`.
std::string pair_list(const World& world, const std::vector<std::size_t>& pairs);

/// A currency policy: its kind, dates and note, and the currencies it acts on.
class CurrencyPolicy : public Policy {
public:
    CurrencyPolicy(const char* kind, const PolicyContext& ctx, const sim::SpecNode& table,
                   std::string note);
    [[nodiscard]] const std::string& kind() const noexcept override { return kind_; }

protected:
    /// The event of the start (kind) or the end (kind + "_end"), `message` with the note.
    [[nodiscard]] Event event(bool ending, std::string message) const;
    /// The settlement state of `state`, sized first when nothing sized it yet.
    SettlementPolicy& settlement(PolicyState& state) const { return settlement_of(state, set_); }
    [[nodiscard]] const Currencies& set() const noexcept { return set_; }
    [[nodiscard]] const std::string& code(std::size_t c) const { return set_.currencies[c].code; }

private:
    std::string kind_, note_, date_, end_date_;
    const Currencies& set_; ///< the world's, which outlives the scenario's policies
};

} // namespace tradesim::models::detail
