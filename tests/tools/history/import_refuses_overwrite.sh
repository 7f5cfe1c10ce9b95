# An existing panel is refused without --force and left as it was; --force replaces it.
source "$2/tests/tools/cli_lib.sh"
T=$1
printf 'exporter,importer,year,value\nCHN,DEU,2000,1\n' > a.csv
printf 'exporter,importer,year,value\nCHN,USA,2005,2\n' > b.csv
expect_code 0 "$T" import table a.csv --out panel.h5 --quiet
[[ ! -s out.txt ]] || fail "--quiet printed: $(cat out.txt)"
cp panel.h5 before.h5
expect_code 4 "$T" import table b.csv --out panel.h5
contains err.txt "panel.h5 exists; pass --force"
cmp -s panel.h5 before.h5 || fail "panel.h5 changed"
expect_code 0 "$T" import table b.csv --out panel.h5 --force
expect_code 0 "$T" export panel.h5 flows
contains out.txt "2005,CHN,USA,TOT,2"
# A failed import with --force keeps the earlier file: nothing is written before success.
printf 'year,exporter\n' > bad.csv
cp panel.h5 before.h5
expect_code 3 "$T" import table bad.csv --out panel.h5 --force
cmp -s panel.h5 before.h5 || fail "panel.h5 changed by a failed import"
[[ $(ls -A | grep -c tmp) -eq 0 ]] || fail "temporary file left: $(ls -A)"
exit 0
