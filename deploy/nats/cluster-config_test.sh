#!/usr/bin/env bash
# deploy/nats/cluster.conf, the node config of compose.cluster.yaml, end to end without Docker:
# three nats-servers run it from folders laid out as the containers' /etc/nats (certificates from
# make-certs.sh, users from render-auth.sh; addresses, ports and routes moved to loopback on the
# command line, as compose's service names do not resolve here), their routes come up over TLS
# with make-certs.sh's certificate, JetStream elects a meta leader, and a role logs in through the
# list of nodes. Skips (77) without nats-server or mkcert.
# Usage: cluster-config_test.sh <gapctl>
set -euo pipefail

gapctl=$1
here=$(cd "$(dirname "$0")" && pwd)
deploy=$(dirname "$here")
source "$deploy/test-lib.sh"
require_tools nats-server mkcert

work=$(mktemp -d)
pids=()
cleanup() {
    local status=$?
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
    ((status == 0)) || for log in "$work"/*.log; do echo "== $log"; tail -n 20 "$log"; done
    rm -rf "$work"
}
trap cleanup EXIT

compose_nats_layout "$work/template"
cp "$here/cluster.conf" "$work/template/etc/cluster.conf"
cp "$work/template/etc/certs/ca/rootCA.pem" "$work/template/etc/certs/ca.pem"
export GAPKIT_NATS_MATCHMAKER_PASSWORD=m$RANDOM$RANDOM GAPKIT_NATS_HTTPD_PASSWORD=h$RANDOM$RANDOM \
    GAPKIT_NATS_GAMESERVER_PASSWORD=g$RANDOM$RANDOM GAPKIT_NATS_OPERATOR_PASSWORD=o$RANDOM$RANDOM

ports=() routes=() hosts=()
for node in 1 2 3; do
    ports+=("$(free_port)")
    routes+=("nats-route://127.0.0.1:$(free_port)")
    hosts+=("localhost:${ports[-1]}")
done
for node in 1 2 3; do
    dir=$work/node-$node
    cp -r "$work/template/etc" "$dir"
    sed -i "s|\"$work/template/jetstream\"|\"$dir/jetstream\"|" "$dir/nats.conf"
    route=${routes[node - 1]}
    (cd "$dir" && exec nats-server -c cluster.conf --name "nats-$node" -a 127.0.0.1 -p "${ports[node - 1]}" \
        -m "$(free_port)" --cluster "nats://127.0.0.1:${route##*:}" --routes "$(IFS=,; echo "${routes[*]}")") \
        > "$work/nats-$node.log" 2>&1 &
    pids+=($!)
done
for node in 1 2 3; do wait_port "${ports[node - 1]}"; done
for _ in $(seq 1 100); do
    [[ $(grep -l "metadata leader" "$work"/nats-*.log 2>/dev/null | wc -l) == 3 ]] && break
    sleep 0.1
done
[[ $(grep -l "metadata leader" "$work"/nats-*.log | wc -l) == 3 ]] || { echo "FAIL: no JetStream meta leader on every node"; exit 1; }
echo "ok: 3 nodes routed over TLS with make-certs.sh's certificate, JetStream has a meta leader"
if grep -q "TLS route handshake error" "$work"/nats-*.log; then
    echo "FAIL: a route was refused"
    exit 1
fi

NATS_HOST=$(IFS=,; echo "${hosts[*]}") NATS_USER=matchmaker NATS_PASSWORD=$GAPKIT_NATS_MATCHMAKER_PASSWORD \
    NATS_CA="$work/template/etc/certs/ca/rootCA.pem" "$gapctl" nats-check --timeout-seconds 5 > "$work/check.log" 2>&1 ||
    { echo "FAIL: the matchmaker cannot log in through the node list"; cat "$work/check.log"; exit 1; }
grep -q "get 3 replica(s)" "$work/check.log" || { echo "FAIL: the bus did not see 3 servers"; cat "$work/check.log"; exit 1; }
echo "ok: the matchmaker logs in through the node list and sees 3 servers"
