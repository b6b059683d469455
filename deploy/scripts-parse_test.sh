#!/usr/bin/env bash
# Every script of the deploy kit parses: bash -n for the bash ones, sh -n for render-auth.sh, which
# runs under the nats image's busybox sh.
set -euo pipefail
deploy=$(cd "$(dirname "$0")" && pwd)
for script in "$deploy"/*.sh "$deploy"/compose/*.sh "$deploy"/nats/*_test.sh "$deploy"/local/*.sh "$deploy"/release/*.sh; do
    bash -n "$script"
    echo "ok: bash -n $(basename "$script")"
done
sh -n "$deploy/nats/render-auth.sh"
echo "ok: sh -n render-auth.sh"
