#!/usr/bin/env bash
# Load test of `frontline serve --public` on loopback, several minutes of a mixed workload at
# once (wrk, Debian's package, with the Lua mixes in scripts/load/):
#   cached  cached reads: one date's control GeoJSON, km², vector tiles, OGC control items,
#           a page of events (CONNECTIONS connections)
#   cold    cold reads: km², maps, tiles with random event windows, OGC items and point
#           queries on random dates of 2014-2017, each an estimate (COLD_CONNECTIONS)
#   writes  analysts' writes: POST an observation, PUT a correction with If-Match, with an
#           analyst token from `frontline token create` (WRITE_CONNECTIONS, each pausing
#           WRITE_PAUSE_MS between writes)
# while the server's resident set is sampled from /proc/PID/status every half second.
#
# Prints requests/s, p50/p99/max latency, non-2xx and 5xx counts per mix, and the peak RSS.
# Exits non-zero on any 5xx, any socket error or timeout, or an RSS past CEILING_MB.
#
# Usage: scripts/load.sh [DURATION_SECONDS]      (default 180)
# Environment: CONNECTIONS (16), COLD_CONNECTIONS (2), WRITE_CONNECTIONS (1; 0: no writes),
#   WRITE_PAUSE_MS (2000: one analyst saving every two seconds; every write makes the cached
#   maps be estimated again, see docs/reliability.md), CEILING_MB (1024), FRONTLINE_BIN (a built binary: skips the build),
#   KEEP=1 (keep the work folder: database, server log, wrk output).
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION="${1:-${DURATION:-180}}"
CONNECTIONS="${CONNECTIONS:-16}"
COLD_CONNECTIONS="${COLD_CONNECTIONS:-2}"
WRITE_CONNECTIONS="${WRITE_CONNECTIONS:-1}"
export WRITE_PAUSE_MS="${WRITE_PAUSE_MS:-2000}"
CEILING_MB="${CEILING_MB:-1024}"

if ! command -v wrk >/dev/null 2>&1; then
  echo "== installing wrk (Debian package)" >&2
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq wrk >/dev/null
fi

if [ -n "${FRONTLINE_BIN:-}" ]; then
  BIN="$FRONTLINE_BIN"
else
  echo "== building the release binary" >&2
  cargo build --release --locked -p frontline >&2
  BIN="${CARGO_TARGET_DIR:-$PWD/target}/release/frontline"
fi

WORK="$(mktemp -d)"
SERVER_PID=""
SAMPLER_PID=""
cleanup() {
  if [ -n "$SAMPLER_PID" ]; then kill "$SAMPLER_PID" 2>/dev/null || true; fi
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  if [ "${KEEP:-0}" = 1 ]; then echo "work folder kept: $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
DB="$WORK/frontline.db"

echo "== demo database" >&2
start=$(date +%s)
"$BIN" --db "$DB" demo --load-only --out "$WORK/demo" >"$WORK/demo.log" 2>&1 \
  || { cat "$WORK/demo.log" >&2; exit 1; }
echo "loaded in $(( $(date +%s) - start )) s" >&2
TOKEN="$("$BIN" --db "$DB" token create --role analyst --label load-test 2>/dev/null)"
export FRONTLINE_TOKEN="$TOKEN"

echo "== server" >&2
FRONTLINE_LOG=warn "$BIN" --db "$DB" serve --public --bind 127.0.0.1:0 >"$WORK/serve.out" 2>"$WORK/serve.log" &
SERVER_PID=$!
ADDR=""
for _ in $(seq 1 100); do
  ADDR="$(sed -n 's|^frontline serving on http://||p' "$WORK/serve.out" 2>/dev/null || true)"
  [ -n "$ADDR" ] && break
  sleep 0.1
done
[ -n "$ADDR" ] || { echo "the server did not start:" >&2; cat "$WORK/serve.log" >&2; exit 1; }
BASE="http://$ADDR"

echo "== warming the cached date" >&2
curl -sf -o /dev/null "$BASE/api/control?date=2017-07-20"
curl -sf -o /dev/null "$BASE/tiles/6/38/25.mvt?date=2017-07-20"
rss() { awk -v f="$1" '$1 == f":" {print int($2 / 1024)}' "/proc/$SERVER_PID/status"; }
echo "server RSS after warming: $(rss VmRSS) MiB" >&2

# Half-second samples of the resident set, for the peak and its course.
( while kill -0 "$SERVER_PID" 2>/dev/null; do
    echo "$(date +%s) $(rss VmRSS)"; sleep 0.5
  done ) >"$WORK/rss.txt" 2>/dev/null &
SAMPLER_PID=$!

echo "== load: ${DURATION} s; $CONNECTIONS cached-read, $COLD_CONNECTIONS cold-read and $WRITE_CONNECTIONS writing connections ($(nproc) cores)" >&2
run() {
  local name="$1" conns="$2"
  local threads=$(( conns < 2 ? 1 : 2 ))
  wrk -t"$threads" -c"$conns" -d"${DURATION}s" --timeout 30s --latency \
    -s "scripts/load/$name.lua" "$BASE" >"$WORK/wrk-$name.txt" 2>&1
}
run cached "$CONNECTIONS" & P1=$!
run cold "$COLD_CONNECTIONS" & P2=$!
MIXES="cached cold"
P3=""
if [ "$WRITE_CONNECTIONS" -gt 0 ]; then run writes "$WRITE_CONNECTIONS" & P3=$!; MIXES="$MIXES writes"; fi
status=0
wait "$P1" || status=1
wait "$P2" || status=1
if [ -n "$P3" ]; then wait "$P3" || status=1; fi
kill "$SAMPLER_PID" 2>/dev/null || true
SAMPLER_PID=""
[ "$status" = 0 ] || { echo "wrk failed:" >&2; cat "$WORK"/wrk-*.txt >&2; exit 1; }

PEAK="$(rss VmHWM)"
LAST="$(rss VmRSS)"
SAMPLED="$(awk '$2 > m {m = $2} END {print m + 0}' "$WORK/rss.txt")"

echo
printf "%-8s %10s %9s %9s %9s %9s %8s %6s %7s\n" mix requests "req/s" "p50 ms" "p99 ms" "max ms" non-2xx 5xx socket
fail=0
for name in $MIXES; do
  line="$(grep '^RESULT ' "$WORK/wrk-$name.txt" || true)"
  if [ -z "$line" ]; then
    echo "$name: no result" >&2; cat "$WORK/wrk-$name.txt" >&2; fail=1; continue
  fi
  # shellcheck disable=SC2086
  set -- $line
  printf "%-8s %10s %9s %9s %9s %9s %8s %6s %7s\n" "$2" "$3" "$4" "$5" "$6" "$7" "$8" "$9" "${10}"
  if [ "$9" != 0 ] || [ "${10}" != 0 ]; then fail=1; fi
done
echo
echo "server RSS: peak $PEAK MiB (VmHWM; sampled peak $SAMPLED MiB), $LAST MiB at the end; ceiling $CEILING_MB MiB"
echo "duration ${DURATION} s on $(nproc) cores; binary $BIN"
if [ "$PEAK" -ge "$CEILING_MB" ]; then
  echo "FAIL: the server's RSS passed the ceiling" >&2; fail=1
fi
if [ "$fail" != 0 ]; then
  echo "FAIL: 5xx answers, socket errors or timeouts (see above; server log: $WORK/serve.log)" >&2
  tail -20 "$WORK/serve.log" >&2
  exit 1
fi
echo "PASS: zero 5xx, no socket errors, RSS under the ceiling"
