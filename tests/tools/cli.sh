#!/usr/bin/env bash
# Command-line tests of `tradesim`, one case per ctest: cli.sh CASE TRADESIM SOURCE_DIR WORK_DIR
set -uo pipefail
case_name=$1
tradesim=$2
src=$3
work=$4
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1
small=$src/tests/scenarios/small_tariff.toml
friction=$src/tests/scenarios/friction_small.toml

# fail, expect_code, contains
source "$(dirname "${BASH_SOURCE[0]}")/cli_lib.sh"

case $case_name in
version)
    expect_code 0 "$tradesim" --version
    contains out.txt "tradesim 0."
    ;;
help_everywhere)
    for sub in "" run validate inspect export events compare bench estimate counterfactual; do
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
    for word in "status      complete" "small_tariff" "24 of 24" "/flows" "/countries" "USA" "MAC"; do
        contains out.txt "$word"
    done
    # The tariff's start and end, and whatever friction levels it caused (friction is on).
    cp out.txt inspect.txt
    expect_code 0 "$tradesim" export a.h5 events
    contains inspect.txt "events      $(($(wc -l < out.txt) - 1))"
    (( $(wc -l < out.txt) - 1 >= 2 )) || fail "fewer than the tariff's two events"
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
export_firms)
    firms=$src/tests/scenarios/firms_small.toml
    expect_code 0 "$tradesim" run "$firms" --out f.h5 --quiet
    expect_code 0 "$tradesim" inspect f.h5
    contains out.txt "/firms/serving"
    contains out.txt "firm_pairs"
    grep -q "^firms       [0-9]* in [0-9]* country-sectors" out.txt || fail "inspect: no firms line"
    /usr/bin/python3 "$src/tests/output/read_with_h5py.py" f.h5 || fail "h5py could not read the firm tables"
    expect_code 0 "$tradesim" export f.h5 firms
    head -1 out.txt | grep -q "^step,date,country,firms,producers,exporters,export_share," \
        || fail "firms header: $(head -1 out.txt)"
    [[ $(wc -l < out.txt) -eq $((1 + 24 * 4)) ]] || fail "firms rows: $(wc -l < out.txt)"
    grep -q "^23,2019-12,VNM,[0-9]" out.txt || fail "no firms row for VNM at step 23"
    expect_code 0 "$tradesim" export f.h5 firm_pairs
    [[ $(head -1 out.txt) == "step,date,exporter,importer,sector,firms,entries,exits,sales_per_firm" ]] \
        || fail "firm_pairs header: $(head -1 out.txt)"
    # 24 steps of 4 x 4 x 10 pairs at most; rows without firms, entries or exits are left out,
    # and every country sells at home in some sector.
    rows=$(($(wc -l < out.txt) - 1))
    (( rows > 24 * 4 && rows < 24 * 4 * 4 * 10 )) || fail "firm_pairs rows: $rows"
    grep -q ",0,0,0,[^,]*$" out.txt && fail "a firm_pairs row without firms, entries or exits"
    expect_code 0 "$tradesim" export f.h5 firm_pairs --step 3
    step_rows=$(($(wc -l < out.txt) - 1))
    (( step_rows > 4 && step_rows <= 4 * 4 * 10 )) || fail "firm_pairs --step 3 rows: $step_rows"
    [[ $(cut -d, -f1 out.txt | sort -u | tr '\n' ' ') == "3 step " ]] || fail "--step 3 kept other steps"
    ;;
export_firms_errors)
    expect_code 0 "$tradesim" run "$small" --out a.h5 --quiet
    for table in firms firm_pairs; do
        expect_code 2 "$tradesim" export a.h5 $table
        contains err.txt "a.h5: no firm tables (the scenario has no [firms])"
        [[ -s out.txt ]] && fail "export $table wrote output"
    done
    expect_code 0 "$tradesim" inspect a.h5
    grep -q "firm" out.txt && fail "inspect of a run without firms mentions firms"
    expect_code 2 "$tradesim" export a.h5 firm
    contains err.txt 'did you mean "firms"'
    expect_code 0 "$tradesim" export --help
    contains out.txt "firm_pairs"
    ;;
export_corridors)
    corridors=$src/tests/scenarios/corridors_small.toml
    expect_code 0 "$tradesim" run "$corridors" --out c.h5 --quiet
    expect_code 0 "$tradesim" inspect c.h5
    for word in "/corridors/links" "/corridors/pairs" "/corridors/assignment" "/metadata/link_ids" "  routes"; do
        contains out.txt "$word"
    done
    grep -q "^corridors   15 links, last step's assignment: [0-9]* iterations, residual " out.txt \
        || fail "inspect: no corridors line"
    /usr/bin/python3 "$src/tests/output/read_with_h5py.py" c.h5 || fail "h5py could not read the corridor tables"
    expect_code 0 "$tradesim" export c.h5 corridors
    [[ $(head -1 out.txt) == "step,date,link,mode,teu,value,utilisation,cost_per_teu,days,open" ]] \
        || fail "corridors header: $(head -1 out.txt)"
    # 24 steps of the test world's 15 links (access legs are not in the table).
    [[ $(wc -l < out.txt) -eq $((1 + 24 * 15)) ]] || fail "corridors rows: $(wc -l < out.txt)"
    # The Suez Canal is closed from 2018-07 to 2019-01: nothing on it, marked closed.
    grep -q "^6,2018-07,SEA_MALACCA-SEA_SUEZ,sea,0,0,0,[0-9.e+-]*,[0-9.e+-]*,0$" out.txt \
        || fail "Suez link not closed at step 6: $(grep '^6,.*SEA_MALACCA-SEA_SUEZ' out.txt)"
    grep -q "^12,2019-01,SEA_MALACCA-SEA_SUEZ,sea,[1-9][0-9.e+-]*,.*,1$" out.txt \
        || fail "Suez link not open again at step 12: $(grep '^12,.*SEA_MALACCA-SEA_SUEZ' out.txt)"
    grep -q "^0,2018-01,PORT_SHENZHEN-PORT_HAIPHONG-road,road," out.txt || fail "no road link row"
    expect_code 0 "$tradesim" export c.h5 routes --step 3
    [[ $(head -1 out.txt) == "step,date,exporter,importer,rail_share,sea_share,road_share,air_share,days,cost_pct,routes" ]] \
        || fail "routes header: $(head -1 out.txt)"
    # 4 x 3 pairs: the diagonal is left out.
    [[ $(wc -l < out.txt) -eq $((1 + 4 * 3)) ]] || fail "routes rows: $(wc -l < out.txt)"
    grep -q "^3,2018-04,CHN,DEU,[0-9]" out.txt || fail "no CHN,DEU row at step 3"
    grep -q "^3,[^,]*,\([A-Z]*\),\1," out.txt && fail "a routes row on the diagonal"
    expect_code 0 "$tradesim" export c.h5 routes
    [[ $(wc -l < out.txt) -eq $((1 + 24 * 4 * 3)) ]] || fail "routes rows: $(wc -l < out.txt)"
    expect_code 0 "$tradesim" export c.h5 paths --step 6
    [[ $(head -1 out.txt) == "step,date,exporter,importer,path,mode,share,teu,value,days" ]] \
        || fail "paths header: $(head -1 out.txt)"
    # While the canal is closed, China's sea route to Germany goes round the Cape.
    grep -q "^6,2018-07,CHN,DEU,[A-Z_>]*SEA_CAPE[A-Z_>]*,sea,0\.[0-9]" out.txt \
        || fail "no Cape route CHN-DEU at step 6: $(grep '^6,2018-07,CHN,DEU' out.txt)"
    grep -q "SEA_SUEZ" out.txt && fail "a route through the closed canal"
    expect_code 0 "$tradesim" export c.h5 paths --step 0
    grep -q "^0,2018-01,CHN,DEU,[A-Z_>]*SEA_SUEZ[A-Z_>]*,sea," out.txt || fail "no Suez route at step 0"
    ;;
export_corridors_errors)
    # The classroom world has no transport network.
    printf 'name = "plain"\nworld = "%s/scenarios/classroom/world"\n[calendar]\nstart = "2018-01"\nsteps = 3\nstep = "month"\n' "$src" > plain.toml
    expect_code 0 "$tradesim" run plain.toml --out a.h5 --quiet
    for table in corridors routes paths; do
        expect_code 2 "$tradesim" export a.h5 $table
        contains err.txt "a.h5: no corridor tables (the world has no transport network)"
        [[ -s out.txt ]] && fail "export $table wrote output"
    done
    expect_code 2 "$tradesim" export a.h5 corridors --step 0
    contains err.txt "no corridor tables"
    expect_code 0 "$tradesim" inspect a.h5
    grep -qi "corridor\|routes\|link" out.txt && fail "inspect of a run without a network mentions corridors"
    expect_code 2 "$tradesim" export a.h5 route
    contains err.txt 'did you mean "routes"'
    expect_code 0 "$tradesim" export --help
    contains out.txt "corridors"
    contains out.txt "routes"
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
tariff_hysteresis_story)
    # scenarios/tariff_hysteresis.toml with fewer firms (the story does not need a million):
    # China's sales to the US halve under the tariff, exporters leave while it lasts, and after
    # it is lifted sales and exporters come back only partly, and slowly.
    printf 'extends = "%s/scenarios/tariff_hysteresis.toml"\n[firms]\ncount = 150_000\n' "$src" > h.toml
    expect_code 0 "$tradesim" run h.toml --out h.h5 --quiet
    "$tradesim" export h.h5 flows > flows.csv || fail "export flows"
    "$tradesim" export h.h5 firm_pairs > pairs.csv || fail "export firm_pairs"
    python3 - <<'PY' || fail "hysteresis story"
import csv, collections
sales = collections.defaultdict(float)
firms = collections.defaultdict(float)
for r in csv.DictReader(open("flows.csv")):
    if r["exporter"] == "CHN" and r["importer"] == "USA":
        sales[r["date"]] += float(r["value"])
for r in csv.DictReader(open("pairs.csv")):
    if r["exporter"] == "CHN" and r["importer"] == "USA":
        firms[r["date"]] += float(r["firms"])
def mean(table, dates): return sum(table[d] for d in dates) / len(dates)
before = ["2018-0%d" % m for m in range(1, 7)]
during = ["2020-0%d" % m for m in range(1, 7)]
after = ["2020-%02d" % m for m in range(7, 13)]
late = ["2023-%02d" % m for m in range(1, 13)]
checks = [
    ("sales fall by more than 40 % under the tariff", mean(sales, during) < 0.6 * mean(sales, before)),
    ("exporters leave while it lasts", mean(firms, during) < 0.9 * mean(firms, before)),
    ("sales jump back when it is lifted", mean(sales, after) > 0.85 * mean(sales, before)),
    ("but not all the way", mean(sales, after) < 0.98 * mean(sales, before)),
    ("exporters are still fewer years later", mean(firms, late) < 0.97 * mean(firms, before)),
    ("and come back slowly", mean(firms, late) > mean(firms, after)),
]
for name, ok in checks:
    print(("ok   " if ok else "FAIL ") + name)
print("sales before/during/after/late: %.1f %.1f %.1f %.1f" % (mean(sales, before), mean(sales, during), mean(sales, after), mean(sales, late)))
print("exporters before/during/after/late: %.0f %.0f %.0f %.0f" % (mean(firms, before), mean(firms, during), mean(firms, after), mean(firms, late)))
raise SystemExit(0 if all(ok for _, ok in checks) else 1)
PY
    ;;
suez_story)
    # scenarios/suez_closure.toml: the canal closed 2019-01 to 2019-07. Asia-Europe sea traffic
    # goes round the Cape, rail and air take a share, days and costs rise, China-EU trade dips
    # and recovers once the canal reopens.
    expect_code 0 "$tradesim" run "$src/scenarios/suez_closure.toml" --out s.h5 --quiet --threads 2
    for t in flows routes corridors paths; do "$tradesim" export s.h5 $t > $t.csv || fail "export $t"; done
    python3 - <<'PY' || fail "suez story"
import csv, collections
EU = ["DEU", "FRA", "ITA", "ESP", "NLD", "POL", "CZE", "HUN", "GRC", "GBR"]
trade = collections.defaultdict(float)
for r in csv.DictReader(open("flows.csv")):
    if r["exporter"] == "CHN" and r["importer"] in EU:
        trade[r["date"]] += float(r["value"])
pair = {r["date"]: r for r in csv.DictReader(open("routes.csv")) if r["exporter"] == "CHN" and r["importer"] == "DEU"}
teu = collections.defaultdict(float)
for r in csv.DictReader(open("corridors.csv")):
    teu[(r["date"], "SUEZ" if "SEA_SUEZ" in r["link"] else "CAPE" if "SEA_CAPE" in r["link"] else "")] += float(r["teu"])
def p(d, k): return float(pair[d][k])
sea = collections.defaultdict(lambda: [0.0, 0.0])
for r in csv.DictReader(open("paths.csv")):
    if r["exporter"] == "CHN" and r["importer"] == "DEU" and r["mode"] == "sea":
        sea[r["date"]][0] += float(r["teu"]) * float(r["days"])
        sea[r["date"]][1] += float(r["teu"])
def sea_days(d): return sea[d][0] / sea[d][1]
before, closed, reopened, late = "2018-12", "2019-06", "2019-07", "2020-12"
checks = [
    ("the canal carries nothing while closed", teu[(closed, "SUEZ")] == 0 and teu[(before, "SUEZ")] > 1e6),
    ("the Cape route fills", teu[(closed, "CAPE")] > 2 * teu[(before, "CAPE")] + 1e5),
    ("CHN-DEU sea containers take 4-15 days longer", 4 < sea_days(closed) - sea_days(before) < 15),
    ("rail's share of CHN-DEU rises from under 3 % to over 5 %", p(before, "rail_share") < 0.03 and p(closed, "rail_share") > 0.05),
    ("air's share rises", p(closed, "air_share") > p(before, "air_share")),
    ("the cost of CHN-DEU rises", p(closed, "cost_pct") > p(before, "cost_pct") + 1),
    ("China-EU trade dips by 2-20 %", 0.80 < trade[closed] / trade[before] < 0.98),
    ("routes and costs are back once the canal reopens", abs(p(reopened, "cost_pct") - p(before, "cost_pct")) < 0.5 and p(reopened, "rail_share") < 0.03),
    ("and trade recovers", trade[late] > trade[closed] and trade[late] > 0.97 * trade[before]),
]
for name, ok in checks:
    print(("ok   " if ok else "FAIL ") + name)
print("Cape links TEU/month %.0f -> %.0f" % (teu[(before, "CAPE")], teu[(closed, "CAPE")]))
print("CHN-DEU sea days %.1f -> %.1f" % (sea_days(before), sea_days(closed)))
print("CHN-DEU days %.1f -> %.1f, rail %.3f -> %.3f, cost %.1f -> %.1f %%; China-EU trade %.1f -> %.1f -> %.1f" % (
    p(before, "days"), p(closed, "days"), p(before, "rail_share"), p(closed, "rail_share"),
    p(before, "cost_pct"), p(closed, "cost_pct"), trade[before], trade[closed], trade[late]))
raise SystemExit(0 if all(ok for _, ok in checks) else 1)
PY
    ;;
new_rail_line_story)
    # scenarios/new_rail_line.toml: the China-Laos railway (Kunming - Laem Chabang) opens in
    # 2021-12. It fills from its first month, rail takes a share of China-Thailand containers,
    # their transit time and cost fall and their trade grows, and no pair's cost rises.
    expect_code 0 "$tradesim" run "$src/scenarios/new_rail_line.toml" --out r.h5 --quiet --threads 2
    for t in flows routes corridors; do "$tradesim" export r.h5 $t > $t.csv || fail "export $t"; done
    python3 - <<'PY' || fail "rail story"
import csv, collections
trade = collections.defaultdict(float)
for r in csv.DictReader(open("flows.csv")):
    trade[(r["date"], r["exporter"], r["importer"])] += float(r["value"])
routes = {(r["date"], r["exporter"], r["importer"]): r for r in csv.DictReader(open("routes.csv"))}
line = {r["date"]: r for r in csv.DictReader(open("corridors.csv")) if r["link"] == "CN_KUNMING-PORT_LAEMCHABANG"}
before, opened, late = "2021-11", "2021-12", "2023-12"
def days(d, e, i): return float(routes[(d, e, i)]["days"])
rising = [k[1:] for k in routes if k[0] == late and float(routes[k]["cost_pct"]) > float(routes[(before,) + k[1:]]["cost_pct"]) + 0.3]
checks = [
    ("the line is closed before its opening", float(line[before]["open"]) == 0 and float(line[before]["teu"]) == 0),
    ("and carries 3,000-12,000 TEU a month from it (capacity 10,000)", 3000 < float(line[opened]["teu"]) < 12000),
    ("rail takes 5-40 % of China-Thailand containers", float(routes[(before, "CHN", "THA")]["rail_share"]) < 0.001 and 0.05 < float(routes[(late, "CHN", "THA")]["rail_share"]) < 0.4),
    ("China-Thailand gets faster", days(late, "CHN", "THA") < days(before, "CHN", "THA") - 0.1),
    ("and cheaper", float(routes[(late, "CHN", "THA")]["cost_pct"]) < float(routes[(before, "CHN", "THA")]["cost_pct"]) - 0.2),
    ("China's exports to Thailand grow 0.5-10 %", 1.005 < trade[(late, "CHN", "THA")] / trade[(before, "CHN", "THA")] < 1.1),
    ("Uzbekistan-Thailand gets faster too", days(late, "UZB", "THA") < days(before, "UZB", "THA") - 1),
    ("no pair's cost rises by more than 0.3 points", not rising),
]
for name, ok in checks:
    print(("ok   " if ok else "FAIL ") + name)
print("line TEU/month %.0f; CHN-THA rail %.3f, days %.2f -> %.2f, exports %.2f -> %.2f; rising costs: %s" % (
    float(line[opened]["teu"]), float(routes[(late, "CHN", "THA")]["rail_share"]), days(before, "CHN", "THA"),
    days(late, "CHN", "THA"), trade[(before, "CHN", "THA")], trade[(late, "CHN", "THA")], rising[:5]))
raise SystemExit(0 if all(ok for _, ok in checks) else 1)
PY
    ;;
aiib_port_story)
    # scenarios/aiib_port_investment.toml: Chittagong's expansion completes 2023-07, three years
    # after the loan; from then its links cost less and take less time and Bangladesh trades more.
    expect_code 0 "$tradesim" run "$src/scenarios/aiib_port_investment.toml" --out p.h5 --quiet --threads 2
    for t in flows routes corridors; do "$tradesim" export p.h5 $t > $t.csv || fail "export $t"; done
    grep -q "corridor_investment" <("$tradesim" export p.h5 events) || fail "no investment event"
    python3 - <<'PY' || fail "port story"
import csv, collections
exports = collections.defaultdict(float)
for r in csv.DictReader(open("flows.csv")):
    if r["exporter"] == "BGD" and r["importer"] != "BGD":
        exports[r["date"]] += float(r["value"])
bgd = {r["date"]: r for r in csv.DictReader(open("routes.csv")) if r["exporter"] == "BGD" and r["importer"] == "USA"}
port = {r["date"]: r for r in csv.DictReader(open("corridors.csv")) if r["link"] == "PORT_CHITTAGONG-SEA_MALACCA"}
start, building, done, late = "2020-01", "2023-06", "2023-07", "2024-12"
def f(t, d, k): return float(t[d][k])
checks = [
    ("nothing changes while the port is built", abs(exports[building] / exports[start] - 1) < 1e-12 and f(port, building, "cost_per_teu") == f(port, start, "cost_per_teu")),
    ("the port's link costs 15-25 % less when done", 0.75 < f(port, done, "cost_per_teu") / f(port, building, "cost_per_teu") < 0.85),
    ("and takes 20-30 % less time", 0.70 < f(port, done, "days") / f(port, building, "days") < 0.80),
    ("BGD-USA costs 0.5-5 points of value less", 0.5 < f(bgd, building, "cost_pct") - f(bgd, done, "cost_pct") < 5),
    ("Bangladesh's exports grow 1-6 % by 2024-12", 1.01 < exports[late] / exports[building] < 1.06),
]
for name, ok in checks:
    print(("ok   " if ok else "FAIL ") + name)
print("port link cost %.0f -> %.0f USD/TEU, days %.2f -> %.2f; BGD-USA cost %.1f -> %.1f %%; BGD exports %.2f -> %.2f" % (
    f(port, building, "cost_per_teu"), f(port, done, "cost_per_teu"), f(port, building, "days"), f(port, done, "days"),
    f(bgd, building, "cost_pct"), f(bgd, done, "cost_pct"), exports[building], exports[late]))
raise SystemExit(0 if all(ok for _, ok in checks) else 1)
PY
    ;;
rmb_settlement_story)
    # scenarios/rmb_settlement_shift.toml: five years of CNY incentives and swap lines with
    # Belt-and-Road partners in a world with strong network effects tip China's settlement into
    # CNY, and the share stays high after they end; rmb_settlement_below_tipping.toml, the same
    # at half the incentive, fades back to where it started.
    expect_code 0 "$tradesim" run "$src/scenarios/rmb_settlement_shift.toml" --out s.h5 --quiet --threads 2
    expect_code 0 "$tradesim" run "$src/scenarios/rmb_settlement_below_tipping.toml" --out b.h5 --quiet --threads 2
    # rmb_settlement_2018_2023.toml: incentives fitted to China's RMB settlement in 2019 and 2023
    # at the default (fitted) parameters reproduce the PBoC's yearly shares.
    expect_code 0 "$tradesim" run "$src/scenarios/rmb_settlement_2018_2023.toml" --out h.h5 --quiet --threads 2
    "$tradesim" export h.h5 settlement > h-settlement.csv || fail "export settlement"
    for r in s b; do
        for t in settlement currencies payments flows; do "$tradesim" export $r.h5 $t > $r-$t.csv || fail "export $t"; done
    done
    /usr/bin/python3 "$src/tests/output/read_with_h5py.py" s.h5 || fail "h5py could not read the settlement run"
    python3 - <<'PY' || fail "rmb settlement story"
import csv, collections
def cny(run):
    return {r["date"]: float(r["share"]) for r in csv.DictReader(open(run + "-settlement.csv"))
            if r["country"] == "CHN" and r["currency"] == "CNY"}
s, b, h = cny("s"), cny("b"), cny("h")
def year(y): return sum(v for d, v in h.items() if d.startswith(y)) / 12
years = ["%d-01" % y for y in range(2018, 2033)]
during = [s[y] for y in years[:6]]
pay, trade = collections.defaultdict(float), collections.defaultdict(float)
for r in csv.DictReader(open("s-payments.csv")):
    pay[r["date"]] += float(r["usd_bn"])
for r in csv.DictReader(open("s-flows.csv")):
    if r["exporter"] != r["importer"]:
        trade[r["date"]] += float(r["value"])
checks = [
    ("CNY settles under 6 % of China's trade at the start", s["2018-01"] < 0.06),
    ("the share rises every year of the incentive", all(a < b_ for a, b_ in zip(during, during[1:]))),
    ("past a third of China's settlement by 2023-01", s["2023-01"] > 0.33),
    ("and stays high ten years after the incentive ends", s["2032-12"] > 0.30 and s["2032-12"] > 5 * s["2018-01"]),
    ("half the incentive lifts it while it lasts", b["2023-01"] > 2 * b["2018-01"]),
    ("and fades back once it ends", b["2032-12"] < b["2018-01"] + 0.01),
    ("fitted incentives: 13.4 % of China's settlement in 2019 (PBoC)", abs(year("2019") - 0.134) < 0.01),
    ("and 24.8 % in 2023 (PBoC)", abs(year("2023") - 0.248) < 0.01),
    ("and about 26 % at the end of 2023 (HSBC)", abs(h["2023-12"] - 0.26) < 0.015),
    ("payments match trade in value", all(abs(pay[d] / trade[d] - 1) < 1e-9 for d in ("2018-01", "2023-01", "2032-12"))),
]
for name, ok in checks:
    print(("ok   " if ok else "FAIL ") + name)
print("CNY of China's settlement, tipping: " + " ".join("%.3f" % s[y] for y in years) + " -> %.3f" % s["2032-12"])
print("fitted 2018-2023: " + " ".join("%s %.3f" % (y, year(y)) for y in ("2018", "2019", "2020", "2021", "2022", "2023")) + ", end %.3f" % h["2023-12"])
print("below the tipping point: " + " ".join("%.3f" % b[y] for y in years) + " -> %.3f" % b["2032-12"])
raise SystemExit(0 if all(ok for _, ok in checks) else 1)
PY
    ;;
counterfactual_small)
    # Three countries; "none" shocks nothing, "fta" lowers trade costs between A and B.
    printf 'exporter,importer,trade,none,fta\nA,A,100,0,0\nA,B,10,0,0.5\nA,C,5,0,0\nB,A,8,0,0.5\nB,B,80,0,0\nB,C,6,0,0\nC,A,4,0,0\nC,B,3,0,0\nC,C,60,0,0\n' > small.csv
    expect_code 0 "$tradesim" counterfactual -d small.csv --partial none
    contains out.txt "3 countries"
    [[ $(grep -c '^  [ABC] ' out.txt) -eq 3 ]] || { cat out.txt; fail "expected 3 country rows"; }
    awk '/^  [ABC] / { for (i = 2; i <= NF; ++i) if ($i != "0.000") bad = 1 } END { exit bad }' out.txt \
        || { cat out.txt; fail "a zero shock changed something"; }
    expect_code 0 "$tradesim" counterfactual -d small.csv --partial fta
    contains out.txt "on 2 of 9 pairs with trade"
    # Both partners gain and come first; the outsider loses (trade diversion).
    welfare() { awk -v c="$1" '$1 == c { print $2 }' out.txt; }
    [[ $(welfare A) == +* && $(welfare B) == +* ]] || { cat out.txt; fail "partners do not gain"; }
    [[ $(welfare C) == -* ]] || { cat out.txt; fail "the outsider does not lose"; }
    [[ $(awk '/^  [ABC] / { printf "%s", $1 }' out.txt) == "ABC" || \
       $(awk '/^  [ABC] / { printf "%s", $1 }' out.txt) == "BAC" ]] || fail "not sorted by welfare"
    cp out.txt additive.txt
    # --where picks one year of a panel: the same answer as the one-year file.
    { echo "year,exporter,importer,trade,none,fta"; tail -n +2 small.csv | sed 's/^/2000,/';
      tail -n +2 small.csv | sed 's/^/2001,/; s/,100,/,1,/'; } > panel.csv
    expect_code 0 "$tradesim" counterfactual -d panel.csv --partial fta --where "year == 2000"
    contains out.txt "18 rows, 9 kept by --where"
    diff <(grep '^  [ABC] ' additive.txt) <(grep '^  [ABC] ' out.txt) || fail "--where changed the answer"
    # A runs a surplus and C a deficit, so holding deficits fixed in levels or as a share of
    # expenditure gives different answers.
    expect_code 0 "$tradesim" counterfactual -d small.csv --partial fta --imbalances multiplicative
    contains out.txt "theta 4, multiplicative imbalances"
    cmp -s <(grep '^  [ABC] ' additive.txt) <(grep '^  [ABC] ' out.txt) && fail "multiplicative = additive"
    ;;
counterfactual_errors)
    good='exporter,importer,trade,fta\nA,A,100,0\nA,B,10,0.5\nB,A,8,0.5\nB,B,80,0\n'
    printf "$good" > good.csv
    printf 'exporter,importer,trade,fta\nA,A,100,0\nA,B,10,0.5\nB,A,8,0.5\nC,C,5,0\nA,C,1,0\n' > nodom.csv
    expect_code 3 "$tradesim" counterfactual -d nodom.csv --partial fta
    contains err.txt "nodom.csv: error: no domestic flow for B"
    printf 'exporter,importer,trade,fta\nA,A,100,0\nA,B,-3,0.5\nB,A,8,0.5\nB,B,80,0\n' > neg.csv
    expect_code 3 "$tradesim" counterfactual -d neg.csv --partial fta
    contains err.txt "neg.csv:3: error: the flow trade of A -> B is -3"
    printf 'exporter,importer,trade,fta\nA,A,100,0\nA,B,10,0.5\nB,A,8,0.5\nB,B,80,0\nA,B,11,0\n' > dup.csv
    expect_code 3 "$tradesim" counterfactual -d dup.csv --partial fta
    contains err.txt "dup.csv:6: error: pair A -> B appears twice (lines 3 and 6)"
    printf 'exporter,importer,trade,fta\nA,A,100,0\nA,B,10,\nB,A,8,0.5\nB,B,80,0\nB,C,0,\nC,C,4,0\n' > nopartial.csv
    expect_code 3 "$tradesim" counterfactual -d nopartial.csv --partial fta
    contains err.txt "nopartial.csv:3: error: pair A -> B has a flow (10) but no partial effect"
    grep -q "B -> C" err.txt && fail "a zero flow needs no partial effect"
    printf 'exporter,importer,trade,fta\nA,A,100,0\nA,B,1e3x,0.5\n' > text.csv
    expect_code 3 "$tradesim" counterfactual -d text.csv --partial fta
    contains err.txt 'text.csv:3: error: column "trade" (--flow) must be numeric, but holds "1e3x"'
    expect_code 3 "$tradesim" counterfactual -d good.csv --partial fta --flow trad
    contains err.txt 'unknown column "trad"'
    contains err.txt 'did you mean "trade"'
    expect_code 3 "$tradesim" counterfactual -d good.csv --partial ftaa --where "trade >= 0"
    contains err.txt 'good.csv: error: unknown column "ftaa" given to --partial (did you mean "fta"?)'
    expect_code 3 "$tradesim" counterfactual -d good.csv --partial fta --where "trade > 1000"
    contains err.txt "no rows left (4 removed by --where"
    expect_code 3 "$tradesim" counterfactual -d good.csv --partial fta --where "trdae > 0"
    contains err.txt "where:1:1"
    for theta in 0 -1 nan abc; do
        expect_code 2 "$tradesim" counterfactual -d good.csv --partial fta --theta $theta
        contains err.txt "--theta"
    done
    expect_code 2 "$tradesim" counterfactual -d good.csv --partial fta --imbalances both
    expect_code 2 "$tradesim" counterfactual -d good.csv --partial fta --method hat
    expect_code 2 "$tradesim" counterfactual -d good.csv --partial fta --method yotov --sigma 1
    expect_code 2 "$tradesim" counterfactual -d good.csv
    contains err.txt "--partial"
    expect_code 2 "$tradesim" counterfactual -d good.csv --partial fta --scenario "$small"
    expect_code 2 "$tradesim" counterfactual --partial fta
    expect_code 4 "$tradesim" counterfactual -d nofile.csv --partial fta
    contains err.txt "nofile.csv"
    expect_code 0 "$tradesim" counterfactual -d good.csv --partial fta
    ;;
counterfactual_json)
    printf 'exporter,importer,trade,fta\nA,A,100,0\nA,B,10,0.5\nA,C,5,0\nB,A,8,0.5\nB,B,80,0\nB,C,6,0\nC,A,4,0\nC,C,60,0\n' > small.csv
    expect_code 0 "$tradesim" counterfactual -d small.csv --partial fta --json
    /usr/bin/python3 - <<'PY' || fail "json"
import json
j = json.load(open("out.txt"))
assert list(j)[:3] == ["method", "data", "where"] and j["method"] == "exact", list(j)
assert j["theta"] == 4 and j["imbalances"] == "additive", j
assert set(j["countries"]) == {"A", "B", "C"}, j["countries"]
keys = {"welfare_pct", "real_wage_pct", "factory_price_pct", "output_pct", "expenditure_pct",
        "exports_pct", "imports_pct", "inward_resistance_pct", "outward_resistance_pct"}
for code, c in j["countries"].items():
    assert set(c) == keys, (code, c)
assert j["countries"]["A"]["welfare_pct"] > 0 and j["countries"]["C"]["welfare_pct"] < 0, j
flows = {(f["exporter"], f["importer"]): f for f in j["flows"]}
assert len(flows) == 9 and flows[("C", "B")]["baseline"] == 0 == flows[("C", "B")]["counterfactual"]
assert flows[("A", "B")]["baseline"] == 10 and flows[("A", "B")]["counterfactual"] > 10
assert isinstance(j["iterations"], int) and 0 <= j["max_excess_demand"] < 1e-9, j
# A's imports in the JSON agree with its flows.
imports = sum(f["counterfactual"] for (e, i), f in flows.items() if i == "A" and e != "A")
assert abs(100 * (imports / 12 - 1) - j["countries"]["A"]["imports_pct"]) < 1e-9, imports
PY
    ;;
counterfactual_out)
    printf 'exporter,importer,trade,fta\nA,A,100,0\nA,B,10,0.5\nA,C,5,0\nB,A,8,0.5\nB,B,80,0\nB,C,6,0\nC,A,4,0\nC,B,3,0\nC,C,60,0\n' > small.csv
    expect_code 0 "$tradesim" counterfactual -d small.csv --partial fta --out r/cf.h5
    [[ -s r/cf.h5 ]] || fail "no result file"
    contains out.txt "result    r/cf.h5"
    welfare_a=$(awk '$1 == "A" { print $2 }' out.txt)
    before=$(sha256sum r/cf.h5)
    # Refused before any work: the bad data file is not even read.
    expect_code 4 "$tradesim" counterfactual -d nofile.csv --partial fta --out r/cf.h5
    contains err.txt "r/cf.h5 exists"
    contains err.txt "--force"
    expect_code 4 "$tradesim" counterfactual -d small.csv --partial fta --out r/cf.h5 --json
    [[ "$(sha256sum r/cf.h5)" == "$before" ]] || fail "existing file was changed"
    expect_code 0 "$tradesim" counterfactual -d small.csv --partial fta --out r/cf.h5 --force --json
    contains out.txt '"out": "r/cf.h5"'
    expect_code 0 "$tradesim" inspect r/cf.h5
    for word in "status      complete" "scenario    small (small.csv)" "2 of 2" "baseline to counterfactual" \
                "countries   3: A B C" "sectors     1: all" "/flows" "[2 x 3 x 3 x 1]" \
                "output expenditure exports imports welfare"; do
        contains out.txt "$word"
    done
    expect_code 0 "$tradesim" export r/cf.h5 countries
    head -1 out.txt | grep -q "^step,date,country,output,expenditure,exports,imports,welfare,real_wage,factory_price," \
        || fail "countries header: $(head -1 out.txt)"
    [[ $(wc -l < out.txt) -eq 7 ]] || fail "countries rows: $(wc -l < out.txt)"
    contains out.txt "0,baseline,A,115,112,15,12,1,"
    # The file's welfare index is the printed change.
    /usr/bin/python3 - "$welfare_a" <<'PY' || fail "welfare in the file"
import csv, sys
rows = {(r["date"], r["country"]): r for r in csv.DictReader(open("out.txt"))}
w = 100 * (float(rows[("counterfactual", "A")]["welfare"]) - 1)
assert f"{w:+.3f}" == sys.argv[1], (w, sys.argv[1])
PY
    expect_code 0 "$tradesim" export r/cf.h5 flows
    head -1 out.txt | grep -q "^step,date,exporter,importer,sector,value" || fail "flows header"
    [[ $(wc -l < out.txt) -eq 19 ]] || fail "flows rows: $(wc -l < out.txt)"
    contains out.txt "0,baseline,A,B,all,10"
    grep -q "^1,counterfactual,A,B,all," out.txt || fail "no counterfactual A -> B flow"
    expect_code 0 "$tradesim" export r/cf.h5 flows --step 1
    [[ $(wc -l < out.txt) -eq 10 ]] || fail "flows --step 1 rows"
    expect_code 0 "$tradesim" export r/cf.h5 steps
    grep -q "^1,counterfactual," out.txt || fail "steps table"
    ;;
counterfactual_eu)
    # ge_gravity's example (REFERENCE_RESULTS.md, C): EU enlargement, 2000 baseline, theta 4;
    # pairs that became EU pairs between 2000 and 2014 get the PPML estimate 0.224249005317688.
    data=$src/../shared/data/trade/wiod_ge_gravity_44c_2000_2014.csv
    ref=$src/../shared/data/reference_results/ge_gravity_stata_eu_enlargement_results.csv
    if [[ ! -f $data ]]; then echo "SKIP: $data absent"; exit 0; fi
    /usr/bin/python3 - "$data" <<'PY' || fail "partial column"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
eu = {(r["exporter"], r["importer"], r["year"]): r["eu_enlargement"] for r in rows}
with open("eu.csv", "w", newline="") as f:
    w = csv.DictWriter(f, fieldnames=list(rows[0]) + ["eu_effect"])
    w.writeheader()
    for r in rows:
        new = eu[(r["exporter"], r["importer"], "2000")] == "0" and \
            eu.get((r["exporter"], r["importer"], "2014")) == "1"
        w.writerow(dict(r, eu_effect=0.224249005317688 if new else 0))
PY
    expect_code 0 "$tradesim" counterfactual -d eu.csv --partial eu_effect --where "year == 2000" --theta 4
    head -12 out.txt
    [[ $(awk '$1 == "MLT" { print $2 }' out.txt) == "+1.535" ]] || fail "MLT welfare is not +1.535"
    sed -n 6p out.txt | grep -q "^  MLT " || fail "MLT is not the largest welfare gain"
    contains out.txt "44 countries"
    if [[ ! -f $ref ]]; then echo "SKIP: $ref absent (per-country check)"; exit 0; fi
    # Every country and every flow against Stata's ge_gravity (stored as float: 1e-6 relative).
    # Its multiplicative results all sit 1.5e-6 below ours (welfare and flows alike, as from
    # another normalisation), hence the wider welfare tolerance there: 5e-4 percentage points.
    for imb in additive multiplicative; do
        expect_code 0 "$tradesim" counterfactual -d eu.csv --partial eu_effect --where "year == 2000" \
            --imbalances $imb --json
        /usr/bin/python3 - "$ref" $imb <<'PY' || fail "ge_gravity reference ($imb)"
import csv, json, sys
j = json.load(open("out.txt"))
w_col, x_col, tol = ("w_eu", "X_eu", 1e-4) if sys.argv[2] == "additive" else ("w_mult", "X_mult", 5e-4)
ref = [r for r in csv.DictReader(open(sys.argv[1])) if r["year"] == "2000"]
welfare = {r["exporter"]: 100 * (float(r[w_col]) - 1) for r in ref}
bad = [(c, v["welfare_pct"], welfare[c]) for c, v in j["countries"].items()
       if abs(v["welfare_pct"] - welfare[c]) > tol]
flows = {(r["exporter"], r["importer"]): float(r[x_col]) for r in ref}
bad += [(f["exporter"], f["importer"], f["counterfactual"]) for f in j["flows"]
        if abs(f["counterfactual"] / flows[(f["exporter"], f["importer"])] - 1) > 1e-5]
assert len(j["countries"]) == 44 and not bad, bad[:10]
PY
    done
    ;;
counterfactual_yotov)
    # Yotov et al. (2016), ch. 2, "Trade without borders": with the book's stopping rule the
    # FULL real GDP changes are those of its printed table (TradeWithoutBorder.log: CHN 14.35 %,
    # USA 10.65 %).
    data=$src/../shared/data/trade/yotov2016_agtpa_69c_1986_2006.csv.gz
    if [[ ! -f $data ]]; then echo "SKIP: $data absent"; exit 0; fi
    args=(counterfactual --method yotov -d "$data" --sigma 7 --set INTL_BRDR=0 --reference DEU
        --formula "trade ~ log(dist) + cntg + INTL_BRDR" --where "year == 2006" --stop book)
    expect_code 0 "$tradesim" "${args[@]}" --json
    /usr/bin/python3 -c "import json; j=json.load(open('out.txt')); \
g={r['country']: r['real_gdp_full'] for r in j['countries']}; \
assert j['stop']=='book' and round(g['CHN'],2)==14.35 and round(g['USA'],2)==10.65, g" \
        || fail "real GDP"
    expect_code 0 "$tradesim" "${args[@]}" --out r.h5
    contains out.txt "result    r.h5"
    expect_code 0 "$tradesim" export r.h5 countries
    contains out.txt "step,date,country,exports,exports_cdl,factory_price,inward_resistance"
    contains out.txt "1,counterfactual,CHN,"
    expect_code 4 "$tradesim" "${args[@]}" --out r.h5
    contains err.txt "r.h5 exists"
    ;;
events_timeline)
    # The friction test run: a US tariff on China in 2018-03, China's answer in 2018-04, and the
    # friction levels they cause. Four economies, 24 months: a fraction of a second.
    expect_code 0 "$tradesim" run "$friction" --out f.h5 --quiet
    expect_code 0 "$tradesim" events f.h5
    contains out.txt "2018-03  United States sets its tariff on all goods from China to 25 %"
    grep -q "^2018-04  China answers United States' tariff rise" out.txt || fail "no dated answer"
    # The date only on a month's first line; the others are indented to line up.
    grep -q "^         watch: United States' imports of all goods from China" out.txt \
        || fail "no indented second event of 2018-03"
    dates=$(grep -o "^[0-9]\{4\}-[0-9]\{2\}  " out.txt)
    [[ -z $(sort <<< "$dates" | uniq -d) ]] || fail "a date printed twice: $(sort <<< "$dates" | uniq -d)"
    grep -q "^[0-9]* events of [0-9]* in f.h5: .*1 retaliation, 1 tariff" out.txt || fail "summary: $(tail -1 out.txt)"
    expect_code 0 "$tradesim" events f.h5 --kind tariff
    [[ $(grep -c "^[-0-9 ]\{7\}  " out.txt) -eq 1 ]] || fail "--kind tariff: $(cat out.txt)"
    contains out.txt "1 event of"
    contains out.txt ": 1 tariff"
    expect_code 0 "$tradesim" events f.h5 --kind duties
    contains out.txt "1 retaliation, 1 tariff"
    grep -q "watch:\|warning:\|alert:" out.txt && fail "--kind duties kept friction alerts"
    # Only alerts: the watch and warning levels and the eased ones are left out.
    expect_code 0 "$tradesim" events f.h5 --kind alerts,tariff --min-level alert
    grep -q "^[-0-9 ]\{7\}  alert: " out.txt || fail "--min-level alert: no alert"
    grep -q "watch:\|warning:\|eased" out.txt && fail "--min-level alert kept lower levels"
    contains out.txt "sets its tariff"
    expect_code 0 "$tradesim" events f.h5 --country vnm --from 2018-04 --to 2018-12
    [[ $(grep -c "^[-0-9 ]\{7\}  " out.txt) -gt 0 ]] || fail "--country VNM: no events"
    grep "^[-0-9 ]\{7\}  " out.txt | grep -v "Vietnam" && fail "--country VNM kept other events"
    grep -o "^[0-9]\{4\}-[0-9]\{2\}" out.txt | awk '$1 < "2018-04" || $1 > "2018-12" { bad = 1 } END { exit bad }' \
        || fail "--from/--to kept other months: $(cat out.txt)"
    ;;
events_errors)
    expect_code 0 "$tradesim" run "$friction" --out f.h5 --quiet
    expect_code 2 "$tradesim" events f.h5 --min-level high
    contains err.txt "--min-level"
    contains err.txt "watch"
    [[ -s out.txt ]] && fail "a bad --min-level printed events"
    expect_code 2 "$tradesim" events f.h5 --kind tarif
    contains err.txt 'unknown event kind "tarif" (did you mean "tariff"?); kinds in this file: alert, eased,'
    expect_code 2 "$tradesim" events f.h5 --from 2018-13
    contains err.txt '--from "2018-13": expected a month as YYYY-MM'
    expect_code 2 "$tradesim" events f.h5 --from 2019-01 --to 2018-01
    contains err.txt "--from 2019-01 is after --to 2018-01"
    expect_code 2 "$tradesim" events f.h5 --country XYZ
    contains err.txt "--country XYZ: not a country of this run"
    expect_code 4 "$tradesim" events no_such.h5
    contains err.txt "no_such.h5: no such file"
    echo "hello" > fake.h5
    expect_code 4 "$tradesim" events fake.h5
    contains err.txt "fake.h5: not a tradesim run file"
    ;;
export_friction)
    expect_code 0 "$tradesim" run "$friction" --out f.h5 --quiet
    expect_code 0 "$tradesim" inspect f.h5
    for word in "/friction/index" "/friction/level" "/friction/indicators" "/friction/watched" "  friction"; do
        contains out.txt "$word"
    done
    grep -q "^friction    window 12 months; levels watch 0.25, warning 0.45, alert 0.65; last step: " out.txt \
        || fail "inspect: no friction line"
    /usr/bin/python3 "$src/tests/output/read_with_h5py.py" f.h5 || fail "h5py could not read the friction tables"
    expect_code 0 "$tradesim" export f.h5 friction
    [[ $(head -1 out.txt) == "step,date,exporter,importer,sector,index,level,surge,imbalance,imbalance_change,undercut,share_gain,partner_tariff" ]] \
        || fail "friction header: $(head -1 out.txt)"
    (( $(wc -l < out.txt) > 24 )) || fail "friction rows: $(wc -l < out.txt)"
    [[ $(tail -n +2 out.txt | cut -d, -f7 | sort -u | tr '\n' ' ') == "alert none warning watch " ]] \
        || fail "friction levels: $(tail -n +2 out.txt | cut -d, -f7 | sort -u | tr '\n' ' ')"
    grep -q "^10,2018-11,CHN,VNM,MIN,0\.[6-9][0-9]*,alert," out.txt || fail "no alert on Vietnam's imports from China"
    # Rows only where there is friction: no row with index 0 and level none.
    grep -q "^[^,]*,[^,]*,[^,]*,[^,]*,[^,]*,0,none," out.txt && fail "a friction row without friction"
    expect_code 0 "$tradesim" export f.h5 friction --step 3
    [[ $(tail -n +2 out.txt | cut -d, -f1 | sort -u) == "3" ]] || fail "--step 3 kept other steps"
    # A run with friction off has no friction table.
    printf 'name = "off"\nworld = "%s/scenarios/classroom/world"\n[calendar]\nstart = "2018-01"\nsteps = 3\nstep = "month"\n[friction]\nenabled = false\n' "$src" > off.toml
    expect_code 0 "$tradesim" run off.toml --out off.h5 --quiet
    expect_code 2 "$tradesim" export off.h5 friction
    contains err.txt "off.h5: no friction tables (the run had friction.enabled = false)"
    expect_code 0 "$tradesim" inspect off.h5
    grep -qi "friction" out.txt && fail "inspect of a run without friction mentions friction"
    expect_code 0 "$tradesim" export --help
    contains out.txt "friction"
    ;;
export_tariffs)
    # The friction test run: a US tariff of 25 % on China from 2018-03, and China's answer.
    expect_code 0 "$tradesim" run "$friction" --out f.h5 --quiet
    expect_code 0 "$tradesim" inspect f.h5
    contains out.txt "/tariffs"
    contains out.txt "  tariffs"
    expect_code 0 "$tradesim" export f.h5 tariffs
    [[ $(head -1 out.txt) == "step,date,exporter,importer,sector,tariff_pct" ]] \
        || fail "tariffs header: $(head -1 out.txt)"
    grep -q "^2,2018-03,CHN,USA,[A-Z]*,25$" out.txt || fail "no US tariff on China in 2018-03"
    grep -q "^[0-9]*,2018-0[3-9],USA,CHN,[A-Z]*,[0-9.]*$" out.txt || fail "no answer from China in 2018"
    grep -q ",0$" out.txt && fail "a tariffs row with a tariff of 0"
    expect_code 0 "$tradesim" export f.h5 tariffs --step 0
    [[ $(wc -l < out.txt) -eq 1 ]] || fail "tariffs before the tariff: $(cat out.txt)"
    # A file of a tradesim version before /tariffs: inspect works, export says why not.
    /usr/bin/python3 -c 'import h5py; del h5py.File("f.h5", "r+")["tariffs"]' || fail "h5py"
    expect_code 0 "$tradesim" inspect f.h5
    grep -q "^  tariffs$" out.txt && fail "inspect lists tariffs of a file without them"
    expect_code 2 "$tradesim" export f.h5 tariffs
    contains err.txt "f.h5: no tariff table (the file was written before tradesim stored tariffs"
    expect_code 0 "$tradesim" export --help
    contains out.txt "tariffs"
    ;;
run_narrate)
    expect_code 0 "$tradesim" run "$friction" --out n.h5 --narrate
    [[ -s n.h5 ]] || fail "no result file"
    [[ $(head -1 out.txt) == "2018-03" ]] || fail "first line: $(head -1 out.txt)"
    contains out.txt "   United States sets its tariff on all goods from China to 25 % — test tariff"
    grep -q "^   trade United States <- China: [0-9.]* bn USD/yr (-[0-9.]* % since 2018-01); tariffs +[0-9.]* points on average$" out.txt \
        || fail "no trade line for the tariff's pair"
    grep -q "^   trade China <- United States: " out.txt || fail "no trade line for China's answer"
    contains out.txt "   after 12 months:"
    contains out.txt "   after 24 months:"
    [[ $(grep -c "welfare [+-][0-9.]* % from the baseline, trade balance" out.txt) -eq 8 ]] \
        || fail "expected 4 countries twice"
    # Steps without events print nothing: 2018-01 and 2018-02 had none.
    grep -q "^2018-0[12]$" out.txt && fail "a step without events was narrated"
    # The summary of run is still there, and the narrated events are the file's.
    contains out.txt "calendar  24 steps of one month from 2018-01"
    contains out.txt "result    n.h5"
    grep "^   " out.txt | grep -v "^   trade \|^   after \|welfare .* trade balance" | sed 's/^   //' > told.txt
    expect_code 0 "$tradesim" events n.h5
    grep "^[-0-9 ]\{7\}  " out.txt | cut -c10- > logged.txt
    diff told.txt logged.txt || fail "narrated events differ from the file's event log"
    [[ -s told.txt ]] || fail "nothing narrated"
    ;;
*)
    fail "unknown case $case_name"
    ;;
esac
echo "ok: $case_name"
