#!/usr/bin/env bash
# SPDX-FileCopyrightText: 2026 Mouse Gateway developers
# SPDX-License-Identifier: GPL-3.0-or-later
# Builds the screenshot corpus under bench/data: real desktops drawn by real X programs under
# Xvfb, captured with ImageMagick's import (/usr/bin/import, not a convert stand-in), as PNG.
# Needs Debian's xvfb x11-apps xterm twm x11-xserver-utils imagemagick. Run it by hand; the
# corpus is committed, so `make bench-screenshots` never needs a display.
#   bash bench/screenshots/capture_corpus.sh [out-dir]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/../data}
mkdir -p "$out"
work=$(mktemp -d)
pids=()

cleanup() {
    for p in "${pids[@]:-}"; do kill "$p" 2>/dev/null || true; done
    [ -n "${xvfb:-}" ] && kill "$xvfb" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

# Windows keep the positions the programs ask for; title bars as on a plain X desktop.
cat > "$work/twmrc" <<'RC'
UsePPosition "on"
RandomPlacement
NoGrabServer
BorderWidth 1
TitleFont "-*-dejavu sans-medium-r-*-*-14-*-*-*-*-*-*-*"
RC

# Text for the terminals and the editor: real output of real commands.
ls -la --color=always /usr/bin | head -80 > "$work/ls.txt" || true
cat "$here/../../core/gateway.h" > "$work/source.txt"
ps aux --sort=-%cpu | head -60 > "$work/ps.txt" || true

spawn() { "$@" >/dev/null 2>&1 & pids+=($!); }

start_display() { # display size
    Xvfb ":$1" -screen 0 "$2x24" -nolisten tcp -br >/dev/null 2>&1 &
    xvfb=$!
    export DISPLAY=":$1"
    for _ in $(seq 50); do xdpyinfo >/dev/null 2>&1 && break; sleep 0.1; done
    spawn twm -f "$work/twmrc"
}

stop_display() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    pids=()
    kill "$xvfb" 2>/dev/null || true
    wait "$xvfb" 2>/dev/null || true
    xvfb=
}

clear_windows() { # keeps the window manager (first pid)
    local keep=${pids[0]} pid
    for pid in "${pids[@]:1}"; do kill "$pid" 2>/dev/null || true; done
    pids=("$keep")
    sleep 0.5
}

shot() { sleep 2; /usr/bin/import -window root "$out/$1.png"; echo "captured $1.png"; }

xterm_with() { # geometry bg fg file
    spawn xterm -geometry "$1" -bg "$2" -fg "$3" -fa 'DejaVu Sans Mono' -fs 10 \
        -hold -e cat "$4"
}

# A wallpaper as desktops have: a gradient drawn by ImageMagick's display on the root window.
wallpaper() { # size from to
    /usr/bin/convert-im6.q16 -size "$1" "gradient:$2-$3" "$work/wall.png"
    /usr/bin/display -window root "$work/wall.png" || true
}

# A photo in a viewer window: any JPEG given in CORPUS_PHOTO, else a Debian doc picture.
photo=${CORPUS_PHOTO:-/usr/share/doc/nodejs/contributing/doc_img/scatter-plot.png}

scenes() { # prefix size
    local p=$1
    wallpaper "$2" '#1d3557' '#a8dadc'
    spawn xclock -geometry 220x220+40+40 -update 1
    spawn xeyes -geometry 200x140+300+60
    spawn xlogo -geometry 180x180+540+50
    spawn xcalc -geometry +60+320
    xterm_with 90x30+420+280 black '#d0d0d0' "$work/ls.txt"
    shot "$p-apps"
    clear_windows

    wallpaper "$2" '#3a0ca3' '#f72585'
    spawn xedit -geometry 760x600+30+30 "$work/source.txt"
    xterm_with 80x36+820+60 '#fdf6e3' '#073642' "$work/ps.txt"
    shot "$p-editor"
    clear_windows

    xsetroot -solid '#202020'
    xterm_with 100x40+20+20 black green "$work/ls.txt"
    xterm_with 70x25+700+200 '#300a24' white "$work/ps.txt"
    spawn xload -geometry 300x150+40+560 -update 1
    spawn oclock -geometry 150x150+400+560
    shot "$p-terminals"
    clear_windows

    xsetroot -solid '#5f7f5f'
    spawn xfontsel -geometry +40+40
    spawn xman -geometry 500x400+500+40 -notopbox
    spawn xgc -geometry +100+300
    spawn ico -geometry 300x300+800+350 -faces -colors red green blue yellow
    shot "$p-tools"
    clear_windows

    xsetroot -solid '#f0f0f0'
    spawn xedit -geometry 1100x650+10+10 "$here/capture_corpus.sh"
    spawn xclock -digital -geometry +900+20 -update 1
    shot "$p-document"
    clear_windows

    wallpaper "$2" '#264653' '#e9c46a'
    [ -f "$photo" ] && spawn /usr/bin/display -geometry +60+40 -resize '900x600>' "$photo"
    xterm_with 70x20+500+380 black '#d0d0d0' "$work/ps.txt"
    shot "$p-viewer"
    clear_windows
}

start_display 97 1280x720
scenes 720p 1280x720
stop_display

start_display 98 1920x1080
scenes 1080p 1920x1080
stop_display
ls -l "$out"
