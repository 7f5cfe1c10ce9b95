#pragma once
/// Months, step lengths and the mapping between simulation steps and dates.

#include <cstdint>
#include <optional>
#include <string>

namespace tradesim::sim {

/// A calendar month, e.g. 2018-07.
struct YearMonth {
    int year = 2000;
    int month = 1; // 1..12

    /// Months since year 0, for arithmetic.
    [[nodiscard]] int index() const noexcept { return year * 12 + (month - 1); }
    [[nodiscard]] static YearMonth from_index(int index) noexcept {
        return {index / 12, index % 12 + 1};
    }
    [[nodiscard]] std::string str() const; ///< "YYYY-MM"
    auto operator<=>(const YearMonth&) const = default;
};

/// Parses "YYYY-MM" or "YYYY-MM-DD" (the day is ignored); nullopt when malformed.
[[nodiscard]] std::optional<YearMonth> parse_year_month(const std::string& text);

enum class StepLength { month = 1, quarter = 3, year = 12 };

/// "month", "quarter" or "year"; nullopt otherwise.
[[nodiscard]] std::optional<StepLength> parse_step_length(const std::string& text);
[[nodiscard]] const char* to_string(StepLength length) noexcept;

/// Steps 0..steps-1; step s covers the period starting at start + s * length.
class Calendar {
public:
    Calendar() = default;
    Calendar(YearMonth start, int steps, StepLength length)
        : start_(start), steps_(steps), length_(length) {}

    [[nodiscard]] YearMonth start() const noexcept { return start_; }
    [[nodiscard]] int steps() const noexcept { return steps_; }
    [[nodiscard]] StepLength length() const noexcept { return length_; }
    [[nodiscard]] int months_per_step() const noexcept { return static_cast<int>(length_); }
    /// First month of step s.
    [[nodiscard]] YearMonth date_of(int step) const noexcept;
    /// First month after the last step.
    [[nodiscard]] YearMonth end() const noexcept { return date_of(steps_); }
    /// The step whose period contains `date`, or nullopt when outside the calendar.
    [[nodiscard]] std::optional<int> step_of(YearMonth date) const noexcept;

private:
    YearMonth start_{};
    int steps_ = 0;
    StepLength length_ = StepLength::month;
};

} // namespace tradesim::sim
