#!/usr/bin/env bash
# The matchmaking load benchmark: brings up the whole stack on loopback (nats-server with TLS and
# per-role users, edgegap-sim with instant readiness, matchmaker, httpd with limits opened up for
# one IP), runs gapkit-loadgen at several concurrency levels with the bus floor measured in the
# same run, and tears everything down. Results go to stdout; docs/benchmarks.md has a recorded run.
#
#   tools/loadgen/run-benchmark.sh [extra gapkit-loadgen flags, e.g. --json]
#
# Environment: BIN (build/bin) holding the gapkit binaries, CONCURRENCY (1,8,32), REQUESTS per
# level (200), NATS_PORT (14222), SIM_PORT (18090), HTTPD_PORT (13000), MM_METRICS_PORT (19100),
# KEEP_STATE=1 to keep the state folder (logs, certificates) instead of deleting it.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${BIN:-$root/build/bin}
CONCURRENCY=${CONCURRENCY:-1,8,32}
REQUESTS=${REQUESTS:-200}
NATS_PORT=${NATS_PORT:-14222}
SIM_PORT=${SIM_PORT:-18090}
HTTPD_PORT=${HTTPD_PORT:-13000}
MM_METRICS_PORT=${MM_METRICS_PORT:-19100}
state=$(mktemp -d /tmp/gapkit-loadgen.XXXXXX)

say() { printf '[bench] %s\n' "$*" >&2; }

secret() {  # secret <name>: a random secret for this run, in the state folder
    [ -s "$state/secrets/$1" ] || (umask 077 && openssl rand -hex 24 > "$state/secrets/$1")
    cat "$state/secrets/$1"
}

# The local stack's NATS configuration plus a `loadgen` user for the bus floor's own subject.
make_nats_config() {
    mkdir -p "$state/nats/jetstream" "$state/logs" "$state/secrets"
    CAROOT="$state/ca" mkcert -cert-file "$state/nats/server.pem" -key-file "$state/nats/server-key.pem" \
        localhost 127.0.0.1 >/dev/null 2>&1
    local loadgen_user
    loadgen_user="    { user: loadgen, password: \"$(secret loadgen)\", permissions: {"
    loadgen_user+=" publish: [\"gapkit.loadgen.>\", \"_INBOX.>\"], subscribe: [\"gapkit.loadgen.>\", \"_INBOX.>\"] } },"
    sed -e "s|@STATE@|$state|g" -e "s|@NATS_PORT@|$NATS_PORT|g" \
        -e "s|@MATCHMAKER_PASSWORD@|$(secret matchmaker)|" \
        -e "s|@HTTPD_PASSWORD@|$(secret httpd)|" \
        -e "s|@GAMESERVER_PASSWORD@|$(secret gameserver)|" \
        -e "s|^  users: \[$|&\n$loadgen_user|" \
        "$root/deploy/local/nats.conf.in" > "$state/nats/nats.conf"
    chmod 600 "$state/nats/nats.conf"
}

pids=()
stop_all() {
    trap - INT TERM EXIT
    # Newest first, so each component still has the bus while it shuts down.
    for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
        kill -TERM "${pids[i]}" 2>/dev/null || true
        wait "${pids[i]}" 2>/dev/null || true
    done
    if [ "${KEEP_STATE:-0}" = 1 ]; then say "state and logs kept in $state"; else rm -rf "$state"; fi
}

# Secrets reach the programs through the environment (prefix assignments on `start`), never argv.
start() {  # start <name> <command...>: in the background, output to <state>/logs/<name>.log
    local name=$1
    shift
    setsid "$@" > "$state/logs/$name.log" 2>&1 < /dev/null &
    pids+=($!)
}

wait_port() {  # wait_port <name> <port>
    for _ in $(seq 1 100); do
        (exec 3<>"/dev/tcp/127.0.0.1/$2") 2>/dev/null && return 0
        sleep 0.1
    done
    say "$1 did not open port $2:"
    tail -n 20 "$state/logs/$1.log" >&2
    exit 1
}


trap stop_all EXIT
trap 'exit 130' INT TERM
# A port already taken would make wait_port see someone else's server (e.g. a previous run's).
for port in "$NATS_PORT" "$SIM_PORT" "$HTTPD_PORT" "$MM_METRICS_PORT"; do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then say "port $port is in use; set the *_PORT variables"; exit 1; fi
done
for program in gapkit-edgegap-sim gapkit-sim-echo-server gapkit-matchmaker gapkit-httpd gapkit-loadgen; do
    [ -x "$BIN/$program" ] || { say "$BIN/$program is missing; build it first (make build)"; exit 1; }
done
make_nats_config
(umask 077 && openssl rand -hex 32 > "$state/secrets/private_key")
export NATS_HOST=127.0.0.1:$NATS_PORT NATS_CA=$state/ca/rootCA.pem

start nats-server nats-server -c "$state/nats/nats.conf"
wait_port nats-server "$NATS_PORT"
EDGEGAP_SIM_API_KEY=devkey start edgegap-sim "$BIN/gapkit-edgegap-sim" \
    --config "$root/tools/loadgen/echo-instant.json" --bind 127.0.0.1 --port "$SIM_PORT" --log-dir "$state/logs"
wait_port edgegap-sim "$SIM_PORT"
webhook_secret=$(secret webhook)
NATS_USER=matchmaker NATS_PASSWORD=$(secret matchmaker) EDGEGAP_API_KEY=devkey \
    GAPKIT_PRIVATE_KEY_FILE="$state/secrets/private_key" start matchmaker "$BIN/gapkit-matchmaker" \
    --app-name echo --app-version 1 --lightyear-protocol-id 80085 \
    --edgegap-base-url "http://127.0.0.1:$SIM_PORT" \
    --webhook-base-url "http://127.0.0.1:$HTTPD_PORT/edgegap/webhook/$webhook_secret" \
    --max-concurrent-sessions 1024 --metrics-bind 127.0.0.1 --metrics-port "$MM_METRICS_PORT"
wait_port matchmaker "$MM_METRICS_PORT"
# All load comes from 127.0.0.1, so the per-IP limits are opened up to the global ones.
NATS_USER=httpd NATS_PASSWORD=$(secret httpd) GAPKIT_HTTPD_WEBHOOK_SECRET="$webhook_secret" \
    start httpd "$BIN/gapkit-httpd" --bind 127.0.0.1 --port "$HTTPD_PORT" --allow-client-ip-override \
    --fake-ip 81.128.157.100 --per-ip-requests-per-minute 1000000 --per-ip-burst 100000 \
    --per-ip-max-connections 10000 --max-in-flight 10000
wait_port httpd "$HTTPD_PORT"

say "stack up (state in $state); load: concurrency $CONCURRENCY, $REQUESTS requests per level"
NATS_USER=loadgen NATS_PASSWORD=$(secret loadgen) "$BIN/gapkit-loadgen" --url "ws://127.0.0.1:$HTTPD_PORT/matchmaker/ws" \
    --game echo --version 1 --concurrency "$CONCURRENCY" --requests "$REQUESTS" --bus-floor "$@"
