# shellcheck shell=bash
# Sourced (bash) by the scripts that build games against an installed gapkit (tests/package,
# tests/package_shared, tests/template). It defines:
#   begin_consumer_check "$@"       for a script called <script> <gapkit build dir, built>
#                                   <scratch dir, emptied>: checks the arguments (exit 2), skips
#                                   without cmake (exit 77, CTest's SKIP_RETURN_CODE), sets
#                                   source_dir (the checkout), build and work (absolute; work
#                                   emptied), then install_gapkit
#   install_gapkit                  installs $build's libraries, headers and package files
#                                   (component development, no second build) into $work/prefix
#   build_consumer <source> <binary> [cmake args...]
#                                   configures and builds a game with $build's compilers (and
#                                   ccache), type and sanitizers; the configure log only on failure
#   cache_value <name>              a value of $build's CMakeCache.txt

begin_consumer_check() {
    if [[ $# -ne 2 ]]; then
        echo "usage: $0 <gapkit build dir> <scratch dir>" >&2
        exit 2
    fi
    command -v cmake >/dev/null || { echo "SKIP: cmake is not installed"; exit 77; }
    # shellcheck disable=SC2034  # for the sourcing script
    source_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
    build=$(cd "$1" && pwd)
    rm -rf "$2"
    mkdir -p "$2"
    work=$(cd "$2" && pwd)
    install_gapkit
}

cache_value() { sed -n "s/^$1:[A-Z]*=//p" "$build/CMakeCache.txt"; }

install_gapkit() {
    cmake --install "$build" --prefix "$work/prefix" --component development >/dev/null
}

build_consumer() {
    local source=$1 binary=$2
    shift 2
    local generator=() sanitize=()
    command -v ninja >/dev/null && generator=(-G Ninja)
    [[ $(cache_value GAPKIT_SANITIZE) == ON ]] && sanitize=('-DCMAKE_EXE_LINKER_FLAGS=-fsanitize=address,undefined')
    cmake -S "$source" -B "$binary" "${generator[@]}" "${sanitize[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        -DCMAKE_C_COMPILER="$(cache_value CMAKE_C_COMPILER)" -DCMAKE_CXX_COMPILER="$(cache_value CMAKE_CXX_COMPILER)" \
        -DCMAKE_C_COMPILER_LAUNCHER="$(cache_value CMAKE_C_COMPILER_LAUNCHER)" \
        -DCMAKE_CXX_COMPILER_LAUNCHER="$(cache_value CMAKE_CXX_COMPILER_LAUNCHER)" \
        "$@" >"$binary.configure.log" 2>&1 ||
        { cat "$binary.configure.log"; return 1; }
    cmake --build "$binary"
}
