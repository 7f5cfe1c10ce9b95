# --merge: PWT-like macro data merged into a trade panel; a conflicting merge fails and keeps
# the file as it was.
source "$2/tests/tools/cli_lib.sh"
T=$1
printf 'exporter,importer,year,value\nCHN,DEU,2000,10\nDEU,CHN,2000,20\nCHN,DEU,2005,30\n' > trade.csv
cat > pwt.csv <<'CSV'
country,countrycode,year,rgdpo,pop
China,CHN,2000,10000,1260
Germany,DEU,2000,2000,82
China,CHN,2005,15000,1300
CSV
expect_code 0 "$T" import table trade.csv --out panel.h5
expect_code 0 "$T" import pwt pwt.csv --out panel.h5 --merge
contains out.txt "merged into panel.h5: 2 years, 2 countries"
expect_code 0 "$T" export panel.h5 country_variables
contains out.txt "2000,CHN,"
contains out.txt "2005,CHN,"
head -1 out.txt | grep -q "^year,country," || fail "header: $(head -1 out.txt)"
expect_code 0 "$T" export panel.h5 flows
contains out.txt "2005,CHN,DEU,TOT,30"
expect_code 0 "$T" inspect panel.h5
contains out.txt "provenance (2 imports)"
# The same trade with another value disagrees: exit 3, file unchanged.
printf 'exporter,importer,year,value\nCHN,DEU,2000,11\n' > other.csv
cp panel.h5 before.h5
expect_code 3 "$T" import table other.csv --out panel.h5 --merge
contains err.txt "disagree"
contains err.txt "CHN-DEU"
cmp -s panel.h5 before.h5 || fail "panel.h5 changed by a failed merge"
# --merge needs an existing panel.
expect_code 4 "$T" import table other.csv --out missing.h5 --merge
contains err.txt "missing.h5: no such file"
exit 0
