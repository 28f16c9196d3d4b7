#!/usr/bin/env bash
# Installs whatever memlane's build and tests need and is missing. Idempotent:
# each step checks first and skips what is already there.
# Usage: scripts/setup.sh [--browser]   (--browser also installs Chromium for browser tests)
set -euo pipefail
cd "$(dirname "$0")/.."

want_browser=0
[ "${1:-}" = "--browser" ] && want_browser=1

say() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"

# Rust: the wasm target and the pinned build tools. trunk 0.22 needs a newer rustc
# than these machines have; wasm-bindgen-cli must match the library pin in Cargo.toml.
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi
if ! trunk --version 2>/dev/null | grep -q '0.21.14'; then
  say "installing trunk 0.21.14 (about 5 minutes)"
  cargo install trunk --version 0.21.14 --locked
fi
if ! wasm-bindgen --version 2>/dev/null | grep -q '0.2.130'; then
  say "installing wasm-bindgen-cli 0.2.130 (about 2 minutes)"
  # --locked fails on a yanked webpki-roots version; unlocked resolves it.
  cargo install wasm-bindgen-cli --version 0.2.130
fi

# npm: wasm-opt from binaryen 132 (Debian's 108 cannot read current rustc output)
# and playwright-core for the browser tests. Versions are pinned in package-lock.json.
if [ ! -x node_modules/.bin/wasm-opt ] || [ ! -d node_modules/playwright-core ]; then
  say "installing npm packages (binaryen, playwright-core)"
  npm ci --no-audit --no-fund
fi

if [ "$want_browser" = 1 ] && { [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; }; then
  say "installing Debian's chromium and chromium-driver"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium chromium-driver
fi

# Crates for the offline trunk build.
cargo fetch --quiet
say "tools ready"
