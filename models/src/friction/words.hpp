#pragma once
// Plain words for friction events: country and sector names, lists.

#include "tradesim/models/world.hpp"

#include <string>
#include <vector>

namespace tradesim::models::detail {

/// "machinery and electrical equipment", "agri-food and transport equipment", "all goods".
[[nodiscard]] std::string sector_words(const World& world, const std::vector<std::size_t>& sectors);
/// "AGR;VEH" (the event's sector field), "all" when every traded sector.
[[nodiscard]] std::string sector_label(const World& world, const std::vector<std::size_t>& sectors);
/// Every traded sector.
[[nodiscard]] std::vector<std::size_t> traded_sectors(const World& world);
/// "China's", "the United States'" style possessive: "China's", "United States'".
[[nodiscard]] std::string possessive(const std::string& name);
/// "+3.4" / "-1.2".
[[nodiscard]] std::string signed_number(double value, int decimals = 1);

} // namespace tradesim::models::detail
