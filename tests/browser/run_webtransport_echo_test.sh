#!/usr/bin/env bash
# The Chromium interop test of the WebTransport endpoint, as CTest runs it (label `browser`):
#   run_webtransport_echo_test.sh <bin dir> <artifact dir>
# Runs webtransport_echo.test.mjs in headless Chromium against <bin dir>/
# gapkit_webtransport_echo_test_support. Chromium's NetLog (capture mode Everything) is left in
# GAPKIT_NETLOG, by default <artifact dir>/webtransport-netlog.json: read it to learn why a
# handshake or a CONNECT failed. Exits 77 (CTest's SKIP_RETURN_CODE) when node or chromium is
# missing; `make test` installs both.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=browser_test_setup.sh
source "$(dirname "$0")/browser_test_setup.sh" "$@"

echo_program="$bin/gapkit_webtransport_echo_test_support"
[ -x "$echo_program" ] || { say "no $echo_program: build it first"; exit 1; }
netlog=${GAPKIT_NETLOG:-$artifacts/webtransport-netlog.json}
rm -f "$netlog"
status=0
GAPKIT_WEBTRANSPORT_ECHO="$echo_program" GAPKIT_NETLOG="$netlog" CHROMIUM="$CHROMIUM" \
    node --test --test-reporter=spec "$here/webtransport_echo.test.mjs" || status=$?
if [ -f "$netlog" ]; then say "Chromium's NetLog: $netlog"; fi
exit "$status"
