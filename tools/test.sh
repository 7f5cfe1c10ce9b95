#!/usr/bin/env bash
# Installs what is missing, builds, and runs the whole test suite through ctest.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/tools/setup.sh"
"$root/tools/build.sh" "$@"
# TRADESIM_CTEST_ARGS: more ctest options, e.g. "-LE long" to leave out the long CLI runs.
read -ra extra <<<"${TRADESIM_CTEST_ARGS:-}"
ctest --test-dir "${TRADESIM_BUILD_DIR:-$root/build}" --output-on-failure -j "$(nproc)" "${extra[@]}"
