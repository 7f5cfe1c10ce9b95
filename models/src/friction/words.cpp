#include "friction/words.hpp"

#include <fmt/format.h>

namespace tradesim::models::detail {

std::vector<std::size_t> traded_sectors(const World& world) {
    std::vector<std::size_t> out;
    for (std::size_t k = 0; k < world.sectors.size(); ++k) {
        if (world.sectors[k].traded) {
            out.push_back(k);
        }
    }
    return out;
}

namespace {
bool every_good(const World& world, const std::vector<std::size_t>& sectors) {
    return sectors.size() > 1 &&
           (sectors == traded_sectors(world) || sectors.size() == world.sectors.size());
}
} // namespace

std::string sector_words(const World& world, const std::vector<std::size_t>& sectors) {
    if (every_good(world, sectors)) {
        return "all goods";
    }
    std::string out;
    for (std::size_t s = 0; s < sectors.size(); ++s) {
        if (s > 0) {
            out += s + 1 == sectors.size() ? " and " : ", ";
        }
        out += world.sectors[sectors[s]].name;
    }
    return out;
}

std::string sector_label(const World& world, const std::vector<std::size_t>& sectors) {
    if (every_good(world, sectors)) {
        return "all";
    }
    std::string out;
    for (std::size_t k : sectors) {
        out += (out.empty() ? "" : ";") + world.sectors[k].code;
    }
    return out;
}

std::string possessive(const std::string& name) {
    return !name.empty() && name.back() == 's' ? name + "'" : name + "'s";
}

std::string signed_number(double value, int decimals) {
    return fmt::format("{:+.{}f}", value, decimals);
}

} // namespace tradesim::models::detail
