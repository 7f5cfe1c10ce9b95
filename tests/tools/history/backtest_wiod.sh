# Backtest WIOD 2000 -> 2014 from panel files built by `tradesim import` (WIOD trade with its
# FTA dummy as rta, PWT GDP merged in): tables, JSON, a run file that inspect and export read,
# identical results at 1 and 2 threads, and the errors for bad years (the merged panel has
# every PWT year, 1950-2019, so a year without trade is an input error, not a usage error).
tradesim=$1
data=$4
source "$2/tests/tools/cli_lib.sh"
wiod=$data/trade/wiod_ge_gravity_44c_2000_2014.csv
pwt=$data/macro/pwt1001_183c_1950_2019.csv.gz
[[ -f $wiod && -f $pwt ]] || { echo "skipped: $wiod or $pwt is absent"; exit 77; }

expect_code 0 "$tradesim" import table "$wiod" --value trade --scale 1e6 --pair-column rta=FTA \
    --out panel.h5 -q
expect_code 0 "$tradesim" import pwt "$pwt" --out panel.h5 --merge -q

expect_code 0 "$tradesim" backtest --history panel.h5 --from 2000 --to 2014 --out bt.h5 --top 3
contains out.txt "all (1892 pairs"
contains out.txt "CHN-BRI ("
contains out.txt "literature: Yotov et al. (2016)"
contains out.txt "1 of the 44 countries trading in 2000 have no gdp_usd" # ROW
contains out.txt "wrote bt.h5"
cp out.txt table.txt

# The model beats the no-change prediction on RMSE of log flows and trade-weighted APE.
expect_code 0 "$tradesim" backtest --history panel.h5 --from 2000 --to 2014 --json -t 2
cp out.txt two_threads.json
python3 - <<'PY' || fail "metrics in JSON"
import json
j = json.load(open("two_threads.json"))
o = j["overall"]
assert o["model"]["pairs"] == 1892, o
assert o["model"]["rmse_log_flows"] < o["no_change"]["rmse_log_flows"], o
assert o["model"]["trade_weighted_ape"] < o["no_change"]["trade_weighted_ape"], o
assert o["no_change"]["correlation_log_changes"] is None, o
assert abs(j["rta_effect"] - 0.557) < 1e-12
PY
expect_code 0 "$tradesim" backtest --history panel.h5 --from 2000 --to 2014 --json -t 1
cmp out.txt two_threads.json || fail "1 and 2 threads differ"

expect_code 0 "$tradesim" inspect bt.h5
contains out.txt "steps       5 of 5"
contains out.txt "/backtest/metrics"
expect_code 0 "$tradesim" export bt.h5 flows --step 2
contains out.txt "2,2014 model,CHN,USA,all,"

# --scenario: the 2018-2019 US and Chinese tariff rounds on top of 2000 -> 2014 lower the
# model's Chinese exports to the United States and leave a pair outside its world alone.
model_flow() { "$tradesim" export "$1" flows --step 2 | awk -F, -v e="$2" -v i="$3" '$3==e && $4==i {print $6}'; }
expect_code 0 "$tradesim" backtest --history panel.h5 --from 2000 --to 2014 \
    --scenario "$2/scenarios/us_china_tariffs_2018.toml" --out bt_tariffs.h5
contains err.txt "shares 41 of the panel's"
python3 -c "import sys; a, b = map(float, sys.argv[1:]); sys.exit(0 if b < 0.9 * a else 1)" \
    "$(model_flow bt.h5 CHN USA)" "$(model_flow bt_tariffs.h5 CHN USA)" ||
    fail "the scenario's tariffs do not lower CHN->USA: $(model_flow bt.h5 CHN USA) vs $(model_flow bt_tariffs.h5 CHN USA)"

expect_code 4 "$tradesim" backtest --history panel.h5 --from 2000 --to 2014 --out bt.h5
contains err.txt "bt.h5"
expect_code 2 "$tradesim" backtest --history panel.h5 --from 2030 --to 2040
contains err.txt "--from 2030 is not a year of the panel"
expect_code 2 "$tradesim" backtest --history panel.h5 --from 2014 --to 2000
contains err.txt "--to 2000 must come after --from 2014"
exit 0
