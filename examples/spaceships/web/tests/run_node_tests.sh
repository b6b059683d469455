#!/usr/bin/env bash
# The node tests of the spaceships page's scripts, as CTest runs them (label unit):
#   run_node_tests.sh <messages_vectors_test_support program>
# The program prints the C++ encodings and decoder verdicts that messages.test.mjs checks the
# JavaScript codec against. Exits 77 (CTest's SKIP_RETURN_CODE) when node is missing (make deps
# installs it).
set -euo pipefail

if [ $# -ne 1 ]; then
    echo "usage: $0 <messages_vectors_test_support program>" >&2
    exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
command -v node >/dev/null || { echo "SKIP: node is not installed (make deps installs it)"; exit 77; }
GAPKIT_SPACESHIPS_VECTORS=$1 exec node --test --test-reporter=spec "$here"/*.test.mjs
