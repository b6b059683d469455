#!/usr/bin/env bash
# The matchmaking load benchmark: the local stack (scripts/with-local-stack.sh) with edgegap-sim
# answering instantly, httpd's per-IP limits opened up (all load comes from 127.0.0.1) and one more
# NATS user for the bus floor; then gapkit-loadgen at several concurrency levels with the bus floor
# measured in the same run. Results go to stdout; docs/benchmarks.md has a recorded run.
#
#   tools/loadgen/run-benchmark.sh [extra gapkit-loadgen flags, e.g. --json]
#
# Environment: BIN (build/bin) holding the gapkit binaries, CONCURRENCY (1,8,32), REQUESTS per
# level (200), KEEP_STATE=1 to keep the state folder (logs, certificates) instead of deleting it.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
export GAPKIT_BIN_DIR=${BIN:-$root/build/bin}
export CONCURRENCY=${CONCURRENCY:-1,8,32} REQUESTS=${REQUESTS:-200}

for program in gapkit-edgegap-sim gapkit-sim-echo-server gapkit-matchmaker gapkit-httpd gapkit-loadgen; do
    [ -x "$GAPKIT_BIN_DIR/$program" ] || { echo "$GAPKIT_BIN_DIR/$program is missing; build it first (make build)" >&2; exit 1; }
done

export GAPKIT_STATE_DIR
GAPKIT_STATE_DIR=$(mktemp -d /tmp/gapkit-loadgen.XXXXXX)
[ "${KEEP_STATE:-0}" = 1 ] || trap 'rm -rf "$GAPKIT_STATE_DIR"' EXIT
LOADGEN_PASSWORD=$(openssl rand -hex 24)
export LOADGEN_PASSWORD
export NATS_EXTRA_USERS="    { user: loadgen, password: \"$LOADGEN_PASSWORD\", permissions: {
      publish: [\"gapkit.loadgen.>\", \"_INBOX.>\"], subscribe: [\"gapkit.loadgen.>\", \"_INBOX.>\"] } },"
export SIM_CONFIG=$root/tools/loadgen/echo-instant.json GAME=echo GAME_VERSION=1
export GAPKIT_MM_MAX_CONCURRENT_SESSIONS=1024 GAPKIT_MM_METRICS_BIND=127.0.0.1
export GAPKIT_HTTPD_PER_IP_RPM=1000000 GAPKIT_HTTPD_PER_IP_BURST=100000 \
    GAPKIT_HTTPD_PER_IP_MAX_CONNECTIONS=10000 GAPKIT_HTTPD_MAX_IN_FLIGHT=10000

# Single quotes: the command expands the variables with-local-stack.sh exports for it.
# shellcheck disable=SC2016
"$root/scripts/with-local-stack.sh" bash -c '
    echo "[bench] stack up; load: concurrency $CONCURRENCY, $REQUESTS requests per level" >&2
    NATS_HOST=127.0.0.1:$NATS_PORT NATS_CA=$GAPKIT_STATE_DIR/ca/rootCA.pem NATS_USER=loadgen \
        NATS_PASSWORD=$LOADGEN_PASSWORD exec "$GAPKIT_BIN_DIR/gapkit-loadgen" --url "$MATCHMAKER_URL" \
        --game echo --version 1 --concurrency "$CONCURRENCY" --requests "$REQUESTS" --bus-floor "$@"' \
    bench "$@"
