#!/usr/bin/env python3
"""Check of the recalled exchange-rate volatilities of the default world
(scenarios/world/currencies/currencies.csv, column volatility_pct) against the annual average
exchange rates `xr` (national currency per USD) of the Penn World Table 10.01, as staged in
../shared/data/macro/pwt1001_183c_1950_2019.csv.gz (see its PROVENANCE.md). Source: Feenstra,
Inklaar & Timmer (2015), "The Next Generation of the Penn World Table", AER 105(10), 3150-3182.

The two measures differ, so only ranks and orders of magnitude are compared, never values:
- recalled: annualised sd of monthly log changes, Jan 2012-Dec 2017;
- PWT: sd of the 6 annual log changes of annual-average rates, 2011-2017.
Averaging smooths a random walk: the sd of changes of annual averages is about 0.82 times the
annual sd (Working (1960), Econometrica 28(4), 916-918: variance factor (2m^2+1)/(3m^2), m = 12).
The sd also drops a steady trend (a crawl counts as calm in both), splits a late-year step over
two years (ETB Oct 2017 counts only partly), includes the 2011-12 change, before the monthly
window, and rests on 6 changes only (relative standard error about 30 %).

Each currency except USD is measured on one economy: DEU for EUR, else the first economy of
scenarios/world/countries.csv with that currency (ROW skipped). Fails when:
- the Spearman rank correlation of recalled and PWT values, over all 34, is below 0.5;
- a peg with volatility_pct <= 1 has a PWT sd of 1 % or more (the hard pegs show 0.00; the
  next calmest, VND, a stabilised arrangement, shows 0.74);
- one of the five currencies with the largest PWT sd has volatility_pct below 12, i.e. is
  recalled as calm as an ordinary float (those are at most 11, except ZAR at 14).
Also prints, without failing, currencies whose two values differ by more than a factor of 3 and
fall in different thirds of the ranking.
(Figures when written: Spearman 0.896; no check flags a currency; the largest PWT sds are BYN,
EGP, RUB, UZS and KZT, recalled 14-28; no note. The largest ratio is ETB, recalled 6 against a
PWT sd of 1.79, in the same third: its Oct 2017 step and steady crawl explain it.)

usage: currency_volatility.py [SOURCE_DIR [SHARED_DATA_DIR]]
(defaults: the repository holding this script and its ../shared/data)
exit 77 (ctest: skipped) when the shared data is absent.
"""
import csv
import gzip
import math
import os
import statistics
import sys

src = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..")
data = sys.argv[2] if len(sys.argv) > 2 else os.path.join(src, "..", "shared", "data")
path = os.path.join(data, "macro", "pwt1001_183c_1950_2019.csv.gz")
if not os.path.exists(path):
    print(f"SKIP: {path} is absent (the shared data folder is needed for this check)")
    sys.exit(77)


def read_rows(name):
    with open(os.path.join(src, "scenarios", "world", name)) as f:
        return list(csv.DictReader(line for line in f if not line.startswith("#")))


currencies = [r for r in read_rows("currencies/currencies.csv") if r["code"] != "USD"]
countries = read_rows("countries.csv")

problems = []
economy = {}
for c in currencies:
    users = [r["iso3"] for r in countries if r["currency"] == c["code"] and r["iso3"] != "ROW"]
    if c["code"] == "EUR":
        users = ["DEU"]
    if users:
        economy[c["code"]] = users[0]
    else:
        problems.append(f"{c['code']}: no economy in countries.csv uses it")

years = range(2011, 2018)
wanted = set(economy.values())
xr = {}
with gzip.open(path, "rt") as f:
    for r in csv.DictReader(f):
        if r["isocode"] in wanted and int(r["year"]) in years and r["xr"]:
            xr[(r["isocode"], int(r["year"]))] = float(r["xr"])

table = []  # (code, economy, regime, recalled, pwt sd in percent)
for c in currencies:
    e = economy.get(c["code"])
    if e is None:
        continue
    if any((e, y) not in xr for y in years):
        problems.append(f"{c['code']}: PWT xr of {e} missing in some year of 2011-2017")
        continue
    changes = [math.log(xr[(e, y)] / xr[(e, y - 1)]) for y in years[1:]]
    table.append((c["code"], e, c["regime"], float(c["volatility_pct"]),
                  100 * statistics.stdev(changes)))


def ranks(values):
    """Ranks from 1, ties given their average rank (as Spearman's rho needs)."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    out = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in order[i:j + 1]:
            out[k] = (i + j) / 2 + 1
        i = j + 1
    return out


rec = ranks([t[3] for t in table])
pwt = ranks([t[4] for t in table])
rho = statistics.correlation(rec, pwt)  # Pearson on ranks = Spearman (Python >= 3.10)

print("volatility_pct (recalled, annualised monthly sd 2012-2017) vs PWT 10.01 xr "
      "(sd of annual log changes 2011-2017)")
print(f"{'currency':8} {'economy':7} {'regime':8} {'recalled %':>10} {'PWT sd %':>9} {'ratio':>6}")
for code, e, regime, v, s in sorted(table, key=lambda t: -t[4]):
    ratio = f"{v / s:6.2f}" if s > 0 else "     -"
    print(f"{code:8} {e:7} {regime:8} {v:10.1f} {s:9.2f} {ratio}")
print(f"Spearman rank correlation over {len(table)} currencies: {rho:.3f}")

if rho < 0.5:
    problems.append(f"Spearman rank correlation {rho:.3f} < 0.5")
for code, e, regime, v, s in table:
    if regime == "peg" and v <= 1 and s >= 1:
        problems.append(f"{code}: recalled {v:g} % for a peg, but PWT sd {s:.2f} % >= 1 %")
for code, e, regime, v, s in sorted(table, key=lambda t: -t[4])[:5]:
    if v < 12:
        problems.append(f"{code}: among the five largest PWT sds ({s:.2f} %), "
                        f"but recalled only {v:g} % < 12")

third = len(table) / 3
for t, a, b in zip(table, rec, pwt):
    code, e, regime, v, s = t
    far = v > 3 * s or s > 3 * v
    if far and int((a - 1) // third) != int((b - 1) // third):
        print(f"note: {code} recalled {v:g} % vs PWT sd {s:.2f} %: more than a factor of 3 apart "
              f"and in different thirds of the ranking (recalled rank {a:g}, PWT rank {b:g})")

for p in problems:
    print("FAIL:", p)
sys.exit(1 if problems else 0)
