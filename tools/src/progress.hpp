#pragma once
// A progress line on stderr (step/total, elapsed, remaining) while a run goes, passing each
// step on to the next observer.

#include "tradesim/models/simulation.hpp"

#include <chrono>

namespace tradesim::tools {

class ProgressObserver : public models::RunObserver {
public:
    /// Shows progress only when `show` (stderr is a terminal and not --quiet).
    ProgressObserver(models::RunObserver& next, int total_steps, bool show);
    void on_step(const models::StepView& view) override;
    /// Clears the line.
    void done();

private:
    models::RunObserver& next_;
    int total_;
    bool show_;
    std::chrono::steady_clock::time_point start_;
    std::chrono::steady_clock::time_point last_draw_;
};

/// True when stderr is a terminal.
[[nodiscard]] bool stderr_is_terminal();

} // namespace tradesim::tools
