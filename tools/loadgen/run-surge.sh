#!/usr/bin/env bash
# The surge: PLAYERS players ask at once for an app whose deployment takes DEPLOY_SECONDS to become
# ready, through one httpd and one matchmaker of the local stack (scripts/with-local-stack.sh, set
# up as run-benchmark.sh does, loadgen-stack.sh). Each player sends its own client_ip (loadgen
# --client-ip-range 198.18.0.0/15, the benchmarking range: public to httpd's --fake-ip, so the
# addresses reach the matchmaker distinct, as a matchmaker that batches players needs).
# docs/benchmarks.md has recorded runs.
#
#   tools/loadgen/run-surge.sh
#
# It prints (and writes as JSON to SURGE_RESULT when set):
# - answered and failed requests, the wait (connect to SessionReady) at p50/p99/max;
# - httpd's and the matchmaker's resident memory: idle (VmRSS before the surge), peak (VmHWM after
#   it), the growth, and the growth of both per waiting player;
# - the simulator's Edgegap API calls by route (GET /admin/calls) once every player is answered,
#   then again once the matchmaker has deleted every session (the tokens expire unused, so the
#   reaper deletes them: about 90 s after their creation with the shipped timers), or after
#   CLEANUP_SECONDS.
#
# Environment: PLAYERS (10000), DEPLOY_SECONDS (20; the simulator's status_delays_ms.deploying),
# SEATS per deployment (4096), SHIPPED_LIMITS (1: the matchmaker's shipped Edgegap budget; 0 lifts
# it), BATCH (unset: the matchmaker's default; else GAPKIT_MM_MAX_PLAYERS_PER_SESSION),
# TIMEOUT_SECONDS (1200: each request's bound, also httpd's --request-timeout), CLEANUP_SECONDS
# (300; 0 skips the wait for the deletes), BIN (build/bin), KEEP_STATE=1, SURGE_RESULT (a file).
# Any other GAPKIT_MM_* or GAPKIT_HTTPD_* variable set reaches the matchmaker or httpd and is
# printed with the figures (GAPKIT_MM_READINESS_TIMEOUT=900, say; never a secret's value).
# Every player holds a socket in the load generator and one in httpd: the open-file limit is raised
# to the hard limit, which must be at least PLAYERS + 1024.
set -euo pipefail

export PLAYERS=${PLAYERS:-10000} DEPLOY_SECONDS=${DEPLOY_SECONDS:-20} SEATS=${SEATS:-4096}
export TIMEOUT_SECONDS=${TIMEOUT_SECONDS:-1200} CLEANUP_SECONDS=${CLEANUP_SECONDS:-300}
export SURGE_RESULT=${SURGE_RESULT:-}
for name in PLAYERS DEPLOY_SECONDS SEATS TIMEOUT_SECONDS CLEANUP_SECONDS; do
    [[ ${!name} =~ ^[0-9]+$ ]] || { echo "$name must be a whole number, not '${!name}'" >&2; exit 2; }
done
((PLAYERS >= 1 && SEATS >= 1 && TIMEOUT_SECONDS >= 1 && TIMEOUT_SECONDS <= 3600)) ||
    { echo "PLAYERS and SEATS must be at least 1, TIMEOUT_SECONDS 1..3600" >&2; exit 2; }

needed_files=$((PLAYERS + 1024))
hard_files=$(ulimit -Hn)
[ "$hard_files" = unlimited ] && hard_files=$((2 * needed_files))
if ((hard_files < needed_files)) || ! ulimit -n "$hard_files" 2>/dev/null; then
    echo "run-surge.sh: $PLAYERS players need $needed_files open files per process, but the hard limit is" \
        "$(ulimit -Hn) (ulimit -Hn): raise it (LimitNOFILE, limits.conf, docker --ulimit nofile=...) or lower PLAYERS" >&2
    exit 1
fi

# What the caller set for the matchmaker and httpd is part of the figures (never a secret's value).
given=$(env | grep -E '^GAPKIT_(MM|HTTPD)_' | grep -vE '^[A-Z_]*(SECRET|KEY|PASSWORD)' | sort | tr '\n' ' ' || true)

# shellcheck source=tools/loadgen/loadgen-stack.sh
. "$(dirname "$0")/loadgen-stack.sh"
loadgen_stack_setup "$PLAYERS" 1
# Connections that have not sent their upgrade yet: every player may be one of them at once.
export GAPKIT_HTTPD_MAX_CONNECTIONS=$((PLAYERS + 1024)) GAPKIT_HTTPD_MAX_PENDING_CONNECTIONS=$PLAYERS
export GAPKIT_HTTPD_REQUEST_TIMEOUT=$TIMEOUT_SECONDS
batch_note="batching: the matchmaker's default"
if [ -n "${BATCH:-}" ]; then
    export GAPKIT_MM_MAX_PLAYERS_PER_SESSION=$BATCH
    batch_note="batching: GAPKIT_MM_MAX_PLAYERS_PER_SESSION=$BATCH"
fi
export SIM_CONFIG=$GAPKIT_STATE_DIR/edgegap-sim-surge.json
# The deployment must outlive the surge and its cleanup (max_duration_seconds).
jq --argjson deploying $((DEPLOY_SECONDS * 1000)) --argjson seats "$SEATS" \
    '.status_delays_ms.deploying = $deploying
     | .apps[0].versions[0].session_config.sockets = $seats
     | .apps[0].versions[0].max_duration_seconds = 7200' \
    "$root/tools/loadgen/echo-instant.json" >"$SIM_CONFIG"
export SURGE_NOTE="$PLAYERS players at once, deployment $DEPLOY_SECONDS s, $SEATS seats per deployment, $batch_note; $limits_note${given:+; also set: ${given% }}"
echo "[surge] $SURGE_NOTE" >&2

"$root/scripts/with-local-stack.sh" "$root/tools/loadgen/surge-in-stack.sh"
