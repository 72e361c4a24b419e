#!/usr/bin/env bash
# Frontline against the GeoPandas + Shapely + pyproj baseline on the same real inputs, in one run:
#   1. the Syria + Iraq snapshot (2017-07-20) as whole processes;
#   2. a year of daily maps (2016) as whole processes;
#   3. the Ukraine daily polygons (../shared/data/ukraine, 769 days), skipped when absent.
# For each: both results' km², the agreement check, and the speed ratio (baseline / Frontline).
#
# Agreement: the methods differ by design (the baseline gives every point of the region to its
# nearest mark; Frontline lets a place reach at most 25 km, votes among the 6 nearest and leaves
# the rest unassessed), so per-actor km² are printed, not compared. What must agree is what both
# measure alike: the region's total km² (every actor plus unassessed = the clipped outlines) within
# 0.5 % (Frontline's geodesic cell areas against an equal-area projection of the same outlines),
# and for Ukraine each day's polygon km² within 0.5 % (the same polygons, geodesic on both sides).
#
# Usage: bench/compare.sh [--quick]   (--quick: the series is January 2016 only)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
py="$root/bench/.venv/bin/python"
[ -x "$py" ] || bash bench/setup.sh
to=2016-12-31
[ "${1:-}" = "--quick" ] && to=2016-01-31
cargo build --release --locked -p frontline >/dev/null
fl="${CARGO_TARGET_DIR:-$root/target}/release/frontline"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
db="$work/frontline.db"
echo "loading the demo database (not timed)…"
"$fl" --db "$db" demo --load-only --out "$work/out" >/dev/null
# Build and store the grid once, as any earlier run of the same database would have.
"$fl" --db "$db" area --date 2017-07-20 --format csv >/dev/null
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"

secs() { python3 -c 'import sys,time; print(f"{time.time()-float(sys.argv[1]):.3f}")' "$1"; }
now() { python3 -c 'import time; print(time.time())'; }

total() { python3 -c 'import csv,sys; r=list(csv.DictReader(open(sys.argv[1]))); print(sum(float(x["area_km2"]) for x in r if x.get("date", sys.argv[2]) == sys.argv[2]))' "$1" "$2"; }

check() { # name a b tolerance
  python3 - "$@" <<'PY'
import sys
name, a, b, tol = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
rel = abs(a - b) / b
print(f"  {name}: Frontline {a:,.1f} km², baseline {b:,.1f} km² ({100*rel:.3f} %, tolerance {100*tol:.1f} %) {'OK' if rel <= tol else 'DIFFERENT'}")
sys.exit(0 if rel <= tol else 1)
PY
}

echo; echo "== 1. Syria + Iraq snapshot, 2017-07-20 (whole processes)"
t=$(now); "$fl" --db "$db" area --date 2017-07-20 --format csv >"$work/fl_snap.csv"; tf=$(secs "$t")
t=$(now); "$py" bench/baseline.py snapshot data >"$work/bl_snap.csv" 2>/dev/null; tb=$(secs "$t")
sed 's/^/    Frontline: /' "$work/fl_snap.csv"
sed 's/^/    baseline: /' "$work/bl_snap.csv"
check "region total" "$(total "$work/fl_snap.csv" x)" "$(total "$work/bl_snap.csv" 2017-07-20)" 0.005
echo "  time: Frontline ${tf} s, baseline ${tb} s, ratio $(python3 -c "print(f'{$tb/$tf:.1f}')")×"

echo; echo "== 2. Daily maps 2016-01-01 … $to (whole processes)"
t=$(now); "$fl" --db "$db" area --from 2016-01-01 --to "$to" --step 1d --format csv >"$work/fl_series.csv"; tf=$(secs "$t")
t=$(now); "$py" bench/baseline.py series data 2016-01-01 "$to" >"$work/bl_series.csv" 2>/dev/null; tb=$(secs "$t")
days=$(cut -d, -f1 "$work/fl_series.csv" | sort -u | grep -c '^20')
check "region total on $to" "$(total "$work/fl_series.csv" "$to")" "$(total "$work/bl_series.csv" "$to")" 0.005
echo "  $days days; time: Frontline ${tf} s, baseline ${tb} s, ratio $(python3 -c "print(f'{$tb/$tf:.1f}')")×"

echo; echo "== 3. Ukraine daily polygons (../shared/data/ukraine)"
uk="$root/../shared/data/ukraine/deepstatemap"
if [ ! -d "$uk" ]; then
  echo "  skipped: $uk is absent (the shared DeepStateMap archive is not on this machine)"
  exit 0
fi
first=$(ls "$uk" | sed -n 's/.*_\([0-9]\{8\}\)\.geojson.*/\1/p' | sort | head -1)
last=$(ls "$uk" | sed -n 's/.*_\([0-9]\{8\}\)\.geojson.*/\1/p' | sort | tail -1)
f="${first:0:4}-${first:4:2}-${first:6:2}"; l="${last:0:4}-${last:4:2}-${last:6:2}"
t=$(now); "$fl" --db "$db" area --from "$f" --to "$l" --step 1d --layers-dir "$uk" --actor occupied >"$work/fl_uk.csv"; tf=$(secs "$t")
t=$(now); "$py" bench/baseline.py ukraine "$uk" >"$work/bl_uk.csv" 2>/dev/null; tb=$(secs "$t")
python3 - "$work/fl_uk.csv" "$work/bl_uk.csv" <<'PY'
import csv, sys
fl = {}
for r in csv.DictReader(open(sys.argv[1])):
    fl[r["date"]] = fl.get(r["date"], 0.0) + float(r["area_km2"])
bl = {r["date"]: float(r["area_km2"]) for r in csv.DictReader(open(sys.argv[2]))}
common = sorted(set(fl) & set(bl))
worst = max(abs(fl[d] - bl[d]) / bl[d] for d in common)
print(f"  {len(common)} days compared; worst relative difference {100*worst:.4f} % (tolerance 0.5 %) {'OK' if worst <= 0.005 else 'DIFFERENT'}")
sys.exit(0 if worst <= 0.005 else 1)
PY
echo "  time: Frontline ${tf} s, baseline ${tb} s, ratio $(python3 -c "print(f'{$tb/$tf:.1f}')")×"
