#include "tradesim/history/import.hpp"
#include "tradesim/sim/error.hpp"

#include <catch2/catch.hpp>
#include <string>

using namespace tradesim;
using history::Format;
using history::ImportOptions;

namespace {

// The catalogue of tests/history/bad_data/ (README.md there lists the same cases): each file,
// its format, whether --strict is on, the error type and the message after "<path>".
struct BadCase {
    const char* file;
    Format format;
    bool strict;
    bool io_error;
    const char* message;
};

const BadCase kCases[] = {
    {"truncated.csv.gz", Format::baci, false, true,
     ": error: truncated or corrupt gzip file: unexpected end of file"},
    {"wrong_header.csv", Format::baci, false, false,
     ":1: error: not a baci file: missing columns t, i, j (expected t,i,j,k,v,q; found "
     "year,exporter,importer,k,v,q)"},
    {"non_numeric.csv", Format::table, true, false,
     ":3: error: non-numeric value: CHN,DEU,2000,12x"},
    {"duplicate_keys.csv", Format::table, true, false, ":4: error: duplicate key: CHN,USA,2000,90"},
    {"unknown_country.csv", Format::table, true, false,
     ":3: error: unknown country: CHN,XYZ,2000,5"},
    {"negative_value.csv", Format::table, true, false,
     ":2: error: negative value: CHN,USA,2000,-100"},
    {"missing_field.csv", Format::table, true, false, ""},
};

std::string error_of(const ImportOptions& o, bool io_error) {
    try {
        (void)history::import_files(o);
    } catch (const sim::IoError& e) {
        CHECK(io_error);
        return e.what();
    } catch (const sim::InputError& e) {
        CHECK_FALSE(io_error);
        return e.what();
    }
    FAIL("no error for " << o.files[0]);
    return "";
}

} // namespace

TEST_CASE("Import: the bad-data catalogue gives its expected messages",
          "[history][import][error]") {
    for (const auto& c : kCases) {
        ImportOptions o;
        o.format = c.format;
        o.strict = c.strict;
        o.files = {std::string(TRADESIM_SOURCE_DIR) + "/tests/history/bad_data/" + c.file};
        const std::string expected = std::string(c.message).empty()
                                         ? o.files[0] + ":3: error: missing field: CHN,,2000,5\n" +
                                               o.files[0] + ":4: error: missing field: CHN,DEU,2000"
                                         : o.files[0] + c.message;
        INFO(c.file);
        CHECK(error_of(o, c.io_error) == expected);
    }
}

TEST_CASE("Import: without strict the bad rows are dropped and counted",
          "[history][import][error]") {
    ImportOptions o;
    o.files = {std::string(TRADESIM_SOURCE_DIR) + "/tests/history/bad_data/duplicate_keys.csv"};
    const auto r = history::import_files(o);
    REQUIRE(r.report.dropped.size() == 1);
    CHECK(r.report.dropped[0].reason == "duplicate key");
    CHECK(r.report.value_by_year == std::vector<double>{105});
}
