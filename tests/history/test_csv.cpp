#include "tradesim/history/csv.hpp"
#include "tradesim/sim/error.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>
#include <zlib.h>

using namespace tradesim;
using Catch::Matchers::Contains;
using history::CsvOptions;
using history::read_csv;
using Kind = sim::DataColumn::Kind;

namespace {

std::string write_file(const std::string& name, const std::string& text) {
    const auto path = (std::filesystem::path(TRADESIM_TEST_OUTPUT_DIR) / name).string();
    std::ofstream out(path, std::ios::binary);
    out << text;
    REQUIRE(out.good());
    return path;
}

std::string write_gzip(const std::string& name, const std::string& text) {
    const auto path = (std::filesystem::path(TRADESIM_TEST_OUTPUT_DIR) / name).string();
    gzFile gz = gzopen(path.c_str(), "wb");
    REQUIRE(gz != nullptr);
    REQUIRE(gzwrite(gz, text.data(), static_cast<unsigned>(text.size())) ==
            static_cast<int>(text.size()));
    REQUIRE(gzclose(gz) == Z_OK);
    return path;
}

const sim::DataColumn& column(const sim::DataFrame& frame, const std::string& name) {
    const sim::DataColumn* c = frame.find(name);
    REQUIRE(c != nullptr);
    return *c;
}

std::string error_of(const std::string& path, const CsvOptions& options = {}) {
    try {
        (void)read_csv(path, options);
    } catch (const sim::InputError& e) {
        return e.what();
    }
    FAIL("read_csv did not throw InputError for " << path);
    return {};
}

std::size_t count(const std::string& text, const std::string& word) {
    std::size_t n = 0;
    for (auto at = text.find(word); at != std::string::npos; at = text.find(word, at + 1)) {
        ++n;
    }
    return n;
}

const std::string shared_data = TRADESIM_SHARED_DATA_DIR;

} // namespace

TEST_CASE("read_csv: a column is numeric when every cell is a number, else categorical",
          "[history][csv]") {
    const auto path = write_file("infer.csv", "country,year,value,code\n"
                                              "CHN,2017,1.5,1\n"
                                              "USA,2018,-2e3,x\n"
                                              "CHN,2019,+.5,2\n");
    const auto frame = read_csv(path);
    REQUIRE(frame.rows() == 3);
    REQUIRE(frame.names() == std::vector<std::string>{"country", "year", "value", "code"});
    REQUIRE(frame.source == path);

    const auto& country = column(frame, "country");
    REQUIRE(country.kind == Kind::categorical);
    REQUIRE(country.levels == std::vector<std::string>{"CHN", "USA"});
    REQUIRE(country.codes == std::vector<std::int32_t>{0, 1, 0});

    REQUIRE(column(frame, "year").kind == Kind::numeric);
    REQUIRE(column(frame, "year").numbers == std::vector<double>{2017, 2018, 2019});
    REQUIRE(column(frame, "value").numbers == std::vector<double>{1.5, -2000.0, 0.5});

    const auto& code = column(frame, "code");
    REQUIRE(code.kind == Kind::categorical);
    REQUIRE(code.levels == std::vector<std::string>{"1", "x", "2"});
}

TEST_CASE("read_csv: empty, NA, NaN and . are missing; a quoted \"NA\" is text", "[history][csv]") {
    const auto path = write_file("missing.csv", "a,b,iso2\n"
                                                "1,x,DE\n"
                                                "NA,,\"NA\"\n"
                                                ".,NA,NA\n"
                                                "NaN,y,\n"
                                                ",x,DE\n");
    const auto frame = read_csv(path);
    REQUIRE(frame.rows() == 5);

    const auto& a = column(frame, "a");
    REQUIRE(a.kind == Kind::numeric);
    REQUIRE(a.numbers[0] == 1.0);
    for (std::size_t i = 1; i < 5; ++i) {
        REQUIRE(std::isnan(a.numbers[i]));
    }
    const auto& b = column(frame, "b");
    REQUIRE(b.kind == Kind::categorical);
    REQUIRE(b.levels == std::vector<std::string>{"x", "y"});
    REQUIRE(b.codes == std::vector<std::int32_t>{0, -1, -1, 1, 0});

    // Namibia: quoted "NA" is a level, unquoted NA and empty are missing.
    const auto& iso2 = column(frame, "iso2");
    REQUIRE(iso2.levels == std::vector<std::string>{"DE", "NA"});
    REQUIRE(iso2.codes == std::vector<std::int32_t>{0, 1, -1, -1, 0});
}

TEST_CASE("read_csv: an all-missing column is numeric", "[history][csv]") {
    const auto frame = read_csv(write_file("all_missing.csv", "a,b\nNA,1\n,2\n"));
    REQUIRE(column(frame, "a").kind == Kind::numeric);
    REQUIRE(std::isnan(column(frame, "a").numbers[1]));
}

TEST_CASE("read_csv: quoted fields hold delimiters, escaped quotes and line breaks",
          "[history][csv]") {
    const auto path = write_file("quoted.csv", "\"name\",\"note\",\"n\"\n"
                                               "\"Smith, John\",\"He said \"\"hi\"\"\",\"1\"\n"
                                               "\"two\nlines\",plain,2\n"
                                               "\"\"\"\",\"\",3\n");
    const auto frame = read_csv(path);
    REQUIRE(frame.rows() == 3);
    REQUIRE(column(frame, "name").texts() ==
            std::vector<std::string>{"Smith, John", "two\nlines", "\""});
    REQUIRE(column(frame, "note").codes == std::vector<std::int32_t>{0, 1, -1});
    REQUIRE(column(frame, "note").levels == std::vector<std::string>{"He said \"hi\"", "plain"});
    // Quoting does not make a number text.
    REQUIRE(column(frame, "n").kind == Kind::numeric);
    REQUIRE(column(frame, "n").numbers == std::vector<double>{1, 2, 3});
}

TEST_CASE("read_csv: CRLF line ends, a byte order mark and blank lines are accepted",
          "[history][csv]") {
    const auto path = write_file("crlf.csv", "\xEF\xBB\xBF"
                                             "a,b\r\n1,\"x\"\r\n\r\n2,y\r\n3,\r\n");
    const auto frame = read_csv(path);
    REQUIRE(frame.names() == std::vector<std::string>{"a", "b"});
    REQUIRE(column(frame, "a").numbers == std::vector<double>{1, 2, 3});
    REQUIRE(column(frame, "b").levels == std::vector<std::string>{"x", "y"});
    REQUIRE(column(frame, "b").codes == std::vector<std::int32_t>{0, 1, -1});
}

TEST_CASE("read_csv: a last line without a line break is read", "[history][csv]") {
    const auto frame = read_csv(write_file("no_eol.csv", "a;b\n1;2\n3;4"), {';', {}, {}});
    REQUIRE(column(frame, "b").numbers == std::vector<double>{2, 4});
}

TEST_CASE("read_csv: a gzip file reads the same as the plain file, whatever its name",
          "[history][csv]") {
    std::string text = "origin,year,value\n";
    for (int i = 0; i < 5000; ++i) {
        text += (i % 3 == 0 ? "CHN," : "\"USA\",") + std::to_string(2000 + i % 20) + "," +
                std::to_string(i * 0.25) + "\n";
    }
    const auto plain = read_csv(write_file("same.csv", text));
    const auto gzip = read_csv(write_gzip("same_gzip.csv", text)); // no .gz on purpose
    REQUIRE(gzip.rows() == 5000);
    REQUIRE(gzip.rows() == plain.rows());
    REQUIRE(gzip.names() == plain.names());
    for (const auto& c : plain.columns()) {
        const auto& g = column(gzip, c.name);
        REQUIRE(g.kind == c.kind);
        REQUIRE(g.numbers == c.numbers);
        REQUIRE(g.codes == c.codes);
        REQUIRE(g.levels == c.levels);
    }
}

TEST_CASE("read_csv: columns selects and orders the columns read", "[history][csv]") {
    const auto path = write_file("select.csv", "Origin,Destination,Year,Euros\n"
                                               "DE,FR,2007,10\n"
                                               "FR,DE,2008,\"a,b\"\n");
    CsvOptions options;
    options.columns = {"Year", "Origin"};
    const auto frame = read_csv(path, options);
    REQUIRE(frame.names() == std::vector<std::string>{"Year", "Origin"});
    REQUIRE(frame.rows() == 2);
    REQUIRE(column(frame, "Year").numbers == std::vector<double>{2007, 2008});
    REQUIRE(column(frame, "Origin").levels == std::vector<std::string>{"DE", "FR"});
}

TEST_CASE("read_csv: an unknown selected column lists the known ones and suggests a name",
          "[history][csv][error]") {
    const auto path = write_file("select_bad.csv", "Origin,Destination,Year\nDE,FR,2007\n");
    CsvOptions options;
    options.columns = {"Origin", "Yeer", "Destinaton"};
    const auto what = error_of(path, options);
    REQUIRE_THAT(what,
                 Contains(path + ": error: unknown column \"Yeer\" in the column selection "
                                 "(known: Origin, Destination, Year) (did you mean \"Year\"?)"));
    REQUIRE_THAT(what, Contains("(did you mean \"Destination\"?)"));

    CsvOptions categorical;
    categorical.categorical = {"year"};
    REQUIRE_THAT(error_of(path, categorical),
                 Contains("unknown column \"year\" in the categorical columns") &&
                     Contains("did you mean \"Year\"?"));
}

TEST_CASE("read_csv: categorical forces a numeric-looking column to categorical",
          "[history][csv]") {
    const auto path = write_file("forced.csv", "year,product\n2017,0101\n2018,0101\n2017,NA\n");
    CsvOptions options;
    options.categorical = {"year", "product"};
    const auto frame = read_csv(path, options);
    const auto& year = column(frame, "year");
    REQUIRE(year.kind == Kind::categorical);
    REQUIRE(year.levels == std::vector<std::string>{"2017", "2018"});
    REQUIRE(year.codes == std::vector<std::int32_t>{0, 1, 0});
    // Leading zeros survive only as categorical.
    REQUIRE(column(frame, "product").levels == std::vector<std::string>{"0101"});
    REQUIRE(column(frame, "product").codes == std::vector<std::int32_t>{0, 0, -1});
    REQUIRE(column(read_csv(path), "product").numbers[0] == 101.0);
}

TEST_CASE("read_csv: every row with the wrong number of fields is reported with its line",
          "[history][csv][error]") {
    const auto path = write_file("fields.csv", "a,b,c\n"
                                               "1,2,3\n"
                                               "4,5\n"
                                               "\"x\ny\",8,9\n"
                                               "1,2,3,4\n"
                                               "1,2,3\n");
    const auto what = error_of(path);
    REQUIRE_THAT(what, Contains(path + ":3: error: row has 2 fields, the header has 3"));
    // Line numbers count the line break inside the quoted field of line 4.
    REQUIRE_THAT(what, Contains(path + ":6: error: row has 4 fields, the header has 3"));
    REQUIRE(count(what, "error:") == 2);
}

TEST_CASE("read_csv: stops after 20 bad rows", "[history][csv][error]") {
    std::string text = "a,b\n";
    for (int i = 0; i < 30; ++i) {
        text += "1,2,3\n";
    }
    const auto what = error_of(write_file("many_bad.csv", text));
    REQUIRE(count(what, "error: row has 3 fields") == 20);
    REQUIRE_THAT(what, Contains("many_bad.csv:22: error: too many errors; stopped after 20"));
}

TEST_CASE("read_csv: an unterminated quote is reported at the opening quote",
          "[history][csv][error]") {
    const auto path = write_file("unterminated.csv", "a,b\n1,2\n3,\"open\n4,5\n");
    REQUIRE_THAT(error_of(path), Contains(path + ":3:3: error: unterminated quoted field"));
}

TEST_CASE("read_csv: text after a closing quote is an error", "[history][csv][error]") {
    const auto path = write_file("after_quote.csv", "a,b\n1,\"x\"y\n");
    REQUIRE_THAT(error_of(path),
                 Contains(path + ":2:6: error: unexpected text after a closing quote"));
}

TEST_CASE("read_csv: an empty file and duplicate header names are errors",
          "[history][csv][error]") {
    const auto empty = write_file("empty.csv", "");
    REQUIRE_THAT(error_of(empty), Contains(empty + ": error: the file is empty"));
    const auto twice = write_file("twice.csv", "a,b,a\n1,2,3\n");
    REQUIRE_THAT(error_of(twice),
                 Contains(twice + ":1: error: column \"a\" appears twice in the header"));
}

TEST_CASE("read_csv: a missing file is an I/O error naming the file", "[history][csv][error]") {
    const auto path = (std::filesystem::path(TRADESIM_TEST_OUTPUT_DIR) / "no_such.csv").string();
    REQUIRE_THROWS_AS(read_csv(path), sim::IoError);
    REQUIRE_THROWS_WITH(read_csv(path), Contains(path + ": error: cannot open"));
    REQUIRE_THROWS_AS(read_csv(TRADESIM_TEST_OUTPUT_DIR), sim::IoError); // a directory
}

TEST_CASE("read_csv: reads the fixest Eurostat trade sample", "[history][csv][validation]") {
    const auto path = shared_data + "/trade/fixest_eurostat_eu15_20products_2007_2016.csv.gz";
    if (!std::filesystem::exists(path)) {
        WARN("skipped: " << path << " not found");
        return;
    }
    const auto frame = read_csv(path);
    // Row count, columns and coverage from shared/data/trade/PROVENANCE.md.
    REQUIRE(frame.rows() == 38325);
    REQUIRE(frame.names() == std::vector<std::string>{"Destination", "Origin", "Product", "Year",
                                                      "dist_km", "Euros"});
    REQUIRE(column(frame, "Origin").kind == Kind::categorical);
    REQUIRE(column(frame, "Origin").levels.size() == 15);
    REQUIRE(column(frame, "Destination").levels.size() == 15);
    const auto& product = column(frame, "Product");
    REQUIRE(product.kind == Kind::numeric);
    REQUIRE(*std::min_element(product.numbers.begin(), product.numbers.end()) == 1.0);
    REQUIRE(*std::max_element(product.numbers.begin(), product.numbers.end()) == 20.0);
    const auto& year = column(frame, "Year");
    REQUIRE(*std::min_element(year.numbers.begin(), year.numbers.end()) == 2007.0);
    REQUIRE(*std::max_element(year.numbers.begin(), year.numbers.end()) == 2016.0);
    const auto& euros = column(frame, "Euros");
    REQUIRE(euros.kind == Kind::numeric);
    REQUIRE(std::none_of(euros.numbers.begin(), euros.numbers.end(),
                         [](double v) { return std::isnan(v) || v <= 0.0; })); // no zeros
    // First data row: "LU","BE",1,2007,139.571938559573,2966697
    REQUIRE(column(frame, "dist_km").numbers[0] == 139.571938559573);
    REQUIRE(euros.numbers[0] == 2966697.0);
}

TEST_CASE("read_csv: reads the Yotov et al. (2016) AGTPA sample", "[history][csv][validation]") {
    const auto path = shared_data + "/trade/yotov2016_agtpa_69c_1986_2006.csv.gz";
    if (!std::filesystem::exists(path)) {
        WARN("skipped: " << path << " not found");
        return;
    }
    const auto frame = read_csv(path);
    // 99,981 rows x 17 columns, 69 countries: shared/data/trade/PROVENANCE.md.
    REQUIRE(frame.rows() == 99981);
    REQUIRE(frame.columns().size() == 17);
    REQUIRE(column(frame, "exporter").levels.size() == 69);
    REQUIRE(column(frame, "trade").kind == Kind::numeric);
    const auto& trade = column(frame, "trade").numbers;
    REQUIRE(std::count(trade.begin(), trade.end(), 0.0) == 8475); // zeros per PROVENANCE.md
}
