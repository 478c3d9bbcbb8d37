# SPDX-FileCopyrightText: 2026 Mouse Gateway developers
# SPDX-License-Identifier: GPL-3.0-or-later
# The two commands of the README: `make run` and `make test`. Both install what is missing
# (Debian 12 packages), build, then run the product or the whole test suite.

SHELL := /bin/bash
# ccache (when present) then shares objects between build, build-server, worktrees and clones:
# paths under the checkout are hashed relative to it, and the build directory is not hashed
# (only the debug info's compilation directory then names the first checkout that built it).
export CCACHE_BASEDIR := $(CURDIR)
export CCACHE_NOHASHDIR := 1
JOBS ?= $(shell nproc)
BUILD_DIR := build
BIN := $(BUILD_DIR)/bin/mouse-gateway

# What the build, the tests and the benchmarks need, from Debian's archive only.
PACKAGES_BUILD := cmake ninja-build g++ pkg-config ccache libsqlite3-dev libssl-dev \
	qt6-base-dev qt6-base-dev-tools qt6-charts-dev libqt6opengl6-dev qt6-httpserver-dev libqt6svg6 \
	qt6-websockets-dev libqt6sql6-sqlite libqt6sql6-psql qt6-image-formats-plugins \
	qt6-l10n-tools qt6-tools-dev qt6-tools-dev-tools qt6-translations-l10n qt6-qpa-plugins \
	prometheus-cpp-dev \
	libgl-dev libxkbcommon-dev libjpeg62-turbo-dev zlib1g-dev libdeflate-dev
PACKAGES_TEST := xvfb xauth clang libclang-rt-14-dev postgresql redis-server \
	openssl curl
PACKAGES_BENCH := nginx wrk python3-httpx python3-pil imagemagick x11-apps xterm
PACKAGES := $(PACKAGES_BUILD) $(PACKAGES_TEST) $(PACKAGES_BENCH)

.PHONY: all deps build build-app build-server build-asan run run-server test test-unit test-server \
	test-asan test-asan-ui test-fuzz fuzz package format format-check clean

all: build

# Installs only the packages that are missing; a machine that has them all skips apt entirely.
deps:
	@missing=$$(for p in $(PACKAGES); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' \
		|| echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "Installing missing packages:" $$missing; \
		SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends \
			$$missing >/dev/null; \
	fi; \
	command -v npm >/dev/null || { SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq nodejs npm >/dev/null; }

$(BUILD_DIR)/build.ninja:
	cmake --preset default

build: deps $(BUILD_DIR)/build.ninja
	cmake --build $(BUILD_DIR) -j$(JOBS)

build-server: deps
	[ -f build-server/build.ninja ] || cmake --preset server
	cmake --build build-server -j$(JOBS)

build-asan: deps
	[ -f build-asan/build.ninja ] || cmake --preset asan
	cmake --build build-asan -j$(JOBS)

# Only the program itself: a first `make run` need not wait for the tests and benchmarks.
build-app: deps $(BUILD_DIR)/build.ninja
	cmake --build $(BUILD_DIR) -j$(JOBS) --target mouse-gateway

# The dashboard when a display is available, otherwise the headless server.
run: build-app
	@if [ -n "$$DISPLAY" ] || [ -n "$$WAYLAND_DISPLAY" ]; then \
		exec $(BIN); \
	else \
		echo "No display found: starting the headless server (mouse-gateway --server)."; \
		exec $(BIN) --server; \
	fi

run-server: build-app
	exec $(BIN) --server

# The whole suite: the GUI build's tests, the headless build, and the HTTP layer under ASan.
test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j$(JOBS) --timeout 600
	$(MAKE) --no-print-directory test-server
	$(MAKE) --no-print-directory test-asan
	$(MAKE) --no-print-directory test-fuzz

test-unit: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j$(JOBS) -LE slow

test-server: build-server
	cd build-server && ctest --output-on-failure -j$(JOBS) -L headless

test-asan: build-asan
	cd build-asan && ASAN_OPTIONS=detect_leaks=0 ctest --output-on-failure -j$(JOBS) -L asan

# The dashboard's tests labelled asan, under ASan (a GUI build; the asan preset is headless).
test-asan-ui: deps
	[ -f build-asan-gui/build.ninja ] || cmake --preset asan-gui
	cmake --build build-asan-gui -j$(JOBS) --target tst_fleetpage
	cd build-asan-gui && ASAN_OPTIONS=detect_leaks=0 ctest --output-on-failure -R '^fleetpage$$'

fuzz: deps
	[ -f build-fuzz/build.ninja ] || cmake --preset fuzz
	cmake --build build-fuzz -j$(JOBS) --target fuzz_all
	bash tests/fuzz/run.sh build-fuzz 60

# A few seconds of every fuzz target, as part of `make test`.
test-fuzz: deps
	[ -f build-fuzz/build.ninja ] || cmake --preset fuzz
	cmake --build build-fuzz -j$(JOBS) --target fuzz_all
	bash tests/fuzz/run.sh build-fuzz 5

bench-%: build
	bash bench/$*/run.sh $(BUILD_DIR)

package: build
	cd $(BUILD_DIR) && cpack -G DEB && cpack -G TGZ

format:
	git ls-files '*.cpp' '*.h' | xargs clang-format -i

format-check:
	git ls-files '*.cpp' '*.h' | xargs clang-format --dry-run -Werror

clean:
	rm -rf build build-server build-asan build-asan-gui build-fuzz
