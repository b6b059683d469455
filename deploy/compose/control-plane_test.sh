#!/usr/bin/env bash
# A rehearsal of the deployment without Docker or Edgegap: the control plane as compose.yaml
# configures it (nats-server with deploy/nats/nats.conf and the rendered users, certificates from
# make-certs.sh; matchmaker and httpd with compose.yaml's variables), edgegap-sim standing in for
# Edgegap with the app version of docs/deploy.md (no NATS_CA: the CA reaches the game servers only
# through the arguments set by `gapctl set-ca-argument`), and a spaceships-bot that must get a game.
# Skips (77) without nats-server, mkcert or curl. KEEP_WORK=1 keeps the work folder (logs, configs).
# Usage: control-plane_test.sh <bin dir with gapkit-matchmaker, gapkit-httpd, gapkit-edgegap-sim,
#        spaceships-server, spaceships-bot, gapctl>
set -euo pipefail

bin=$1
here=$(cd "$(dirname "$0")" && pwd)
deploy=$(dirname "$here")
source "$deploy/test-lib.sh"
require_tools nats-server mkcert curl

work=$(mktemp -d)
pids=()
cleanup() {
    local status=$?
    for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
        kill "${pids[i]}" 2>/dev/null || true
        wait "${pids[i]}" 2>/dev/null || true
    done
    if [[ $status -ne 0 ]]; then
        for log in "$work"/*.log "$work"/deployments/*.log; do
            [[ -f $log ]] && { echo "== $log"; tail -n 30 "$log"; }
        done
    fi
    [[ -n ${KEEP_WORK:-} ]] && echo "kept $work" || rm -rf "$work"
}
trap cleanup EXIT

start() {  # start <name> <command...>: in the background, output in $work/<name>.log
    local name=$1
    shift
    "$@" > "$work/$name.log" 2>&1 &
    pids+=($!)
}

# .env, as an operator fills it in.
export GAPKIT_NATS_MATCHMAKER_PASSWORD=m$RANDOM$RANDOM GAPKIT_NATS_HTTPD_PASSWORD=h$RANDOM$RANDOM \
    GAPKIT_NATS_GAMESERVER_PASSWORD=g$RANDOM$RANDOM GAPKIT_NATS_OPERATOR_PASSWORD=o$RANDOM$RANDOM
private_key=$(openssl rand -hex 32)
webhook_secret=$(openssl rand -hex 16)
read -r nats_port monitor_port sim_port httpd_port metrics_port < <(
    for _ in 1 2 3 4 5; do free_port; done | xargs)

# nats: the compose service's files.
mkdir -p "$work/deployments"
compose_nats_layout "$work"
(cd "$work/etc" && exec nats-server -c nats.conf -a 127.0.0.1 -p "$nats_port" -m "$monitor_port") > "$work/nats.log" 2>&1 &
pids+=($!)
wait_http_ok "$monitor_port" /healthz

# Edgegap: the app version of docs/deploy.md, then its arguments through the API.
cat > "$work/sim.json" <<EOT
{"public_ip": "127.0.0.1", "status_delays_ms": {"seeking": 100, "deploying": 100},
 "apps": [{"name": "spaceships", "versions": [{
   "name": "1", "command": "spaceships-server", "arguments": "",
   "ports": [{"name": "gameport", "port": 6420, "protocol": "UDP"}],
   "envs": [{"key": "NATS_HOST", "value": "localhost:$nats_port"}, {"key": "NATS_USER", "value": "gameserver"},
            {"key": "NATS_PASSWORD", "value": "$GAPKIT_NATS_GAMESERVER_PASSWORD"},
            {"key": "GAPKIT_PRIVATE_KEY", "value": "$private_key"}, {"key": "GAPKIT_PROTOCOL_ID", "value": "80085"}],
   "session_config": {"kind": "Seat", "sockets": 6, "autodeploy": true, "empty_ttl": 10},
   "termination_grace_period_seconds": 5}]}]}
EOT
start sim env -u NATS_CA -u NATS_CA_CONTENTS EDGEGAP_SIM_API_KEY=simkey "$bin/gapkit-edgegap-sim" \
    --config "$work/sim.json" --bind 127.0.0.1 --port "$sim_port" --log-dir "$work/deployments"
wait_port "$sim_port"
EDGEGAP_BASE_URL=http://127.0.0.1:$sim_port EDGEGAP_API_KEY=simkey \
    "$bin/gapctl" set-ca-argument spaceships 1 "$work/etc/certs/ca/rootCA.pem"

# matchmaker and httpd: compose.yaml's variables, with loopback addresses for the service names.
ca="$work/etc/certs/ca/rootCA.pem"
start matchmaker env NATS_HOST="tls://localhost:$nats_port" NATS_USER=matchmaker \
    NATS_PASSWORD="$GAPKIT_NATS_MATCHMAKER_PASSWORD" NATS_CA="$ca" EDGEGAP_API_KEY=simkey \
    EDGEGAP_BASE_URL="http://127.0.0.1:$sim_port" GAPKIT_PRIVATE_KEY="$private_key" \
    GAPKIT_MM_APP_NAME=spaceships GAPKIT_MM_APP_VERSION=1 GAPKIT_MM_PROTOCOL_ID=80085 \
    GAPKIT_MM_GAME_PORT_NAME=gameport GAPKIT_MM_METRICS_BIND=127.0.0.1 GAPKIT_MM_METRICS_PORT="$metrics_port" \
    GAPKIT_MM_WEBHOOK_BASE_URL="http://127.0.0.1:$httpd_port/edgegap/webhook" GAPKIT_MM_WEBHOOK_SECRET="$webhook_secret" \
    "$bin/gapkit-matchmaker"
start httpd env NATS_HOST="tls://localhost:$nats_port" NATS_USER=httpd NATS_PASSWORD="$GAPKIT_NATS_HTTPD_PASSWORD" \
    NATS_CA="$ca" GAPKIT_HTTPD_WEBHOOK_SECRET="$webhook_secret" GAPKIT_HTTPD_CORS= GAPKIT_HTTPD_BIND=127.0.0.1 \
    GAPKIT_HTTPD_PORT="$httpd_port" GAPKIT_HTTPD_FAKE_IP=81.128.157.100 "$bin/gapkit-httpd"
wait_http_ok "$metrics_port" /healthz
wait_http_ok "$httpd_port" /readyz
echo "ok: nats, matchmaker and httpd are healthy"

"$bin/spaceships-bot" --matchmaker "ws://127.0.0.1:$httpd_port/matchmaker/ws" --seconds 2 --timeout-seconds 60 --quiet
echo "ok: a bot got a game server through the control plane and played"
grep -q 'CA in use: NATS_CA_CONTENTS' "$work"/deployments/*.log ||
    { echo "FAIL: the game server did not take its CA from --ca_contents"; exit 1; }
echo "ok: the game server trusted NATS through the CA in its arguments"
