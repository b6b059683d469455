#!/usr/bin/env bash
# compose.yaml and .env.example agree: every variable compose.yaml reads is explained in
# .env.example, and .env.example holds nothing compose.yaml does not read.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

used=$(grep -o '\${[A-Z][A-Z0-9_]*' "$here/compose.yaml" | cut -c3- | sort -u)
documented=$(grep -o '^[A-Z][A-Z0-9_]*=' "$here/.env.example" | tr -d '=' | sort -u)
missing=$(comm -23 <(echo "$used") <(echo "$documented"))
unused=$(comm -13 <(echo "$used") <(echo "$documented"))
[[ -z $missing ]] || { echo "FAIL: compose.yaml reads variables .env.example does not explain:" $missing; exit 1; }
[[ -z $unused ]] || { echo "FAIL: .env.example sets variables compose.yaml never reads:" $unused; exit 1; }
echo "ok: compose.yaml and .env.example agree on $(echo "$used" | wc -l) variables"
