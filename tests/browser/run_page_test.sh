#!/usr/bin/env bash
# The browser test of httpd's test page, as CTest runs it (label `browser`):
#   run_page_test.sh <bin dir> <artifact dir>
# Runs page.test.mjs in headless Chromium against the local stack of <bin dir>, started by
# scripts/with-local-stack.sh with its state in <artifact dir>/state. The screenshot is
# <artifact dir>/httpd-page.png. Exits 77 (CTest's SKIP_RETURN_CODE) when node or chromium is
# missing; `make test` installs both.
set -euo pipefail

if [ $# -ne 2 ]; then
    echo "usage: $0 <bin dir> <artifact dir>" >&2
    exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
bin=$(cd "$1" && pwd)
artifacts=$(mkdir -p "$2" && cd "$2" && pwd)
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}

say() { echo "[browser-test] $*"; }

command -v node >/dev/null || { say "SKIP: node is not installed (make deps installs it)"; exit 77; }
[ -x "$CHROMIUM" ] || { say "SKIP: no Chromium at $CHROMIUM (Debian package chromium; make deps installs it)"; exit 77; }
if [ ! -d "$here/node_modules/playwright-core" ]; then
    say "playwright-core is not installed: run 'npm ci --prefix tests/browser' (make test does)"
    exit 1
fi

rm -rf "$artifacts/state" "$artifacts/httpd-page.png"
status=0
GAPKIT_BIN_DIR="$bin" GAPKIT_STATE_DIR="$artifacts/state" GAPKIT_SCREENSHOT="$artifacts/httpd-page.png" \
    CHROMIUM="$CHROMIUM" "$root/scripts/with-local-stack.sh" \
    node --test --test-reporter=spec "$here/page.test.mjs" || status=$?
if [ -f "$artifacts/httpd-page.png" ]; then say "screenshot: $artifacts/httpd-page.png"; else say "no screenshot was taken"; fi
exit "$status"
