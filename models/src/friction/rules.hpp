#pragma once
// What the behaviours share: reading their common keys, and building their duties.

#include "tradesim/models/friction.hpp"

#include "detail/codes.hpp"
#include "detail/fields.hpp"

#include <optional>
#include <string>
#include <vector>

namespace tradesim::models::detail {

/// Reads `key` (months, default `fallback`) as a whole number of steps, at least one; an error
/// when negative, not whole, or longer than the run.
std::optional<int> read_lag(Fields& f, const std::string& key, int fallback,
                            const BehaviourContext& ctx);
/// Reads a term in months (default `fallback`, 1 to 1200) as steps, at least one.
std::optional<int> read_term(Fields& f, const std::string& key, int fallback,
                             const BehaviourContext& ctx);
/// Countries named by `key` (default every other country), the government left out.
std::optional<std::vector<std::size_t>> read_partners(Fields& f, const std::string& key,
                                                      const BehaviourContext& ctx);
/// Traded sectors named by `key` (default every traded sector; empty when `mirror_default`
/// and the key is absent); an error for a sector that is not traded.
std::optional<std::vector<std::size_t>>
read_sectors(Fields& f, const std::string& key, const BehaviourContext& ctx, bool mirror_default);

/// A duty of `government` on imports from `exporters` in `sectors`, from step `start` for
/// `term` steps (0: to the end of the run), labels and dates filled in; message left to the
/// caller.
DutySpec duty(const Observed& seen, const std::string& kind, std::size_t importer,
              std::vector<std::size_t> exporters, std::vector<std::size_t> sectors,
              std::vector<double> points, int start, int term, int steps,
              const sim::Calendar& calendar);

/// Whether a duty of `kind` set by `importer` on `exporter` and `sector` is in force at
/// `step` or starts later.
bool duty_pending(const Decisions& d, const std::string& kind, std::size_t importer,
                  std::size_t exporter, std::size_t sector, int step);

} // namespace tradesim::models::detail
