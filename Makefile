# The commands in README.md. Every target installs what it needs first, so each works on a fresh
# Debian 12 machine:
#   make run    install, build, start the local stack (not available yet; see README)
#   make test   install, build and run the whole test suite
#   make build  install and build into build/ (binaries in build/bin/)
#   make bench  build and run the benchmarks
#   make deps   install the Debian packages (idempotent, quiet when all are present)

BUILD_DIR  ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS       ?= $(shell nproc)
CTEST_ARGS ?=

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

DEB_PACKAGES := \
	build-essential cmake ninja-build pkg-config ccache git openssl \
	libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev \
	libnats-dev nats-server libsodium-dev libssl-dev \
	libspdlog-dev libfmt-dev libcli11-dev libexpected-dev \
	libgtest-dev libgmock-dev libbenchmark-dev mkcert

CMAKE_LAUNCHER := $(if $(shell command -v ccache),-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)

.PHONY: deps configure build test bench run clean format

deps:
	@missing=$$(for p in $(DEB_PACKAGES); do \
	    dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	    echo "Installing Debian packages:" $$missing; \
	    $(SUDO) apt-get update -qq && \
	    $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

$(BUILD_DIR)/build.ninja: CMakeLists.txt
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) \
	    -DGAPKIT_BUILD_TESTS=ON -DGAPKIT_BUILD_BENCHMARKS=ON $(CMAKE_LAUNCHER)

configure: deps $(BUILD_DIR)/build.ninja

build: configure
	cmake --build $(BUILD_DIR) -j $(JOBS)

test: build
	ctest --test-dir $(BUILD_DIR) --output-on-failure -j $(JOBS) --label-exclude soak $(CTEST_ARGS)

bench: build
	@for b in $(BUILD_DIR)/bin/gapkit_*_benchmark; do echo "== $$b"; $$b; done

run:
	@echo "make run is not available yet: the local stack (edgegap-sim, matchmaker, httpd) is still being built."
	@echo "See README.md for what works today."
	@exit 1

format:
	@git ls-files '*.cpp' '*.hpp' '*.h' | xargs clang-format -i

clean:
	rm -rf $(BUILD_DIR)
