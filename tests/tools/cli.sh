#!/usr/bin/env bash
# Command-line tests of `tradesim`, one case per ctest: cli.sh CASE TRADESIM SOURCE_DIR WORK_DIR
set -uo pipefail
case_name=$1
tradesim=$2
src=$3
work=$4
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1
small=$src/tests/scenarios/small_tariff.toml

fail() { echo "FAIL: $*"; exit 1; }
# expect_code CODE CMD...: runs CMD, stdout/stderr to files, checks the exit code.
expect_code() {
    local want=$1
    shift
    "$@" >out.txt 2>err.txt
    local got=$?
    [[ $got -eq $want ]] || { cat out.txt err.txt; fail "'$*' exited $got, expected $want"; }
}
contains() { grep -qF -- "$2" "$1" || { cat "$1"; fail "$1 lacks: $2"; }; }

case $case_name in
version)
    expect_code 0 "$tradesim" --version
    contains out.txt "tradesim 0."
    ;;
help_everywhere)
    for sub in "" run validate inspect export compare bench estimate; do
        expect_code 0 "$tradesim" $sub --help
        contains out.txt "Usage"
    done
    contains out.txt "Exit codes" || true
    ;;
no_subcommand)
    expect_code 2 "$tradesim"
    expect_code 2 "$tradesim" frobnicate
    expect_code 2 "$tradesim" run
    expect_code 2 "$tradesim" run "$small" --threads -3
    ;;
run_writes_file)
    expect_code 0 "$tradesim" run "$small" --out r/small.h5 --quiet
    [[ -s r/small.h5 ]] || fail "no result file"
    contains out.txt "result    r/small.h5"
    contains out.txt "24 steps"
    # Default location: runs/<scenario>.h5 under the working directory, with a summary table.
    expect_code 0 "$tradesim" run "$small"
    [[ -s runs/small_tariff.h5 ]] || fail "no runs/small_tariff.h5"
    contains out.txt "Exports"
    contains out.txt "Welfare"
    ;;
refuses_overwrite)
    expect_code 0 "$tradesim" run "$small" --out a.h5 --quiet
    before=$(sha256sum a.h5)
    expect_code 4 "$tradesim" run "$small" --out a.h5 --quiet
    contains err.txt "exists"
    contains err.txt "--force"
    [[ "$(sha256sum a.h5)" == "$before" ]] || fail "existing file was changed"
    ;;
force_overwrites)
    echo "not a run" > a.h5
    expect_code 0 "$tradesim" run "$small" --out a.h5 --force --quiet
    expect_code 0 "$tradesim" inspect a.h5
    ;;
inspect)
    expect_code 0 "$tradesim" run "$small" --out a.h5 --quiet
    expect_code 0 "$tradesim" inspect a.h5
    for word in "status      complete" "small_tariff" "24 of 24" "/flows" "/countries" "events      2" "USA" "MAC"; do
        contains out.txt "$word"
    done
    ;;
export_tables)
    expect_code 0 "$tradesim" run "$small" --out a.h5 --quiet
    expect_code 0 "$tradesim" export a.h5 countries
    head -1 out.txt | grep -q "^step,date,country,gdp," || fail "countries header: $(head -1 out.txt)"
    [[ $(wc -l < out.txt) -eq $((1 + 24 * 41)) ]] || fail "countries rows: $(wc -l < out.txt)"
    expect_code 0 "$tradesim" export a.h5 flows --step 3
    head -1 out.txt | grep -q "^step,date,exporter,importer,sector,value" || fail "flows header"
    [[ $(wc -l < out.txt) -eq $((1 + 41 * 41 * 10)) ]] || fail "flows rows: $(wc -l < out.txt)"
    expect_code 0 "$tradesim" export a.h5 events
    contains out.txt "tariff,USA,CHN"
    contains out.txt "tariff_end,USA,CHN"
    expect_code 0 "$tradesim" export a.h5 steps
    [[ $(wc -l < out.txt) -eq 25 ]] || fail "steps rows"
    ;;
export_errors)
    expect_code 0 "$tradesim" run "$small" --out a.h5 --quiet
    expect_code 2 "$tradesim" export a.h5 flow
    contains err.txt "did you mean"
    expect_code 2 "$tradesim" export a.h5 countries --step 24
    ;;
validate_ok)
    expect_code 0 "$tradesim" validate "$src/scenarios/baseline.toml" "$src/scenarios/us_china_tariffs_2018.toml" "$small"
    contains out.txt "baseline.toml: ok"
    # One bad file among good ones: all are reported, exit 3.
    expect_code 3 "$tradesim" validate "$small" "$src/tests/bad_input/unknown_country.toml"
    contains out.txt "small_tariff.toml: ok"
    contains err.txt "unknown country"
    ;;
missing_file)
    expect_code 4 "$tradesim" validate no_such.toml
    contains err.txt "no_such.toml"
    expect_code 4 "$tradesim" run no_such.toml --quiet
    expect_code 4 "$tradesim" inspect no_such.h5
    ;;
not_a_run_file)
    echo "hello" > fake.h5
    expect_code 4 "$tradesim" inspect fake.h5
    contains err.txt "fake.h5"
    ;;
determinism_threads)
    # Same seed, any thread count, two runs: identical data (metadata aside).
    for t in 1 2 4 1; do
        expect_code 0 "$tradesim" run "$src/scenarios/us_china_tariffs_2018.toml" --out t$t.h5 --force --threads $t --quiet
        for table in countries flows events steps; do
            "$tradesim" export t$t.h5 $table > t${t}_$table.csv || fail "export"
        done
    done
    for t in 2 4; do
        for table in countries flows events steps; do
            cmp -s t1_$table.csv t${t}_$table.csv || fail "$table differs between 1 and $t threads"
        done
    done
    [[ $(wc -l < t1_steps.csv) -eq 49 ]] || fail "expected 48 steps"
    ;;
compare_runs)
    expect_code 0 "$tradesim" run "$src/scenarios/baseline.toml" --out base.h5 --quiet
    expect_code 0 "$tradesim" run "$src/scenarios/us_china_tariffs_2018.toml" --out war.h5 --quiet
    expect_code 0 "$tradesim" compare base.h5 war.h5 --variable imports --top 2
    contains out.txt "imports at step 47 (2021-12): baseline -> us_china_tariffs_2018"
    # The two largest changes in imports are the two economies at war.
    sed -n 3,4p out.txt | grep -q "^  USA\|^  CHN" || fail "largest import changes are not USA and CHN"
    [[ $(sed -n 3,4p out.txt | grep -c "^  USA\|^  CHN") -eq 2 ]] || fail "top two: $(cat out.txt)"
    expect_code 2 "$tradesim" compare base.h5 war.h5 --variable import
    contains err.txt "did you mean \"imports\""
    expect_code 2 "$tradesim" compare base.h5 war.h5 --step 100
    ;;
numerical_failure)
    expect_code 5 "$tradesim" run "$src/tests/scenarios/infeasible.toml" --out f.h5 --quiet
    contains err.txt "market clearing did not converge"
    contains err.txt "USA runs a fixed trade deficit"
    # The steps before the failure are kept, and the file says the run failed.
    expect_code 0 "$tradesim" inspect f.h5
    contains out.txt "status      failed"
    contains out.txt "steps       2 of 4"
    ;;
estimate_errors)
    printf 'exp,imp,year,trade,dist\nA,B,2000,10,100\nA,C,2000,5,200\nB,A,2000,7,100\nB,C,2000,x,150\n' > text.csv
    expect_code 3 "$tradesim" estimate -d text.csv -f "trade ~ log(dist) | exp"
    contains err.txt 'text.csv:5: error: column "trade" (response) must be numeric, but holds "x"'
    printf 'exp,imp,year,trade,dist\nA,B,2000,10,100\nA,C,2000,5,200\nB,A,2000,-3,100\n' > neg.csv
    expect_code 3 "$tradesim" estimate -d neg.csv -f "trade ~ log(dist)"
    contains err.txt "neg.csv:4: error: the response trade is negative (-3)"
    expect_code 3 "$tradesim" estimate -d neg.csv -f "trade ~ log(dst)"
    contains err.txt 'did you mean "dist"'
    expect_code 3 "$tradesim" estimate -d neg.csv -f "trade ~ log(dist) + | exp"
    contains err.txt "formula:1:21: error: expected a column name after '+'"
    expect_code 3 "$tradesim" estimate -d neg.csv -f "trade ~ log(dist)" --where "year > 3000"
    contains err.txt "no observations left (3 removed by --where"
    expect_code 3 "$tradesim" estimate -d neg.csv -f "trade ~ dist" --where "yaer > 3"
    contains err.txt "where:1:1"
    expect_code 4 "$tradesim" estimate -d nofile.csv -f "trade ~ dist"
    printf 'a,b\n1,2\n3\n' > short.csv
    expect_code 3 "$tradesim" estimate -d short.csv -f "a ~ b"
    contains err.txt "short.csv:3: error: row has 1 fields, the header has 2"
    ;;
estimate_drops)
    # A regressor positive only where trade is zero separates those rows: reported, dropped,
    # and the regressor is then collinear. A pair alone in its group is a singleton.
    /usr/bin/python3 - <<'PY' || fail "data"
import math, random
random.seed(5)
with open("sep.csv", "w") as f:
    f.write("exp,imp,trade,x,d\n")
    for i in range(12):
        for j in range(10):
            x = random.gauss(0, 1)
            y = 0 if (i + j) % 5 == 0 else round(math.exp(1 + 0.5 * x + 0.1 * i))
            d = 1 if (i + j) % 10 == 0 else 0
            f.write(f"E{i},I{j},{y},{x:.6f},{d}\n")
    f.write("E99,I0,4,0.1,0\n")
PY
    expect_code 0 "$tradesim" estimate -d sep.csv -f "trade ~ x + d | exp + imp"
    contains out.txt "12 separated by regressors, 1 singletons"
    contains out.txt "d                        dropped: collinear"
    expect_code 0 "$tradesim" estimate -d sep.csv -f "trade ~ x + d | exp + imp" --separation fe --keep-singletons --max-iterations 1000
    contains out.txt "0 separated by regressors, 0 singletons"
    expect_code 5 "$tradesim" estimate -d sep.csv -f "trade ~ x | exp + imp" --max-iterations 2
    contains err.txt "did not converge in 2 iterations"
    ;;
estimate_json)
    data=$src/../shared/data/trade/fixest_eurostat_eu15_20products_2007_2016.csv.gz
    if [[ ! -f $data ]]; then echo "SKIP: $data absent"; exit 0; fi
    expect_code 0 "$tradesim" estimate -d "$data" -f "Euros ~ log(dist_km) | Origin + Destination + Product + Year" --cluster Origin --json
    /usr/bin/python3 -c "import json,sys; j=json.load(open('out.txt')); c=j['coefficients']['log(dist_km)']; \
assert round(c['estimate'],5)==-1.52787 and round(c['se'],6)==0.115678 and j['nobs']==38325, j" || fail "json"
    expect_code 0 "$tradesim" estimate -d "$data" -f "Euros ~ log(dist_km) | Origin + Destination + Product + Year" --cluster "Origin,Destination" --threads 2
    contains out.txt "0.130734"
    ;;
h5py_reads_result)
    expect_code 0 "$tradesim" run "$small" --out a.h5 --quiet
    /usr/bin/python3 "$src/tests/output/read_with_h5py.py" a.h5 || fail "h5py could not read the result"
    ;;
tariff_story)
    # The 2018-2019 rounds: US imports from China fall after the first round, China's
    # retaliation cuts US exports to China, and trade is diverted to third countries.
    expect_code 0 "$tradesim" run "$src/scenarios/us_china_tariffs_2018.toml" --out w.h5 --quiet
    "$tradesim" export w.h5 flows > flows.csv || fail "export"
    python3 - <<'PY' || fail "tariff story"
import csv, collections
tot = collections.defaultdict(float)
for r in csv.DictReader(open("flows.csv")):
    tot[(r["date"], r["exporter"], r["importer"])] += float(r["value"])
def f(d, e, i): return tot[(d, e, i)]
def share(d, e, i):
    total = sum(v for (dd, ee, ii), v in tot.items() if dd == d and ii == i and ee != i)
    return tot[(d, e, i)] / total
checks = [
    ("US imports from China fall after List 1", f("2018-09", "CHN", "USA") < f("2018-06", "CHN", "USA")),
    ("US imports from China keep falling to 2019-12", f("2019-12", "CHN", "USA") < f("2018-09", "CHN", "USA")),
    ("China's imports from the US fall after retaliation", f("2018-09", "USA", "CHN") < f("2018-06", "USA", "CHN")),
    ("US imports from Vietnam rise (diversion)", f("2019-12", "VNM", "USA") > f("2018-06", "VNM", "USA")),
    ("the rest of the world's share of China's imports rises", share("2019-12", "ROW", "CHN") > share("2018-06", "ROW", "CHN")),
    ("the US share of China's imports falls", share("2019-12", "USA", "CHN") < share("2018-06", "USA", "CHN")),
]
bad = [name for name, ok in checks if not ok]
for name, ok in checks:
    print(("ok   " if ok else "FAIL ") + name)
raise SystemExit(1 if bad else 0)
PY
    ;;
*)
    fail "unknown case $case_name"
    ;;
esac
echo "ok: $case_name"
