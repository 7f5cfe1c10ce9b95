#!/usr/bin/env python3
"""Check that the US Section 301 rounds of scenarios/us_section301_2018.toml (the tariffs of
us_china_tariffs_2018.toml and us_china_trade_war.toml) are what the file says they are: the
change in the simple average US tariff on Chinese goods over HS6 lines in each sector between
successive dates, in percentage points, from the HS6 schedules of M. Waugh's US-China Trade War
Tracker (built from the USITC China tariff annex; ../shared/data/tariffs, see its
PROVENANCE.md), with the sectors' HS chapters as scenarios/world/sectors.csv states them.

Fails when a sector's change differs from the scenario's `increase` by more than 0.051 points
(the file rounds to 0.1), or when the data move a sector the scenario leaves out by 0.25 points
or more (List 1 moves WOD by -0.2 and TXT by -0.0: HS6 lines whose MFN maximum over HTS8 lines
shifts with the annex, not Section 301 duties).

Also prints, without failing, China's tariff on US goods from the tracker's second file (Bown,
Jung & Zhang, PIIE 2019; HS6, MFN included) by sector, 2018-01-01 against 2019-09-01, next to the
US rise on the same sectors: what `tit_for_tat` with proportion 1 answers with (README, "Trade
friction").

usage: section301_rates.py [SOURCE_DIR [SHARED_DATA_DIR]]
exit 77 (ctest: skipped) when the shared data is absent.
"""
import collections
import csv
import gzip
import os
import re
import sys
import tomllib

here = os.path.dirname(os.path.abspath(__file__))
source = sys.argv[1] if len(sys.argv) > 1 else os.path.normpath(os.path.join(here, "..", ".."))
shared = sys.argv[2] if len(sys.argv) > 2 else os.path.join(source, "..", "shared", "data")
us_file = os.path.join(shared, "tariffs", "us_section301_tariffs_on_china_hs6_2018_2020.csv.gz")
cn_file = os.path.join(shared, "tariffs", "china_tariffs_on_us_hs6_2018_2019.csv.gz")
if not (os.path.exists(us_file) and os.path.exists(cn_file)):
    print(f"SKIP: {us_file} or {cn_file} not found (../shared/data absent)")
    sys.exit(77)

# "HS chapters: AGR 01-24; MIN 25-27; ...; TXT 41-43 and 50-67; ..." in sectors.csv's comments.
sector_of = {}
with open(os.path.join(source, "scenarios", "world", "sectors.csv")) as f:
    text = f.read()
chapters = re.search(r"HS chapters: ([^\n]*)", text).group(1)
for part in chapters.split(";"):
    code, ranges = part.strip().split(" ", 1)
    if ranges == "none":  # services
        continue
    for r in ranges.split(" and "):
        lo, hi = (int(x) for x in r.split("-"))
        for c in range(lo, hi + 1):
            sector_of[c] = code
sectors = sorted(set(sector_of.values()), key=lambda s: min(c for c, v in sector_of.items() if v == s))


def schedule(path):
    """date -> {hs6: tariff}; lines without a value are left out."""
    out = collections.defaultdict(dict)
    with gzip.open(path, "rt", newline="") as f:
        for row in csv.DictReader(f):
            if row["tariff"] != "":
                out[row["time_of_tariff"]][row["hs6"].zfill(6)] = float(row["tariff"])
    return out


def sector_means(lines):
    sums, counts = collections.Counter(), collections.Counter()
    for hs6, t in lines.items():
        s = sector_of.get(int(hs6[:2]))
        if s is not None:
            sums[s] += t
            counts[s] += 1
    return {s: sums[s] / counts[s] for s in counts}


us = schedule(us_file)
dates = sorted(us)
with open(os.path.join(source, "scenarios", "us_section301_2018.toml"), "rb") as f:
    rounds = tomllib.load(f)["policy"]
if len(rounds) != len(dates) - 1:
    sys.exit(f"FAIL: {len(rounds)} US rounds in the scenario, {len(dates) - 1} dates in the data")
bad = 0
for policy, before, after in zip(rounds, dates, dates[1:]):
    if policy["date"] != after[:7]:
        print(f"FAIL: round dated {policy['date']} where the data change on {after}")
        bad += 1
    a, b = sector_means(us[before]), sector_means(us[after])
    for s in sectors:
        change = b[s] - a[s]
        given = policy["increase"].get(s)
        if given is None and abs(change) >= 0.25:
            print(f"FAIL: {after} {s}: the data move it by {change:+.2f}, the scenario leaves it out")
            bad += 1
        elif given is not None and abs(change - given) > 0.051:
            print(f"FAIL: {after} {s}: data {change:+.2f}, scenario {given:+.1f}")
            bad += 1
    print(f"{after}: " + ", ".join(f"{s} {b[s] - a[s]:+.1f}" for s in sectors))

cn = schedule(cn_file)
start, end = sector_means(cn["2018-01-01"]), sector_means(cn["2019-09-01"])
us_start, us_end = sector_means(us["2018-01-01"]), sector_means(us["2019-09-01"])
print("China on US goods, 2018-01-01 -> 2019-09-01 (data) against the US rise on Chinese goods "
      "(tit_for_tat's answer):")
for s in sectors:
    print(f"  {s}: {end[s] - start[s]:+5.1f} against {us_end[s] - us_start[s]:+5.1f}")
if bad:
    sys.exit(f"FAIL: {bad} problem(s)")
print("ok: every US round matches the tracker's HS6 schedules")
