#!/usr/bin/env bash
# Where a match's CPU goes: the local stack of run-benchmark.sh (instant simulator, gapkit's own
# Edgegap limits lifted), one warm-up, then CLIENTS clients making REQUESTS matches; prints, per
# process, CPU time (user + system, from /proc/<pid>/stat) and context switches (voluntary +
# involuntary over /proc/<pid>/task/*/status) per match, and the load generator's own CPU.
#
#   tools/loadgen/profile-processes.sh
#
# Environment: BIN (build/bin) holding the gapkit binaries, CLIENTS (32), REQUESTS (3000),
# KEEP_STATE=1 to keep the state folder. Figures are per match over the measured level only.
set -euo pipefail

export CLIENTS=${CLIENTS:-32} REQUESTS=${REQUESTS:-3000}
# shellcheck source=tools/loadgen/loadgen-stack.sh
. "$(dirname "$0")/loadgen-stack.sh"
loadgen_stack_setup "$CLIENTS" 0
export SIM_CONFIG=$root/tools/loadgen/echo-instant.json
echo "$limits_note"

# Single quotes: the command expands the variables with-local-stack.sh exports for it.
# shellcheck disable=SC2016
"$root/scripts/with-local-stack.sh" bash -c '
    snapshot() {
        for pid in $(pgrep -x "gapkit-httpd|gapkit-matchmak|nats-server|gapkit-edgegap-"); do
            grep -qa "$GAPKIT_STATE_DIR" "/proc/$pid/environ" "/proc/$pid/cmdline" 2>/dev/null || continue
            name=$(cat "/proc/$pid/comm" 2>/dev/null) || continue
            ticks=$(awk "{print \$14 + \$15}" "/proc/$pid/stat")
            switches=$(cat /proc/"$pid"/task/*/status 2>/dev/null |
                awk "/^voluntary_ctxt/ {n += \$2} /^nonvoluntary_ctxt/ {n += \$2} END {print n}")
            echo "$pid $name $ticks $switches"
        done | sort
    }
    "$GAPKIT_BIN_DIR/gapkit-loadgen" --url "$MATCHMAKER_URL" --concurrency 1 --requests 20 --log-level warn >/dev/null
    before=$(snapshot)
    /usr/bin/time -f "gapkit-loadgen: user %U s, system %S s" "$GAPKIT_BIN_DIR/gapkit-loadgen" \
        --url "$MATCHMAKER_URL" --concurrency "$CLIENTS" --requests "$REQUESTS" --log-level warn
    after=$(snapshot)
    join <(echo "$before") <(echo "$after") | awk -v n="$REQUESTS" -v hz="$(getconf CLK_TCK)" \
        "{printf \"%-18s CPU %.3f ms per match, %.1f context switches per match\n\", \$2, (\$6 - \$3) * 1000 / hz / n, (\$7 - \$4) / n}"
' profile
