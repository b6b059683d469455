#!/usr/bin/env bash
# The browser test of httpd's test page, as CTest runs it (label `browser`):
#   run_page_test.sh <bin dir> <artifact dir>
# Starts the local stack (scripts/run-local.sh) from <bin dir> on free ports with its state in
# <artifact dir>/state, waits until httpd is ready and the matchmaker serves, runs page.test.mjs in
# headless Chromium and always stops the stack. The screenshot is <artifact dir>/httpd-page.png.
# Exits 77 (CTest's SKIP_RETURN_CODE) when node or chromium is missing; `make test` installs both.
set -euo pipefail

if [ $# -ne 2 ]; then
    echo "usage: $0 <bin dir> <artifact dir>" >&2
    exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
bin=$(cd "$1" && pwd)
artifacts=$(mkdir -p "$2" && cd "$2" && pwd)
state="$artifacts/state"
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
readonly kReadySeconds=60

say() { echo "[browser-test] $*"; }

command -v node >/dev/null || { say "SKIP: node is not installed (make deps installs it)"; exit 77; }
[ -x "$CHROMIUM" ] || { say "SKIP: no Chromium at $CHROMIUM (Debian package chromium; make deps installs it)"; exit 77; }
if [ ! -d "$here/node_modules/playwright-core" ]; then
    say "playwright-core is not installed: run 'npm ci --prefix tests/browser' (make test does)"
    exit 1
fi

free_ports() {  # free_ports <n>: n distinct ports that are free on 127.0.0.1 right now
    node -e '
        const net = require("node:net");
        const servers = Array.from({ length: Number(process.argv[1]) }, () => net.createServer());
        Promise.all(servers.map((s) => new Promise((ok) => s.listen(0, "127.0.0.1", ok)))).then(() => {
            console.log(servers.map((s) => s.address().port).join(" "));
            servers.forEach((s) => s.close());
        });' "$1"
}

http_ok() {  # http_ok <url>: the URL answers 2xx (node is here anyway; curl may not be)
    node -e 'fetch(process.argv[1]).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))' "$1"
}

stack_pid=
stop_stack() {
    [ -n "$stack_pid" ] || return 0
    # run-local.sh stops its components in order on TERM and waits for them.
    kill -TERM "$stack_pid" 2>/dev/null || true
    wait "$stack_pid" 2>/dev/null || true
    stack_pid=
}

show_logs() {
    for log in "$artifacts/run-local.log" "$state"/logs/*.log; do
        [ -f "$log" ] && { say "---- $log (last 30 lines)"; tail -n 30 "$log"; }
    done
}

wait_until_serving() {  # httpd /readyz is 200 and the matchmaker has subscribed to requests
    local deadline=$((SECONDS + kReadySeconds))
    while ((SECONDS < deadline)); do
        kill -0 "$stack_pid" 2>/dev/null || { say "the local stack exited during start-up"; return 1; }
        if http_ok "http://127.0.0.1:$HTTPD_PORT/readyz" &&
            grep -q "serving matchmaker.request" "$state/logs/matchmaker.log" 2>/dev/null; then
            return 0
        fi
        sleep 0.2
    done
    say "the local stack was not ready within $kReadySeconds s"
    return 1
}

read -r NATS_PORT SIM_PORT HTTPD_PORT MM_METRICS_PORT <<<"$(free_ports 4)"
export NATS_PORT SIM_PORT HTTPD_PORT MM_METRICS_PORT
rm -rf "$state" "$artifacts/httpd-page.png"
trap stop_stack EXIT
trap 'exit 143' TERM  # a signal must still run the EXIT trap, or the stack outlives the test
trap 'exit 130' INT
GAPKIT_BIN_DIR="$bin" GAPKIT_STATE_DIR="$state" "$root/scripts/run-local.sh" >"$artifacts/run-local.log" 2>&1 &
stack_pid=$!
say "local stack starting (httpd on $HTTPD_PORT, logs in $state/logs)"
wait_until_serving || { show_logs; exit 1; }

# The API key is edgegap-sim's fixed development key in run-local.sh.
status=0
GAPKIT_HTTPD_URL="http://127.0.0.1:$HTTPD_PORT/" GAPKIT_SIM_URL="http://127.0.0.1:$SIM_PORT" \
    GAPKIT_SIM_API_KEY=devkey GAPKIT_SCREENSHOT="$artifacts/httpd-page.png" CHROMIUM="$CHROMIUM" \
    node --test --test-reporter=spec "$here/page.test.mjs" || status=$?
if [ -f "$artifacts/httpd-page.png" ]; then say "screenshot: $artifacts/httpd-page.png"; else say "no screenshot was taken"; fi
((status == 0)) || show_logs
exit "$status"
