#!/usr/bin/env bash
# The local stack as a 3-node NATS cluster (NATS_CLUSTER=3 scripts/with-local-stack.sh): every
# role logs in through the node list, the session buckets and the delete queue are stored on all
# three nodes (3 replicas), a bot gets a game, and after a SIGKILL of the node the matchmaker is
# connected to, a second bot still gets one.
# Skips (77) without nats-server or mkcert.
# Usage: cluster_test.sh <bin dir with gapctl, gapkit-matchmaker, gapkit-httpd, gapkit-edgegap-sim,
#        spaceships-server, spaceships-bot>
set -euo pipefail

bin=$(cd "$1" && pwd)
root=$(cd "$(dirname "$0")/../.." && pwd)
source "$root/deploy/test-lib.sh"
require_tools nats-server mkcert

# Run by with-local-stack.sh with the stack up (NATS_HOSTS, GAPKIT_STATE_DIR, MATCHMAKER_URL).
check_stack() {
    set -euo pipefail
    local state=$GAPKIT_STATE_DIR role stream node pid victim
    for role in httpd operator; do
        NATS_HOST=$NATS_HOSTS NATS_USER=$role NATS_PASSWORD_FILE=$state/secrets/$role \
            NATS_CA=$state/ca/rootCA.pem "$bin/gapctl" nats-check > "$state/logs/nats-check-$role.log" 2>&1 ||
            { echo "FAIL: gapctl nats-check as $role"; cat "$state/logs/nats-check-$role.log"; return 1; }
    done
    grep -q "get 3 replica(s)" "$state/logs/matchmaker.log" || { echo "FAIL: the matchmaker did not pick 3 replicas"; return 1; }
    # An R3 stream has its folder in every node's store; an R1 stream in one only.
    for stream in KV_sessions_eg2ly KV_unclaimed_sessions KV_active_connections edgegap_delete_session_q; do
        for node in 1 2 3; do
            [ -d "$state/nats/node-$node/jetstream/jetstream/\$G/streams/$stream" ] ||
                { echo "FAIL: $stream is not stored on node $node (not 3 replicas)"; return 1; }
        done
    done
    "$bin/spaceships-bot" --seconds 1 --timeout-seconds 30 --quiet || { echo "FAIL: no game with 3 nodes"; return 1; }
    # The node the matchmaker is on: the one its last "connected to" line names.
    victim=$(grep -o "connected to nats://127.0.0.1:[0-9]*" "$state/logs/matchmaker.log" | tail -n 1 | grep -o "[0-9]*$")
    for node in 1 2 3; do
        grep -q "Listening for client connections on 127.0.0.1:$victim" "$state/logs/nats-$node.log" 2>/dev/null || continue
        pid=$(head -n 1 "$state/logs/nats-$node.log" | grep -o "^\[[0-9]*\]" | tr -d '[]')
        echo "killing nats-$node (pid $pid, port $victim), the matchmaker's node"
        kill -9 "$pid"
    done
    [ -n "${pid:-}" ] || { echo "FAIL: no node listens on the matchmaker's port '$victim'"; return 1; }
    # The streams led by the lost node refuse writes ("no responders") until the two left elect new
    # leaders (4-6 s in our runs); a player asking then gets a quick error, a later one a game.
    local attempt
    for attempt in 1 2 3 4 5 6; do
        "$bin/spaceships-bot" --seconds 1 --timeout-seconds 20 --quiet && break
        ((attempt < 6)) || { echo "FAIL: no game with 2 of 3 nodes"; return 1; }
        sleep 2
    done
    grep -q "reconnected to" "$state/logs/matchmaker.log" || { echo "FAIL: the matchmaker did not reconnect"; return 1; }
    echo "OK: 3 replicas, a game with 3 nodes and one with 2"
}
export -f check_stack
export bin

NATS_CLUSTER=3 GAPKIT_BIN_DIR=$bin "$root/scripts/with-local-stack.sh" bash -c check_stack
