#!/usr/bin/env bash
# SPDX-FileCopyrightText: 2026 Mouse Gateway developers
# SPDX-License-Identifier: GPL-3.0-or-later
# CPU per acknowledged webhook, per thread: the gateway half of run.sh (same flags, warm-up of
# 500 events), processing paused (POST /admin/queue/pause) so only the intake runs, then each
# thread's CPU time (/proc/<pid>/task/*/schedstat, first field) over EVENTS events divided by
# EVENTS. One line per run: label, load average, ack p99, acks/s, µs of CPU per event by thread
# (the HTTP thread is the one named mouse-gateway, the writer webhook-writer).
# usage: bash bench/webhooks/cpuperevent.sh <dir with mouse-gateway, e.g. build/bin> [label]
# (webhook_load is taken from the same directory, or from LOAD=...)
set -euo pipefail
BIN="$1/mouse-gateway"
LOAD=${LOAD:-$1/webhook_load}
LABEL=${2:-$1}
EVENTS=${EVENTS:-10000}
WORK=$(mktemp -d)
PORT=$((20000 + RANDOM % 20000))
SECRET=whsec_cpu_$RANDOM$RANDOM
TOKEN=cpu-admin-token-$RANDOM$RANDOM
GATEWAY_PID=
cleanup() {
    [ -n "$GATEWAY_PID" ] && kill "$GATEWAY_PID" 2>/dev/null && wait "$GATEWAY_PID" 2>/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT
"$LOAD" prepare --db "$WORK/gateway.sqlite" --customers 100 >/dev/null 2>&1
STRIPE_WEBHOOK_SECRET=$SECRET MOUSE_DATABASE=$WORK/gateway.sqlite MOUSE_ADMIN_TOKEN=$TOKEN \
    ORGO_API_KEY= "$BIN" --server --listen "127.0.0.1:$PORT" --set storage/seed_demo=false \
    --set queue/max_backlog=1000000 >"$WORK/gateway.log" 2>&1 &
GATEWAY_PID=$!
for _ in $(seq 200); do
    curl -s -o /dev/null "http://127.0.0.1:$PORT/health" && break
    sleep 0.05
done
curl -s -o /dev/null -X POST -H "Authorization: Bearer $TOKEN" \
    "http://127.0.0.1:$PORT/admin/queue/pause"
"$LOAD" load --port "$PORT" --events 500 --connections 64 --secret "$SECRET" \
    --prefix evt_warm_ --customers 100 >/dev/null
snapshot() {
    for task in /proc/$GATEWAY_PID/task/*; do
        echo "$(tr ' ' _ <"$task/comm") $(cut -d' ' -f1 "$task/schedstat")"
    done
}
snapshot >"$WORK/before"
"$LOAD" load --port "$PORT" --events "$EVENTS" --connections 64 --secret "$SECRET" \
    --prefix evt_cpu_ --customers 100 --out "$WORK/load.json" >/dev/null
snapshot >"$WORK/after"
python3 - "$WORK" "$EVENTS" "$LABEL" "$(cut -d' ' -f1 /proc/loadavg)" <<'PY'
import json, sys
work, events, label, load = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
def read(name):
    total = {}
    for line in open(f"{work}/{name}"):
        comm, ns = line.split()
        total[comm] = total.get(comm, 0) + int(ns)
    return total
before, after = read("before"), read("after")
result = json.load(open(f"{work}/load.json"))
per_event = {comm: (ns - before.get(comm, 0)) / 1000 / events for comm, ns in after.items()}
threads = " ".join(f"{comm}={us:.1f}" for comm, us in sorted(per_event.items(), key=lambda x: -x[1])
                   if us >= 0.3)
print(f"{label} load {load} p99 {result['ack_p99_ms']:.2f}",
      f"acks/s {result['acks_per_s']:.0f} {threads}")
PY
