#!/usr/bin/env bash
# The matchmaking load benchmark: the local stack (scripts/with-local-stack.sh) with edgegap-sim
# answering instantly, httpd's per-IP limits opened up (all load comes from 127.0.0.1) and one more
# NATS user for the bus floor; then gapkit-loadgen at several concurrency levels with the bus floor
# measured in the same run. Results go to stdout; docs/benchmarks.md has a recorded run.
#
# The simulator's one deployment has seats for every player of a run (echo-instant.json), and 20
# unmeasured warm-up requests start it: the simulator starts a deployment on its 50 ms tick, so a
# deployment started mid-run would add 50-100 ms to the requests waiting for it, which is the
# simulator's cold start, not gapkit's capacity.
#
# gapkit's own Edgegap limits are lifted by default (GAPKIT_MM_EDGEGAP_LIMITS with every class
# `off`): the instant simulator applies no limits, so the figures are gapkit's capacity, not the
# client-side budget that protects a real Edgegap organization. SHIPPED_LIMITS=1 keeps the
# matchmaker's shipped limits; a GAPKIT_MM_EDGEGAP_LIMITS already set is used as it is.
#
#   tools/loadgen/run-benchmark.sh [extra gapkit-loadgen flags, e.g. --json]
#
# Environment: BIN (build/bin) holding the gapkit binaries, CONCURRENCY (1,8,32), REQUESTS per
# level (400), SHIPPED_LIMITS (0), KEEP_STATE=1 to keep the state folder (logs, certificates)
# instead of deleting it.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
export GAPKIT_BIN_DIR=${BIN:-$root/build/bin}
export CONCURRENCY=${CONCURRENCY:-1,8,32} REQUESTS=${REQUESTS:-400}

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
if [ "${SHIPPED_LIMITS:-0}" = 1 ]; then
    unset GAPKIT_MM_EDGEGAP_LIMITS
    limits_note="gapkit's Edgegap limits: the matchmaker's shipped defaults (SHIPPED_LIMITS=1)"
else
    export GAPKIT_MM_EDGEGAP_LIMITS=${GAPKIT_MM_EDGEGAP_LIMITS-sessions=off,deployments=off,status=off,context=off,apps=off}
    limits_note="gapkit's Edgegap limits: GAPKIT_MM_EDGEGAP_LIMITS=$GAPKIT_MM_EDGEGAP_LIMITS (the simulator applies none)"
fi
echo "[bench] $limits_note" >&2
# The table says under which limits it was measured; JSON output stays JSON only.
[[ " $* " == *" --json "* ]] || echo "$limits_note"

# Single quotes: the command expands the variables with-local-stack.sh exports for it.
# shellcheck disable=SC2016
"$root/scripts/with-local-stack.sh" bash -c '
    echo "[bench] stack up; load: concurrency $CONCURRENCY, $REQUESTS requests per level" >&2
    NATS_HOST=127.0.0.1:$NATS_PORT NATS_CA=$GAPKIT_STATE_DIR/ca/rootCA.pem NATS_USER=loadgen \
        NATS_PASSWORD=$LOADGEN_PASSWORD exec "$GAPKIT_BIN_DIR/gapkit-loadgen" --url "$MATCHMAKER_URL" \
        --game echo --version 1 --concurrency "$CONCURRENCY" --requests "$REQUESTS" --warmup-requests 20 --bus-floor "$@"' \
    bench "$@"
