#!/usr/bin/env bash
# gapkit.js in headless Chromium against the local stack, as CTest runs it (label `browser`):
#   run_gapkit_js_test.sh <bin dir> <artifact dir>
# Runs gapkit_js.test.mjs against the local stack of <bin dir> (scripts/with-local-stack.sh, state
# in <artifact dir>/gapkit-js-state); httpd serves the web root the build assembled in
# <bin dir>/../web. Chromium's NetLog is left in <artifact dir>/gapkit-js-netlog.json (or
# GAPKIT_NETLOG). Exits 77 (CTest's SKIP_RETURN_CODE) when node or chromium is missing.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=browser_test_setup.sh
source "$(dirname "$0")/browser_test_setup.sh" "$@"

if [ ! -f "$bin/../web-root/gapkit/vendor/libsodium-wrappers.mjs" ]; then
    say "no web root with gapkit.js and libsodium in $bin/../web-root: run 'npm ci --prefix web/gapkit' and build gapkit_web_root"
    exit 1
fi
netlog=${GAPKIT_NETLOG:-$artifacts/gapkit-js-netlog.json}
rm -rf "$artifacts/gapkit-js-state" "$netlog"
status=0
GAPKIT_BIN_DIR="$bin" GAPKIT_STATE_DIR="$artifacts/gapkit-js-state" GAPKIT_NETLOG="$netlog" CHROMIUM="$CHROMIUM" \
    "$root/scripts/with-local-stack.sh" node --test --test-reporter=spec "$here/gapkit_js.test.mjs" || status=$?
if [ -f "$netlog" ]; then say "Chromium's NetLog: $netlog"; fi
exit "$status"
