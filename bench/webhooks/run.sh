#!/usr/bin/env bash
# SPDX-FileCopyrightText: 2026 Mouse Gateway developers
# SPDX-License-Identifier: GPL-3.0-or-later
# `make bench-webhooks`: 10,000 signed Stripe events over 64 keep-alive connections against
# `mouse-gateway --server` (each acknowledged only after its durable group commit), then the same
# load against nginx answering 202 without verifying or storing anything. Writes
# build/bench/webhooks.json. usage: bash bench/webhooks/run.sh <build dir>
set -euo pipefail
BUILD=${1:-build}
EVENTS=${EVENTS:-10000}
CONNECTIONS=${CONNECTIONS:-64}
CUSTOMERS=${CUSTOMERS:-100}
BIN="$BUILD/bin/mouse-gateway"
LOAD="$BUILD/bin/webhook_load"
BUILD=$(cd "$BUILD" && pwd)
OUT="$BUILD/bench"
mkdir -p "$OUT"
cmake --build "$BUILD" --target mouse-gateway webhook_load >/dev/null

# The database lives on the build folder's disk, not a tmpfs: fsync must really happen.
WORK="$OUT/webhooks-work"
rm -rf "$WORK"
mkdir -p "$WORK/nginx/logs"
GATEWAY_PID=
NGINX_PID=
cleanup() {
    [ -n "$GATEWAY_PID" ] && kill "$GATEWAY_PID" 2>/dev/null && wait "$GATEWAY_PID" 2>/dev/null || true
    [ -n "$NGINX_PID" ] && kill "$NGINX_PID" 2>/dev/null && wait "$NGINX_PID" 2>/dev/null || true
}
trap cleanup EXIT

free_port() {
    node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})" 2>/dev/null \
        || echo $((20000 + RANDOM % 20000))
}

wait_http() { # port path
    for _ in $(seq 1 200); do
        if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then
            exec 3<>"/dev/tcp/127.0.0.1/$1"
            printf 'GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' "$2" >&3
            if head -c 12 <&3 | grep -q ' [2-4][0-9][0-9]'; then exec 3<&-; return 0; fi
            exec 3<&-
        fi
        sleep 0.05
    done
    echo "nothing answered on port $1" >&2
    return 1
}

# --- nginx: the ceiling for an ack on this machine ---
NGINX_PORT=$(free_port)
cat >"$WORK/nginx/nginx.conf" <<CONF
worker_processes auto;
daemon off;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/logs/error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    keepalive_requests 1000000;
    client_body_temp_path $WORK/nginx/body;
    proxy_temp_path $WORK/nginx/proxy;
    fastcgi_temp_path $WORK/nginx/fastcgi;
    uwsgi_temp_path $WORK/nginx/uwsgi;
    scgi_temp_path $WORK/nginx/scgi;
    server {
        listen 127.0.0.1:$NGINX_PORT;
        location / {
            default_type application/json;
            return 202 '{"received":true}';
        }
    }
}
CONF
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
"$NGINX" -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" 2>"$WORK/nginx/stderr.log" &
NGINX_PID=$!
wait_http "$NGINX_PORT" /
"$LOAD" load --port "$NGINX_PORT" --events "$EVENTS" --connections "$CONNECTIONS" \
    --prefix evt_nginx_ --customers "$CUSTOMERS" --out "$WORK/nginx.json" >/dev/null
kill "$NGINX_PID"; wait "$NGINX_PID" 2>/dev/null || true; NGINX_PID=

# --- mouse-gateway: verify, group-commit (WAL, synchronous=FULL), 202, then process ---
PORT=$(free_port)
SECRET=whsec_bench_$RANDOM$RANDOM
TOKEN=bench-admin-token-$RANDOM$RANDOM
DB="$WORK/gateway.sqlite"
"$LOAD" prepare --db "$DB" --customers "$CUSTOMERS"
STRIPE_WEBHOOK_SECRET=$SECRET MOUSE_DATABASE=$DB MOUSE_ADMIN_TOKEN=$TOKEN ORGO_API_KEY= \
    "$BIN" --server --listen "127.0.0.1:$PORT" --set storage/seed_demo=false \
    --set queue/max_backlog=1000000 >"$WORK/gateway.log" 2>&1 &
GATEWAY_PID=$!
wait_http "$PORT" /health
# Warm-up (not counted): connections, page cache, prepared statements.
"$LOAD" load --port "$PORT" --events 500 --connections "$CONNECTIONS" --secret "$SECRET" \
    --prefix evt_warm_ --customers "$CUSTOMERS" --admin-token "$TOKEN" >/dev/null
"$LOAD" load --port "$PORT" --events "$EVENTS" --connections "$CONNECTIONS" --secret "$SECRET" \
    --prefix evt_bench_ --customers "$CUSTOMERS" --admin-token "$TOKEN" \
    --out "$WORK/gateway.json" >/dev/null || true
kill "$GATEWAY_PID"; wait "$GATEWAY_PID" 2>/dev/null || true; GATEWAY_PID=
"$LOAD" verify --db "$DB" --prefix evt_bench_ --events "$EVENTS" --customers "$CUSTOMERS" \
    --out "$WORK/verify.json" >/dev/null

node - "$WORK" "$OUT/webhooks.json" "$EVENTS" "$CONNECTIONS" <<'JS'
const fs = require('fs');
const [work, out, events, connections] = process.argv.slice(2);
const g = JSON.parse(fs.readFileSync(`${work}/gateway.json`));
const n = JSON.parse(fs.readFileSync(`${work}/nginx.json`));
const v = JSON.parse(fs.readFileSync(`${work}/verify.json`));
const result = {
  events: Number(events),
  processed: v.processed,
  ack_p50_ms: +g.ack_p50_ms.toFixed(3),
  ack_p99_ms: +g.ack_p99_ms.toFixed(3),
  acks_per_s: Math.round(g.acks_per_s),
  drain_s: +g.drain_s.toFixed(3),
  nginx_acks_per_s: Math.round(n.acks_per_s),
};
fs.writeFileSync(out, JSON.stringify(result, null, 2) + '\n');
const row = (a, b, c, d) => console.log(a.padEnd(34) + String(b).padStart(14) + String(c).padStart(14) + '   ' + d);
console.log(`Stripe webhooks: ${events} signed events over ${connections} keep-alive connections`);
row('', 'mouse-gateway', 'nginx 202', 'seed (original)');
row('ack latency p50 (ms)', result.ack_p50_ms, +n.ack_p50_ms.toFixed(3), 'webhook response 500 ms -> 10 ms');
row('ack latency p99 (ms)', result.ack_p99_ms, +n.ack_p99_ms.toFixed(3), '');
row('acks per second', result.acks_per_s, result.nginx_acks_per_s, '"100+ concurrent payments"');
row('ratio to nginx', (g.acks_per_s / n.acks_per_s).toFixed(3), '1.000', '');
row('all processed after (s)', result.drain_s, '-', '');
row('processed exactly once', `${v.processed}/${events}`, '-', '');
console.log(`status codes: ${JSON.stringify(g.status)}; errors: ${g.errors}; purchases in ledger: ${v.purchases}; tasks done: ${v.tasks_done}, unfinished: ${v.tasks_unfinished}`);
console.log(`targets: ack p99 <= 5 ms ${result.ack_p99_ms <= 5 ? 'met' : 'NOT met'}; >= 10000 acks/s ${result.acks_per_s >= 10000 ? 'met' : 'NOT met'}; exactly once ${v.processed == events && v.tasks_done == events && v.purchases == events ? 'met' : 'NOT met'}`);
console.log(`written: ${out}`);
JS
