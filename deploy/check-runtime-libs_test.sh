#!/usr/bin/env bash
# Fault tests of check-runtime-libs.sh: on copies of the Dockerfile with a package or the USER taken
# out, the check must fail and name what is wrong.
# Usage: check-runtime-libs_test.sh <Dockerfile> <binary linking libsodium>
set -euo pipefail

check=$(dirname "$0")/check-runtime-libs.sh
dockerfile=$1
binary=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

expect_failure() {  # expect_failure <name> <expected text> <Dockerfile>
    if "$check" "$3" "$binary" > "$work/out" 2>&1; then
        echo "FAIL ($1): the check passed"
        exit 1
    fi
    grep -q -- "$2" "$work/out" || { echo "FAIL ($1): no '$2' in:"; cat "$work/out"; exit 1; }
    echo "ok: $1"
}

sed '/^ *libsodium23 *\\$/d' "$dockerfile" > "$work/no-sodium"
expect_failure "missing package" "from package 'libsodium23'" "$work/no-sodium"

sed '/^USER /d' "$dockerfile" > "$work/no-user"
expect_failure "no USER" "stage 'httpd' of .* runs as root" "$work/no-user"

{ cat "$dockerfile"; echo "USER root"; } > "$work/root-user"
expect_failure "USER root in the last stage" "runs as root" "$work/root-user"

sed 's/apt-get install/apt-get nothing/' "$dockerfile" > "$work/no-install"
expect_failure "no install line" "no 'apt-get install'" "$work/no-install"

if "$check" "$dockerfile" "$work/missing-binary" > "$work/out" 2>&1; then
    echo "FAIL (missing binary): the check passed"
    exit 1
fi
echo "ok: missing binary"
