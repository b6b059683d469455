#!/usr/bin/env bash
# Runs the whole gapkit stack on this machine: nats-server (TLS, JetStream, one user per role),
# edgegap-sim (the local Edgegap API, which starts spaceships-server processes as deployments of
# app `spaceships` version `1`), the matchmaker and httpd. `make run` calls this after building.
# Ctrl-C stops everything.
#
# State (certificates, passwords, keys, JetStream, rendered configs, logs) lives in .state/
# (git-ignored) and is created on the first run. Ports and folders can be changed through the
# environment:
#   NATS_PORT (4222)  SIM_PORT (8090)  HTTPD_PORT (3000)  MM_METRICS_PORT (9100)
#   GAPKIT_STATE_DIR (.state)  GAPKIT_BIN_DIR (build/bin; tests pass their own build's)
#   SIM_EMPTY_TTL_SECONDS (30): how long an empty deployment lives before the simulator stops it
#   SIM_CONFIG (deploy/local/edgegap-sim.json.in rendered into the state folder), with
#   GAME (spaceships) and GAME_VERSION (1) naming the app the matchmaker serves
#   NATS_EXTRA_USERS (none): more `{ user: ..., password: ..., permissions: ... },` entries for
#   the NATS users list (the load benchmark adds its own)
#   The matchmaker and httpd also read their own GAPKIT_MM_* and GAPKIT_HTTPD_* variables.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
bin=${GAPKIT_BIN_DIR:-$root/build/bin}
state=${GAPKIT_STATE_DIR:-$root/.state}
NATS_PORT=${NATS_PORT:-4222}
SIM_PORT=${SIM_PORT:-8090}
HTTPD_PORT=${HTTPD_PORT:-3000}
MM_METRICS_PORT=${MM_METRICS_PORT:-9100}
SIM_CONFIG=${SIM_CONFIG:-}
SIM_EMPTY_TTL_SECONDS=${SIM_EMPTY_TTL_SECONDS:-30}
NATS_EXTRA_USERS=${NATS_EXTRA_USERS:-}
GAME=${GAME:-spaceships}
GAME_VERSION=${GAME_VERSION:-1}
PROTOCOL_ID=${PROTOCOL_ID:-80085}

say() { printf '\033[1m[run]\033[0m %s\n' "$*"; }

secret() {  # secret <file>: a random secret kept across runs
    [ -s "$1" ] || (umask 077 && openssl rand -hex 24 > "$1")
    cat "$1"
}

make_state() {
    mkdir -p "$state/nats/jetstream" "$state/logs/deployments" "$state/secrets"
    chmod 700 "$state/secrets"
    if [ ! -s "$state/nats/server.pem" ]; then
        say "creating a private CA and the NATS server certificate in $state/ca"
        CAROOT="$state/ca" mkcert -cert-file "$state/nats/server.pem" -key-file "$state/nats/server-key.pem" \
            localhost 127.0.0.1 >/dev/null 2>&1
    fi
    [ -s "$state/secrets/private_key" ] || (umask 077 && openssl rand -hex 32 > "$state/secrets/private_key")
    sed -e "s|@STATE@|$state|g" -e "s|@NATS_PORT@|$NATS_PORT|g" \
        -e "s|@MATCHMAKER_PASSWORD@|$(secret "$state/secrets/matchmaker")|" \
        -e "s|@HTTPD_PASSWORD@|$(secret "$state/secrets/httpd")|" \
        -e "s|@GAMESERVER_PASSWORD@|$(secret "$state/secrets/gameserver")|" \
        -e "s|@OPERATOR_PASSWORD@|$(secret "$state/secrets/operator")|" \
        -e "s|^  users: \\[$|&\n${NATS_EXTRA_USERS//$'\n'/\\n}|" \
        "$root/deploy/local/nats.conf.in" > "$state/nats/nats.conf"
    chmod 600 "$state/nats/nats.conf"
    render_sim_config
}

render_sim_config() {  # the game servers' environment holds the gameserver password and the key
    [ -z "$SIM_CONFIG" ] || return 0
    SIM_CONFIG="$state/edgegap-sim.json"
    (umask 077 && sed -e "s|@STATE@|$state|g" -e "s|@NATS_PORT@|$NATS_PORT|g" \
        -e "s|@GAMESERVER_PASSWORD@|$(secret "$state/secrets/gameserver")|" \
        -e "s|@PRIVATE_KEY@|$(cat "$state/secrets/private_key")|" \
        -e "s|@PROTOCOL_ID@|$PROTOCOL_ID|" -e "s|@EMPTY_TTL_SECONDS@|$SIM_EMPTY_TTL_SECONDS|" \
        "$root/deploy/local/edgegap-sim.json.in" > "$SIM_CONFIG")
}

pids=()
stop_all() {
    trap - INT TERM EXIT
    say "stopping"
    # Newest first and one at a time, so each component still has the bus while it shuts down.
    for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
        kill -TERM "${pids[i]}" 2>/dev/null || true
        wait "${pids[i]}" 2>/dev/null || true
    done
    say "stopped; logs are in $state/logs"
}

start() {  # start <name> [VAR=value...] <command...>: runs it in the background, logs to .state/logs/<name>.log
    local name=$1
    shift
    # Variables are exported in a subshell rather than passed to env(1), so no password ever shows
    # in a process list. setsid: Ctrl-C reaches only this script, which then stops the stack in order.
    (
        while [[ $# -gt 0 && $1 == [A-Z_]*=* ]]; do export "$1"; shift; done
        exec setsid "$@" > "$state/logs/$name.log" 2>&1 < /dev/null
    ) &
    pids+=($!)
    say "$name started (pid $!, log $state/logs/$name.log)"
}

wait_port() {  # wait_port <name> <port>
    for _ in $(seq 1 100); do
        (exec 3<>"/dev/tcp/127.0.0.1/$2") 2>/dev/null && return 0
        sleep 0.1
    done
    say "$1 did not open port $2; see $state/logs/$1.log"
    tail -n 20 "$state/logs/$1.log" >&2
    exit 1
}

nats_env() {  # nats_env <user>
    echo "NATS_HOST=127.0.0.1:$NATS_PORT NATS_USER=$1 NATS_PASSWORD=$(cat "$state/secrets/$1") NATS_CA=$state/ca/rootCA.pem"
}

operator_env() {  # the read-only operator's variables, its password by file so none is printed
    echo "NATS_HOST=127.0.0.1:$NATS_PORT NATS_USER=operator NATS_PASSWORD_FILE=$state/secrets/operator NATS_CA=$state/ca/rootCA.pem"
}

make_state
trap 'stop_all; exit 0' INT TERM HUP
trap stop_all EXIT
# A closed terminal or pipe (`make run | tee log` after Ctrl-C killed tee) must not kill the script
# half way through stopping: the components run in their own sessions and would be left behind.
trap '' PIPE

start nats-server nats-server -c "$state/nats/nats.conf"
wait_port nats-server "$NATS_PORT"

start edgegap-sim EDGEGAP_SIM_API_KEY=devkey "$bin/gapkit-edgegap-sim" --config "$SIM_CONFIG" \
    --bind 127.0.0.1 --port "$SIM_PORT" --log-dir "$state/logs/deployments"
wait_port edgegap-sim "$SIM_PORT"

webhook_secret=$(secret "$state/secrets/webhook")
start matchmaker $(nats_env matchmaker) EDGEGAP_API_KEY=devkey \
    GAPKIT_PRIVATE_KEY_FILE="$state/secrets/private_key" \
    GAPKIT_MM_WEBHOOK_BASE_URL="http://127.0.0.1:$HTTPD_PORT/edgegap/webhook" GAPKIT_MM_WEBHOOK_SECRET="$webhook_secret" \
    "$bin/gapkit-matchmaker" --app-name "$GAME" --app-version "$GAME_VERSION" \
    --lightyear-protocol-id "$PROTOCOL_ID" --edgegap-base-url "http://127.0.0.1:$SIM_PORT" \
    --metrics-port "$MM_METRICS_PORT"

start httpd $(nats_env httpd) GAPKIT_HTTPD_WEBHOOK_SECRET="$webhook_secret" \
    "$bin/gapkit-httpd" --bind 127.0.0.1 --port "$HTTPD_PORT" --allow-client-ip-override \
    --fake-ip 81.128.157.100
wait_port httpd "$HTTPD_PORT"

cat <<EOT

  gapkit is running locally.
    Test page (click "Find a server"):  http://127.0.0.1:$HTTPD_PORT/
    Matchmaker WebSocket:               ws://127.0.0.1:$HTTPD_PORT/matchmaker/ws
    Edgegap simulator (live state):     http://127.0.0.1:$SIM_PORT/   (game server logs: $state/logs/deployments/)
    Matchmaker metrics:                 http://127.0.0.1:$MM_METRICS_PORT/metrics
    Check the bus:                      env $(nats_env httpd | sed 's/NATS_PASSWORD=[^ ]*/NATS_PASSWORD=.../') $bin/gapctl nats-check
    Read-only bus user (operator):      env $(operator_env) $bin/gapctl nats-check
  Game '$GAME' version '$GAME_VERSION', protocol id $PROTOCOL_ID, key in $state/secrets/private_key.

  Play:   $bin/spaceships-client --matchmaker ws://127.0.0.1:$HTTPD_PORT/matchmaker/ws
  A bot:  $bin/spaceships-bot --matchmaker ws://127.0.0.1:$HTTPD_PORT/matchmaker/ws --seconds 30
  Press Ctrl-C to stop everything.

EOT
# Any component that dies takes the stack down, so a broken run is never mistaken for a working one.
wait -n "${pids[@]}" || true
say "a component exited; see $state/logs"
exit 1
