#!/usr/bin/env bash
# The Windows build of spaceships-bot under Wine against this Linux build's spaceships-server:
#
#   tests/windows/wine_bot_test.sh <linux-bin-dir> <windows-build-dir>
#
#   0. gapkit_socket_test.exe: the socket layer's unit test (libs/netcode/src/udp_socket_test.cpp);
#   1. direct: a local-mode spaceships-server on a free UDP port, the .exe with --direct (dev key),
#      then gapkit_c_client.exe (the client C API from C, tests/windows/c_client.c) connecting to it;
#   2. matchmaker: scripts/with-local-stack.sh starts the local stack (edgegap-sim runs the Linux
#      spaceships-server), the .exe finds its server through httpd and the matchmaker.
# Exits 77 (CTest: skipped) when <windows-build-dir>/bin/spaceships-bot.exe or Wine is missing
# (`make windows` builds the one and installs the other). The Wine prefix lives in
# <windows-build-dir>/wine-prefix, never in $HOME; the first start creates it (about 10 s).
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
bin_dir=$(realpath "${1:?linux bin dir}")
windows_dir=$(realpath -m "${2:?windows build dir}")
bot=$windows_dir/bin/spaceships-bot.exe
c_client=$windows_dir/bin/gapkit_c_client.exe
socket_test=$windows_dir/bin/gapkit_socket_test.exe
readonly wine=/usr/lib/wine/wine64 wineserver=/usr/lib/wine/wineserver
readonly kBotSeconds=2 kBotTimeoutSeconds=60

say() { echo "[wine-bot-test] $*" >&2; }

if [ ! -f "$bot" ]; then
    say "skipped: $bot is missing (make windows builds it)"
    exit 77
fi
if [ ! -x "$wine" ]; then
    say "skipped: $wine is missing (make windows installs wine64)"
    exit 77
fi

export WINEPREFIX=$windows_dir/wine-prefix WINEDEBUG=-all
server_pid=
work=$(mktemp -d /tmp/gapkit-wine-bot-XXXXXX)  # the programs' logs, shown as they finish
cleanup() {
    [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
    "$wineserver" -k 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
trap "exit 143" TERM INT

free_udp_port() {
    python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# run_exe <log> <program.exe> [args...]: runs it under Wine, shows its output, fails on a non-zero
# exit (the bot exits 1 when it did not play, the C client when it did not connect).
run_exe() {
    local log=$1 exe=$2
    shift 2
    local status=0
    timeout "$kBotTimeoutSeconds" "$wine" "$exe" "$@" >"$log" 2>&1 || status=$?
    cat "$log" >&2
    if [ "$status" -ne 0 ]; then
        say "FAILED: $(basename "$exe") $* exited with $status"
        return 1
    fi
}

say "starting Wine (prefix $WINEPREFIX)"
# One persistent wineserver for all runs (stopped by cleanup): a program started while the last
# one's wineserver shuts down fails with "wine client error ... Connection reset by peer".
# wineserver needs the prefix folder to exist; the first wine run fills it in.
mkdir -p "$WINEPREFIX"
"$wineserver" -p
"$wine" cmd /c exit 0 >/dev/null 2>&1 || { say "FAILED: Wine does not start"; exit 1; }

if [ -f "$socket_test" ]; then
    say "the socket layer's unit test"
    run_exe "$work/socket_test.log" "$socket_test" || exit 1
else
    say "no $socket_test (built only where Debian's googletest sources are installed)"
fi

port=$(free_udp_port)
say "direct: spaceships-server on 127.0.0.1:$port"
env -u NATS_HOST -u ARBITRIUM_REQUEST_ID -u GAPKIT_PRIVATE_KEY -u GAPKIT_PRIVATE_KEY_FILE \
    "$bin_dir/spaceships-server" --port "$port" >"$work/server.log" 2>&1 &
server_pid=$!
sleep 1
if ! run_exe "$work/direct.log" "$bot" --seconds "$kBotSeconds" --direct "127.0.0.1:$port" ||
    ! run_exe "$work/c_client.log" "$c_client" "127.0.0.1:$port"; then
    cat "$work/server.log" >&2
    exit 1
fi
kill "$server_pid"
wait "$server_pid" 2>/dev/null || true
server_pid=

say "matchmaker: the local stack runs the Linux spaceships-server"
GAPKIT_BIN_DIR=$bin_dir "$root/scripts/with-local-stack.sh" bash -c \
    "timeout $kBotTimeoutSeconds '$wine' '$bot' --matchmaker \"\$MATCHMAKER_URL\" --seconds $kBotSeconds" \
    >"$work/matchmaker.log" 2>&1 || { cat "$work/matchmaker.log" >&2; say "FAILED: through the matchmaker"; exit 1; }
cat "$work/matchmaker.log" >&2
say "passed: the socket test, direct and through the matchmaker"
