#!/usr/bin/env bash
# The browser test of httpd's test page, as CTest runs it (label `browser`):
#   run_page_test.sh <bin dir> <artifact dir>
# Runs page.test.mjs in headless Chromium against the local stack of <bin dir>, started by
# scripts/with-local-stack.sh with its state in <artifact dir>/state. The screenshot is
# <artifact dir>/httpd-page.png. Exits 77 (CTest's SKIP_RETURN_CODE) when node or chromium is
# missing; `make test` installs both.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=browser_test_setup.sh
source "$(dirname "$0")/browser_test_setup.sh" "$@"

rm -rf "$artifacts/state" "$artifacts/httpd-page.png"
status=0
GAPKIT_BIN_DIR="$bin" GAPKIT_STATE_DIR="$artifacts/state" GAPKIT_SCREENSHOT="$artifacts/httpd-page.png" \
    CHROMIUM="$CHROMIUM" "$root/scripts/with-local-stack.sh" \
    node --test --test-reporter=spec "$here/page.test.mjs" || status=$?
if [ -f "$artifacts/httpd-page.png" ]; then say "screenshot: $artifacts/httpd-page.png"; else say "no screenshot was taken"; fi
exit "$status"
