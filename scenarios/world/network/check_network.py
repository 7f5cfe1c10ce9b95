#!/usr/bin/env python3
"""Check the default world's transport network and print the calibration table.

Usage: python3 check_network.py [NETWORK_DIR]   (default: the folder of this script)

Checks: the exact column headers; node ids unique and well formed; kinds and country codes
valid (countries.csv one folder up); every link's ends exist, numbers in range, one link per
pair, air links only between air nodes; the graph is connected; every economy of
countries.csv has a gateway, an air gateway, and (if it has a sea coast) a port gateway;
speeds are plausible for each mode; network.toml has the expected keys. Then it sums
distance, days (moving + border delay) and cost per TEU along a few routes and compares
them with the published facts (SOURCES.md). Exit status 1 if anything fails.
Standard library only.
"""
import heapq
import math
import os
import re
import sys

try:
    import tomllib
except ImportError:  # Python < 3.11: the toml check is skipped
    tomllib = None

HERE = os.path.dirname(os.path.abspath(__file__))
NET = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else HERE
WORLD = os.path.dirname(NET)

NODE_COLS = ["id", "name", "kind", "country", "lat", "lon"]
LINK_COLS = ["from", "to", "mode", "distance_km", "transit_days", "cost_usd_per_teu",
             "capacity_teu_per_month", "border_delay_days", "gauge_change"]
GW_COLS = ["country", "node", "access_mode", "access_km"]
KINDS = {"hub", "port", "border", "sea", "air"}
MODES = {"rail", "sea", "road", "air"}
SECTORS = ["AGR", "MIN", "CHM", "TXT", "WOD", "MET", "MAC", "VEH", "OTH"]
# economies with no sea coast (Kazakhstan's Caspian port does not reach the ocean)
LANDLOCKED = {"CZE", "HUN", "SRB", "BLR", "KAZ", "UZB", "MNG", "ETH"}
# plausible moving speed, km/day, by mode (sea excludes the 0.5 day per port call)
SPEED = {"rail": (400, 1100), "road": (200, 600), "sea": (500, 750)}

errors = []


def fail(msg):
    errors.append(msg)


def read_csv(path, cols):
    """Rows of a '#'-commented CSV as dicts; checks the header is exactly cols."""
    rows = []
    header = None
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            fields = line.split(",")
            if header is None:
                header = fields
                if header != cols:
                    fail(f"{os.path.basename(path)}: header {header} != {cols}")
                continue
            if len(fields) != len(cols):
                fail(f"{os.path.basename(path)}:{lineno}: {len(fields)} fields, expected {len(cols)}")
                continue
            row = dict(zip(cols, fields))
            row["_line"] = lineno
            rows.append(row)
    return rows


def num(row, key, where):
    try:
        return float(row[key])
    except ValueError:
        fail(f"{where}: {key}={row[key]!r} is not a number")
        return float("nan")


def great_circle_km(a, b):
    la1, lo1, la2, lo2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    c = math.sin(la1) * math.sin(la2) + math.cos(la1) * math.cos(la2) * math.cos(lo1 - lo2)
    return 6371.0 * math.acos(max(-1.0, min(1.0, c)))


# ---------------------------------------------------------------- countries
countries = []
with open(os.path.join(WORLD, "countries.csv"), encoding="utf-8") as f:
    for line in f:
        if line.startswith("#") or line.startswith("iso3,"):
            continue
        if line.strip():
            countries.append(line.split(",")[0])
country_set = set(countries)

# ---------------------------------------------------------------- nodes
nodes = {}
for r in read_csv(os.path.join(NET, "nodes.csv"), NODE_COLS):
    where = f"nodes.csv:{r['_line']}"
    nid = r["id"]
    if not re.fullmatch(r"[A-Za-z0-9_]+", nid):
        fail(f"{where}: bad id {nid!r}")
    if nid in nodes:
        fail(f"{where}: duplicate id {nid}")
    if r["kind"] not in KINDS:
        fail(f"{where}: kind {r['kind']!r} not in {sorted(KINDS)}")
    if r["kind"] == "sea":
        if r["country"] != "-":
            fail(f"{where}: sea node {nid} must have country '-'")
    elif r["country"] not in country_set:
        fail(f"{where}: country {r['country']!r} not in countries.csv")
    lat, lon = num(r, "lat", where), num(r, "lon", where)
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        fail(f"{where}: lat/lon out of range")
    nodes[nid] = {"kind": r["kind"], "country": r["country"], "pos": (lat, lon), "name": r["name"]}

# ---------------------------------------------------------------- links
links = []
pairs = set()
adj = {n: [] for n in nodes}
for r in read_csv(os.path.join(NET, "links.csv"), LINK_COLS):
    where = f"links.csv:{r['_line']}"
    a, b, mode = r["from"], r["to"], r["mode"]
    ok = True
    for x in (a, b):
        if x not in nodes:
            fail(f"{where}: unknown node {x}")
            ok = False
    if mode not in MODES:
        fail(f"{where}: mode {mode!r}")
        ok = False
    if a == b:
        fail(f"{where}: self loop {a}")
    key = frozenset((a, b))
    if key in pairs:
        fail(f"{where}: second link between {a} and {b}")
    pairs.add(key)
    km, days, cost = num(r, "distance_km", where), num(r, "transit_days", where), num(r, "cost_usd_per_teu", where)
    cap, bd = num(r, "capacity_teu_per_month", where), num(r, "border_delay_days", where)
    for name, v in (("distance_km", km), ("transit_days", days), ("cost_usd_per_teu", cost),
                    ("capacity_teu_per_month", cap)):
        if not v > 0:
            fail(f"{where}: {name} must be > 0")
    if not bd >= 0:
        fail(f"{where}: border_delay_days must be >= 0")
    if r["gauge_change"] not in ("0", "1"):
        fail(f"{where}: gauge_change must be 0 or 1")
    if not ok:
        continue
    ka, kb = nodes[a]["kind"], nodes[b]["kind"]
    if (mode == "air") != (ka == "air" and kb == "air"):
        if mode == "air" or (ka == "air" and kb == "air"):
            fail(f"{where}: air links join two air nodes, and two air nodes only by air")
    if mode == "sea" and not ({ka, kb} <= {"port", "sea"}):
        fail(f"{where}: a sea link must join ports or sea passages")
    if mode != "sea" and "sea" in (ka, kb):
        fail(f"{where}: a sea passage node can only have sea links")
    gc = great_circle_km(nodes[a]["pos"], nodes[b]["pos"])
    if km < 0.9 * gc - 5:
        fail(f"{where}: distance {km:.0f} km shorter than great circle {gc:.0f} km")
    if mode in SPEED and km >= 100:
        moving = days
        if mode == "sea":
            moving -= 0.5 * sum(1 for k in (ka, kb) if k == "port")
        v = km / moving if moving > 0 else float("inf")
        lo, hi = SPEED[mode]
        if not lo <= v <= hi:
            fail(f"{where}: {mode} speed {v:.0f} km/day outside {lo}-{hi}")
    link = {"a": a, "b": b, "mode": mode, "km": km, "days": days, "cost": cost, "cap": cap,
            "bd": bd, "gauge": int(r["gauge_change"]) if r["gauge_change"] in ("0", "1") else 0}
    links.append(link)
    adj[a].append((b, link))
    adj[b].append((a, link))

# connectivity
start = next(iter(nodes))
seen = {start}
stack = [start]
while stack:
    n = stack.pop()
    for m, _ in adj[n]:
        if m not in seen:
            seen.add(m)
            stack.append(m)
if len(seen) != len(nodes):
    fail(f"graph not connected: unreachable from {start}: {sorted(set(nodes) - seen)}")
for n in nodes:
    if not adj[n]:
        fail(f"node {n} has no link")

# ---------------------------------------------------------------- gateways
gws = {}
for r in read_csv(os.path.join(NET, "gateways.csv"), GW_COLS):
    where = f"gateways.csv:{r['_line']}"
    c, n = r["country"], r["node"]
    if c not in country_set:
        fail(f"{where}: country {c!r} not in countries.csv")
    if n not in nodes:
        fail(f"{where}: unknown node {n}")
        continue
    if r["access_mode"] not in ("road", "rail"):
        fail(f"{where}: access_mode must be road or rail")
    if not num(r, "access_km", where) > 0:
        fail(f"{where}: access_km must be > 0")
    if nodes[n]["kind"] == "sea":
        fail(f"{where}: a gateway cannot be a sea passage")
    if n in [g[0] for g in gws.get(c, [])]:
        fail(f"{where}: duplicate gateway {c} {n}")
    gws.setdefault(c, []).append((n, r["access_mode"], float(r["access_km"])))
for c in countries:
    if c not in gws:
        fail(f"economy {c} has no gateway")
        continue
    kinds = {nodes[n]["kind"] for n, _, _ in gws[c]}
    if "air" not in kinds:
        fail(f"economy {c} has no air gateway")
    if c not in LANDLOCKED and "port" not in kinds:
        fail(f"coastal economy {c} has no port gateway")

# ---------------------------------------------------------------- network.toml
toml_path = os.path.join(NET, "network.toml")
params = None
if not os.path.exists(toml_path):
    fail("network.toml missing")
elif tomllib is None:
    print("note: Python < 3.11, network.toml not parsed")
else:
    with open(toml_path, "rb") as f:
        params = tomllib.load(f)
    want = {
        "time_cost": SECTORS,
        "value_per_teu": SECTORS,
        "access": ["road_cost_usd_per_teu_km", "rail_cost_usd_per_teu_km", "road_km_per_day", "rail_km_per_day"],
        "congestion": ["alpha", "beta"],
        "choice": ["dispersion", "routes_per_pair"],
    }
    for table, keys in want.items():
        got = params.get(table)
        if not isinstance(got, dict):
            fail(f"network.toml: table [{table}] missing")
            continue
        if sorted(got) != sorted(keys):
            fail(f"network.toml: [{table}] keys {sorted(got)} != {sorted(keys)}")
        for k in keys:
            v = got.get(k)
            if not isinstance(v, (int, float)) or v <= 0:
                fail(f"network.toml: [{table}] {k} must be a positive number")
    for s in SECTORS:
        v = params.get("time_cost", {}).get(s, 0)
        if isinstance(v, (int, float)) and not 0.6 <= v <= 2.1:
            fail(f"network.toml: time_cost {s}={v} outside Hummels-Schaur 0.6-2.1 % per day")


# ---------------------------------------------------------------- routes
def path_links(path):
    out = []
    for a, b in zip(path, path[1:]):
        hit = [l for m, l in adj.get(a, []) if m == b]
        if not hit:
            fail(f"route: no link {a} - {b}")
            return None
        out.append(hit[0])
    return out


def totals(ls):
    return (sum(l["km"] for l in ls), sum(l["days"] + l["bd"] for l in ls), sum(l["cost"] for l in ls),
            sum(l["bd"] for l in ls), sum(l["gauge"] for l in ls))


def dijkstra(src, dst, weight, modes=None, closed=()):
    dist = {src: 0.0}
    prev = {}
    heap = [(0.0, src)]
    while heap:
        d, n = heapq.heappop(heap)
        if n == dst:
            break
        if d > dist.get(n, float("inf")):
            continue
        for m, l in adj[n]:
            if m in closed or (modes and l["mode"] not in modes):
                continue
            nd = d + weight(l)
            if nd < dist.get(m, float("inf")):
                dist[m] = nd
                prev[m] = (n, l)
                heapq.heappush(heap, (nd, m))
    if dst not in dist:
        return None, None
    path = [dst]
    while path[-1] != src:
        path.append(prev[path[-1]][0])
    return path[::-1], dist[dst]


ROUTES = [
    # name, path, (km range), (days range), (cost range) ; ranges = published facts (SOURCES.md)
    ("Chongqing-Duisburg rail (Alashankou, Brest)",
     ["CN_CHONGQING", "CN_XIAN", "CN_URUMQI", "CN_ALASHANKOU", "KZ_DOSTYK", "KZ_ASTANA", "RU_YEKATERINBURG",
      "RU_MOSCOW", "BY_BREST", "PL_MALASZEWICZE", "PL_LODZ", "DE_DUISBURG"],
     (10000, 12000), (12, 18), (3000, 4500)),
    ("Xi'an-Duisburg rail (Khorgos, Brest)",
     ["CN_XIAN", "CN_URUMQI", "CN_KHORGOS", "KZ_ALTYNKOL", "KZ_ALMATY", "KZ_ASTANA", "RU_YEKATERINBURG",
      "RU_MOSCOW", "BY_BREST", "PL_MALASZEWICZE", "PL_LODZ", "DE_DUISBURG"],
     (9000, 11500), (12, 18), (3000, 4500)),
    ("Zhengzhou-Hamburg rail (Erenhot, Brest)",
     ["CN_ZHENGZHOU", "CN_ERENHOT", "MN_ZAMYNUUD", "MN_ULAANBAATAR", "RU_NOVOSIBIRSK", "RU_YEKATERINBURG",
      "RU_MOSCOW", "BY_BREST", "PL_MALASZEWICZE", "PL_LODZ", "PORT_HAMBURG"],
     (9500, 12500), (12, 20), (3000, 4800)),
    ("Tianjin-Duisburg rail (Manzhouli, Brest)",
     ["PORT_TIANJIN", "CN_MANZHOULI", "RU_ZABAIKALSK", "RU_NOVOSIBIRSK", "RU_YEKATERINBURG", "RU_MOSCOW",
      "BY_BREST", "PL_MALASZEWICZE", "PL_LODZ", "DE_DUISBURG"],
     (10000, 13000), (14, 20), (3000, 5000)),
    ("Shanghai-Rotterdam sea via Suez",
     ["PORT_SHANGHAI", "SEA_MALACCA", "SEA_DONDRA", "SEA_BABELMANDEB", "SEA_SUEZ", "SEA_GIBRALTAR",
      "PORT_ROTTERDAM"],
     (19000, 20500), (30, 40), (1000, 2000)),
    ("Shanghai-Rotterdam sea via Cape",
     ["PORT_SHANGHAI", "SEA_MALACCA", "SEA_DONDRA", "SEA_CAPE", "PORT_ROTTERDAM"],
     (25500, 27500), (40, 54), (1300, 3000)),
    ("Shanghai-Piraeus sea via Suez",
     ["PORT_SHANGHAI", "SEA_MALACCA", "SEA_DONDRA", "SEA_BABELMANDEB", "SEA_SUEZ", "PORT_PIRAEUS"],
     (14000, 16000), (22, 32), (800, 1800)),
    ("Shanghai-Los Angeles sea",
     ["PORT_SHANGHAI", "PORT_LOSANGELES"], (10000, 11000), (12, 19), (600, 1200)),
    ("Shanghai-New York sea via Panama",
     ["PORT_SHANGHAI", "SEA_PANAMA", "PORT_NEWYORK"], (18500, 20500), (26, 36), (1000, 2200)),
    ("Shanghai-Frankfurt air", ["AIR_PVG", "AIR_FRA"], (8500, 9800), (1, 3), (25000, 45000)),
    ("Gwadar-Kashgar road (CPEC)", ["PORT_GWADAR", "PK_ISLAMABAD", "CN_KHUNJERAB", "CN_KASHGAR"],
     (2600, 3300), (8, 16), (2500, 5500)),
    ("Karachi-Kashgar road (CPEC)", ["PORT_KARACHI", "PK_ISLAMABAD", "CN_KHUNJERAB", "CN_KASHGAR"],
     (2400, 3000), (7, 14), (2000, 5000)),
    ("Kunming-Kyaukphyu road (CMEC)", ["CN_KUNMING", "CN_RUILI", "MM_MUSE", "PORT_KYAUKPHYU"],
     (1700, 2200), (4, 9), (1500, 3000)),
]

print(f"network: {len(nodes)} nodes, {len(links)} links, {sum(len(v) for v in gws.values())} gateways "
      f"for {len(gws)} economies")
print()
print(f"{'route':46s} {'km':>7s} {'days':>6s} {'(border)':>8s} {'USD/TEU':>8s} {'gauge':>5s}  facts (km; days; USD/TEU)")
res = {}
for name, path, kr, dr, cr in ROUTES:
    ls = path_links(path)
    if ls is None:
        continue
    km, days, cost, bd, gauge = totals(ls)
    res[name] = (km, days, cost)
    ok = kr[0] <= km <= kr[1] and dr[0] <= days <= dr[1] and cr[0] <= cost <= cr[1]
    print(f"{name:46s} {km:7.0f} {days:6.1f} {bd:8.1f} {cost:8.0f} {gauge:5d}  "
          f"{kr[0]}-{kr[1]}; {dr[0]}-{dr[1]}; {cr[0]}-{cr[1]}  {'ok' if ok else 'OUT OF RANGE'}")
    if not ok:
        fail(f"route {name}: {km:.0f} km, {days:.1f} days, {cost:.0f} USD outside the facts")

# relations between the routes
if len(res) == len(ROUTES):
    rail = res["Chongqing-Duisburg rail (Alashankou, Brest)"]
    suez = res["Shanghai-Rotterdam sea via Suez"]
    cape = res["Shanghai-Rotterdam sea via Cape"]
    air = res["Shanghai-Frankfurt air"]
    print()
    print(f"Cape minus Suez: +{cape[1] - suez[1]:.1f} days, +{cape[2] - suez[2]:.0f} USD/TEU (facts: +10-14 days, "
          f"+ several hundred USD)")
    print(f"rail/sea cost ratio {rail[2] / suez[2]:.1f} (facts: rail > sea); air/rail {air[2] / rail[2]:.1f} "
          f"(facts: air >> rail)")
    if not 10 <= cape[1] - suez[1] <= 14:
        fail("Cape route does not add 10-14 days")
    if not cape[2] > suez[2]:
        fail("Cape route is not dearer than Suez")
    if not (suez[2] < rail[2] < air[2] / 4):
        fail("cost order sea < rail << air violated")
    if not (air[1] < rail[1] < suez[1]):
        fail("time order air < rail < sea violated")

# the network's own shortest paths
print()
print("shortest paths found in the graph:")
CHECKS = [
    ("cheapest Shanghai-Rotterdam", "PORT_SHANGHAI", "PORT_ROTTERDAM", "cost", None, (), "SEA_SUEZ"),
    ("cheapest Shanghai-Rotterdam, Suez closed", "PORT_SHANGHAI", "PORT_ROTTERDAM", "cost", None, ("SEA_SUEZ",),
     "SEA_CAPE"),
    ("cheapest Shanghai-Rotterdam, Bab el-Mandeb closed", "PORT_SHANGHAI", "PORT_ROTTERDAM", "cost", None,
     ("SEA_BABELMANDEB",), "SEA_CAPE"),
    ("fastest Chongqing-Duisburg by land", "CN_CHONGQING", "DE_DUISBURG", "days", {"rail", "road"}, (), "BY_BREST"),
    ("cheapest Chongqing-Duisburg by land", "CN_CHONGQING", "DE_DUISBURG", "cost", {"rail", "road"}, (), "BY_BREST"),
    ("fastest Chongqing-Duisburg by land and sea avoiding Russia", "CN_CHONGQING", "DE_DUISBURG", "days",
     {"rail", "road", "sea"}, ("RU_MOSCOW", "RU_YEKATERINBURG", "RU_NOVOSIBIRSK", "RU_ZABAIKALSK"), "TR_ANKARA"),
    ("cheapest Shanghai-New York", "PORT_SHANGHAI", "PORT_NEWYORK", "cost", None, (), None),
    ("cheapest Kashgar-Karachi (via China's east coast and the sea)", "CN_KASHGAR", "PORT_KARACHI", "cost", None,
     (), "SEA_MALACCA"),
    ("fastest Kashgar-Karachi by land and sea", "CN_KASHGAR", "PORT_KARACHI", "days", {"rail", "road", "sea"}, (),
     "CN_KHUNJERAB"),
    ("fastest Kunming-Colombo by land and sea", "CN_KUNMING", "PORT_COLOMBO", "days", {"rail", "road", "sea"}, (),
     "MM_MUSE"),
]
for label, s, t, w, modes, closed, must in CHECKS:
    if w == "cost":
        wf = lambda l: l["cost"]
    else:
        wf = lambda l: l["days"] + l["bd"]
    closed = tuple(c for c in closed if c in nodes)
    path, _ = dijkstra(s, t, wf, modes, closed)
    if path is None:
        fail(f"{label}: no path")
        continue
    ls = path_links(path)
    km, days, cost, bd, gauge = totals(ls)
    print(f"  {label}: {km:.0f} km, {days:.1f} days, {cost:.0f} USD/TEU")
    print(f"    {' - '.join(path)}")
    if must and must not in path:
        fail(f"{label}: expected the path to pass {must}")

print()
if errors:
    print(f"FAILED: {len(errors)} problem(s)")
    for e in errors:
        print("  -", e)
    sys.exit(1)
print("OK: all checks passed")
