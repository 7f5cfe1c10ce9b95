#pragma once
/// Reading delimited text files (CSV) into a sim::DataFrame.

#include "tradesim/sim/data_frame.hpp"

#include <string>
#include <vector>

namespace tradesim::history {

struct CsvOptions {
    /// Field separator; must not be '"', '\n' or '\r'.
    char delimiter = ',';
    /// Columns read as categorical even when every cell looks like a number (e.g. "year" or
    /// product codes with leading zeros). Every name must be in the header.
    std::vector<std::string> categorical;
    /// When non-empty: read only these columns, in this order; the other fields are skipped
    /// without being stored. Every name must be in the header, each at most once.
    std::vector<std::string> columns;
};

/// Reads a CSV file with a header row, plain or gzip-compressed (detected by the gzip magic
/// bytes, not by the file name).
///
/// - Fields follow RFC 4180: a quoted field may hold delimiters, line breaks and `""` (one
///   quote). CRLF line ends are accepted, a UTF-8 byte order mark is skipped, blank lines are
///   skipped.
/// - Missing cells: an empty field (quoted or not), or an unquoted `NA`, `NaN` or `.`. A
///   quoted `"NA"` is text (e.g. the ISO 3166 code of Namibia), not missing.
/// - A column is numeric (double, NaN = missing) when every non-missing cell parses as a
///   number (std::from_chars; surrounding blanks and a leading '+' are allowed), otherwise
///   categorical (codes into levels in order of first appearance, -1 = missing).
/// - DataFrame::source is set to `path`.
///
/// Throws sim::UsageError for a bad delimiter; sim::IoError when the file cannot be opened or
/// read (including corrupt gzip data); sim::InputError for bad content, listing every problem
/// as `file:line[:column]: error: message`: a row whose number of fields differs from the
/// header's (`row has N fields, the header has M`; at most 20 are collected, then reading
/// stops), text after a closing quote, an unterminated quoted field (reported at its opening
/// quote), an empty file, duplicate header names, and names in `options` that are not in the
/// header (with the known columns and a did-you-mean suggestion).
[[nodiscard]] sim::DataFrame read_csv(const std::string& path, const CsvOptions& options = {});

} // namespace tradesim::history
