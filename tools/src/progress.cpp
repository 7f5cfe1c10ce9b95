#include "progress.hpp"

#include <cstdio>
#include <fmt/format.h>
#include <unistd.h>

namespace tradesim::tools {

bool stderr_is_terminal() {
    return isatty(fileno(stderr)) != 0;
}

ProgressObserver::ProgressObserver(models::RunObserver& next, int total_steps, bool show)
    : next_(next), total_(total_steps), show_(show), start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

void ProgressObserver::on_step(const models::StepView& view) {
    next_.on_step(view);
    if (!show_) {
        return;
    }
    const auto now = std::chrono::steady_clock::now();
    const bool last = view.step + 1 == total_;
    // Redraw at most ten times a second so the terminal never slows the run.
    if (!last && now - last_draw_ < std::chrono::milliseconds(100)) {
        return;
    }
    last_draw_ = now;
    const double elapsed = std::chrono::duration<double>(now - start_).count();
    const int done = view.step + 1;
    const double remaining = elapsed / done * (total_ - done);
    fmt::print(stderr, "\r  step {}/{}  {}  elapsed {:.1f} s  remaining {:.1f} s   ", done, total_,
               view.date, elapsed, remaining);
    std::fflush(stderr);
}

void ProgressObserver::done() {
    if (show_) {
        fmt::print(stderr, "\r{:70}\r", "");
        std::fflush(stderr);
    }
}

} // namespace tradesim::tools
