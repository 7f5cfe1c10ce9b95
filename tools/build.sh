#!/usr/bin/env bash
# Configures and builds tradesim (Release) into build/ (or $TRADESIM_BUILD_DIR).
# Extra arguments go to cmake's configure step, e.g. -DTRADESIM_SANITIZER=address,undefined.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${TRADESIM_BUILD_DIR:-$root/build}
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=${CMAKE_BUILD_TYPE:-Release} "$@" >/dev/null
cmake --build "$build" -j "$(nproc)"
