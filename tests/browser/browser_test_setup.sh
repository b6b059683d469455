# shellcheck shell=bash disable=SC2034  # the variables are for the script that sources this
# What every run_*_test.sh of this folder does first; source it with the script's arguments:
#   source "$(dirname "$0")/browser_test_setup.sh" "$@"
# Checks the arguments <bin dir> <artifact dir> and sets here (this folder), root (the
# repository), bin, artifacts (created) and CHROMIUM (default /usr/bin/chromium). Exits 77
# (CTest's SKIP_RETURN_CODE) when node or chromium is missing, since `make test` installs both, and
# 1 when playwright-core is not installed.

if [ $# -ne 2 ]; then
    echo "usage: $0 <bin dir> <artifact dir>" >&2
    exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
bin=$(cd "$1" && pwd)
artifacts=$(mkdir -p "$2" && cd "$2" && pwd)
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}

say() { echo "[browser-test] $*"; }

command -v node >/dev/null || { say "SKIP: node is not installed (make deps installs it)"; exit 77; }
if [ ! -x "$CHROMIUM" ]; then
    say "SKIP: no Chromium at $CHROMIUM (Debian package chromium; make deps installs it)"
    exit 77
fi
if [ ! -d "$here/node_modules/playwright-core" ]; then
    say "playwright-core is not installed: run 'npm ci --prefix tests/browser' (make test does)"
    exit 1
fi
