# A world from the WIOD panel of 2000 (domestic flows in the data, mn USD), then a run on it:
# import, calibrate with CEPII geography, and a scenario with a US tariff on Chinese goods.
source "$2/tests/tools/cli_lib.sh"
tradesim=$1
data=$4
wiod=$data/trade/wiod_ge_gravity_44c_2000_2014.csv
geo=$data/covariates/cepii_geodist_geo_cepii.csv
[[ -f $wiod && -f $geo ]] || { echo "skipped: $wiod or $geo is absent"; exit 77; }

expect_code 0 "$tradesim" import table "$wiod" --value trade --scale 1e6 --pair-column rta=FTA \
    --quiet --out p.h5
expect_code 0 "$tradesim" calibrate --history p.h5 --year 2000 --geo "$geo" --out world2000
contains out.txt "calibrated world of 2000: 44 countries, 1 sector(s) (TOT)"
contains out.txt "trade ~ log(dist) + rta + border | exporter + importer"
contains out.txt "1849 observations of 1936 pairs (87 missing)"
for f in world.toml countries.csv sectors.csv flows.csv estimates.txt; do
    [[ -s world2000/$f ]] || fail "world2000/$f not written"
done
# 44 x 44 pairs, all non-zero in WIOD, plus the header.
[[ $(grep -vc '^#' world2000/flows.csv) -eq 1937 ]] || fail "flows.csv rows: $(grep -vc '^#' world2000/flows.csv)"
grep -q '^distance = -0\.6' world2000/world.toml || { cat world2000/world.toml | head -20; fail "distance estimate"; }

# A second calibration into the same folder is refused without --force.
expect_code 2 "$tradesim" calibrate --history p.h5 --year 2000 --out world2000
contains err.txt "already holds a world"
expect_code 2 "$tradesim" calibrate --history p.h5 --year 2001 --out other
contains err.txt "2001 is not in the panel (years: 2000, 2005, 2010, 2014)"

cat > tariff.toml <<'TOML'
name = "wiod_tariff"
description = "25 % US tariff on Chinese goods on the calibrated WIOD world of 2000"
world = "world2000"
seed = 1
[calendar]
start = "2001-01"
steps = 6
step = "month"
[[policy]]
date = "2001-03"
kind = "tariff"
importer = "USA"
exporter = "CHN"
rate = 25
TOML
expect_code 0 "$tradesim" run tariff.toml --out run.h5
[[ -s run.h5 ]] || fail "run.h5 not written"

# Firm agents on the calibrated world run; WIOD's rest of world has no coordinates, so fixed
# costs of exporting that grow with distance cannot be set: said so, with the two ways out.
{ sed 's/^name = .*/name = "wiod_firms"/' tariff.toml; printf '[firms]\ncount = 20_000\n'; } > firms.toml
expect_code 0 "$tradesim" run firms.toml --out firms.h5 --quiet
printf 'fixed_cost_distance_elasticity = 0.3\n' >> firms.toml
expect_code 3 "$tradesim" run firms.toml --out firms_distance.h5
contains err.txt "firms: no distance between"
contains err.txt "fixed_cost_distance_elasticity = 0"
