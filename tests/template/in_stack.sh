#!/usr/bin/env bash
# The template's client through a local stack, run by check_template.sh under
# scripts/with-local-stack.sh (which exports MATCHMAKER_URL, GAPKIT_SIM_URL, GAPKIT_SIM_API_KEY and
# GAPKIT_STATE_DIR; PROTOCOL_ID is the stack's):
#   in_stack.sh <template build dir>
# my-game-client must find a server through the matchmaker (edgegap-sim starts my-game-server for
# it) and get every ping echoed; then, with the player gone, the simulator must stop the empty
# deployment (SIM_EMPTY_TTL_SECONDS) and my-game-server must have stopped gracefully on SIGTERM.
set -euo pipefail

readonly kEmptyStopSeconds=30
game=$1
say() { echo "[template] $*"; }

deployments() {  # the simulator's live deployments: id per line
    local json
    json=$(curl -sf -H "authorization: token $GAPKIT_SIM_API_KEY" "$GAPKIT_SIM_URL/v1/deployments") ||
        { echo "(the simulator did not answer)"; return; }
    grep -o '"request_id":"[^"]*"' <<<"$json" | cut -d'"' -f4 || true
}

"$game/my-game-client" --protocol-id "$PROTOCOL_ID" --timeout-seconds 40 --count 5
logs=$GAPKIT_STATE_DIR/logs/deployments
ran=$(find "$logs" -name "*.log" -printf "%f " | sed "s/\.log//g")
[ -n "$ran" ] || { say "FAIL: edgegap-sim started no deployment"; exit 1; }
say "deployment(s) $ran played; waiting for the simulator to stop them"
stopped() {  # no live deployment left, and every server's log ends its loop
    [ -z "$(deployments)" ] || return 1
    local log
    for log in "$logs"/*.log; do grep -q '^stopping with ' "$log" || return 1; done
}
deadline=$((SECONDS + kEmptyStopSeconds))
until stopped; do
    ((SECONDS < deadline)) || { say "FAIL: not stopped after $kEmptyStopSeconds s; live: $(deployments)"; exit 1; }
    sleep 0.2
done
for log in "$logs"/*.log; do
    grep -q '^player .* joined' "$log" || { say "FAIL: no player joined in $log"; cat "$log"; exit 1; }
    grep -q '^stopping with 0 players' "$log" || { say "FAIL: $log shows no graceful stop"; cat "$log"; exit 1; }
done
say "no live deployments left; the server stopped gracefully"
