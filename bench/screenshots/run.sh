#!/usr/bin/env bash
# SPDX-FileCopyrightText: 2026 Mouse Gateway developers
# SPDX-License-Identifier: GPL-3.0-or-later
# make bench-screenshots: the gateway's screenshot pipeline against the seed's method (Pillow)
# on the committed corpus bench/data, then a cache hit through HTTP.
# Writes build/bench/screenshots.json (and screenshots-detail.json beside it).
set -euo pipefail
build=${1:-build}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out="$build/bench"
mkdir -p "$out"
runs=${RUNS:-7}

cmake --build "$build" --target bench_screenshots >/dev/null

# Debian's Python (python3-pil); a pyenv python3 on PATH cannot import it.
seed_out=$(mktemp -d)
trap 'rm -rf "$seed_out"' EXIT
/usr/bin/python3 "$here/seed.py" "$root/bench/data" "$out/screenshots-seed.json" "$runs" \
    "$seed_out"

QT_QPA_PLATFORM=offscreen "$build/bin/bench_screenshots" --data "$root/bench/data" \
    --seed "$out/screenshots-seed.json" --seed-out "$seed_out" --runs "$runs" \
    --out "$out/screenshots.json"
echo "wrote $out/screenshots.json"
