# Sourced by run-benchmark.sh and run-surge.sh (not run on its own): what both need before they run
# gapkit-loadgen against the local stack of scripts/with-local-stack.sh.
#
#   loadgen_stack_setup <clients> <shipped_limits_default>
#
# Checks the binaries in BIN (default build/bin; exported as GAPKIT_BIN_DIR), makes the state folder
# (GAPKIT_STATE_DIR, deleted on exit unless KEEP_STATE=1), adds the NATS user `loadgen` (password in
# LOADGEN_PASSWORD) for the bus floor, serves app echo version 1 (SIM_CONFIG is the caller's),
# opens up httpd's per-IP limits (all load comes from 127.0.0.1) and sizes httpd's and the
# matchmaker's caps for <clients> requests at once. gapkit's own Edgegap limits: lifted
# (GAPKIT_MM_EDGEGAP_LIMITS with every class `off`) unless SHIPPED_LIMITS (default
# <shipped_limits_default>) is 1; a GAPKIT_MM_EDGEGAP_LIMITS already set is used as it is.
# Sets `root` (the repository) and `limits_note` (the sentence that says which limits the run had).
# shellcheck shell=bash

loadgen_stack_setup() {
    local clients=$1 shipped=${SHIPPED_LIMITS:-$2}
    root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
    export GAPKIT_BIN_DIR=${BIN:-$root/build/bin}
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
    export GAME=echo GAME_VERSION=1 GAPKIT_MM_METRICS_BIND=127.0.0.1
    export GAPKIT_MM_MAX_CONCURRENT_SESSIONS=$((clients > 1024 ? clients : 1024))
    local cap=$((clients > 10000 ? clients : 10000))
    export GAPKIT_HTTPD_PER_IP_RPM=1000000 GAPKIT_HTTPD_PER_IP_BURST=$((cap * 10)) \
        GAPKIT_HTTPD_PER_IP_MAX_CONNECTIONS=$cap GAPKIT_HTTPD_MAX_IN_FLIGHT=$cap
    # shellcheck disable=SC2034  # limits_note is the caller's
    if [ "$shipped" = 1 ]; then
        unset GAPKIT_MM_EDGEGAP_LIMITS
        limits_note="gapkit's Edgegap limits: the matchmaker's shipped defaults (SHIPPED_LIMITS=1)"
    else
        export GAPKIT_MM_EDGEGAP_LIMITS=${GAPKIT_MM_EDGEGAP_LIMITS-sessions=off,deployments=off,status=off,context=off,apps=off}
        limits_note="gapkit's Edgegap limits: GAPKIT_MM_EDGEGAP_LIMITS=$GAPKIT_MM_EDGEGAP_LIMITS (the simulator applies none)"
    fi
}
