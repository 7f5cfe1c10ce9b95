# The shared Comtrade panel (penppml, 1964-2016 every 4 years, exports in USD) as a table:
# the report's rows and the panel's totals per year against sums computed from the file.
source "$2/tests/tools/cli_lib.sh"
T=$1
F=$4/trade/penppml_comtrade_1964_2016_every4y.csv.gz
[[ -f $F ]] || { echo "shared data absent: $F"; exit 77; }
expect_code 0 "$T" import table "$F" --out comtrade.h5 --exporter exp --importer imp \
    --year time --value export --threads 2
cp out.txt report.txt
contains report.txt "rows: 316317 read"
contains report.txt "years: 14 (1964-2016)"
expect_code 0 "$T" export comtrade.h5 totals
cp out.txt totals.txt
# The file's own sums per year, over the rows the report kept: every row whose value is a
# non-negative number. Rows dropped (unknown codes, aggregates) are listed by the report; the
# totals must match the file's within them.
zcat "$F" | awk -F, 'NR > 1 { s[$3] += $4 } END { for (y in s) printf "%d %.17g\n", y, s[y] }' \
    | sort -n > file_sums.txt
kept=$(grep -o "rows: 316317 read, [0-9]* kept" report.txt | awk '{print $4}')
[[ -n $kept ]] || fail "no kept rows in the report"
awk -F, 'NR > 1 { printf "%d %.17g\n", $1, $2 }' totals.txt > panel_sums.txt
[[ $(wc -l < panel_sums.txt) -eq 14 ]] || fail "expected 14 years: $(cat totals.txt)"
# Each year's panel total is at most the file's, and within 7 % of it: the drops are
# aggregates (World, areas n.e.s.) and codes without a country, 2-5.3 % of the value (1976).
paste -d' ' file_sums.txt panel_sums.txt | awk '{
    if ($1 != $3) { print "year mismatch " $0; bad = 1 }
    else if ($4 > $2 * (1 + 1e-9) || $4 < 0.93 * $2) { print "total off " $0; bad = 1 } }
    END { exit bad }' || fail "totals do not match the file"
# The report's value per year (whole USD) is the panel's.
sed -n '/^value by year/,/^dropped/p' report.txt | awk 'NF == 2 { print $1, $2 }' > report_sums.txt
[[ $(wc -l < report_sums.txt) -eq 14 ]] || fail "no value per year in the report"
paste -d' ' report_sums.txt panel_sums.txt | awk '{
    d = $2 - $4; if ($1 != $3 || d > 1 || d < -1) { print "report differs " $0; bad = 1 } }
    END { exit bad }' || fail "the report's totals are not the panel's"
# Rows read = kept + dropped, and the drops are the two documented reasons.
contains report.txt "rows: 316317 read, $kept kept, $((316317 - kept)) dropped"
contains report.txt "aggregate (World, areas n.e.s., EU ...)"
echo "rows kept $kept; totals per year (file, panel):"
paste -d' ' file_sums.txt panel_sums.txt
exit 0
