#include "tradesim/history/import.hpp"
#include "tradesim/sim/error.hpp"

#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <zlib.h>

using namespace tradesim;
using Catch::Matchers::Contains;
using history::Format;
using history::ImportOptions;

namespace {

std::string out_path(const std::string& name) {
    return (std::filesystem::path(TRADESIM_TEST_OUTPUT_DIR) / name).string();
}

std::string write_text(const std::string& name, const std::string& text) {
    const auto path = out_path(name);
    std::ofstream out(path, std::ios::binary);
    out << text;
    REQUIRE(out.good());
    return path;
}

std::string write_gz(const std::string& name, const std::string& text) {
    const auto path = out_path(name);
    gzFile gz = gzopen(path.c_str(), "wb");
    REQUIRE(gz != nullptr);
    REQUIRE(gzwrite(gz, text.data(), static_cast<unsigned>(text.size())) ==
            static_cast<int>(text.size()));
    REQUIRE(gzclose(gz) == Z_OK);
    return path;
}

double flow(const models::TradePanel& p, int year, const std::string& i, const std::string& j,
            const std::string& sector = "TOT") {
    const int y = p.find_year(year), a = p.find_country(i), b = p.find_country(j),
              s = p.find_sector(sector);
    REQUIRE(y >= 0);
    REQUIRE(a >= 0);
    REQUIRE(b >= 0);
    REQUIRE(s >= 0);
    return p.flows[p.flow_index(std::size_t(y), std::size_t(a), std::size_t(b), std::size_t(s))];
}

std::size_t dropped(const history::ImportReport& r, const std::string& prefix) {
    for (const auto& d : r.dropped) {
        if (d.reason.rfind(prefix, 0) == 0) {
            return d.rows;
        }
    }
    return 0;
}

std::string input_error(const ImportOptions& o) {
    try {
        (void)history::import_files(o);
    } catch (const sim::InputError& e) {
        return e.what();
    }
    FAIL("no InputError");
    return "";
}

const std::string kTable = "exporter,importer,year,value,rta,gdp\n"
                           "CHN,USA,2000,100,0,5\n"
                           "\"USA\",CHN,2000,40,0,7\r\n"
                           "ROM,DEU,2000,3.5,1,2\n"
                           "842,156,2001,10,0,8\n"  // numeric codes: USA -> CHN
                           "490,CHN,2001,1,0,\n"    // Other Asia nes = Taiwan
                           "0,CHN,2001,9,0,1\n"     // World: aggregate
                           "XYZ,CHN,2001,9,0,1\n"   // unknown
                           "CHN,USA,2001,-1,0,1\n"  // negative
                           "CHN,DEU,2001,abc,0,1\n" // non-numeric
                           "CHN,DEU,2001\n"         // missing fields
                           "CHN,USA,2000,7,0,5\n";  // duplicate key (first kept)

} // namespace

TEST_CASE("Import: table format, plain and gzip, codes harmonised, drops counted",
          "[history][import]") {
    for (const bool gz : {false, true}) {
        ImportOptions o;
        o.format = Format::table;
        o.files = {gz ? write_gz("table.csv.gz", "\xEF\xBB\xBF" + kTable)
                      : write_text("table.csv", kTable)};
        o.value_scale = 1e6;
        o.pair_columns = {"rta"};
        o.country_columns = {"gdp_usd=gdp"};
        const auto r = history::import_files(o);
        const auto& p = r.panel;
        p.check();
        CHECK(p.years == std::vector<int>{2000, 2001});
        CHECK(p.countries == std::vector<std::string>{"CHN", "DEU", "ROU", "TWN", "USA"});
        CHECK(p.sectors == std::vector<std::string>{"TOT"});
        CHECK(flow(p, 2000, "CHN", "USA") == 100e6);
        CHECK(flow(p, 2000, "ROU", "DEU") == 3.5e6);
        CHECK(flow(p, 2001, "USA", "CHN") == 10e6);
        CHECK(flow(p, 2001, "TWN", "CHN") == 1e6);
        CHECK(r.report.rows == 11);
        CHECK(r.report.rows_kept == 5);
        CHECK(dropped(r.report, "aggregate") == 1);
        CHECK(dropped(r.report, "unknown country") == 1);
        CHECK(dropped(r.report, "negative value") == 1);
        CHECK(dropped(r.report, "non-numeric value") == 1);
        CHECK(dropped(r.report, "missing field") == 1);
        CHECK(dropped(r.report, "duplicate key") == 1);
        CHECK(r.report.value_by_year == std::vector<double>{143.5e6, 11e6});
        const auto* rta = p.pair_variable("rta");
        REQUIRE(rta != nullptr);
        CHECK(rta->values[p.pair_index(0, 2, 1)] == 1.0); // ROU -> DEU
        CHECK(std::isnan(rta->values[p.pair_index(1, 2, 1)]));
        const auto* gdp = p.country_variable("gdp_usd");
        REQUIRE(gdp != nullptr);
        CHECK(gdp->values[p.country_index(0, 4)] == 7.0); // USA 2000
        CHECK(p.reported[p.pair_index(0, 0, 4)] == 1);
        CHECK(p.reported[p.pair_index(0, 4, 0)] == 1);
        CHECK(p.reported[p.pair_index(0, 0, 1)] == 0);
        CHECK_THAT(history::format_report(r.report), Contains("duplicate key: 1 rows"));
        CHECK_THAT(history::format_report(r.report), Contains(":12: CHN,USA,2000,7,0,5"));
    }
}

TEST_CASE("Import: strict mode lists every bad row with its line", "[history][import][error]") {
    ImportOptions o;
    o.files = {write_text("table_strict.csv", kTable)};
    o.strict = true;
    const auto message = input_error(o);
    const auto path = o.files[0];
    CHECK_THAT(message, Contains(path + ":8: error: unknown country: XYZ,CHN,2001,9,0,1"));
    CHECK_THAT(message, Contains(path + ":9: error: negative value: CHN,USA,2001,-1,0,1"));
    CHECK_THAT(message, Contains(path + ":10: error: non-numeric value: CHN,DEU,2001,abc,0,1"));
    CHECK_THAT(message, Contains(path + ":11: error: missing field: CHN,DEU,2001"));
    CHECK_THAT(message, Contains(path + ":12: error: duplicate key: CHN,USA,2000,7,0,5"));
    // World is a documented drop, not an error.
    CHECK_THAT(message, !Contains(":7:"));
}

TEST_CASE("Import: a header without the columns names expected and found",
          "[history][import][error]") {
    ImportOptions o;
    o.format = Format::baci;
    o.files = {write_text("not_baci.csv", "year,i,j,k,v,q\n2000,4,8,10121,1,\n")};
    CHECK_THAT(input_error(o), Contains(o.files[0] + ":1: error: not a baci file: missing "
                                                     "column t (expected t,i,j,k,v,q; found "
                                                     "year,i,j,k,v,q)"));
}

TEST_CASE("Import: BACI pads HS codes, maps CEPII codes and sectors, thousand USD",
          "[history][import]") {
    ImportOptions o;
    o.format = Format::baci;
    o.files = {write_gz("baci.csv.gz", "t,i,j,k,v,q\n"
                                       "2019,842,156,10121,1.5,NA\n" // HS 010121: AGR
                                       "2019,842,156,870323,10,\n"   // VEH
                                       "2019,251,842,870323,2.25,3\n"
                                       "2019,490,842,999999,1,1\n"   // TWN, OTH
                                       "2019,842,156,10121,1.5,NA\n" // duplicate
                                       "2019,842,156,7,1,1\n")};     // "7" = HS chapter 07
    const auto r = history::import_files(o);
    const auto& p = r.panel;
    CHECK(p.sectors.size() == 9);
    CHECK(p.sectors.front() == "AGR");
    CHECK(flow(p, 2019, "USA", "CHN", "AGR") == 1500 + 1000);
    CHECK(flow(p, 2019, "USA", "CHN", "VEH") == 10000);
    CHECK(flow(p, 2019, "FRA", "USA", "VEH") == 2250);
    CHECK(flow(p, 2019, "TWN", "USA", "OTH") == 1000);
    CHECK(r.report.products == 4); // 010121, 870323, 999999, 07
    CHECK(dropped(r.report, "duplicate key") == 1);
    // "7" is padded to HS chapter 07 (vegetables): AGR.
    CHECK(r.report.value_by_year[0] == 1500 + 10000 + 2250 + 1000 + 1000);
}

TEST_CASE("Import: a countries file and a concordance override the built-in tables",
          "[history][import]") {
    ImportOptions o;
    o.format = Format::baci;
    o.countries_file = write_text("cepii_codes.csv", "country_code,country_name,country_iso2,"
                                                     "country_iso3\n"
                                                     "842,USA,US,USA\n490,Other Asia,,S19\n"
                                                     "999,Atlantis,,ATL\n");
    o.sectors_file = write_text("concordance.csv", "hs,sector,name\n01,FOOD,food\n0101,HORSE,"
                                                   "horses\n870323,CARS,cars\n87,OTHER,\n");
    o.files = {write_text("baci_override.csv", "t,i,j,k,v,q\n2019,842,999,10121,1,\n"
                                               "2019,490,842,10221,2,\n"
                                               "2019,842,490,870324,3,\n"
                                               "2019,842,490,870323,4,\n"
                                               "2019,842,490,900000,5,\n")};
    const auto r = history::import_files(o);
    const auto& p = r.panel;
    CHECK(p.sectors == std::vector<std::string>{"FOOD", "HORSE", "CARS", "OTHER"});
    CHECK(flow(p, 2019, "USA", "ATL", "HORSE") == 1000);
    CHECK(flow(p, 2019, "TWN", "USA", "FOOD") == 2000);
    CHECK(flow(p, 2019, "USA", "TWN", "OTHER") == 3000);
    CHECK(flow(p, 2019, "USA", "TWN", "CARS") == 4000);
    CHECK(dropped(r.report, "unknown product") == 1);
    CHECK(p.country_names[std::size_t(p.find_country("ATL"))] == "Atlantis");
}

TEST_CASE("Import: Comtrade mirror rule, re-exports, World and finest commodity level",
          "[history][import][comtrade]") {
    // Current bulk layout, with quoted fields as the API writes them.
    const std::string text =
        "typeCode,freqCode,refYear,period,reporterCode,reporterISO,flowCode,partnerCode,"
        "partnerISO,partner2Code,cmdCode,motCode,customsCode,primaryValue,cifvalue,fobvalue\n"
        "C,A,2016,2016,156,CHN,X,842,USA,0,TOTAL,0,C00,500,,500\n" // 3 superseded by HS2
        "C,A,2016,2016,156,CHN,X,842,USA,0,84,0,C00,300,,300\n"    // 3 kept (CHN X finest=2)
        "C,A,2016,2016,156,CHN,X,842,USA,0,01,0,C00,200,,200\n"
        "C,A,2016,2016,156,CHN,X,0,WLD,0,84,0,C00,900,,900\n"           // World
        "C,A,2016,2016,156,CHN,RX,842,USA,0,84,0,C00,50,,50\n"          // re-export
        "C,A,2016,2016,156,CHN,X,842,USA,0,84,1,C00,70,,70\n"           // mode breakdown
        "C,A,2016,2016,842,USA,M,156,CHN,0,84,0,C00,330,330,\n"         // imports win
        "C,A,2016,2016,842,USA,M,156,CHN,0,8471,0,C00,99,99,\n"         // finer: USA M level 2
        "C,A,2016,2016,842,USA,X,156,CHN,0,TOTAL,0,C00,\"120\",,120\n"; // only a total: TOT
    ImportOptions o;
    o.format = Format::comtrade;
    o.files = {write_text("comtrade.csv", text)};
    const auto r = history::import_files(o);
    const auto& p = r.panel;
    CHECK(p.sectors.back() == "TOT");
    CHECK(p.sectors.size() == 10);
    // USA's imports are reported at HS4 (8471) as finest, so its HS2 row 84 is dropped; the
    // import report of 8471 (MAC) wins over CHN's exports of 84.
    CHECK(flow(p, 2016, "CHN", "USA", "MAC") == 99);
    CHECK(flow(p, 2016, "CHN", "USA", "AGR") == 200); // only CHN reported it
    CHECK(flow(p, 2016, "CHN", "USA", "TOT") == 0);   // coarser than CHN's HS2
    CHECK(flow(p, 2016, "USA", "CHN", "TOT") == 120);
    CHECK(dropped(r.report, "aggregate") == 1);
    CHECK(dropped(r.report, "re-export") == 1);
    CHECK(dropped(r.report, "breakdown") == 1);
    CHECK(dropped(r.report, "coarser commodity level") == 2);
    CHECK(r.report.rows_kept == 4);
    CHECK_THAT(history::format_report(r.report), Contains("took the importer's value"));
}

TEST_CASE("Import: legacy Comtrade bulk layout", "[history][import][comtrade]") {
    const std::string text =
        "Classification,Year,Period,Period Desc.,Aggregate Level,Is Leaf Code,Trade Flow Code,"
        "Trade Flow,Reporter Code,Reporter,Reporter ISO,Partner Code,Partner,Partner ISO,"
        "Commodity Code,Commodity,Trade Value (US$)\n"
        "H4,2014,2014,2014,2,0,2,Export,251,France,FRA,699,India,IND,84,\"Machinery, "
        "nuclear\",1000\n"
        "H4,2014,2014,2014,2,0,1,Import,757,Switzerland,CHE,579,Norway,NOR,84,Machinery,2000\n"
        "H4,2014,2014,2014,2,0,3,Re-Export,757,Switzerland,CHE,579,Norway,NOR,84,M,5\n"
        "H4,2014,2014,2014,2,0,1,Import,757,Switzerland,CHE,899,Areas nes,,84,M,5\n";
    ImportOptions o;
    o.format = Format::comtrade;
    o.files = {write_gz("comtrade_legacy.csv.gz", text)};
    const auto r = history::import_files(o);
    CHECK(flow(r.panel, 2014, "FRA", "IND", "MAC") == 1000);
    CHECK(flow(r.panel, 2014, "NOR", "CHE", "MAC") == 2000);
    CHECK(dropped(r.report, "re-export") == 1);
    CHECK(dropped(r.report, "aggregate") == 1);
}

TEST_CASE("Import: CEPII Gravity keeps pair variables of rows without trade", "[history][import]") {
    const std::string text = "year,iso3_o,iso3_d,country_id_o,country_id_d,dist,contig,"
                             "comlang_off,col45,fta_wto,gdp_o,gdp_d,pop_o,pop_d,tradeflow_baci\n"
                             "2010,CHN,USA,CHN,USA,11000,0,0,0,0,6000000,15000000,1340000,"
                             "309000,300000\n"
                             "2010,USA,CHN,USA,CHN,11000,0,0,0,0,15000000,6000000,309000,"
                             "1340000,\n";
    ImportOptions o;
    o.format = Format::cepii_gravity;
    o.files = {write_text("gravity.csv", text)};
    const auto r = history::import_files(o);
    const auto& p = r.panel;
    CHECK(flow(p, 2010, "CHN", "USA") == 300000e3);
    CHECK(p.reported[p.pair_index(0, 1, 0)] == 0);
    CHECK(p.pair_variable("dist")->values[p.pair_index(0, 1, 0)] == 11000);
    CHECK(p.pair_variable("rta")->values[p.pair_index(0, 0, 1)] == 0);
    CHECK(p.country_variable("gdp_usd")->values[p.country_index(0, 0)] == 6e9);
    CHECK(p.country_variable("pop")->values[p.country_index(0, 1)] == 309e6);
    CHECK(dropped(r.report, "missing value") == 1);
    CHECK(r.report.rows_kept == 2);
}

TEST_CASE("Import: Penn World Table gives GDP at current exchange rates", "[history][import]") {
    const std::string text = "\"country\",\"isocode\",\"year\",\"cgdpo\",\"pop\",\"xr\","
                             "\"pl_gdpo\",\"rgdpna\"\n"
                             "\"China\",\"CHN\",2015,19000000,1400,6.2,0.6,18000000\n"
                             "\"Aruba\",\"ABW\",1950,,,,,\n";
    ImportOptions o;
    o.format = Format::pwt;
    o.files = {write_gz("pwt.csv.gz", text)};
    const auto r = history::import_files(o);
    const auto& p = r.panel;
    p.check();
    CHECK(p.flows.empty());
    CHECK(p.sectors.empty());
    CHECK(p.countries == std::vector<std::string>{"CHN"});
    CHECK(
        p.country_variable("gdp_usd")->values[p.country_index(std::size_t(p.find_year(2015)), 0)] ==
        Approx(11.4e12));
    CHECK(p.country_variable("pop")->values[p.country_index(std::size_t(p.find_year(2015)), 0)] ==
          1400e6);
}
