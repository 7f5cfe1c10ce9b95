# import of a small table: the report, the panel file, and export flows/totals giving back the
# rows kept (a dropped row, an unknown country, is reported and left out).
source "$2/tests/tools/cli_lib.sh"
T=$1
cat > trade.csv <<'CSV'
exporter,importer,year,value,rta
CHN,DEU,2000,100.5,0
DEU,CHN,2000,80,0
CHN,DEU,2001,120,1
CHN,CHN,2001,1000,
FRA,XYZ,2001,5,0
CSV
expect_code 0 "$T" import table trade.csv --out panel.h5 --pair-column rta --threads 2
contains out.txt "rows: 5 read, 4 kept, 1 dropped"
contains out.txt "unknown country: 1 rows"
contains out.txt "trade.csv:6"
contains out.txt "wrote panel.h5: 2 years, 2 countries, 1 sectors, 0 country and 1 pair variables"
[[ -f panel.h5 ]] || fail "no panel.h5"
expect_code 0 "$T" export panel.h5 flows
diff out.txt - <<'CSV' || fail "flows differ"
year,exporter,importer,sector,value_usd
2000,CHN,DEU,TOT,100.5
2000,DEU,CHN,TOT,80
2001,CHN,CHN,TOT,1000
2001,CHN,DEU,TOT,120
CSV
expect_code 0 "$T" export panel.h5 totals
diff out.txt - <<'CSV' || fail "totals differ"
year,value_usd,domestic_usd,reported_pairs
2000,180.5,0,2
2001,1120,1000,2
CSV
expect_code 0 "$T" export panel.h5 pair_variables
contains out.txt "2001,CHN,DEU,1"
expect_code 0 "$T" inspect panel.h5
contains out.txt "historical panel (format tradesim-panel, version 1)"
contains out.txt "years       2: 2000-2001"
contains out.txt "import table trade.csv"
expect_code 2 "$T" export panel.h5 flow
contains err.txt "unknown table \"flow\""
expect_code 2 "$T" export panel.h5 flows --step 0
contains err.txt "--step applies to run files"
expect_code 2 "$T" import nosuchformat trade.csv --out other.h5
[[ ! -e other.h5 ]] || fail "other.h5 written after a usage error"
exit 0
