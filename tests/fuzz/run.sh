#!/usr/bin/env bash
# SPDX-FileCopyrightText: 2026 Mouse Gateway developers
# SPDX-License-Identifier: GPL-3.0-or-later
# Runs every libFuzzer target for a while: tests/fuzz/run.sh <builddir> <seconds per target>.
# The corpus grows in <builddir>/fuzz-corpus/<target> (seeded from tests/fuzz/corpus and
# tests/fuzz/regressions); a crash stops the run, its input is left in
# <builddir>/fuzz-artifacts/<target>/ and must become a file under tests/fuzz/regressions/<target>/
# (replayed by the `fuzzregressions` test in every normal build).
set -euo pipefail

build=${1:?usage: run.sh <builddir> <seconds>}
seconds=${2:-60}
here=$(cd "$(dirname "$0")" && pwd)
targets=(requestframer router stripesignature stripeevent orgoparsers pngdecoder)

status=0
printf '%-16s %10s %8s %8s %s\n' target runs cov corpus result
for target in "${targets[@]}"; do
    binary="$build/bin/fuzz_$target"
    if [ ! -x "$binary" ]; then
        echo "missing $binary: build it with cmake --preset fuzz && cmake --build $build --target fuzz_all" >&2
        exit 2
    fi
    corpus="$build/fuzz-corpus/$target"
    artifacts="$build/fuzz-artifacts/$target"
    mkdir -p "$corpus" "$artifacts"
    log="$artifacts/run.log"
    set +e
    ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 "$binary" \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$artifacts/" "$corpus" "$here/corpus/$target" "$here/regressions/$target" \
        >"$log" 2>&1
    rc=$?
    set -e
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo '?')
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*' || echo '?')
    files=$(find "$corpus" -type f | wc -l)
    if [ "$rc" -eq 0 ]; then
        result=ok
    else
        result="FAILED (exit $rc, see $log)"
        status=1
        tail -30 "$log" >&2
        ls "$artifacts" >&2
    fi
    printf '%-16s %10s %8s %8s %s\n' "$target" "$runs" "$cov" "$files" "$result"
done
exit $status
