#!/usr/bin/env bash
# The windowed client end to end: under Xvfb, on a throw-away local stack, spaceships-client presses
# Play, finds a server through the matchmaker, plays, saves a screenshot 2 s after connecting and
# quits 1 s later; then the screenshot is checked (size, arena, ship colours). The PNG stays in
# <artifact dir> for people to look at.
#
#   xvfb_screenshot_test.sh <source dir> <bin dir> <artifact dir>
#
# Exits 77 (CTest's skip) when xvfb-run is missing.
set -euo pipefail

if [ $# -ne 3 ]; then
    sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
fi
source_dir=$1 bin_dir=$2 artifact_dir=$3
readonly kWidth=1280 kHeight=720

if ! command -v xvfb-run >/dev/null; then
    echo "SKIP: xvfb-run is missing (apt-get install xvfb xauth)"
    exit 77
fi

mkdir -p "$artifact_dir"
png=$artifact_dir/spaceships-client.png
rm -f "$png"

GAPKIT_BIN_DIR=$bin_dir xvfb-run -a -s "-screen 0 ${kWidth}x${kHeight}x24" \
    "$source_dir/scripts/with-local-stack.sh" "$bin_dir/spaceships-client" --autoplay \
    --width "$kWidth" --height "$kHeight" --screenshot "$png" --screenshot-after-seconds 2 --exit-after-seconds 3

"$bin_dir/spaceships_client_png_check" "$png" "$kWidth" "$kHeight"
echo "screenshot kept at $png"
