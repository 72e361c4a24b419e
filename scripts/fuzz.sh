#!/usr/bin/env bash
# Fuzz every importer and the API's JSON bodies with cargo fuzz (libFuzzer + AddressSanitizer).
#
#   scripts/fuzz.sh [SECONDS] [TARGET…]     # default: 60 s each, every target in fuzz/
#
# The machine has one stable toolchain; cargo fuzz needs nightly flags (-Zsanitizer), which
# RUSTC_BOOTSTRAP=1 lets stable rustc accept. The seed corpora (fuzz/corpus/<target>, excerpts
# of the bundled data and test fixtures) are read, never written: what libFuzzer finds goes to
# fuzz/work/<target> (ignored by git). A crash, panic, hang (>10 s per input) or out-of-memory
# leaves its input in fuzz/artifacts/<target>/; minimise it with
#   RUSTC_BOOTSTRAP=1 cargo fuzz tmin <target> fuzz/artifacts/<target>/<file>   (in fuzz/)
# and add it to crates/frontline/tests/import_bad_input.rs.
#
# Prints one line per target: target, seconds, runs, crashes; exits 1 if any target crashed.
set -euo pipefail

seconds="${1:-60}"
shift || true
cd "$(dirname "$0")/../fuzz"
export RUSTC_BOOTSTRAP=1

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "installing cargo-fuzz" >&2
    cargo install cargo-fuzz --locked
fi

if [ "$#" -gt 0 ]; then
    targets=("$@")
else
    mapfile -t targets < <(cargo fuzz list)
fi

# One build of every target (release, debug assertions, ASan): the runs below reuse it.
cargo fuzz build >&2

printf '%-30s %8s %12s %8s\n' target seconds runs crashes
status=0
for t in "${targets[@]}"; do
    mkdir -p "work/$t" "artifacts/$t"
    before=$(find "artifacts/$t" -type f | wc -l)
    log="work/$t.log"
    start=$SECONDS
    # -timeout: an input taking longer is a hang; -rss_limit_mb: one using more is a leak/bomb.
    if cargo fuzz run "$t" "work/$t" "corpus/$t" -- \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        >"$log" 2>&1; then :; else status=1; fi
    after=$(find "artifacts/$t" -type f | wc -l)
    runs=$(grep -aoE 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -oE '[0-9]+$' | tail -1 || true)
    # The fuzzing time alone when libFuzzer finished it; else (a crash) the wall time.
    took=$(grep -aoE 'Done [0-9]+ runs in [0-9]+ second' "$log" | grep -oE 'in [0-9]+' | grep -oE '[0-9]+' | tail -1 || true)
    if [ -z "$runs" ] && [ "$after" -eq "$before" ]; then
        # No statistics and no artifact: the target did not run (a build error, say).
        printf '%-30s %8s %12s %8s\n' "$t" "$((SECONDS - start))" "-" "failed: see fuzz/$log"
        status=1
        continue
    fi
    printf '%-30s %8s %12s %8s\n' "$t" "${took:-$((SECONDS - start))}" "${runs:-?}" "$((after - before))"
    if [ "$after" -gt "$before" ]; then
        status=1
        grep -aE 'panicked at|ERROR: libFuzzer|SUMMARY' "$log" | head -5 | sed 's/^/    /'
        ls -t "artifacts/$t" | head -n $((after - before)) | sed "s|^|    artifacts/$t/|"
    fi
done
exit "$status"
