#!/usr/bin/env bash
# The compose files (compose.yaml, and the compose.cluster.yaml override) and .env.example agree:
# every variable they read is explained in .env.example, and .env.example holds nothing they do
# not read.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

used=$(cat "$here"/compose*.yaml | grep -o '\${[A-Z][A-Z0-9_]*' | cut -c3- | sort -u)
documented=$(grep -o '^[A-Z][A-Z0-9_]*=' "$here/.env.example" | tr -d '=' | sort -u)
missing=$(comm -23 <(echo "$used") <(echo "$documented"))
unused=$(comm -13 <(echo "$used") <(echo "$documented"))
[[ -z $missing ]] || { echo "FAIL: the compose files read variables .env.example does not explain:" $missing; exit 1; }
[[ -z $unused ]] || { echo "FAIL: .env.example sets variables no compose file reads:" $unused; exit 1; }
echo "ok: the compose files and .env.example agree on $(echo "$used" | wc -l) variables"
