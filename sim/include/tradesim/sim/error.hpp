#pragma once
/// Typed errors and the exit codes the `tradesim` command maps them to.
///
/// Exit codes (documented in README.md):
///   0 ok, 2 usage, 3 bad input (scenario, world or data file), 4 I/O, 5 numerical failure,
///   1 anything unexpected.

#include <stdexcept>
#include <string>
#include <vector>

namespace tradesim::sim {

enum class ExitCode : int {
    ok = 0,
    internal = 1,
    usage = 2,
    bad_input = 3,
    io = 4,
    numerical = 5,
};

/// Base of every error tradesim throws on purpose.
class Error : public std::runtime_error {
public:
    Error(ExitCode code, const std::string& what) : std::runtime_error(what), code_(code) {}
    [[nodiscard]] ExitCode code() const noexcept { return code_; }

private:
    ExitCode code_;
};

/// A command used wrongly (unknown table, bad option value).
class UsageError : public Error {
public:
    explicit UsageError(const std::string& what) : Error(ExitCode::usage, what) {}
};

/// Bad content in an input file. what() holds every problem found, one per line,
/// formatted like a compiler error: `file:line:column: error: message`.
class InputError : public Error {
public:
    explicit InputError(const std::string& what) : Error(ExitCode::bad_input, what) {}
};

/// A file that cannot be read or written.
class IoError : public Error {
public:
    explicit IoError(const std::string& what) : Error(ExitCode::io, what) {}
};

/// A solver that did not converge or produced a non-finite value.
class NumericalError : public Error {
public:
    explicit NumericalError(const std::string& what) : Error(ExitCode::numerical, what) {}
};

} // namespace tradesim::sim
