#!/usr/bin/env bash
# gapkit's shared libraries as a game or a language binding sees them (label package, test
# package.SharedLibrariesExportOnlyTheApi; `make test`):
#   check_shared_package.sh <gapkit build dir, configured> <scratch dir>
# Configures a second build of the tree in <scratch>/tree/build with BUILD_SHARED_LIBS=ON (tests,
# tools and benchmarks off; the first build's compilers, type, launcher and sanitizers), builds only
# gapkit_client and gapkit_server, installs them (component development) into <scratch>/prefix and
# checks:
#   - the prefix holds the four shared API libraries (common, netcode, client, server), versioned
#     and finding each other through $ORIGIN, and no static archive and no internal header;
#   - each library exports only gapkit_* and gapkit's API namespaces (cmake/gapkit_api.map), and
#     gapkit::common's code is in libgapkit_common.so alone;
#   - tests/package_c (a `project(x C)` game, which needs no C++ here) and tests/package (C++)
#     build against them with no gapkit code of their own, and play one payload each way over
#     loopback.
# The second build reuses the first build's objects through ccache: its compile commands are the
# same, and <scratch>/tree holds the source's entries as symlinks with the build in tree/build, so a
# first build beside the source (build/, build-x/) and this one see the same relative paths under
# ccache's base_dir (the Makefile sets CCACHE_BASEDIR to the checkout and CCACHE_NOHASHDIR).
# tree/build is kept between runs; the prefix and the games are made anew.
# Exits 77 (CTest's SKIP_RETURN_CODE) when cmake or nm is missing.
set -euo pipefail

if [[ $# -ne 2 ]]; then
    echo "usage: $0 <gapkit build dir> <scratch dir>" >&2
    exit 2
fi
for tool in cmake nm readelf; do
    command -v $tool >/dev/null || { echo "SKIP: $tool is not installed"; exit 77; }
done
source_dir=$(cd "$(dirname "$0")/../.." && pwd)
first_build=$(cd "$1" && pwd)
mkdir -p "$2"
work=$(cd "$2" && pwd)
first_value() { sed -n "s/^$1:[A-Z]*=//p" "$first_build/CMakeCache.txt"; }

tree=$work/tree
mkdir -p "$tree"
for entry in "$source_dir"/*; do
    name=$(basename "$entry")
    [[ $name == build* || -e $tree/$name ]] || ln -s "$entry" "$tree/$name"
done
build=$tree/build
generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
cmake -S "$tree" -B "$build" "${generator[@]}" -DBUILD_SHARED_LIBS=ON \
    -DGAPKIT_BUILD_TESTS=OFF -DGAPKIT_BUILD_TOOLS=OFF -DGAPKIT_BUILD_BENCHMARKS=OFF \
    -DGAPKIT_SANITIZE="$(first_value GAPKIT_SANITIZE)" -DCMAKE_BUILD_TYPE="$(first_value CMAKE_BUILD_TYPE)" \
    -DCMAKE_C_COMPILER="$(first_value CMAKE_C_COMPILER)" -DCMAKE_CXX_COMPILER="$(first_value CMAKE_CXX_COMPILER)" \
    -DCMAKE_C_COMPILER_LAUNCHER="$(first_value CMAKE_C_COMPILER_LAUNCHER)" \
    -DCMAKE_CXX_COMPILER_LAUNCHER="$(first_value CMAKE_CXX_COMPILER_LAUNCHER)" >"$work/configure.log" 2>&1 ||
    { cat "$work/configure.log"; exit 1; }
time cmake --build "$build" --target gapkit_client gapkit_server

rm -rf "$work/prefix" "$work/package_c" "$work/package"
# shellcheck source=tests/package/consumer_build.sh
. "$source_dir/tests/package/consumer_build.sh"
install_gapkit
lib=$work/prefix/$(cache_value CMAKE_INSTALL_LIBDIR)
fail() { echo "FAIL: $*"; exit 1; }

# What is installed.
version=$(sed -n 's/^set(PACKAGE_VERSION "\(.*\)")$/\1/p' "$lib/cmake/gapkit/gapkitConfigVersion.cmake")
soversion=${version%.*}
api=(common netcode client server)
for name in "${api[@]}"; do
    file=$lib/libgapkit_$name.so.$soversion
    [[ -f $lib/libgapkit_$name.so.$version && -L $file && -L $lib/libgapkit_$name.so ]] ||
        fail "libgapkit_$name.so.$version and its links are not installed in $lib"
    dynamic=$(readelf -d "$file")
    grep -q "SONAME.*\[libgapkit_$name.so.$soversion\]" <<<"$dynamic" || fail "$file: no SONAME libgapkit_$name.so.$soversion"
    # shellcheck disable=SC2016  # the dynamic loader's $ORIGIN, literally
    grep -q 'RUNPATH.*\[\$ORIGIN\]' <<<"$dynamic" || fail "$file: no RUNPATH \$ORIGIN"
done
archives=$(find "$work/prefix" -name '*.a')
[[ -z $archives ]] || fail "static archives installed beside the shared libraries: $archives"
for header in bus edgegap protocol service webtransport; do
    [[ ! -e $work/prefix/include/gapkit/$header ]] || fail "internal headers installed: include/gapkit/$header"
done
grep -q "NEEDED.*\[libgapkit_common.so.$soversion\]" <<<"$(readelf -d "$lib/libgapkit_client.so.$soversion")" ||
    fail "libgapkit_client.so does not load libgapkit_common.so (gapkit::common linked in twice?)"

# What each library exports: nm's name column, demangled, in <scratch>/<name>.exports.
allowed='^(gapkit_[a-z0-9_]+|((vtable|typeinfo|typeinfo name|guard variable) for )?gapkit::(common|netcode|client|server)::.+)$'
for name in "${api[@]}"; do
    exports=$work/$name.exports
    nm -D --defined-only -C "$lib/libgapkit_$name.so.$soversion" | cut -d' ' -f3- >"$exports"
    extra=$(grep -Ev "$allowed" "$exports" || true)
    [[ -z $extra ]] || fail "libgapkit_$name.so exports more than the API (cmake/gapkit_api.map):
$(head -20 <<<"$extra")"
    echo "libgapkit_$name.so: $(wc -l <"$exports") symbols exported, $(grep -c '^gapkit_' "$exports" || true) of them C"
done
exported_by() {  # exported_by <library> <function, demangled, without its parameters>
    grep -Eq "^$2(\(|$)" "$work/$1.exports" || fail "libgapkit_$1.so does not export $2"
}
exported_by netcode gapkit_set_log_callback
exported_by client gapkit_client_create
exported_by server gapkit_server_create
exported_by common gapkit::common::SetLogSink
for name in netcode client server; do
    ! grep -q '^gapkit::common::SetLogSink(' "$work/$name.exports" || fail "libgapkit_$name.so holds a copy of gapkit::common"
done

# The games: linked to the shared libraries, none of gapkit's code inside.
build_consumer "$source_dir/tests/package_c" "$work/package_c" -DCMAKE_PREFIX_PATH="$work/prefix"
build_consumer "$source_dir/tests/package" "$work/package" -DCMAKE_PREFIX_PATH="$work/prefix"
! compgen -G "$work/package_c/CMakeFiles/*/CMakeCXXCompiler.cmake" >/dev/null ||
    fail "the C game enabled C++: with the shared libraries it needs no C++ compiler"
for game in package_c/c_consumer package/consumer; do
    needed=$(readelf -d "$work/$game")
    for name in client server; do
        grep -q "NEEDED.*\[libgapkit_$name.so.$soversion\]" <<<"$needed" || fail "$game is not linked to libgapkit_$name.so"
    done
    own=$(nm --defined-only -C "$work/$game" | grep -E ' [TtDdBb] gapkit(_|::)' || true)
    [[ -z $own ]] || fail "$game holds gapkit's code itself: $(head -5 <<<"$own")"
done
# Ports below the ephemeral range, as scripts/with-local-stack.sh picks them; each game tries 16.
"$work/package_c/c_consumer" $((20000 + RANDOM % 12000))
"$work/package/consumer" $((20000 + RANDOM % 12000))
