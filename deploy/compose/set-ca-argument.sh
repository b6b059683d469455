#!/usr/bin/env bash
# Gives the game servers of an Edgegap app version the NATS CA, as the launch arguments
# `--ca_contents '<PEM>'` (PATCH /v1/app/<app>/version/<version>). The CA goes there rather than in an
# env variable because Edgegap has limited env values to 255 bytes (docs/deploy.md); the dashboard
# cannot set arguments, the API can. The token is read from EDGEGAP_API_KEY and handed to curl on
# stdin, never on its command line.
#
# Usage: EDGEGAP_API_KEY=... deploy/compose/set-ca-argument.sh <app> <version> [<ca.pem>]
#   <ca.pem> defaults to certs/ca/rootCA.pem beside this script; EDGEGAP_BASE_URL (default
#   https://api.edgegap.com) points it at edgegap-sim for a rehearsal.
set -euo pipefail

if [[ $# -lt 2 || $# -gt 3 ]]; then
    echo "usage: EDGEGAP_API_KEY=... $0 <app> <version> [<ca.pem>]" >&2
    exit 2
fi
app=$1
version=$2
ca=${3:-$(cd "$(dirname "$0")" && pwd)/certs/ca/rootCA.pem}
key=${EDGEGAP_API_KEY:?set EDGEGAP_API_KEY to the Edgegap API token}
key=${key#token }
base=${EDGEGAP_BASE_URL:-https://api.edgegap.com}

grep -q -- '-----BEGIN CERTIFICATE-----' "$ca" || { echo "$0: $ca holds no PEM certificate" >&2; exit 1; }
# PEM is base64, dashes and spaces: only its line ends need escaping to sit in a JSON string, and
# it holds no single quote to break the shell-like quoting of the argument.
if grep -q -v '^[A-Za-z0-9+/= -]*$' "$ca"; then
    echo "$0: $ca holds characters other than PEM text" >&2
    exit 1
fi
body=$(awk 'BEGIN { printf "{\"arguments\": \"--ca_contents '"'"'" } { printf "%s\\n", $0 } END { printf "'"'"'\"}" }' "$ca")

printf 'header = "authorization: token %s"\n' "$key" |
    curl --silent --show-error --fail-with-body --config - -X PATCH -H 'content-type: application/json' \
        --data-binary "$body" "$base/v1/app/$app/version/$version" > /dev/null
echo "app $app version $version: arguments set to --ca_contents '<$(basename "$ca")>'"
