#!/usr/bin/env bash
# spaceships in a browser tab next to a native bot, as CTest runs it (label `browser`):
#   run_play_test.sh <bin dir> <artifact dir>
# Runs play.test.mjs in headless Chromium against the local stack of <bin dir>, started by
# scripts/with-local-stack.sh with its state in <artifact dir>/play-state. The screenshot of the
# tab is <artifact dir>/spaceships-browser.png (docs/images/spaceships-browser.png is a copy made
# by hand). Set GAPKIT_NETLOG=<file> for Chromium's NetLog. Exits 77 (CTest's SKIP_RETURN_CODE)
# when node or chromium is missing; `make test` installs both.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=browser_test_setup.sh
source "$(dirname "$0")/browser_test_setup.sh" "$@"

[ -x "$bin/spaceships-bot" ] || { say "no $bin/spaceships-bot: build it first"; exit 1; }
# run-local.sh serves $bin/../web-root unless GAPKIT_HTTPD_WEB_ROOT names another web root.
web_root=${GAPKIT_HTTPD_WEB_ROOT:-$bin/../web-root}
[ -f "$web_root/play/index.html" ] || { say "no $web_root/play/index.html: build the target gapkit_web_root"; exit 1; }
screenshot="$artifacts/spaceships-browser.png"
rm -rf "$artifacts/play-state" "$screenshot"
status=0
GAPKIT_BIN_DIR="$bin" GAPKIT_STATE_DIR="$artifacts/play-state" GAPKIT_SCREENSHOT="$screenshot" \
    CHROMIUM="$CHROMIUM" "$root/scripts/with-local-stack.sh" \
    node --test --test-reporter=spec "$here/play.test.mjs" || status=$?
if [ -f "$screenshot" ]; then say "screenshot: $screenshot"; else say "no screenshot was taken"; fi
exit "$status"
