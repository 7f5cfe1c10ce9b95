#include "tradesim/sim/error.hpp"
#include "tradesim/sim/text_table.hpp"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

using namespace tradesim::sim;
using Catch::Matchers::Contains;

namespace {

std::string write(const std::string& name, const std::string& text) {
    const auto path = std::filesystem::path(TRADESIM_TEST_OUTPUT_DIR) / name;
    std::ofstream(path, std::ios::binary) << text;
    return path.string();
}

} // namespace

TEST_CASE("TextTable: skips comments and blank lines, trims cells, keeps line numbers",
          "[sim][text_table]") {
    const auto path = write("tt_good.csv", "# countries of the default world\n"
                                           "\n"
                                           "code, name , gdp\n"
                                           "   # an indented comment\n"
                                           "CHN, China, 17.7\n"
                                           "  \t \n"
                                           "USA,United States ,  25.5\n");
    const TextTable t = read_text_table(path);
    CHECK(t.file == path);
    CHECK(t.header == std::vector<std::string>{"code", "name", "gdp"});
    REQUIRE(t.rows.size() == 2);
    CHECK(t.rows[0].line == 5);
    CHECK(t.rows[0].cells == std::vector<std::string>{"CHN", "China", "17.7"});
    CHECK(t.rows[1].line == 7);
    CHECK(t.rows[1].cells == std::vector<std::string>{"USA", "United States", "25.5"});

    CHECK(t.column_index("code") == 0);
    CHECK(t.column_index("gdp") == 2);
    CHECK(t.column_index("GDP") == -1);

    REQUIRE(t.rows[0].columns.size() == 3);
    CHECK(t.where(t.rows[0], 0).str() == path + ":5:1");
    CHECK(t.where(t.rows[1], 1).str() == path + ":7:5");
    CHECK(t.where(t.rows[1], 9).str() == path + ":7"); // no such cell: column unknown
}

TEST_CASE("TextTable: reads Windows line endings", "[sim][text_table]") {
    const auto path = write("tt_crlf.csv", "a,b\r\n1,2\r\n\r\n3,4\r\n");
    const TextTable t = read_text_table(path);
    CHECK(t.header == std::vector<std::string>{"a", "b"});
    REQUIRE(t.rows.size() == 2);
    CHECK(t.rows[0].cells == std::vector<std::string>{"1", "2"});
    CHECK(t.rows[1].line == 4);
    CHECK(t.rows[1].cells == std::vector<std::string>{"3", "4"});
}

TEST_CASE("TextTable: keeps empty cells", "[sim][text_table]") {
    const auto path = write("tt_empty_cells.csv", "a,b,c\nx,,z\n,,\n");
    const TextTable t = read_text_table(path);
    REQUIRE(t.rows.size() == 2);
    CHECK(t.rows[0].cells == std::vector<std::string>{"x", "", "z"});
    CHECK(t.rows[1].cells == std::vector<std::string>{"", "", ""});
}

TEST_CASE("TextTable: reports every row with the wrong number of fields",
          "[sim][text_table][error]") {
    const auto path = write("tt_bad_rows.csv", "# header next\n"
                                               "code,name,gdp\n"
                                               "CHN,China,17.7\n"
                                               "USA,25.5\n"
                                               "DEU,Germany,4.1\n"
                                               "JPN,Japan,4.2,extra\n");
    REQUIRE_THROWS_AS(read_text_table(path), InputError);
    REQUIRE_THROWS_WITH(read_text_table(path),
                        Contains(path + ":4:1: error: row has 2 fields, the header has 3") &&
                            Contains(path + ":6:1: error: row has 4 fields, the header has 3"));
    try {
        (void)read_text_table(path);
        FAIL("no exception");
    } catch (const InputError& e) {
        const std::string what = e.what();
        CHECK(what.find(path + ":3:") == std::string::npos);
        CHECK(what.find(path + ":5:") == std::string::npos);
        CHECK(what.find('\n') < what.size());                             // two lines ...
        CHECK(what.find('\n', what.find('\n') + 1) == std::string::npos); // ... exactly
    }
}

TEST_CASE("TextTable: a file with no header row is an InputError", "[sim][text_table][error]") {
    const auto path = write("tt_no_header.csv", "# only a comment\n\n");
    REQUIRE_THROWS_AS(read_text_table(path), InputError);
    REQUIRE_THROWS_WITH(read_text_table(path), Contains(path + ": error: no header row"));
}

TEST_CASE("TextTable: a directory is an IoError", "[sim][text_table][error]") {
    // Known bug (reported): std::ifstream opens a directory, no line is read, and the
    // result is InputError "no header row" (exit code 3) instead of IoError (4).
    const std::string dir = TRADESIM_TEST_OUTPUT_DIR;
    REQUIRE_THROWS_AS(read_text_table(dir), IoError);
}

TEST_CASE("TextTable: a missing file is an IoError", "[sim][text_table][error]") {
    const auto path =
        (std::filesystem::path(TRADESIM_TEST_OUTPUT_DIR) / "tt_does_not_exist.csv").string();
    REQUIRE_THROWS_AS(read_text_table(path), IoError);
    REQUIRE_THROWS_WITH(read_text_table(path), Contains(path) && Contains("cannot open"));
}
