#!/usr/bin/env bash
# SPDX-FileCopyrightText: 2026 Mouse Gateway developers
# SPDX-License-Identifier: GPL-3.0-or-later
# make bench-http: GET /health and a cached 60-VM customer list at 64 connections (wrk), beside
# nginx answering a static 200 on the same machine in the same run. Writes
# <build>/bench/http.json as {"health_rps","health_p99_ms","vms_rps","vms_p99_ms","nginx_rps"}.
# Everything listens on 127.0.0.1 and is stopped by its own pid.
set -euo pipefail

build=${1:-build}
build=$(cd "$build" && pwd)
binary="$build/bin/mouse-gateway"
duration=${BENCH_DURATION:-10}
connections=64
threads=2
[ -x "$binary" ] || { echo "missing $binary (make build)" >&2; exit 1; }
command -v wrk >/dev/null || { echo "wrk is not installed (make deps)" >&2; exit 1; }
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || { echo "nginx is not installed" >&2; exit 1; }
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)

work=$(mktemp -d /tmp/mouse-bench-http.XXXXXX)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do
        kill "$pid" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    done
    rm -rf "$work"
}
trap cleanup EXIT

free_port() {
    /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

wait_http() { # url
    for _ in $(seq 100); do
        curl -fs -o /dev/null "$1" && return 0
        sleep 0.1
    done
    echo "no answer from $1" >&2
    return 1
}

token=bench-admin-token
database="$work/gateway.sqlite"
gateway_env=(env MOUSE_ADMIN_TOKEN=$token MOUSE_DATABASE="$database" ORGO_API_KEY=
             XDG_DATA_HOME="$work/data" XDG_CONFIG_HOME="$work/config" QT_LOGGING_RULES='*.debug=false')

start_gateway() { # port
    "${gateway_env[@]}" "$binary" --server --listen "127.0.0.1:$1" \
        --set sandbox/latency_ms=0 --set sandbox/jitter_ms=0 \
        --set server/max_connections=4096 >"$work/gateway.log" 2>&1 &
    gateway_pid=$!
    pids+=("$gateway_pid")
    wait_http "http://127.0.0.1:$1/health"
}

stop_gateway() {
    kill "$gateway_pid"
    for _ in $(seq 100); do kill -0 "$gateway_pid" 2>/dev/null || break; sleep 0.1; done
}

# 1. A database whose first customer owns all 60 sandbox VMs: seed the demo, then move every
#    employee to the first customer (the demo spreads them over three).
port=$(free_port)
start_gateway "$port"
for _ in $(seq 100); do
    count=$(/usr/bin/python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('select count(*) from employees').fetchone()[0])" "$database" 2>/dev/null || echo 0)
    [ "$count" -ge 60 ] && break
    sleep 0.1
done
stop_gateway
customer=$(/usr/bin/python3 - "$database" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
first = db.execute("select id from customers order by created_at limit 1").fetchone()[0]
db.execute("update employees set customer_id = ?", (first,))
db.commit()
print(first)
PY
)

# 2. The gateway, with the customer's list warmed into the VM status cache.
port=$(free_port)
start_gateway "$port"
vms_url="http://127.0.0.1:$port/api/v1/customers/$customer/vms"
curl -fs -H "Authorization: Bearer $token" "$vms_url" >"$work/vms.json"
sleep 0.5
curl -fs -H "Authorization: Bearer $token" "$vms_url" >"$work/vms.json"
/usr/bin/python3 - "$work/vms.json" <<'PY'
import json, sys
body = json.load(open(sys.argv[1]))
vms = body.get("vms", body if isinstance(body, list) else [])
cached = sum(1 for v in vms if v.get("cached"))
print(f"VM list: {len(vms)} VMs, {cached} served from the cache")
if len(vms) != 60:
    sys.exit("expected 60 VMs in the benchmark customer's list")
PY

# 3. nginx with a temporary prefix, answering a static 200.
nginx_port=$(free_port)
mkdir -p "$work/nginx/logs"
cat >"$work/nginx/nginx.conf" <<CONF
worker_processes auto;
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/logs/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    server {
        listen 127.0.0.1:$nginx_port;
        location / { return 200 'ok'; }
    }
}
CONF
"$nginx_bin" -p "$work/nginx" -c "$work/nginx/nginx.conf" &
pids+=("$!")
wait_http "http://127.0.0.1:$nginx_port/"

cpu_ticks() { # pid: user + system clock ticks so far
    awk '{print $14 + $15}' "/proc/$1/stat"
}

run_wrk() { # name url [header]
    local name=$1 url=$2
    shift 2
    local before=0
    [ "$name" != nginx ] && before=$(cpu_ticks "$gateway_pid")
    wrk -t$threads -c$connections -d${duration}s --latency "$@" "$url" >"$work/$name.wrk"
    local rps p99
    rps=$(awk '/^Requests\/sec:/ {print $2}' "$work/$name.wrk")
    p99=$(awk '$1 == "99%" {v=$2; if (v ~ /us$/) {sub(/us$/,"",v); v=v/1000} else if (v ~ /ms$/) {sub(/ms$/,"",v)} else if (v ~ /s$/) {sub(/s$/,"",v); v=v*1000}; print v}' "$work/$name.wrk")
    local errors
    errors=$(awk '/Non-2xx|Socket errors/ {print}' "$work/$name.wrk")
    [ -n "$errors" ] && echo "$name: $errors" >&2
    eval "${name}_rps=$rps; ${name}_p99=$p99"
    # Server CPU per answer: unlike req/s it hardly moves with the machine's load.
    if [ "$name" != nginx ]; then
        local ticks requests
        ticks=$(( $(cpu_ticks "$gateway_pid") - before ))
        requests=$(awk '/requests in/ {print $1}' "$work/$name.wrk")
        eval "${name}_cpu_us=$(awk -v t="$ticks" -v n="$requests" -v hz="$(getconf CLK_TCK)" \
            'BEGIN { printf "%.1f", (n > 0 ? t / hz * 1e6 / n : 0) }')"
    fi
}

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
run_wrk nginx "http://127.0.0.1:$nginx_port/"
run_wrk health "http://127.0.0.1:$port/health"
run_wrk vms "$vms_url" -H "Authorization: Bearer $token"
echo "load average before the runs: $load_before; after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "server CPU per answer (user + system): GET /health ${health_cpu_us} us, 60-VM list ${vms_cpu_us} us"

mkdir -p "$build/bench"
/usr/bin/python3 - "$build/bench/http.json" "$health_rps" "$health_p99" "$vms_rps" "$vms_p99" \
    "$nginx_rps" "$nginx_p99" <<'PY'
import json, sys
out, h, hp, v, vp, n, np_ = sys.argv[1], *map(float, sys.argv[2:])
result = {"health_rps": round(h), "health_p99_ms": round(hp, 3), "vms_rps": round(v),
          "vms_p99_ms": round(vp, 3), "nginx_rps": round(n)}
json.dump(result, open(out, "w"), indent=2)
print()
print(f"{'case':<28}{'req/s':>12}{'p99 ms':>10}   target")
print(f"{'nginx static 200':<28}{n:>12.0f}{np_:>10.2f}")
print(f"{'GET /health':<28}{h:>12.0f}{hp:>10.2f}   >= 40% of nginx: {h / n * 100:.0f}% "
      f"{'ok' if h >= 0.4 * n else 'MISSED'}")
print(f"{'GET 60-VM list (cached)':<28}{v:>12.0f}{vp:>10.2f}   >= 20000 req/s, p99 <= 5 ms: "
      f"{'ok' if v >= 20000 and vp <= 5 else 'MISSED'}")
print(f"\nwrote {out}")
PY
