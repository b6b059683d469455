#!/usr/bin/env bash
# The game template as a developer starts from it (label template; `make test`):
#   check_template.sh <gapkit build dir, built> <scratch dir, emptied>
# Installs the build's gapkit into <scratch>/prefix (tests/package/consumer_build.sh), builds
# templates/game out of tree with its own CMake (-Werror), checks its Dockerfile's runtime libraries
# (deploy/check-runtime-libs.sh), then plays it twice:
#   1. direct: my-game-server in local mode, my-game-client --direct with the development key;
#      SIGTERM must stop the server with exit 0;
#   2. through a local stack of the build's programs (scripts/with-local-stack.sh): edgegap-sim
#      runs my-game-server as app my-game version 1, and tests/template/in_stack.sh plays
#      my-game-client through httpd and the matchmaker and waits for the simulator to stop the
#      empty deployment.
# Each client must get every ping echoed. Exits 77 (CTest's SKIP_RETURN_CODE) when cmake is missing.
set -euo pipefail

# shellcheck source=tests/package/consumer_build.sh
. "$(dirname "$0")/../package/consumer_build.sh"
begin_consumer_check "$@"
build_consumer "$source_dir/templates/game" "$work/game" -DCMAKE_PREFIX_PATH="$work/prefix" -DCMAKE_CXX_FLAGS=-Werror
game=$work/game
"$game/my-game-server" --help >/dev/null
"$game/my-game-client" --help >/dev/null
# The image is not built here (no container engine in `make test`): its runtime stage must at least
# install every library the server links.
"$source_dir/deploy/check-runtime-libs.sh" "$source_dir/templates/game/Dockerfile" "$game/my-game-server"

say() { echo "[template] $*"; }

server_pid=
stop_server() {  # stop_server: SIGTERM, then its exit code
    local status=0
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" || status=$?
    server_pid=
    return "$status"
}
trap '[ -z "$server_pid" ] || kill -KILL "$server_pid" 2>/dev/null || true' EXIT
trap 'exit 143' TERM  # a signal (a CTest timeout) must still run the EXIT trap
trap 'exit 130' INT

# A port below the ephemeral range, as with-local-stack.sh picks them; another if it is taken.
start_local_server() {  # sets port and server_pid
    local attempt
    for attempt in 1 2 3 4 5; do
        port=$((20000 + RANDOM % 12000))
        "$game/my-game-server" --port "$port" >"$work/direct-server.log" 2>&1 &
        server_pid=$!
        for _ in $(seq 1 50); do
            grep -q '^serving ' "$work/direct-server.log" && return 0
            kill -0 "$server_pid" 2>/dev/null || break
            sleep 0.1
        done
        stop_server || true
        say "attempt $attempt: no server on port $port"
    done
    cat "$work/direct-server.log"
    return 1
}

say "1/2 direct: my-game-server in local mode, my-game-client --direct"
start_local_server
"$game/my-game-client" --direct "127.0.0.1:$port" --timeout-seconds 20 ||
    { cat "$work/direct-server.log"; exit 1; }
if ! stop_server || ! grep -q '^stopping with ' "$work/direct-server.log"; then
    say "FAIL: the server did not stop gracefully on SIGTERM"
    cat "$work/direct-server.log"
    exit 1
fi

say "2/2 matchmaker: my-game-server under edgegap-sim, my-game-client through the local stack"
# A protocol id other than the template's default: the server must take the app version's
# GAPKIT_PROTOCOL_ID, as on Edgegap.
GAPKIT_BIN_DIR=$build/bin GAME=my-game GAME_VERSION=1 GAME_SERVER=$game/my-game-server PROTOCOL_ID=777 \
    SIM_EMPTY_TTL_SECONDS=2 "$source_dir/scripts/with-local-stack.sh" "$source_dir/tests/template/in_stack.sh" "$game"
say "ok"
