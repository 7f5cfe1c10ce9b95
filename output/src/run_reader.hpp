#pragma once
/// Internal to output/: the state of an open RunReader, shared by run_store.cpp and the files
/// that read one group of the layout (run_store_friction.cpp), so that each group's reading code
/// lives next to its writing code.

#include "h5.hpp"

#include "tradesim/output/run_store.hpp"
#include "tradesim/sim/error.hpp"

#include <fmt/format.h>

#include <cstddef>
#include <string>
#include <vector>

namespace tradesim::output {

struct RunReader::Impl {
    std::string path;
    h5::File file;
    int steps = 0;
    std::size_t countries_n = 0;
    std::size_t sectors_n = 0;
    std::size_t variables_n = 0;
    std::vector<std::string> dates;

    [[nodiscard]] std::vector<std::string> strings(const std::string& dataset) const {
        return file.contains(dataset) ? file.open_dataset(dataset).read_strings()
                                      : std::vector<std::string>{};
    }

    [[nodiscard]] bool has_firms() const { return file.contains("firms"); }

    void require_firms() const {
        if (!has_firms()) {
            throw sim::UsageError(
                fmt::format("{}: no firm tables (the scenario has no [firms])", path));
        }
    }

    [[nodiscard]] bool has_corridors() const { return file.contains("corridors"); }

    void require_corridors() const {
        if (!has_corridors()) {
            throw sim::UsageError(
                fmt::format("{}: no corridor tables (the world has no transport network)", path));
        }
    }

    [[nodiscard]] bool has_currencies() const { return file.contains("currencies"); }

    void require_currencies() const {
        if (!has_currencies()) {
            throw sim::UsageError(fmt::format(
                "{}: no currency tables (the scenario has no currency settlement)", path));
        }
    }

    [[nodiscard]] bool has_friction() const { return file.contains("friction"); }

    void require_friction() const {
        if (!has_friction()) {
            throw sim::UsageError(
                fmt::format("{}: no friction tables (the run had friction.enabled = false)", path));
        }
    }

    [[nodiscard]] bool has_tariffs() const { return file.contains("tariffs"); }

    void require_tariffs() const {
        if (!has_tariffs()) {
            throw sim::UsageError(fmt::format("{}: no tariff table (the file was written before "
                                              "tradesim stored tariffs; run the scenario again)",
                                              path));
        }
    }

    void check_step(int step) const {
        if (step < 0 || step >= steps) {
            throw sim::UsageError(
                steps == 0
                    ? fmt::format("{}: step {} out of range (the file holds no steps)", path, step)
                    : fmt::format("{}: step {} out of range (the file holds steps 0 to {})", path,
                                  step, steps - 1));
        }
    }
};

} // namespace tradesim::output
