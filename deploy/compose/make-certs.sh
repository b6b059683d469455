#!/usr/bin/env bash
# Makes the TLS material of the compose control plane's NATS server with mkcert (Debian package
# mkcert): a private CA, kept across runs, and a server certificate for the names clients dial.
#   certs/ca/rootCA.pem       the CA: given to the matchmaker and httpd (NATS_CA) and to the game
#                             servers on Edgegap (the app version's `--ca_contents` argument)
#   certs/ca/rootCA-key.pem   the CA's private key: never leaves this folder
#   certs/server.pem, certs/server-key.pem   nats-server's certificate and key
# The certificate always names `nats`, `nats-2` and `nats-3` (the compose services the matchmaker
# and httpd dial; the last two only in compose.cluster.yaml), localhost and 127.0.0.1, plus every
# host given: the public DNS name or IP address the game servers use in NATS_HOST. It may also
# authenticate a client, which a cluster's routes need (deploy/nats/cluster.conf). Run it again to
# add a name; the CA stays, so nothing else changes.
#
# Usage: deploy/compose/make-certs.sh <public host or IP>...   (folder: GAPKIT_CERTS_DIR, default
#        deploy/compose/certs, git-ignored)
set -euo pipefail

if [[ $# -lt 1 ]]; then
    echo "usage: $0 <public host or IP of this machine>..." >&2
    exit 2
fi
command -v mkcert >/dev/null || { echo "$0: mkcert is missing (apt-get install mkcert)" >&2; exit 1; }

certs=${GAPKIT_CERTS_DIR:-$(cd "$(dirname "$0")" && pwd)/certs}
mkdir -p "$certs/ca"
chmod 700 "$certs/ca"
[[ -s $certs/ca/rootCA.pem ]] || echo "creating a private CA in $certs/ca"
(umask 077 && CAROOT="$certs/ca" mkcert -client -cert-file "$certs/server.pem" -key-file "$certs/server-key.pem" \
    nats nats-2 nats-3 localhost 127.0.0.1 "$@" 2>/dev/null)
chmod 644 "$certs/server.pem" "$certs/ca/rootCA.pem"
echo "NATS server certificate for: nats nats-2 nats-3 localhost 127.0.0.1 $*"
echo "CA for clients (NATS_CA, Edgegap --ca_contents): $certs/ca/rootCA.pem"
