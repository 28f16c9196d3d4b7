#!/usr/bin/env bash
# Builds the release site with trunk and serves it at http://127.0.0.1:8080 until Ctrl-C.
# Installs what is missing first (scripts/setup.sh). Works from any directory.
# Usage: scripts/serve.sh [--watch]
#   --watch  serve with `trunk serve` instead: rebuilds and reloads the page on changes
# PORT=9000 scripts/serve.sh serves on another port.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

watch=0
for arg in "$@"; do
  case "$arg" in
    --watch) watch=1 ;;
    -h|--help) sed -n '2,7p' "$0"; exit 0 ;;
    *) die serve "unknown option $arg (try --help)" ;;
  esac
done
port="${PORT:-8080}"

scripts/setup.sh

if [ "$watch" = 1 ]; then
  say serve "trunk serve at http://127.0.0.1:$port/ (rebuilds on change)"
  exec trunk serve --release --offline --address 127.0.0.1 --port "$port"
fi

say serve "building the release site (trunk build --release --offline)"
trunk build --release --offline
say serve "serving dist/ at http://127.0.0.1:$port/"
exec node scripts/static-server.mjs dist "$port"
