#!/usr/bin/env bash
# Load test of `frontline serve` on loopback: cached control vector tiles and control GeoJSON.
#
# Builds the release binary, makes the demo database (with `frontline demo`, or by importing
# the bundled data if the demo is not available), starts the server in public mode, warms the
# cache with one request each, then runs wrk (Debian's `wrk` package) for each URL and prints
# requests/s and the 99th-percentile latency. Target: >= 5,000 req/s and p99 <= 20 ms on 2
# cores.
#
# Usage: scripts/bench-server.sh [DURATION_SECONDS] [CONNECTIONS]
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION="${1:-10}"
CONNECTIONS="${2:-32}"
DATE="2017-07-20"   # the Wikipedia snapshot's date (see data/control/MARKS.md)

command -v wrk >/dev/null || { echo "wrk is not installed: apt-get install -y wrk" >&2; exit 1; }
cargo build --release -p frontline >&2
BIN="$PWD/target/release/frontline"

WORK="$(mktemp -d)"
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
DB="$WORK/frontline.db"

echo "== database" >&2
if ! "$BIN" --db "$DB" demo --out "$WORK/out" >/dev/null 2>"$WORK/demo.log"; then
  echo "frontline demo is not available ($(tail -1 "$WORK/demo.log")): importing the bundled data" >&2
  rm -f "$DB"
  "$BIN" --db "$DB" import actors data/actors.csv >&2
  "$BIN" --db "$DB" import boundaries data/boundaries/ne_50m_admin_0_countries_mideast.geojson >&2
  "$BIN" --db "$DB" import wiki data/control/wiki_syria_2017.csv >&2
  "$BIN" --db "$DB" import wiki data/control/wiki_iraq_2017.csv >&2
  "$BIN" --db "$DB" import changes data/control/is_control_changes_2014_2017.csv >&2
  "$BIN" --db "$DB" import airstrikes data/events/coalition_airstrikes_guardian_2014_2016.csv >&2
fi

echo "== server" >&2
"$BIN" --db "$DB" serve --public --bind 127.0.0.1:0 >"$WORK/serve.out" 2>"$WORK/serve.log" &
SERVER_PID=$!
for _ in $(seq 1 100); do
  ADDR="$(sed -n 's|^frontline serving on http://||p' "$WORK/serve.out" 2>/dev/null || true)"
  [ -n "$ADDR" ] && break
  sleep 0.1
done
[ -n "${ADDR:-}" ] || { echo "server did not start:" >&2; cat "$WORK/serve.log" >&2; exit 1; }
BASE="http://$ADDR"

TILE="$BASE/tiles/6/38/25.mvt?date=$DATE&layers=control"
GEOJSON="$BASE/api/control?date=$DATE"
echo "== warming the cache (first computation of the $DATE map)" >&2
start=$(date +%s.%N)
curl -sf -o "$WORK/control.geojson" "$GEOJSON"
end=$(date +%s.%N)
curl -sf -o "$WORK/tile.mvt" "$TILE"
GZ_BYTES="$(curl -sf -H 'Accept-Encoding: gzip' "$GEOJSON" | wc -c)"
printf "first control map (estimate + dissolve + GeoJSON): %.2f s; GeoJSON %s bytes (%s gzipped); tile %s bytes\n" \
  "$(echo "$end - $start" | bc)" "$(stat -c %s "$WORK/control.geojson")" "$GZ_BYTES" "$(stat -c %s "$WORK/tile.mvt")"

bench() {
  local name="$1" url="$2"; shift 2
  local out
  out="$(wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency "$@" "$url")"
  local rps p99
  rps="$(echo "$out" | awk '/Requests\/sec/ {print $2}')"
  p99="$(echo "$out" | awk '$1 == "99%" {print $2}')"
  printf "%-28s %10s req/s   p99 %8s   (wrk -t2 -c%s -d%ss)\n" "$name" "$rps" "$p99" "$CONNECTIONS" "$DURATION"
}
echo "== load ($(nproc) cores)" >&2
bench "cached control tile z6" "$TILE"
bench "cached control GeoJSON" "$GEOJSON"
# What browsers, QGIS and GDAL send: gzip accepted, and the ETag of the copy they hold.
bench "cached GeoJSON, gzip" "$GEOJSON" -H "Accept-Encoding: gzip"
ETAG="$(curl -sfI "$GEOJSON" | sed -n 's/^etag: //Ip' | tr -d '\r')"
bench "cached GeoJSON, revalidated" "$GEOJSON" -H "If-None-Match: $ETAG"
bench "cached control tile, gzip" "$TILE" -H "Accept-Encoding: gzip"
bench "health" "$BASE/health"
