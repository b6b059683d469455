#!/usr/bin/env bash
# Builds the games a developer would write against an installed gapkit (label package; `make
# package-check`):
#   check_installed_package.sh <gapkit build dir, built> <scratch dir, emptied>
# Installs the build's libraries, headers and package files (`cmake --install --component
# development`, no second build of the tree) into <scratch>/prefix, then configures, builds and
# runs tests/package (C++, gapkit::server + gapkit::client) and tests/package_c (`project(x C)`,
# gapkit/server.h + gapkit/client.h). Each plays one payload each way over loopback.
# The Boost requirement is checked on the way: a Boost 1.74 first on the C game's search path must
# be passed over, a Boost 1.99 (Debian's 1.81 under a newer number) on the C++ game's must be taken.
# Exits 77 (CTest's SKIP_RETURN_CODE) when cmake is missing.
set -euo pipefail

# shellcheck source=tests/package/consumer_build.sh
. "$(dirname "$0")/consumer_build.sh"
begin_consumer_check "$@"

# Fake Boost packages: only their version files matter, and the config they load if chosen.
boost_dir=$(cache_value Boost_DIR)
fake_boost() {  # fake_boost <version> <BoostConfig.cmake text>
    local dir=$work/boost-$1/lib/cmake/Boost-$1
    mkdir -p "$dir"
    sed "s/^set(PACKAGE_VERSION .*)/set(PACKAGE_VERSION $1)/" "$boost_dir/BoostConfigVersion.cmake" >"$dir/BoostConfigVersion.cmake"
    printf '%s\n' "$2" >"$dir/BoostConfig.cmake"
}
fake_boost 1.74.0 'message(FATAL_ERROR "gapkit took Boost 1.74, below its minimum 1.81")'
fake_boost 1.99.0 "set(Boost_VERSION ${boost_dir##*Boost-})
include(\"$boost_dir/BoostConfig.cmake\")"

consumer() {  # consumer <source dir> <fake Boost version first on the search path>
    local binary
    binary=$work/$(basename "$1")
    build_consumer "$1" "$binary" -DCMAKE_PREFIX_PATH="$work/boost-$2;$work/prefix"
    grep '^Boost_DIR:' "$binary/CMakeCache.txt"
}
consumer "$source_dir/tests/package_c" 1.74.0
consumer "$source_dir/tests/package" 1.99.0
grep -q "^Boost_DIR:PATH=$work/boost-1.99.0/" "$work/package/CMakeCache.txt" ||
    { echo "FAIL: the C++ game did not take Boost 1.99 (gapkit must ask for a minimum, not 1.81 exactly)"; exit 1; }

# Ports below the ephemeral range, as scripts/with-local-stack.sh picks them; each game tries 16.
"$work/package_c/c_consumer" $((20000 + RANDOM % 12000))
"$work/package/consumer" $((20000 + RANDOM % 12000))
