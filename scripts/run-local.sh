#!/usr/bin/env bash
# Runs the whole gapkit stack on this machine: nats-server (TLS, JetStream, one user per role; or a
# JetStream cluster of several on loopback, NATS_CLUSTER=3),
# edgegap-sim (the local Edgegap API, which starts spaceships-server processes as deployments of
# app `spaceships` version `1`), the matchmaker and httpd. `make run` calls this after building.
# Ctrl-C stops everything.
#
# State (certificates, passwords, keys, JetStream, rendered configs, logs) lives in .state/
# (git-ignored) and is created on the first run. Ports and folders can be changed through the
# environment:
#   NATS_PORT (4222)  SIM_PORT (8090)  HTTPD_PORT (3000)  MM_METRICS_PORT (9100)
#   NATS_CLUSTER (1): how many nats-server nodes; 3 (up to 5) runs a JetStream cluster on loopback
#   (routes over TLS, a store per node in .state/nats/node-<n>/), and every component gets all
#   the nodes in NATS_HOST; the buckets then get 3 replicas (the bus's NATS_REPLICAS=auto)
#   NATS_PORTS (NATS_PORT NATS_PORT+1 ...): the nodes' client ports, space-separated (the first
#   replaces NATS_PORT)   NATS_ROUTE_PORTS (6222 6223 ...): the nodes' route ports (cluster only)
#   GAPKIT_STATE_DIR (.state)  GAPKIT_BIN_DIR (build/bin; tests pass their own build's)
#   GAPKIT_HTTPD_WEB_ROOT (GAPKIT_BIN_DIR/../web-root when that exists: the web root the build
#   assembles, with gapkit.js and the spaceships page at /play/; else httpd's own test page)
#   SIM_EMPTY_TTL_SECONDS (30): how long an empty deployment lives before the simulator stops it
#   SIM_CONFIG (deploy/local/edgegap-sim.json.in rendered into the state folder), with
#   GAME (spaceships) and GAME_VERSION (1) naming the app the matchmaker serves, and
#   GAME_SERVER (spaceships-server) the program the simulator runs for it: a name (beside
#   gapkit-edgegap-sim first, then on PATH) or an absolute path, as a game of your own does
#   (templates/game/README.md); GAME=enet-chat GAME_SERVER=enet-chat-server runs examples/enet-chat
#   NATS_EXTRA_USERS (none): more `{ user: ..., password: ..., permissions: ... },` entries for
#   the NATS users list (the load benchmark adds its own)
#   The matchmaker and httpd also read their own GAPKIT_MM_* and GAPKIT_HTTPD_* variables.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
bin=${GAPKIT_BIN_DIR:-$root/build/bin}
if [ -z "${GAPKIT_HTTPD_WEB_ROOT:-}" ] && [ -f "$bin/../web-root/index.html" ]; then
    GAPKIT_HTTPD_WEB_ROOT=$(cd "$bin/../web-root" && pwd)
fi
web_root=${GAPKIT_HTTPD_WEB_ROOT:-}
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
GAME_SERVER=${GAME_SERVER:-spaceships-server}
PROTOCOL_ID=${PROTOCOL_ID:-80085}
NATS_CLUSTER=${NATS_CLUSTER:-1}
if ! [[ $NATS_CLUSTER =~ ^[1-5]$ ]]; then
    echo "NATS_CLUSTER must be 1..5 (nodes), not '$NATS_CLUSTER'" >&2
    exit 2
fi
read -r -a nats_ports <<<"${NATS_PORTS:-$(seq -s ' ' "$NATS_PORT" $((NATS_PORT + NATS_CLUSTER - 1)))}"
read -r -a route_ports <<<"${NATS_ROUTE_PORTS:-$(seq -s ' ' 6222 $((6222 + NATS_CLUSTER - 1)))}"
if ((${#nats_ports[@]} != NATS_CLUSTER || ${#route_ports[@]} != NATS_CLUSTER)); then
    echo "NATS_PORTS and NATS_ROUTE_PORTS must list $NATS_CLUSTER ports each (NATS_CLUSTER)" >&2
    exit 2
fi
NATS_PORT=${nats_ports[0]}
nats_host=$(printf '127.0.0.1:%s,' "${nats_ports[@]}")
nats_host=${nats_host%,}

say() { printf '\033[1m[run]\033[0m %s\n' "$*"; }

secret() {  # secret <file>: a random secret kept across runs
    [ -s "$1" ] || (umask 077 && openssl rand -hex 24 > "$1")
    cat "$1"
}

make_state() {
    mkdir -p "$state/nats" "$state/logs/deployments" "$state/secrets"
    chmod 700 "$state/secrets"
    if [ ! -s "$state/nats/server.pem" ]; then
        say "creating a private CA and the NATS server certificate in $state/ca"
        CAROOT="$state/ca" mkcert -cert-file "$state/nats/server.pem" -key-file "$state/nats/server-key.pem" \
            localhost 127.0.0.1 >/dev/null 2>&1
    fi
    [ -s "$state/secrets/private_key" ] || (umask 077 && openssl rand -hex 32 > "$state/secrets/private_key")
    if ((NATS_CLUSTER > 1)) && [ ! -s "$state/nats/route.pem" ]; then
        # Routes need a certificate that may also authenticate a client: the node that dials a
        # route presents it, and nats-server verifies it as a client certificate.
        say "creating the NATS route certificate (client and server use) in $state/nats"
        CAROOT="$state/ca" mkcert -client -cert-file "$state/nats/route.pem" -key-file "$state/nats/route-key.pem" \
            localhost 127.0.0.1 >/dev/null 2>&1
    fi
    for ((node = 1; node <= NATS_CLUSTER; node++)); do render_nats_config "$node"; done
    render_sim_config
}

nats_dir() {  # nats_dir <node>: the node's config and store folder (one node: as before clusters)
    if ((NATS_CLUSTER == 1)); then echo "$state/nats"; else echo "$state/nats/node-$1"; fi
}

cluster_block() {  # cluster_block <node>: the one-line `cluster {}` of deploy/local/nats.conf.in
    ((NATS_CLUSTER > 1)) || return 0
    local routes
    routes=$(printf '"nats-route://127.0.0.1:%s", ' "${route_ports[@]}")
    printf 'cluster { name: gapkit-local, listen: "127.0.0.1:%s", routes: [%s], tls { cert_file: "%s", key_file: "%s", ca_file: "%s", timeout: 2 } }' \
        "${route_ports[$1 - 1]}" "${routes%, }" "$state/nats/route.pem" "$state/nats/route-key.pem" "$state/ca/rootCA.pem"
}

render_nats_config() {  # render_nats_config <node>: $(nats_dir <node>)/nats.conf
    local dir name=gapkit-local
    dir=$(nats_dir "$1")
    ((NATS_CLUSTER == 1)) || name=gapkit-local-$1
    mkdir -p "$dir/jetstream"
    sed -e "s|@STATE@|$state|g" -e "s|@NATS_PORT@|${nats_ports[$1 - 1]}|g" \
        -e "s|@NATS_NAME@|$name|" -e "s|@NATS_STORE@|$dir/jetstream|" -e "s|@NATS_CLUSTER@|$(cluster_block "$1")|" \
        -e "s|@MATCHMAKER_PASSWORD@|$(secret "$state/secrets/matchmaker")|" \
        -e "s|@HTTPD_PASSWORD@|$(secret "$state/secrets/httpd")|" \
        -e "s|@GAMESERVER_PASSWORD@|$(secret "$state/secrets/gameserver")|" \
        -e "s|@OPERATOR_PASSWORD@|$(secret "$state/secrets/operator")|" \
        -e "s|^  users: \\[$|&\n${NATS_EXTRA_USERS//$'\n'/\\n}|" \
        "$root/deploy/local/nats.conf.in" > "$dir/nats.conf"
    chmod 600 "$dir/nats.conf"
}

render_sim_config() {  # the game servers' environment holds the gameserver password and the key
    [ -z "$SIM_CONFIG" ] || return 0
    SIM_CONFIG="$state/edgegap-sim.json"
    # The template names one node, 127.0.0.1:@NATS_PORT@ (as tests render it); a cluster's game
    # servers get every node, so that one can start while any node is down.
    # Its app (spaceships, version 1, running spaceships-server) becomes GAME, GAME_VERSION and
    # GAME_SERVER; tests/chaos renders the template as it is, so it keeps spaceships' literal names.
    (umask 077 && sed -e "s|@STATE@|$state|g" -e "s|127\.0\.0\.1:@NATS_PORT@|$nats_host|g" -e "s|@NATS_PORT@|$NATS_PORT|g" \
        -e "s|@GAMESERVER_PASSWORD@|$(secret "$state/secrets/gameserver")|" \
        -e "s|@PRIVATE_KEY@|$(cat "$state/secrets/private_key")|" \
        -e "s|@PROTOCOL_ID@|$PROTOCOL_ID|" -e "s|@EMPTY_TTL_SECONDS@|$SIM_EMPTY_TTL_SECONDS|" \
        -e "s|\"name\": \"spaceships\"|\"name\": \"$GAME\"|" -e "s|\"name\": \"1\"|\"name\": \"$GAME_VERSION\"|" \
        -e "s|\"command\": \"spaceships-server\"|\"command\": \"$GAME_SERVER\"|" \
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
    echo "NATS_HOST=$nats_host NATS_USER=$1 NATS_PASSWORD=$(cat "$state/secrets/$1") NATS_CA=$state/ca/rootCA.pem"
}

operator_env() {  # the read-only operator's variables, its password by file so none is printed
    echo "NATS_HOST=$nats_host NATS_USER=operator NATS_PASSWORD_FILE=$state/secrets/operator NATS_CA=$state/ca/rootCA.pem"
}

# What gapctl needs to operate this stack, for `set -a; . .state/operator.env; set +a` (docs/operate.md):
# the read-only bus user (its password by file), the simulator's API, the app version and httpd.
write_operator_env() {
    cat > "$state/operator.env" <<EOT
NATS_HOST=$nats_host
NATS_USER=operator
NATS_PASSWORD_FILE=$state/secrets/operator
NATS_CA=$state/ca/rootCA.pem
EDGEGAP_BASE_URL=http://127.0.0.1:$SIM_PORT
EDGEGAP_API_KEY=devkey
GAPKIT_MM_APP_NAME=$GAME
GAPKIT_MM_APP_VERSION=$GAME_VERSION
GAPKIT_HTTPD_URL=http://127.0.0.1:$HTTPD_PORT
EOT
}

make_state
write_operator_env
trap 'stop_all; exit 0' INT TERM HUP
trap stop_all EXIT
# A closed terminal or pipe (`make run | tee log` after Ctrl-C killed tee) must not kill the script
# half way through stopping: the components run in their own sessions and would be left behind.
trap '' PIPE

wait_meta_leader() {  # until every node's log names the JetStream meta leader (buckets can be made)
    for _ in $(seq 1 300); do
        local waiting=0
        for ((node = 1; node <= NATS_CLUSTER; node++)); do
            grep -q "metadata leader" "$state/logs/nats-$node.log" 2>/dev/null || waiting=1
        done
        ((waiting)) || return 0
        sleep 0.1
    done
    say "the NATS cluster elected no JetStream meta leader in 30 s; see $state/logs/nats-*.log"
    exit 1
}

if ((NATS_CLUSTER == 1)); then
    start nats-server nats-server -c "$state/nats/nats.conf"
    wait_port nats-server "$NATS_PORT"
else
    for ((node = 1; node <= NATS_CLUSTER; node++)); do
        start "nats-$node" nats-server -c "$(nats_dir "$node")/nats.conf"
    done
    for ((node = 1; node <= NATS_CLUSTER; node++)); do wait_port "nats-$node" "${nats_ports[node - 1]}"; done
    wait_meta_leader
    say "NATS cluster of $NATS_CLUSTER nodes up: $nats_host"
fi

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

start httpd $(nats_env httpd) GAPKIT_HTTPD_WEBHOOK_SECRET="$webhook_secret" GAPKIT_HTTPD_WEB_ROOT="$web_root" \
    "$bin/gapkit-httpd" --bind 127.0.0.1 --port "$HTTPD_PORT" --allow-client-ip-override \
    --fake-ip 81.128.157.100
wait_port httpd "$HTTPD_PORT"

if [ -f "$web_root/play/index.html" ]; then
    play_line="  Play in the browser (Chromium):  http://127.0.0.1:$HTTPD_PORT/play/"
else
    play_line="  (no browser game: build the web root, make build, for http://127.0.0.1:$HTTPD_PORT/play/)"
fi
cat <<EOT

  gapkit is running locally.
    Test page (click "Find a server"):  http://127.0.0.1:$HTTPD_PORT/
    Matchmaker WebSocket:               ws://127.0.0.1:$HTTPD_PORT/matchmaker/ws
    Edgegap simulator (live state):     http://127.0.0.1:$SIM_PORT/   (game server logs: $state/logs/deployments/)
    Matchmaker metrics:                 http://127.0.0.1:$MM_METRICS_PORT/metrics
    Check the bus:                      env $(nats_env httpd | sed 's/NATS_PASSWORD=[^ ]*/NATS_PASSWORD=.../') $bin/gapctl nats-check
    Read-only bus user (operator):      env $(operator_env) $bin/gapctl nats-check
    Operate it (docs/operate.md):       set -a; . $state/operator.env; set +a; $bin/gapctl status
  Game '$GAME' version '$GAME_VERSION', protocol id $PROTOCOL_ID, key in $state/secrets/private_key.

  Play:   $bin/spaceships-client --matchmaker ws://127.0.0.1:$HTTPD_PORT/matchmaker/ws
$play_line
  A bot:  $bin/spaceships-bot --matchmaker ws://127.0.0.1:$HTTPD_PORT/matchmaker/ws --seconds 30
  Press Ctrl-C to stop everything.

EOT
# Any component that dies takes the stack down, so a broken run is never mistaken for a working one;
# except a node of a NATS cluster (the first pids), whose loss the cluster is there to survive: kill
# one (kill -9 <pid of nats-2>) to watch the others carry on.
first_watched=0
((NATS_CLUSTER == 1)) || first_watched=$NATS_CLUSTER
wait -n "${pids[@]:first_watched}" || true
say "a component exited; see $state/logs"
exit 1
