#!/usr/bin/env bash
# Runs one command against a private copy of the local stack, then stops the stack:
#
#   GAPKIT_BIN_DIR=build/bin scripts/with-local-stack.sh <command> [args...]
#
# Starts scripts/run-local.sh on free ports with its state in a new folder, waits until httpd is
# ready and the matchmaker serves requests, runs the command with these variables exported, stops
# the stack in order and exits with the command's exit code (1 when the stack did not come up):
#   MATCHMAKER_URL   ws://127.0.0.1:<port>/matchmaker/ws
#   GAPKIT_HTTPD_URL http://127.0.0.1:<port>/
#   GAPKIT_SIM_URL   http://127.0.0.1:<port>   (API key: GAPKIT_SIM_API_KEY=devkey)
#   GAPKIT_STATE_DIR the stack's state folder (logs in logs/, game server logs in logs/deployments/)
#   NATS_HOSTS       127.0.0.1:<port>[,...]: every NATS node, for NATS_HOST (CA:
#                    $GAPKIT_STATE_DIR/ca/rootCA.pem; passwords in $GAPKIT_STATE_DIR/secrets/)
# Variables it reads: GAPKIT_BIN_DIR (default build/bin), GAPKIT_STATE_DIR (default a new temp
# folder, removed afterwards unless the command failed), NATS_CLUSTER (default 1; 3: a 3-node
# NATS cluster, each node on its own free client and route port), SIM_EMPTY_TTL_SECONDS and the
# other settings of run-local.sh. Tests use it; so can anyone who wants a throw-away stack.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
readonly kReadySeconds=60

say() { echo "[with-local-stack] $*" >&2; }

if [ $# -eq 0 ]; then
    sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
fi

export GAPKIT_BIN_DIR=${GAPKIT_BIN_DIR:-$root/build/bin}
state_was_given=${GAPKIT_STATE_DIR:+yes}
export GAPKIT_STATE_DIR=${GAPKIT_STATE_DIR:-$(mktemp -d /tmp/gapkit-stack-XXXXXX)}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Below Linux's ephemeral range (32768-60999), which the kernel hands to every bind(0) and outgoing
# connection of whatever else runs: a port found free there can be taken before the stack binds it.
pick_ports() {  # pick_ports <n>: n distinct TCP ports nobody listens on right now
    local picked=()
    while ((${#picked[@]} < $1)); do
        local port=$((20000 + RANDOM % 12000))
        [[ " ${picked[*]} " == *" $port "* ]] || port_in_use "$port" || picked+=("$port")
    done
    echo "${picked[@]}"
}

http_status() {  # http_status <port> <path>: the status code of a plain HTTP GET, or 000
    local status=000
    if { exec 3<>"/dev/tcp/127.0.0.1/$1"; } 2>/dev/null; then
        printf 'GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' "$2" >&3
        read -r -t 5 _ status _ <&3 || status=000
        exec 3<&-
    fi
    echo "$status"
}

stack_pid=
command_pid=
stop_stack() {
    [ -n "$command_pid" ] && kill -TERM "$command_pid" 2>/dev/null
    [ -n "$stack_pid" ] || return 0
    kill -TERM "$stack_pid" 2>/dev/null || true  # run-local.sh stops its components in order
    wait "$stack_pid" 2>/dev/null || true
    stack_pid=
}

show_logs() {
    for log in "$GAPKIT_STATE_DIR/run-local.log" "$GAPKIT_STATE_DIR"/logs/*.log "$GAPKIT_STATE_DIR"/logs/deployments/*.log; do
        [ -f "$log" ] && { say "---- $log (last 30 lines)"; tail -n 30 "$log" >&2; }
    done
    return 0
}

wait_until_serving() {
    local deadline=$((SECONDS + kReadySeconds))
    while ((SECONDS < deadline)); do
        kill -0 "$stack_pid" 2>/dev/null || { say "the local stack exited during start-up"; return 1; }
        if [ "$(http_status "$HTTPD_PORT" /readyz)" = 200 ] &&
            grep -q "serving matchmaker.request" "$GAPKIT_STATE_DIR/logs/matchmaker.log" 2>/dev/null; then
            return 0
        fi
        sleep 0.2
    done
    say "the local stack was not ready within $kReadySeconds s"
    return 1
}

export NATS_CLUSTER=${NATS_CLUSTER:-1}
[[ $NATS_CLUSTER =~ ^[1-5]$ ]] || { say "NATS_CLUSTER must be 1..5, not '$NATS_CLUSTER'"; exit 2; }
# A client port and a route port per NATS node, then the simulator's, httpd's and the metrics'.
read -r -a ports <<<"$(pick_ports $((2 * NATS_CLUSTER + 3)))"
NATS_PORTS="${ports[*]:0:NATS_CLUSTER}"
NATS_ROUTE_PORTS="${ports[*]:NATS_CLUSTER:NATS_CLUSTER}"
read -r SIM_PORT HTTPD_PORT MM_METRICS_PORT <<<"${ports[*]:2*NATS_CLUSTER}"
NATS_PORT=${ports[0]}
NATS_HOSTS=$(printf '127.0.0.1:%s,' $NATS_PORTS)
export NATS_PORT NATS_PORTS NATS_ROUTE_PORTS NATS_HOSTS=${NATS_HOSTS%,} SIM_PORT HTTPD_PORT MM_METRICS_PORT
trap stop_stack EXIT
trap 'exit 143' TERM  # a signal must still run the EXIT trap, or the stack outlives the command
trap 'exit 130' INT
mkdir -p "$GAPKIT_STATE_DIR"
"$root/scripts/run-local.sh" >"$GAPKIT_STATE_DIR/run-local.log" 2>&1 &
stack_pid=$!
say "local stack starting (httpd on $HTTPD_PORT, state in $GAPKIT_STATE_DIR)"
wait_until_serving || { show_logs; exit 1; }

export MATCHMAKER_URL="ws://127.0.0.1:$HTTPD_PORT/matchmaker/ws"
export GAPKIT_HTTPD_URL="http://127.0.0.1:$HTTPD_PORT/" GAPKIT_SIM_URL="http://127.0.0.1:$SIM_PORT"
export GAPKIT_SIM_API_KEY=devkey  # edgegap-sim's fixed development key in run-local.sh
# In the background, because bash runs a trap only once a foreground command has finished: a
# SIGTERM (a CTest timeout) must stop the stack now, not after the command ends by itself.
"$@" &
command_pid=$!
status=0
wait "$command_pid" || status=$?
command_pid=
stop_stack
if ((status != 0)); then
    say "the command exited with $status"
    show_logs
    say "state kept in $GAPKIT_STATE_DIR"
elif [ -z "$state_was_given" ]; then
    rm -rf "$GAPKIT_STATE_DIR"
fi
exit "$status"
