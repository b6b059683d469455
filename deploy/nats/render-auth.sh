#!/bin/sh
# Renders the NATS users and permissions of the compose control plane from the local stack's
# template, deploy/local/nats.conf.in, so both stacks share ONE list of roles and rights. Only its
# `authorization { ... }` block is taken; each "@<ROLE>_PASSWORD@" placeholder becomes the variable
# reference $GAPKIT_NATS_<ROLE>_PASSWORD, which nats-server reads from its own environment: the
# rendered file holds no secret. POSIX sh and busybox awk/sed, since the compose file runs it in
# the nats image.
#
# Usage: render-auth.sh <nats.conf.in> <output file>
set -eu

if [ $# -ne 2 ]; then
    echo "usage: $0 <nats.conf.in> <output file>" >&2
    exit 2
fi
template=$1
output=$2

block=$(awk '/^authorization[ \t]*\{/ { inside = 1 } inside { print } inside && /^\}/ { exit }' "$template")
case $block in
    *"}") ;;
    *) echo "$0: no complete 'authorization { ... }' block in $template" >&2; exit 1 ;;
esac
rendered=$(printf '%s\n' "$block" | sed -e 's/"@\([A-Z][A-Z0-9_]*\)_PASSWORD@"/$GAPKIT_NATS_\1_PASSWORD/g')
if printf '%s\n' "$rendered" | grep -q '@[A-Z_]*@'; then
    echo "$0: $template has placeholders this script does not know:" >&2
    printf '%s\n' "$rendered" | grep -o '@[A-Z_]*@' | sort -u >&2
    exit 1
fi
{
    echo "# Rendered by deploy/nats/render-auth.sh from $template: do not edit."
    printf '%s\n' "$rendered"
} > "$output.tmp"
mv "$output.tmp" "$output"
