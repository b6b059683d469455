#!/usr/bin/env bash
# Runs shellcheck on the release, lint, load, package-test, template-test and Windows-build scripts
# (label lint):
#   lint_scripts.sh <repository root>
# Exits 77 (CTest's SKIP_RETURN_CODE) when shellcheck is missing (make deps installs it).
set -euo pipefail

if [[ $# -ne 1 ]]; then
    echo "usage: $0 <repository root>" >&2
    exit 2
fi
root=$(cd "$1" && pwd)
command -v shellcheck >/dev/null || { echo "SKIP: shellcheck is not installed (make deps installs it)"; exit 77; }

cd "$root"
scripts=(deploy/release/*.sh tests/lint/*.sh tools/loadgen/*.sh tests/surge/*.sh tests/package/*.sh tests/template/*.sh tests/package_shared/*.sh
    tests/windows/*.sh scripts/build-windows-deps.sh)
shellcheck --external-sources "${scripts[@]}"
printf 'ok: shellcheck %s\n' "${scripts[@]}"
