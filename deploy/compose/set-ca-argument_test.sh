#!/usr/bin/env bash
# set-ca-argument.sh against edgegap-sim: the app version's arguments become exactly
# `--ca_contents '<the PEM>'`; a wrong token and a file that is not a PEM certificate fail.
# Skips (77) without curl or mkcert.
# Usage: set-ca-argument_test.sh <gapkit-edgegap-sim> <sim config with app echo version 1>
set -euo pipefail

sim=$1
config=$2
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../test-lib.sh"
require_tools curl mkcert

work=$(mktemp -d)
sim_pid=
cleanup() {
    [[ -z $sim_pid ]] || { kill "$sim_pid" 2>/dev/null || true; wait "$sim_pid" 2>/dev/null || true; }
    rm -rf "$work"
}
trap cleanup EXIT

GAPKIT_CERTS_DIR="$work/certs" "$here/make-certs.sh" nats.example.com > /dev/null
port=$(free_port)
EDGEGAP_SIM_API_KEY=simkey "$sim" --config "$config" --bind 127.0.0.1 --port "$port" > "$work/sim.log" 2>&1 &
sim_pid=$!
wait_port "$port" || { cat "$work/sim.log"; exit 1; }
export EDGEGAP_BASE_URL=http://127.0.0.1:$port

EDGEGAP_API_KEY=simkey "$here/set-ca-argument.sh" echo 1 "$work/certs/ca/rootCA.pem"
curl -sS -H 'authorization: token simkey' "$EDGEGAP_BASE_URL/v1/app/echo/version/1" > "$work/version.json"
expected=$(awk 'BEGIN { printf "\"arguments\":\"--ca_contents '"'"'" } { printf "%s\\n", $0 } END { printf "'"'"'\"" }' \
    "$work/certs/ca/rootCA.pem")
grep -q -F -- "$expected" "$work/version.json" || { echo "FAIL: arguments are not the PEM:"; cat "$work/version.json"; exit 1; }
echo "ok: the version's arguments are --ca_contents '<PEM>'"

if EDGEGAP_API_KEY=wrong "$here/set-ca-argument.sh" echo 1 "$work/certs/ca/rootCA.pem" 2> "$work/err"; then
    echo "FAIL: a wrong token was accepted"
    exit 1
fi
grep -q 401 "$work/err" || { echo "FAIL: no 401 in:"; cat "$work/err"; exit 1; }
echo "ok: a wrong token fails with 401"

printf -- "-----BEGIN CERTIFICATE-----\nit's not base64\n" > "$work/bad.pem"
if EDGEGAP_API_KEY=simkey "$here/set-ca-argument.sh" echo 1 "$work/bad.pem" 2> "$work/err"; then
    echo "FAIL: a file that is not PEM text was sent"
    exit 1
fi
echo "ok: a file that is not PEM text is refused: $(cat "$work/err")"
