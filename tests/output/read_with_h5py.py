#!/usr/bin/python3
"""Checks a tradesim run file with h5py, independently of the C++ reader.

Usage: read_with_h5py.py RUN_FILE

Opens the file, checks the format attribute, that the shapes agree with each other
(countries [S,N,V], flows [S,N,N,K], one date, hash and iteration count per step, event
columns of one length; with /firms, firms/countries [S,N,W] and the pair tables [S,N,N,K]; with
/corridors, links [S,L,6], pairs [S,N,N,7] and assignment [S,2] with their names and units; with
/currencies, the settlement parameters, codes and regimes [C], slot_currency [N,N,5], the series
[S,C], country_share [S,N,C], pair tables [S,N,N,5], cost and price_gap [S], shares that sum to 1
and nothing settled in unused slots; with /friction, the parameters, watched [N,N,K], index and
level [S,N,N,K] in [0, 1] and 0-3, indicators [S,N,N,K,6], and an index that is the weighted sum
of the indicators; with /tariffs, [S,N,N,K] percent points above -100 and none on an economy's own
goods), that every value is finite and every flow and firm count
non-negative, and prints a one-line summary. Exits 1 (with the problems on stderr) when a check fails, 2 on bad usage.
"""

import sys

import h5py
import numpy as np


def text(value):
    """Attributes and string datasets come back as str or bytes depending on how they were
    stored; compare them as str."""
    if isinstance(value, bytes):
        return value.decode("utf-8")
    if isinstance(value, np.ndarray) and value.shape == ():
        return text(value[()])
    return str(value)


def strings(dataset):
    return [text(v) for v in dataset[()]]


def check(path):
    problems = []

    def expect(condition, message):
        if not condition:
            problems.append(message)

    with h5py.File(path, "r") as f:
        fmt = text(f.attrs.get("format", ""))
        if fmt != "tradesim-run":
            return [f"format attribute is {fmt!r}, expected 'tradesim-run'"], None
        for name in ("metadata/countries", "metadata/sectors", "steps/date",
                     "steps/state_hash", "steps/solver_iterations", "flows"):
            if name not in f:
                problems.append(f"missing dataset /{name}")
        if problems:
            return problems, None

        countries = strings(f["metadata/countries"])
        sectors = strings(f["metadata/sectors"])
        n, k = len(countries), len(sectors)
        s = f["steps/date"].shape[0]
        expect(f["steps/state_hash"].shape == (s,),
               f"steps/state_hash has shape {f['steps/state_hash'].shape}, expected ({s},)")
        expect(f["steps/solver_iterations"].shape == (s,),
               f"steps/solver_iterations has shape {f['steps/solver_iterations'].shape}, "
               f"expected ({s},)")
        for date in strings(f["steps/date"]):
            expect(len(date) == 7 and date[4] == "-", f"step date {date!r} is not YYYY-MM")

        flows = f["flows"]
        expect(flows.shape == (s, n, n, k),
               f"flows has shape {flows.shape}, expected {(s, n, n, k)}")
        total_last = float("nan")
        if flows.shape[0] > 0:
            data = flows[()]
            expect(np.all(np.isfinite(data)), "flows holds non-finite values")
            expect(np.all(data >= 0), f"flows holds negative values (min {data.min()})")
            total_last = float(data[-1].sum())

        tariffs = ""
        if "tariffs" in f:  # files of tradesim versions before it have none
            ds = f["tariffs"]
            expect(ds.shape == (s, n, n, k),
                   f"tariffs has shape {ds.shape}, expected {(s, n, n, k)}")
            data = ds[()]
            expect(np.all(np.isfinite(data)), "tariffs holds non-finite values")
            # Percent points from the baseline: 1 + t stays positive, so above -100.
            expect(np.all(data > -100), "tariffs holds changes of -100 points or less")
            if data.shape == (s, n, n, k):
                own = data[:, np.arange(n), np.arange(n), :]
                expect(np.all(own == 0), "tariffs: an economy tariffs its own goods")
                tariffs = f", tariffs on {int((data[-1] != 0).sum())} flows at the last step"

        v = 0
        if "countries" in f:
            variables = strings(f["metadata/country_variables"])
            units = strings(f["metadata/country_units"])
            v = len(variables)
            expect(len(units) == v, f"{len(units)} units for {v} country variables")
            countries_ds = f["countries"]
            expect(countries_ds.shape == (s, n, v),
                   f"countries has shape {countries_ds.shape}, expected {(s, n, v)}")
            values = countries_ds[()]
            expect(np.all(np.isfinite(values)), "countries holds non-finite values")
        else:
            expect(s == 0, f"no /countries dataset but {s} steps")

        lengths = {name: ds.shape[0] for name, ds in f["events"].items()}
        expect(len(set(lengths.values())) <= 1, f"event columns differ in length: {lengths}")
        events = max(lengths.values(), default=0)
        if events:
            expect(np.all(np.isfinite(f["events/value"][()])), "events/value holds non-finite values")
            steps_of_events = f["events/step"][()]
            expect(np.all((steps_of_events >= 0) & (steps_of_events < max(s, 1))),
                   "events/step holds steps outside the run")

        firms = ""
        if "firms" in f:
            group = f["firms"]
            for key in ("firms", "country_sectors", "export_cost_scale", "export_share",
                        "burn_in_steps"):
                expect(key in group.attrs, f"/firms lacks attribute {key}")
            w = len(strings(f["metadata/firm_country_variables"]))
            expect(len(strings(f["metadata/firm_country_units"])) == w,
                   "firm country units and variables differ in number")
            expect(group["countries"].shape == (s, n, w),
                   f"firms/countries has shape {group['countries'].shape}, expected {(s, n, w)}")
            expect(np.all(np.isfinite(group["countries"][()])),
                   "firms/countries holds non-finite values")
            for name in ("serving", "entries", "exits", "sales_per_firm"):
                ds = group[name]
                expect(ds.shape == (s, n, n, k),
                       f"firms/{name} has shape {ds.shape}, expected {(s, n, n, k)}")
                data = ds[()]
                expect(np.all(np.isfinite(data)) and np.all(data >= 0),
                       f"firms/{name} holds negative or non-finite values")
            firms = f", {int(group.attrs.get('firms', 0))} firms"

        corridors = ""
        if "corridors" in f:
            group = f["corridors"]
            links = len(strings(f["metadata/link_ids"]))
            expect(len(strings(f["metadata/link_modes"])) == links,
                   "link modes and link ids differ in number")
            for table, width in (("link", 6), ("pair", 7)):
                names = strings(f[f"metadata/{table}_variables"])
                expect(len(names) == width, f"{len(names)} {table} variables, expected {width}")
                expect(len(strings(f[f"metadata/{table}_units"])) == width,
                       f"{table} units and variables differ in number")
            for name, shape in (("links", (s, links, 6)), ("pairs", (s, n, n, 7)),
                                ("assignment", (s, 2))):
                ds = group[name]
                expect(ds.shape == shape, f"corridors/{name} has shape {ds.shape}, expected {shape}")
                data = ds[()]
                expect(np.all(np.isfinite(data)) and np.all(data >= 0),
                       f"corridors/{name} holds negative or non-finite values")
            if s > 0:
                shares = group["pairs"][()][..., 0:4].sum(axis=-1)
                expect(np.all((np.abs(shares - 1) < 1e-9) | (shares == 0)),
                       "corridors/pairs: mode shares of a pair do not sum to 1 (or 0)")
            # The route table: keys and values row by row, paths indexed, and per step and pair
            # the kept routes' shares (each at least 0.1 %) sum to at most 1 and near it.
            keys = group["route_keys"][()]
            values = group["route_values"][()]
            paths = strings(group["paths"])
            expect(keys.ndim == 2 and keys.shape[1] == 5 and values.shape == (keys.shape[0], 4),
                   f"corridors/route_keys {keys.shape} and route_values {values.shape} do not match")
            expect(np.all(np.isfinite(values)) and np.all(values >= 0),
                   "corridors/route_values holds negative or non-finite values")
            expect(keys.shape[0] == 0 or (keys[:, 3].max() < len(paths) and keys[:, 4].max() < 4),
                   "corridors/route_keys points past the paths or modes")
            expect(np.all(values[:, 0] >= 1e-3), "a kept route carries under 0.1 % of its pair")
            sums = {}
            for key, value in zip(keys, values):
                sums[(key[0], key[1], key[2])] = sums.get((key[0], key[1], key[2]), 0.0) + value[0]
            expect(all(0.99 < t <= 1 + 1e-9 for t in sums.values()),
                   "corridors: route shares of a pair do not sum to about 1")
            corridors = f", {links} corridor links, {len(paths)} routes"

        currencies = ""
        if "currencies" in f:
            group = f["currencies"]
            for key in ("spread_min", "spread_max", "half", "eta", "risk", "scale", "inertia",
                        "depth_weight", "fx_paths", "price_reset_months", "managed_pull"):
                expect(key in group.attrs, f"/currencies lacks attribute {key}")
            expect(text(group.attrs.get("fx_paths", "")) in ("random", "fixed"),
                   "/currencies: fx_paths is neither random nor fixed")
            codes = strings(group["codes"])
            c = len(codes)
            regimes = strings(group["regime"])
            expect(len(regimes) == c, f"{len(regimes)} currency regimes for {c} codes")
            expect(set(regimes) <= {"peg", "managed", "float"},
                   f"/currencies/regime holds unknown regimes {sorted(set(regimes))}")
            slot = group["slot_currency"][()]
            expect(slot.shape == (n, n, 5),
                   f"currencies/slot_currency has shape {slot.shape}, expected {(n, n, 5)}")
            expect(np.all((slot >= -1) & (slot < c)),
                   "currencies/slot_currency points past the currencies")
            shapes = {"world_share": (s, c), "payments": (s, c), "fx_turnover": (s, c),
                      "rate": (s, c), "country_share": (s, n, c), "pair_share": (s, n, n, 5),
                      "pair_payment": (s, n, n, 5), "cost": (s,), "price_gap": (s,)}
            data = {}
            for name, shape in shapes.items():
                ds = group[name]
                expect(ds.shape == shape, f"currencies/{name} has shape {ds.shape}, expected {shape}")
                data[name] = ds[()]
                expect(np.all(np.isfinite(data[name])) and np.all(data[name] >= 0),
                       f"currencies/{name} holds negative or non-finite values")
            if s > 0 and all(data[name].shape == shapes[name] for name in shapes):
                def sums_to_one(values, axes):
                    total = values.sum(axis=axes)
                    return np.all((np.abs(total - 1) < 1e-9) | (total == 0))
                expect(sums_to_one(data["world_share"], -1),
                       "currencies/world_share: shares of a step do not sum to 1")
                expect(sums_to_one(data["country_share"], -1),
                       "currencies/country_share: shares of an economy do not sum to 1 (or 0)")
                expect(sums_to_one(data["pair_share"], -1),
                       "currencies/pair_share: shares of a pair do not sum to 1 (or 0)")
                unused = np.broadcast_to(slot < 0, data["pair_share"].shape)
                expect(np.all(data["pair_share"][unused] == 0) and
                       np.all(data["pair_payment"][unused] == 0),
                       "currencies: unused slots hold shares or payments")
                expect(np.all(data["rate"] > 0), "currencies/rate holds rates of 0")
                last = data["world_share"][-1]
                top = ", ".join(f"{codes[i]} {100 * last[i]:.1f} %"
                                for i in np.argsort(-last)[:3])
                currencies = f", {c} currencies (last step: {top})"
            else:
                currencies = f", {c} currencies"

        friction = ""
        if "friction" in f:
            group = f["friction"]
            names = strings(f["metadata/indicator_names"])
            expect(names == ["surge", "imbalance", "imbalance_change", "undercut", "share_gain",
                             "partner_tariff"], f"/metadata/indicator_names is {names}")
            keys = ["window_months", "min_flow_bn", "cap_pct", "watch", "warning", "alert",
                    "hysteresis"] + [f"{w}_{m}" for w in ("weight", "full") for m in names]
            for key in keys:
                expect(key in group.attrs, f"/friction lacks attribute {key}")
            watched = group["watched"][()]
            expect(watched.shape == (n, n, k),
                   f"friction/watched has shape {watched.shape}, expected {(n, n, k)}")
            index, level = group["index"][()], group["level"][()]
            indicators = group["indicators"][()]
            shapes_ok = watched.shape == (n, n, k) and len(names) == 6
            for name, data, shape in (("index", index, (s, n, n, k)), ("level", level, (s, n, n, k)),
                                      ("indicators", indicators, (s, n, n, k, len(names)))):
                expect(data.shape == shape, f"friction/{name} has shape {data.shape}, expected {shape}")
                expect(np.all(np.isfinite(data)), f"friction/{name} holds non-finite values")
                shapes_ok = shapes_ok and data.shape == shape
            if s > 0 and shapes_ok and all(key in group.attrs for key in keys):
                expect(np.all((index >= 0) & (index <= 1)), "friction/index lies outside [0, 1]")
                expect(np.all((level >= 0) & (level <= 3)), "friction/level lies outside 0-3")
                quiet = np.broadcast_to(watched == 0, index.shape)
                expect(np.all(index[quiet] == 0) and np.all(level[quiet] == 0),
                       "friction: pair-sectors not watched hold an index or a level")
                # The composite index from the indicators in the file's layout (models/
                # friction.hpp): sum_m weight_m clamp(indicator_m / full_m, 0, 1).
                weight = np.array([group.attrs[f"weight_{m}"] for m in names])
                full = np.array([group.attrs[f"full_{m}"] for m in names])
                composite = (weight * np.clip(indicators / full, 0, 1)).sum(axis=-1)
                expect(np.all(np.abs(composite - index)[~quiet] < 1e-12),
                       "friction/index is not the weighted sum of friction/indicators")
                friction = (f", friction on {int(watched.sum())} pair-sectors "
                            f"(last step: {int((level[-1] == 3).sum())} at alert)")

        status = text(f.attrs.get("status", ""))
        summary = (f"{path}: ok, status {status}, {s} steps, {n} countries, {k} sectors, "
                   f"{v} country variables, {events} events, "
                   f"total flow at the last step {total_last:.6g}{firms}{corridors}{currencies}"
                   f"{friction}{tariffs}")
        return problems, summary


def main(argv):
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    try:
        problems, summary = check(argv[1])
    except (OSError, KeyError) as error:
        print(f"{argv[1]}: error: {error}", file=sys.stderr)
        return 1
    if problems:
        for p in problems:
            print(f"{argv[1]}: error: {p}", file=sys.stderr)
        return 1
    print(summary)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
