#!/usr/bin/env bash
# Installs whatever memlane's build and tests need and is missing. Idempotent:
# each step checks first and skips what is already there.
# Usage: scripts/setup.sh [--browser] [--lint]
#   --browser  also installs Debian's Chromium for the browser tests (apt, needs root or sudo)
#   --lint     also adds rustfmt and clippy (for .ci/run)
# Expects rustup, node >= 20 with npm, on a Debian-like machine; needs only the package
# registries (crates.io, npm, apt), never GitHub downloads.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

want_browser=0
want_lint=0
for arg in "$@"; do
  case "$arg" in
    --browser) want_browser=1 ;;
    --lint) want_lint=1 ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) die setup "unknown option $arg (try --help)" ;;
  esac
done

# Prerequisites this script does not install.
command -v rustup >/dev/null && command -v cargo >/dev/null ||
  die setup "rustup and cargo are missing: install them from https://rustup.rs"
command -v node >/dev/null && command -v npm >/dev/null ||
  die setup "node and npm are missing: install Node.js 20 or newer"
node_major=$(node -p 'process.versions.node.split(".")[0]')
[ "$node_major" -ge 20 ] || die setup "node $(node --version) is too old: playwright-core needs 20 or newer"

# Rust: the wasm target and the pinned build tools. trunk 0.22 needs a newer rustc
# than these machines have; wasm-bindgen-cli must match the library pin in
# crates/memlane-web/Cargo.toml (and Trunk.toml's [tools]).
if ! grep -qx wasm32-unknown-unknown <<<"$(rustup target list --installed)"; then
  say setup "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi
if [ "$want_lint" = 1 ]; then
  for component in rustfmt clippy; do
    if ! grep -q "^$component" <<<"$(rustup component list --installed)"; then
      say setup "adding the $component component"
      rustup component add "$component"
    fi
  done
fi
if [[ "$(trunk --version 2>/dev/null)" != *' 0.21.14'* ]]; then
  say setup "installing trunk 0.21.14 (about 5 minutes)"
  cargo install trunk --version 0.21.14 --locked
fi
if [[ "$(wasm-bindgen --version 2>/dev/null)" != *' 0.2.130'* ]]; then
  say setup "installing wasm-bindgen-cli 0.2.130 (about 2 minutes)"
  # --locked fails on a yanked webpki-roots version; unlocked resolves it.
  cargo install wasm-bindgen-cli --version 0.2.130
fi

# npm: wasm-opt from binaryen 132 (Debian's 108 cannot read current rustc output)
# and playwright-core for the browser tests, both pinned by package-lock.json.
# npm ci again whenever the lock file is newer than what it last installed.
[ -f package-lock.json ] || die setup "package-lock.json is missing (npm ci needs it)"
if [ ! -x node_modules/.bin/wasm-opt ] || [ ! -d node_modules/playwright-core ] ||
   [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say setup "installing npm packages (binaryen, playwright-core) with npm ci"
  npm ci --no-audit --no-fund
fi

if [ "$want_browser" = 1 ] && { [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; }; then
  say setup "installing Debian's chromium and chromium-driver"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  # Wait for another apt run's lock instead of failing on it.
  apt_opts=(-o DPkg::Lock::Timeout=900 -o Dpkg::Use-Pty=0)
  $SUDO apt-get "${apt_opts[@]}" update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get "${apt_opts[@]}" install -y -qq \
    chromium chromium-driver </dev/null
fi

# Crates, so that the builds (trunk's is --offline) need no network.
cargo fetch --quiet
say setup "tools ready"
