#!/usr/bin/env bash
# The compose control plane's NATS configuration, end to end without Docker:
#   - make-certs.sh makes the CA and the server certificate;
#   - render-auth.sh renders the users from deploy/local/nats.conf.in, with dash and (when
#     installed) with busybox, as in the nats image: the output must be the same;
#   - nats-server runs deploy/nats/nats.conf from a folder laid out as the container's /etc/nats
#     (address and ports overridden on its command line, JetStream folder moved into the test's);
#   - each role logs in over TLS with its password from the environment; a wrong one is refused.
# Skips (77) without nats-server or mkcert.
# Usage: render-auth_test.sh <gapctl>
set -euo pipefail

gapctl=$1
here=$(cd "$(dirname "$0")" && pwd)
deploy=$(dirname "$here")
source "$deploy/test-lib.sh"
require_tools nats-server mkcert

work=$(mktemp -d)
nats_pid=
cleanup() {
    [[ -z $nats_pid ]] || { kill "$nats_pid" 2>/dev/null || true; wait "$nats_pid" 2>/dev/null || true; }
    rm -rf "$work"
}
trap cleanup EXIT

compose_nats_layout "$work"
# The compose file runs the script with the nats image's busybox: it must render the same there.
if command -v busybox >/dev/null; then
    mkdir "$work/busybox"
    for applet in sh awk sed grep printf mv; do ln -s "$(command -v busybox)" "$work/busybox/$applet"; done
    PATH="$work/busybox" "$work/busybox/sh" "$here/render-auth.sh" "$deploy/local/nats.conf.in" "$work/busybox.conf"
    cmp "$work/busybox.conf" "$work/etc/generated/authorization.conf"
    echo "ok: busybox renders the same"
else
    echo "note: busybox is not installed; rendered with $(readlink -f "$(command -v sh)") only"
fi

export GAPKIT_NATS_MATCHMAKER_PASSWORD=m$RANDOM$RANDOM GAPKIT_NATS_HTTPD_PASSWORD=h$RANDOM$RANDOM \
    GAPKIT_NATS_GAMESERVER_PASSWORD=g$RANDOM$RANDOM GAPKIT_NATS_OPERATOR_PASSWORD=o$RANDOM$RANDOM
(cd "$work/etc" && nats-server -c nats.conf -t)
if (cd "$work/etc" && env -u GAPKIT_NATS_HTTPD_PASSWORD nats-server -c nats.conf -t) > "$work/out" 2>&1; then
    echo "FAIL: the config is accepted without GAPKIT_NATS_HTTPD_PASSWORD"
    exit 1
fi
grep -q GAPKIT_NATS_HTTPD_PASSWORD "$work/out" || { echo "FAIL: the error does not name the variable"; cat "$work/out"; exit 1; }
echo "ok: a missing password variable is refused by name"

port=$(free_port)
(cd "$work/etc" && exec nats-server -c nats.conf -a 127.0.0.1 -p "$port" -m "$(free_port)") \
    > "$work/nats.log" 2>&1 &
nats_pid=$!
wait_port "$port" || { cat "$work/nats.log"; exit 1; }

login() {  # login <user> <password>: gapctl nats-check over TLS with the compose CA
    NATS_HOST="localhost:$port" NATS_USER=$1 NATS_PASSWORD=$2 NATS_CA="$work/etc/certs/ca/rootCA.pem" \
        "$gapctl" nats-check --timeout-seconds 5 > "$work/check.log" 2>&1
}
for role in matchmaker httpd gameserver operator; do
    variable=GAPKIT_NATS_${role^^}_PASSWORD
    login "$role" "${!variable}" || { echo "FAIL: $role cannot log in"; cat "$work/check.log" "$work/nats.log"; exit 1; }
    echo "ok: $role logs in over TLS"
done
if login gameserver wrong-password; then
    echo "FAIL: a wrong password is accepted"
    exit 1
fi
echo "ok: a wrong password is refused"
