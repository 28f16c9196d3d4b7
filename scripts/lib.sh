# Sourced by the scripts in scripts/ and by .ci/run: the repo root, PATH and messages.
# Works from any cwd: everything is relative to this file.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# cargo-installed tools (trunk, wasm-bindgen) and npm's (wasm-opt, playwright-core).
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$ROOT/node_modules/.bin:$PATH"

if [ -t 1 ]; then _bold=$'\033[1m' _red=$'\033[31m' _green=$'\033[32m' _off=$'\033[0m'
else _bold='' _red='' _green='' _off=''; fi

# say TAG message...: a progress line, e.g. `say setup installing trunk`.
say() { local tag=$1; shift; printf '%s[%s]%s %s\n' "$_bold" "$tag" "$_off" "$*"; }
die() { local tag=$1; shift; printf '%s[%s] error:%s %s\n' "$_red" "$tag" "$_off" "$*" >&2; exit 1; }
