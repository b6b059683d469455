#!/usr/bin/env bash
# Keeps deploy/docker/Dockerfile honest on a machine without Docker (ctest -L deploy runs it):
#   1. every shared library that `ldd` finds for each given binary belongs to a Debian package that
#      the Dockerfile's `runtime` stage installs, directly or as a dependency of one it installs;
#   2. every stage but `build` runs as a non-root USER (its own or inherited from its base stage).
# It fails naming the missing package or the stage. The package database of this machine stands in
# for the image's, which holds as long as both are Debian 12.
#
# Usage: deploy/check-runtime-libs.sh <Dockerfile> <binary>...
set -euo pipefail

if [[ $# -lt 2 ]]; then
    echo "usage: $0 <Dockerfile> <binary>..." >&2
    exit 2
fi
dockerfile=$1
shift
failures=0
fail() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
}

# The Dockerfile as "<stage> <instruction line>" records, continuation lines joined.
stages() {
    sed -e ':a' -e '/\\$/N; s/\\\n/ /; ta' "$dockerfile" | awk '
        /^[ \t]*#/ || NF == 0 { next }
        toupper($1) == "FROM" { stage = (NF >= 4 && toupper($3) == "AS") ? $4 : $2 }
        stage != "" { print stage, $0 }'
}

# Packages named by `apt-get install` in the runtime stage.
runtime_packages() {
    stages | awk '$1 == "runtime" && toupper($2) == "RUN"' | grep -o 'apt-get install[^&;]*' |
        tr ' ' '\n' | grep -v -e '^-' -e '^apt-get$' -e '^install$' -e '^$' || true
}

# What apt installs for those packages: the Depends/Pre-Depends closure in this machine's dpkg database.
declare -A installed=()
add_with_depends() {
    local queue=("$@") pkg deps
    while [[ ${#queue[@]} -gt 0 ]]; do
        pkg=${queue[0]}
        queue=("${queue[@]:1}")
        [[ -n $pkg && -z ${installed[$pkg]:-} ]] || continue
        installed[$pkg]=1
        deps=$(dpkg-query -W -f='${Depends},${Pre-Depends}' "$pkg" 2>/dev/null) || continue
        # "libc6 (>= 2.34), libfoo | libbar:any" -> libc6 libfoo libbar
        queue+=($(tr ',|' '\n\n' <<<"$deps" | sed -e 's/(.*)//' -e 's/:.*//' -e 's/[[:space:]]//g'))
    done
}

# The package owning a library path; dpkg knows a file under /lib or /usr/lib, whichever it shipped.
package_of() {
    local real candidate
    real=$(readlink -f "$1")
    for candidate in "$1" "$real" "${real#/usr}"; do
        dpkg -S "$candidate" 2>/dev/null | awk -F': ' 'NR == 1 { sub(/:.*/, "", $1); print $1 }' | grep . && return 0
    done
    return 1
}

check_binary() {
    local binary=$1 line path pkg
    if [[ ! -x $binary ]]; then
        fail "$binary does not exist or is not executable"
        return
    fi
    while read -r line; do
        if [[ $line == *"not found"* ]]; then
            fail "$(basename "$binary"): ldd cannot find ${line%% *}"
            continue
        fi
        path=$(awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^\//) { print $i; exit } }' <<<"$line")
        [[ -n $path ]] || continue  # linux-vdso: provided by the kernel
        if ! pkg=$(package_of "$path"); then
            fail "$(basename "$binary"): $path belongs to no Debian package (a locally built library?)"
        elif [[ -z ${installed[$pkg]:-} ]]; then
            fail "$(basename "$binary") needs $path from package '$pkg', which the runtime stage of $dockerfile does not install"
        fi
    done < <(ldd "$binary")
    echo "ok: $(basename "$binary")"
}

# Every stage but `build` must end up with a non-root USER, its own or its base stage's.
check_users() {
    local report
    report=$(stages | awk '
        toupper($2) == "FROM" { base[$1] = $3; order[++n] = $1 }
        toupper($2) == "USER" { user[$1] = $3 }
        END {
            for (i = 1; i <= n; i++) {
                s = order[i]
                if (s == "build") continue
                u = ""
                for (t = s; t != "" && u == ""; t = base[t]) u = user[t]
                split(u, id, ":")
                if (u == "" || id[1] == "root" || id[1] == "0") print s
            }
        }')
    local stage
    for stage in $report; do fail "stage '$stage' of $dockerfile runs as root: give it (or its base) a non-root USER"; done
}

packages=($(runtime_packages))
if [[ ${#packages[@]} -eq 0 ]]; then
    fail "no 'apt-get install' found in the runtime stage of $dockerfile"
else
    add_with_depends "${packages[@]}"
fi
for binary in "$@"; do check_binary "$binary"; done
check_users
if [[ $failures -gt 0 ]]; then
    echo "$failures problem(s) in $dockerfile" >&2
    exit 1
fi
echo "runtime stage of $dockerfile installs every library of: $(for b in "$@"; do basename "$b"; done | xargs)"
