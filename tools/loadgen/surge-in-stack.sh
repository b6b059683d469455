#!/usr/bin/env bash
# The part of run-surge.sh that runs inside scripts/with-local-stack.sh (which exports
# MATCHMAKER_URL, GAPKIT_SIM_URL, GAPKIT_SIM_API_KEY, GAPKIT_STATE_DIR); run-surge.sh exports the
# rest (PLAYERS, TIMEOUT_SECONDS, CLEANUP_SECONDS, SURGE_NOTE, SURGE_RESULT). Not meant to be run
# by hand.
set -euo pipefail
: "${PLAYERS:?}" "${TIMEOUT_SECONDS:?}" "${CLEANUP_SECONDS:?}" "${SURGE_NOTE:?}" "${GAPKIT_STATE_DIR:?}"

say() { echo "[surge] $*" >&2; }

component_pid() {  # component_pid <name>: the pid run-local.sh logged for it, checked against /proc
    local pid
    pid=$(grep -ao "$1 started (pid [0-9]*" "$GAPKIT_STATE_DIR/run-local.log" | grep -o '[0-9]*$' | tail -n 1)
    [[ $(readlink "/proc/$pid/exe" 2>/dev/null) == */gapkit-$1 ]] || { say "no running $1 (pid '$pid')"; return 1; }
    echo "$pid"
}

memory_kb() {  # memory_kb <pid> <VmRSS|VmHWM>
    awk -v field="$2:" '$1 == field { print $2 }' "/proc/$1/status"
}

sim_get() {  # sim_get <path>: a simulator admin route's JSON
    curl -sSf --max-time 10 -H "Authorization: token $GAPKIT_SIM_API_KEY" "$GAPKIT_SIM_URL$1"
}

# {"total": n, "by_route": {"POST /v1/session": n, ...}, "by_status": {"200": n, ...}}
calls_now() {
    sim_get /admin/calls | jq -c '{total: .total,
        by_route: (.calls | group_by("\(.method) \(.route)")
                   | map({key: "\(.[0].method) \(.[0].route)", value: (map(.count) | add)}) | from_entries),
        by_status: (.calls | group_by(.status) | map({key: .[0].status, value: (map(.count) | add)}) | from_entries)}'
}

# Until the simulator holds no session (the matchmaker deleted them all) or CLEANUP_SECONDS pass;
# prints the seconds waited.
wait_for_cleanup() {
    local start=$SECONDS sessions
    while ((SECONDS - start < CLEANUP_SECONDS)); do
        sessions=$(sim_get /admin/state | jq '.sessions | length')
        ((sessions == 0)) && break
        sleep 2
    done
    echo $((SECONDS - start))
}

httpd_pid=$(component_pid httpd)
matchmaker_pid=$(component_pid matchmaker)
httpd_idle_kb=$(memory_kb "$httpd_pid" VmRSS)
matchmaker_idle_kb=$(memory_kb "$matchmaker_pid" VmRSS)
say "stack up (httpd pid $httpd_pid, matchmaker pid $matchmaker_pid); $SURGE_NOTE"

loadgen_status=0
"$GAPKIT_BIN_DIR/gapkit-loadgen" --url "$MATCHMAKER_URL" --game echo --version 1 \
    --concurrency "$PLAYERS" --requests "$PLAYERS" --timeout-seconds "$TIMEOUT_SECONDS" \
    --duration-seconds "$TIMEOUT_SECONDS" --client-ip-range 198.18.0.0/15 --json \
    >"$GAPKIT_STATE_DIR/loadgen.json" || loadgen_status=$?
httpd_peak_kb=$(memory_kb "$httpd_pid" VmHWM)
matchmaker_peak_kb=$(memory_kb "$matchmaker_pid" VmHWM)
calls_answered=$(calls_now)
cleanup_seconds=0
calls_cleaned=null
if ((CLEANUP_SECONDS > 0)); then
    say "waiting up to $CLEANUP_SECONDS s for the matchmaker to delete every session"
    cleanup_seconds=$(wait_for_cleanup)
    calls_cleaned=$(calls_now)
fi
sessions_left=$(sim_get /admin/state | jq '.sessions | length')

result=$(jq -n --arg note "$SURGE_NOTE" --argjson players "$PLAYERS" \
    --slurpfile loadgen "$GAPKIT_STATE_DIR/loadgen.json" \
    --argjson httpd_idle "$httpd_idle_kb" --argjson httpd_peak "$httpd_peak_kb" \
    --argjson mm_idle "$matchmaker_idle_kb" --argjson mm_peak "$matchmaker_peak_kb" \
    --argjson answered "$calls_answered" --argjson cleaned "$calls_cleaned" \
    --argjson cleanup_seconds "$cleanup_seconds" --argjson sessions_left "$sessions_left" '
    ($loadgen[0].levels[0]) as $level
    | {note: $note, players: $players, answered: $level.ok, failed: ($level.requests - $level.ok),
       not_finished: ($players - $level.requests), errors: $level.errors, wall_seconds: $level.wall_seconds,
       p50_ms: $level.p50_ms, p99_ms: $level.p99_ms, max_ms: $level.max_ms,
       rss_kb: {httpd: {idle: $httpd_idle, peak: $httpd_peak}, matchmaker: {idle: $mm_idle, peak: $mm_peak},
                total: {idle: ($httpd_idle + $mm_idle), peak: ($httpd_peak + $mm_peak)}},
       bytes_per_player: ((($httpd_peak + $mm_peak - $httpd_idle - $mm_idle) * 1024 / $players) | floor),
       calls_until_answered: $answered, calls_after_cleanup: $cleaned, cleanup_seconds: $cleanup_seconds,
       sessions_left: $sessions_left}')
[ -z "$SURGE_RESULT" ] || echo "$result" >"$SURGE_RESULT"

echo "$result" | jq -r '
    def tenths: (. * 10 | round) as $x | "\($x / 10 | floor).\($x % 10)";
    def mb: (. / 1024 | tenths) + " MB" | " " * (9 - length) + .;
    def s: (. / 1000 | tenths) + " s";
    def calls($c): if $c == null then "  (not waited for)" else
        "  \($c.total) calls, \($c.total / .players * 100 | round / 100) per player; by route: "
        + ($c.by_route | to_entries | map("\(.key) \(.value)") | join(", "))
        + "; by status: " + ($c.by_status | to_entries | map("\(.key) \(.value)") | join(", ")) end;
    "surge: \(.note)",
    "answered \(.answered) of \(.players), failed \(.failed)"
      + (if .errors == {} then "" else " (" + (.errors | to_entries | map("\(.key): \(.value)") | join(", ")) + ")" end)
      + (if .not_finished > 0 then ", \(.not_finished) not finished" else "" end)
      + "; \(.wall_seconds * 10 | round / 10) s in all",
    "wait (connect to SessionReady): p50 \(.p50_ms | s), p99 \(.p99_ms | s), max \(.max_ms | s)",
    "resident memory      idle      peak    growth",
    "httpd          \(.rss_kb.httpd.idle | mb) \(.rss_kb.httpd.peak | mb) \(.rss_kb.httpd.peak - .rss_kb.httpd.idle | mb)",
    "matchmaker     \(.rss_kb.matchmaker.idle | mb) \(.rss_kb.matchmaker.peak | mb) \(.rss_kb.matchmaker.peak - .rss_kb.matchmaker.idle | mb)",
    "both           \(.rss_kb.total.idle | mb) \(.rss_kb.total.peak | mb) \(.rss_kb.total.peak - .rss_kb.total.idle | mb)  (\(.bytes_per_player) bytes per waiting player)",
    "Edgegap calls once every player was answered:", calls(.calls_until_answered),
    "Edgegap calls once the sessions were deleted (\(.cleanup_seconds) s later, \(.sessions_left) sessions left):",
    calls(.calls_after_cleanup)'
exit "$loadgen_status"
