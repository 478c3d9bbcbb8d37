#!/usr/bin/env bash
# SPDX-FileCopyrightText: 2026 Mouse Gateway developers
# SPDX-License-Identifier: GPL-3.0-or-later
# Interop with Stripe's official library: installs `stripe` from the npm registry once (cached in
# the build folder), starts mouse-gateway --server on a temporary database and port, and runs
# interop.js against it. usage: run_interop.sh <mouse-gateway> <source dir> <cache dir>
set -euo pipefail
BIN=$1
SRC=$2
CACHE=$3

mkdir -p "$CACHE"
cp "$SRC/package.json" "$SRC/interop.js" "$CACHE/"
if [ ! -f "$CACHE/node_modules/stripe/package.json" ]; then
    (cd "$CACHE" && npm install --no-audit --no-fund --loglevel=error >/dev/null)
fi

WORK=$(mktemp -d)
PID=
cleanup() {
    [ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT

PORT=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
SECRET=whsec_interop_$RANDOM$RANDOM
OLD=whsec_interop_old_$RANDOM
STRIPE_WEBHOOK_SECRET="$SECRET,$OLD" MOUSE_DATABASE="$WORK/db.sqlite" \
MOUSE_ADMIN_TOKEN=interop-admin-token \
    "$BIN" --server --listen "127.0.0.1:$PORT" >"$WORK/server.log" 2>&1 &
PID=$!

for _ in $(seq 1 100); do
    if node -e "fetch('http://127.0.0.1:$PORT/health').then(r=>process.exit(r.status<500?0:1),()=>process.exit(1))"; then
        break
    fi
    sleep 0.1
done

if ! node "$CACHE/interop.js" "http://127.0.0.1:$PORT" "$SECRET" "$OLD"; then
    echo "--- server log ---"
    tail -50 "$WORK/server.log"
    exit 1
fi
