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

export CONCURRENCY=${CONCURRENCY:-1,8,32} REQUESTS=${REQUESTS:-400}
# shellcheck source=tools/loadgen/loadgen-stack.sh
. "$(dirname "$0")/loadgen-stack.sh"
loadgen_stack_setup 1024 0
export SIM_CONFIG=$root/tools/loadgen/echo-instant.json
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
