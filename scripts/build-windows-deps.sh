#!/usr/bin/env bash
# Cross-builds the Windows (x86_64-w64-mingw32) static libraries the client side needs, from
# Debian's own source packages, into a prefix of the Windows build tree:
#
#   scripts/build-windows-deps.sh [<deps-dir>]      (default: build-windows/deps)
#
#   <deps-dir>/src/      the unpacked source packages (`apt-get source libsodium openssl`)
#   <deps-dir>/prefix/   include/ and lib/ of the static libsodium, libssl and libcrypto
#   <deps-dir>/<name>.stamp  written when a library is installed, with its configure options: a
#                        second run rebuilds nothing unless the options below changed
#   <deps-dir>/<name>.log    the configure and build output of that library
#
# Needs dpkg-dev, autoconf, automake, libtool, the MinGW-w64 posix compilers and a deb-src entry (added here, under
# /etc/apt/sources.list.d/gapkit-deb-src.sources, when apt has none). Uses ccache when installed.
# Variables it reads: JOBS (default nproc). Nothing is downloaded but Debian's source packages.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
deps=$(realpath -m "${1:-$root/build-windows/deps}")
readonly host=x86_64-w64-mingw32
readonly deb_src_file=/etc/apt/sources.list.d/gapkit-deb-src.sources
jobs=${JOBS:-$(nproc)}
sudo=$([ "$(id -u)" = 0 ] || echo sudo)
ccache=$(command -v ccache || true)

# OpenSSL: only what a TLS client needs to be safe on a player's machine. no-dso (no engine or
# provider DLL is ever loaded) and no-autoload-config (no openssl.cnf is read): OPENSSLDIR is a
# compiled-in path, and on Windows a path such as C:/usr/local/ssl can be created by any user, who
# could then plant a configuration or a DLL (CVE-2019-1552). OPENSSLDIR (where the default verify
# paths look for cert.pem and certs/) is under System32, writable only by administrators; a path
# without a drive would be on the game's current drive, where any user may create it.
readonly sodium_options="--host=$host --disable-shared --enable-static --disable-dependency-tracking --disable-pie"
# Configure takes C:/... for a relative path (it judges by the build machine's rules) and would
# prefix it, so the directories are set in its Makefile afterwards.
readonly openssl_options="mingw64 no-shared no-tests no-engine no-dso no-autoload-config"
readonly openssl_dir=C:/Windows/System32/OpenSSL

say() { echo "[windows-deps] $*" >&2; }
fail() { say "error: $*"; exit 1; }

for tool in $host-gcc-posix $host-ar $host-ranlib $host-windres dpkg-source autoreconf libtoolize; do
    command -v "$tool" >/dev/null || fail "$tool is missing (make windows installs it)"
done

# The deb-src entry mirrors the binary entries of debian.sources (same URIs and suites).
ensure_deb_src() {
    if [ -n "$(apt-cache showsrc libsodium 2>/dev/null)" ]; then
        return
    fi
    say "adding a deb-src entry ($deb_src_file) and updating apt"
    local sources=/etc/apt/sources.list.d/debian.sources
    [ -r "$sources" ] || fail "$sources is missing: add a deb-src entry for Debian 12 by hand"
    sed 's/^Types: deb$/Types: deb-src/' "$sources" | $sudo tee "$deb_src_file" >/dev/null
    $sudo apt-get update -qq
}

# apt-get source <package>: the candidate version first, then the other versions the archive lists
# (a mirror may lack the newest security upload's source while it has the binary).
fetch_source() {
    local package=$1 dir
    dir=$(find "$deps/src" -maxdepth 1 -type d -name "$package-[0-9]*" | head -1)
    if [ -n "$dir" ]; then
        echo "$dir"
        return
    fi
    say "fetching the Debian source package of $package"
    (
        cd "$deps/src"
        apt-get source -qq "$package" >>"$deps/$package.log" 2>&1 && exit 0
        # The newest (what the plain call tried) is skipped.
        for version in $(apt-cache showsrc "$package" | sed -n 's/^Version: //p' | sort -rVu | tail -n +2); do
            say "retrying $package=$version"
            apt-get source -qq "$package=$version" >>"$deps/$package.log" 2>&1 && exit 0
        done
        exit 1
    ) || fail "apt-get source $package failed (see $deps/$package.log)"
    find "$deps/src" -maxdepth 1 -type d -name "$package-[0-9]*" | head -1
}

build_libsodium() {
    local src=$1
    (
        cd "$src"
        # Debian's tarball is the git tree without the generated configure; autogen.sh would
        # download config.guess, so autoreconf runs directly.
        [ -x configure ] || autoreconf -fi
        [ ! -f Makefile ] || make distclean  # an earlier build with other options
        # shellcheck disable=SC2086 # the options are words
        ./configure $sodium_options --prefix="$deps/prefix" CC="${ccache:+$ccache }$host-gcc-posix"
        make -j "$jobs"
        make install
    ) >>"$deps/libsodium.log" 2>&1
}

# Only the libraries and headers (build_libs, install_dev; 3.0 has no no-apps): its programs, tests and manual
# pages would take most of the time and nothing here uses them.
build_openssl() {
    local src=$1
    (
        cd "$src"
        # OpenSSL's make does not track changed flags: an earlier build's objects must go.
        [ ! -f Makefile ] || make clean
        # shellcheck disable=SC2086 # the options are words
        CC="${ccache:+$ccache }$host-gcc-posix" AR=$host-ar RANLIB=$host-ranlib RC=$host-windres \
            perl Configure $openssl_options --prefix="$deps/prefix" --libdir=lib
        sed -i -e "s|^OPENSSLDIR=.*|OPENSSLDIR=$openssl_dir|" -e "s|^ENGINESDIR=.*|ENGINESDIR=$openssl_dir/engines-3|" \
            -e "s|^MODULESDIR=.*|MODULESDIR=$openssl_dir/ossl-modules|" Makefile
        make -j "$jobs" build_libs
        make install_dev
    ) >>"$deps/openssl.log" 2>&1
}

build() {  # build <package> <options>: fetch, build and install it unless its stamp has <options>
    local package=$1 options=$2 src started
    if [ -f "$deps/$package.stamp" ] && [ "$(sed -n 2p "$deps/$package.stamp")" = "$options" ]; then
        say "$package: up to date ($(head -1 "$deps/$package.stamp"))"
        return
    fi
    src=$(fetch_source "$package")
    say "$package: building $(basename "$src") (log: $deps/$package.log)"
    started=$(date +%s)
    "build_$package" "$src" || { tail -30 "$deps/$package.log" >&2; fail "$package did not build"; }
    printf '%s built in %s s\n%s\n' "$(basename "$src")" "$(($(date +%s) - started))" "$options" >"$deps/$package.stamp"
    say "$package: $(head -1 "$deps/$package.stamp")"
}

mkdir -p "$deps/src" "$deps/prefix"
if [ ! -f "$deps/libsodium.stamp" ] || [ ! -f "$deps/openssl.stamp" ]; then
    ensure_deb_src
fi
build libsodium "$sodium_options"
build openssl "$openssl_options OPENSSLDIR=$openssl_dir"
