#!/usr/bin/env bash
# SPDX-FileCopyrightText: 2026 Mouse Gateway developers
# SPDX-License-Identifier: GPL-3.0-or-later
# `make bench-fleet`: the fleet benchmark against the standalone sandbox (mouse-gateway --sandbox)
# at 300 ms latency, beside the seed's own method (bench/fleet/seed_method.py, run with Debian's
# /usr/bin/python3 for python3-httpx). Prints a table; writes BUILD/bench/fleet.json.
set -euo pipefail

BUILD=${1:-build}
HERE=$(cd "$(dirname "$0")" && pwd)
BIN=$BUILD/bin/mouse-gateway
DRIVER=$BUILD/bin/benchfleet
PYTHON=/usr/bin/python3
LATENCY_MS=${LATENCY_MS:-300}

cmake --build "$BUILD" --target mouse-gateway benchfleet >/dev/null
"$PYTHON" -c 'import httpx' 2>/dev/null || {
    echo "bench-fleet: Debian's python3-httpx is missing (apt-get install python3-httpx)" >&2
    exit 1
}

WORK=$(mktemp -d "${TMPDIR:-/tmp}/bench-fleet.XXXXXX")
PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    rm -rf "$WORK"
}
trap cleanup EXIT

# Starts one sandbox; sets SANDBOX_URL to its base URL once it prints it.
start_sandbox() {
    local name=$1
    shift
    XDG_DATA_HOME=$WORK/data XDG_CONFIG_HOME=$WORK/config \
        "$BIN" --sandbox --set sandbox/listen=127.0.0.1:0 --set sandbox/drift_ms=0 "$@" \
        >"$WORK/$name.out" 2>&1 &
    PIDS+=($!)
    SANDBOX_URL=
    for _ in $(seq 1 200); do
        SANDBOX_URL=$(grep -o 'http://127\.0\.0\.1:[0-9]*/api' "$WORK/$name.out" 2>/dev/null \
            | head -n1 || true)
        [ -n "$SANDBOX_URL" ] && return 0
        sleep 0.05
    done
    echo "bench-fleet: the $name sandbox did not start:" >&2
    cat "$WORK/$name.out" >&2
    exit 1
}

# The measured sandbox: 620 computers (the gateway's customers need 560 distinct VMs, the
# listing case 50 more), fixed
# latency, no jitter, so the limit ceil(N/10) x latency is exact.
start_sandbox main --set sandbox/latency_ms="$LATENCY_MS" --set sandbox/jitter_ms=0 \
    --set sandbox/vms=620 --set sandbox/seed=1
MAIN_URL=$SANDBOX_URL
# The CPU case's sandbox: 5,000 computers at 0 ms.
start_sandbox cpu --set sandbox/latency_ms=0 --set sandbox/jitter_ms=0 \
    --set sandbox/vms=5000 --set sandbox/seed=2
CPU_URL=$SANDBOX_URL

mkdir -p "$BUILD/bench"
echo "bench-fleet: sandbox $MAIN_URL (latency $LATENCY_MS ms), CPU sandbox $CPU_URL" >&2
"$DRIVER" --sandbox "$MAIN_URL" --cpu-sandbox "$CPU_URL" --latency-ms "$LATENCY_MS" \
    --gateway "$BIN" --python "$PYTHON" --seed-script "$HERE/seed_method.py" \
    --work "$WORK" --out "$BUILD/bench/fleet.json" | tee "$BUILD/bench/fleet.txt"
echo "bench-fleet: wrote $BUILD/bench/fleet.json" >&2
