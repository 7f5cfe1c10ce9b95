#!/usr/bin/env bash
# Installs what is missing, builds, and runs the default scenario.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/tools/setup.sh"
"$root/tools/build.sh"
cd "$root"
exec "${TRADESIM_BUILD_DIR:-$root/build}/tools/tradesim" run scenarios/baseline.toml --force "$@"
