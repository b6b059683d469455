#!/usr/bin/env bash
# A fault end to end: with no matchmaker listening, `spaceships-client --autoplay` must show the
# failure, leave the game and exit 1 (not hang, not exit 0). Uses SDL's dummy video driver, so no
# X server is needed.
#
#   autoplay_failure_test.sh <bin dir>
set -euo pipefail

if [ $# -ne 1 ]; then
    sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
fi
log=$(mktemp)
trap 'rm -f "$log"' EXIT

# Port 1 on loopback: nothing listens there, so the connection is refused at once.
status=0
SDL_VIDEODRIVER=dummy timeout 60 "$1/spaceships-client" --autoplay --matchmaker ws://127.0.0.1:1/matchmaker/ws \
    2>"$log" || status=$?
cat "$log"
if [ "$status" -ne 1 ]; then
    echo "FAIL: exit code $status, want 1"
    exit 1
fi
grep -q "failed: Cannot reach the matchmaker" "$log" || { echo "FAIL: the reason was not reported"; exit 1; }
echo "PASS: exit code 1 with the reason"
