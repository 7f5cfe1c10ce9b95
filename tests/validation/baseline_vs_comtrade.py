#!/usr/bin/env python3
"""Calibration check of the default world: its baseline bilateral goods flows against observed
merchandise exports in 2016 (UN Comtrade, exporter-reported, as staged in
../shared/data/trade/penppml_comtrade_1964_2016_every4y.csv.gz; see its PROVENANCE.md).

The default world is built from GDP, sector shares and cited gravity parameters only, never
from bilateral data, so this measures how far a gravity baseline gets on its own. Prints the
figures; fails if the log-flow correlation drops below 0.65 or fewer than 6 of the top-5
destinations of China, the United States and Germany (15 in all) match the observed ones.
(Figures when written: correlation 0.705, model/observed total 0.644, 7 of 15 shared.)

usage: baseline_vs_comtrade.py TRADESIM SOURCE_DIR SHARED_DATA_DIR WORK_DIR
exit 77 (ctest: skipped) when the shared data is absent.
"""
import csv
import gzip
import math
import os
import subprocess
import sys

tradesim, src, data, work = sys.argv[1:5]
path = os.path.join(data, "trade", "penppml_comtrade_1964_2016_every4y.csv.gz")
if not os.path.exists(path):
    print(f"SKIP: {path} is absent (the shared data folder is needed for this check)")
    sys.exit(77)
os.makedirs(work, exist_ok=True)
run = os.path.join(work, "baseline.h5")
subprocess.run([tradesim, "run", os.path.join(src, "scenarios", "baseline.toml"), "--out", run,
                "--force", "--quiet"], check=True, stdout=subprocess.DEVNULL)
out = subprocess.run([tradesim, "export", run, "flows", "--step", "0"], check=True,
                     capture_output=True, text=True).stdout

model = {}
for r in csv.DictReader(out.splitlines()):
    e, i = r["exporter"], r["importer"]
    if e != i and "ROW" not in (e, i) and r["sector"] != "SRV":
        model[(e, i)] = model.get((e, i), 0.0) + float(r["value"])
codes = {e for e, _ in model}

observed = {}
with gzip.open(path, "rt") as f:
    for r in csv.DictReader(f):
        if r["time"] == "2016" and r["exp"] in codes and r["imp"] in codes and r["exp"] != r["imp"]:
            v = float(r["export"]) / 1e9
            if v > 0:
                observed[(r["exp"], r["imp"])] = v

pairs = sorted(set(observed) & set(model))
x = [math.log(model[p]) for p in pairs]
y = [math.log(observed[p]) for p in pairs]
mx, my = sum(x) / len(x), sum(y) / len(y)
cov = sum((a - mx) * (b - my) for a, b in zip(x, y))
corr = cov / math.sqrt(sum((a - mx) ** 2 for a in x) * sum((b - my) ** 2 for b in y))
ratio = sum(model[p] for p in pairs) / sum(observed[p] for p in pairs)


def top(exporter, table, n=5):
    partners = [(v, i) for (e, i), v in table.items() if e == exporter and (e, i) in observed]
    return [i for _, i in sorted(partners, reverse=True)[:n]]


print(f"pairs compared: {len(pairs)} (2016, exporter-reported, both in the default world)")
print(f"correlation of log flows, model vs observed: {corr:.3f}")
print(f"model total / observed total over these pairs: {ratio:.3f} "
      "(the model is on a value-added scale)")
problems = []
matched = 0
for c in ("CHN", "USA", "DEU"):
    m, o = top(c, model), top(c, observed)
    shared = len(set(m) & set(o))
    matched += shared
    print(f"{c} top-5 destinations: model {' '.join(m)} | observed {' '.join(o)} ({shared} shared)")
if matched < 6:
    problems.append(f"only {matched} of 15 top-5 destinations shared")
if corr < 0.65:
    problems.append(f"log-flow correlation {corr:.3f} < 0.65")
for p in problems:
    print("FAIL:", p)
sys.exit(1 if problems else 0)
