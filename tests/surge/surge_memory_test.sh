#!/usr/bin/env bash
# The 10,000-player surge (issue 16; docs/benchmarks.md "Surge"), label soak, never part of
# `make test`: tools/loadgen/run-surge.sh with PLAYERS players (10000) at once and a deployment
# that takes 20 s, through one httpd and one matchmaker; passes when every player was answered
# and httpd + matchmaker peaked under MAX_RSS_MB (300) resident together.
#
#   surge_memory_test.sh <repository root> <bin folder>
#
# run-surge.sh raises the open-file limit to the hard limit (it needs PLAYERS + 1024 per process)
# and fails with what to do when the hard limit is lower.
set -euo pipefail

if [[ $# -ne 2 ]]; then
    echo "usage: $0 <repository root> <bin folder>" >&2
    exit 2
fi
players=${PLAYERS:-10000}
max_rss_kb=$((${MAX_RSS_MB:-300} * 1024))
result=$(mktemp /tmp/gapkit-surge-result.XXXXXX)
trap 'rm -f "$result"' EXIT

BIN=$2 PLAYERS=$players DEPLOY_SECONDS=20 CLEANUP_SECONDS=0 SURGE_RESULT=$result "$1/tools/loadgen/run-surge.sh" ||
    echo "run-surge.sh exited with $?"
[ -s "$result" ] || { echo "FAIL: the surge wrote no result"; exit 1; }

answered=$(jq .answered "$result")
peak_kb=$(jq .rss_kb.total.peak "$result")
status=0
if ((answered != players)); then
    echo "FAIL: $answered of $players players answered ($(jq -c .errors "$result"))"
    status=1
fi
if ((peak_kb >= max_rss_kb)); then
    echo "FAIL: httpd + matchmaker peaked at $((peak_kb / 1024)) MB resident, the budget is $((max_rss_kb / 1024)) MB"
    status=1
fi
((status != 0)) || echo "ok: $answered of $players answered; httpd + matchmaker peak $((peak_kb / 1024)) MB"
exit "$status"
