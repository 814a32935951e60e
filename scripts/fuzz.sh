#!/usr/bin/env bash
# Builds the libFuzzer harnesses (.build-fuzz, Swift with -sanitize=fuzzer) and runs each
# for FUZZ_SECONDS; prints executions, failures and coverage per harness, and a JSON last line:
#   {"harnesses": {NAME: {"execs": N, "crashes": N, ...}}}
# Exits 1 when any harness found a failing input (crash, timeout or out-of-memory).
#
#   FUZZ_SECONDS=60            seconds per harness
#   FUZZ_HARNESSES="a b"       a subset (default: all of them)
#   FUZZ_SANITIZE=fuzzer       or fuzzer,address (its own folder, .build-fuzz-address; much slower to build)
#   FUZZ_ARGS="-jobs=2"        extra libFuzzer flags
#   FUZZ_BUILD=0               run the binary already built (e.g. while the tree is being edited)
# The evolving corpus is kept in .build-fuzz/corpus/NAME, failing inputs in .build-fuzz/findings/NAME (not artifacts/: SwiftPM owns that folder);
# the committed seeds (Tests/Fuzz/corpus) and regression inputs (Tests/Fuzz/regressions) are read-only inputs.
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_PER_HARNESS="${FUZZ_SECONDS:-60}"
SANITIZE="${FUZZ_SANITIZE:-fuzzer}"
SWIFT="${SWIFT:-swift}"
ALL="control config calibration mcap ros2 images safetensors"
HARNESSES="${FUZZ_HARNESSES:-$ALL}"
if [[ "$SANITIZE" == fuzzer ]]; then SCRATCH=.build-fuzz; else SCRATCH=".build-fuzz-${SANITIZE#fuzzer,}"; fi

started=$(date +%s)
# -DAFFORD_LIBFUZZER makes affordd-fuzz's main start libFuzzer (Sources/AffordFuzz/FuzzMain.swift).
mkdir -p "$SCRATCH/logs"
if [[ "${FUZZ_BUILD:-1}" != 0 ]] && ! "$SWIFT" build --scratch-path "$SCRATCH" -c release --product affordd-fuzz \
        -Xswiftc "-sanitize=$SANITIZE" -Xswiftc -DAFFORD_LIBFUZZER > "$SCRATCH/logs/build.log" 2>&1; then
    grep -E 'error' "$SCRATCH/logs/build.log" | head -20 >&2
    echo "fuzz: build failed (log: $SCRATCH/logs/build.log)" >&2
    exit 2
fi
BIN="$SCRATCH/release/affordd-fuzz"
[[ -x "$BIN" ]] || { echo "fuzz: no $BIN" >&2; exit 2; }
echo "fuzz: built in $(( $(date +%s) - started )) s; $SECONDS_PER_HARNESS s per harness"

# libFuzzer writes the crash file itself; Swift's backtracer would take the signal first.
export SWIFT_BACKTRACE=enable=no
json=""
failed=0
for name in $HARNESSES; do
    corpus="$SCRATCH/corpus/$name" artifacts="$SCRATCH/findings/$name" log="$SCRATCH/logs/$name.log"
    mkdir -p "$corpus" "$artifacts" "$(dirname "$log")" "Tests/Fuzz/regressions/$name"
    before=$(find "$artifacts" -type f | wc -l)
    t0=$(date +%s)
    status=0
    # shellcheck disable=SC2086  # FUZZ_ARGS is a list of flags
    "$BIN" "$name" -max_total_time="$SECONDS_PER_HARNESS" -timeout=30 -rss_limit_mb=2048 -print_final_stats=1 \
        -dict="Tests/Fuzz/dictionaries/$name.dict" -artifact_prefix="$artifacts/" ${FUZZ_ARGS:-} \
        "$corpus" "Tests/Fuzz/corpus/$name" "Tests/Fuzz/regressions/$name" > "$log" 2>&1 || status=$?
    elapsed=$(( $(date +%s) - t0 ))
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    [[ -n "$execs" ]] || execs=$(grep -oE '^#[0-9]+' "$log" | tail -1 | tr -d '#')
    execs=${execs:-0}
    cov_start=$(grep -m1 -oE 'INITED cov: [0-9]+' "$log" | grep -oE '[0-9]+$' || true)
    cov_end=$(grep -oE '^#[0-9]+.* cov: [0-9]+' "$log" | tail -1 | grep -oE '[0-9]+$' || true)
    cov_start=${cov_start:-0} cov_end=${cov_end:-$cov_start}
    ft_end=$(grep -oE '^#[0-9]+.* ft: [0-9]+' "$log" | tail -1 | grep -oE '[0-9]+$' || echo 0)
    entries=$(ls "$corpus" | wc -l)
    crashes=$(( $(find "$artifacts" -type f 2>/dev/null | wc -l) - before ))
    # A run that died without leaving an input (e.g. a trap while loading the corpus) still failed.
    if (( status != 0 && crashes == 0 )); then crashes=1; fi
    printf '%-12s %10s execs in %4s s (%s/s), %s crashes, coverage %s -> %s edges (+%s), %s features, corpus %s\n' \
        "$name" "$execs" "$elapsed" "$(( execs / (elapsed > 0 ? elapsed : 1) ))" "$crashes" \
        "$cov_start" "$cov_end" "$(( cov_end - cov_start ))" "$ft_end" "$entries"
    if (( crashes > 0 )); then
        failed=1
        grep -E 'SUMMARY|ERROR: libFuzzer|Fatal error|Test unit written' "$log" | sed 's/^/    /' | head -6
        echo "    log: $log; replay: swift run affordd-fuzz $name FILE; keep it in Tests/Fuzz/regressions/$name/"
    fi
    json+="${json:+, }\"$name\": {\"execs\": $execs, \"crashes\": $crashes, \"seconds\": $elapsed, \"cov_initial\": $cov_start, \"cov_final\": $cov_end, \"new_cov\": $(( cov_end - cov_start )), \"corpus\": $entries}"
done
echo "{\"harnesses\": {$json}}"
exit "$failed"
