#!/usr/bin/env bash
# The floor under the page's bundle: the engine alone (memlane-python and memlane-core,
# running a program, seeking a step and narrating it) built as the page's wasm is built
# (opt-level z, LTO, panic abort; wasm-bindgen --target web; wasm-opt -Oz --converge),
# gzipped with gzip -9. Prints the bytes. Needs what scripts/setup.sh --browser installs.
# Usage: scripts/engine-size.sh
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/src"
cat > "$work/Cargo.toml" <<TOML
[package]
name = "engine-size"
version = "0.1.0"
edition = "2021"
[lib]
crate-type = ["cdylib"]
[dependencies]
memlane-core = { path = "$ROOT/crates/memlane-core" }
memlane-python = { path = "$ROOT/crates/memlane-python" }
wasm-bindgen = "=0.2.130"
[profile.release]
lto = true
codegen-units = 1
opt-level = "z"
panic = "abort"
[workspace]
TOML
cat > "$work/src/lib.rs" <<'RUST'
use wasm_bindgen::prelude::*;

/// Runs `src`, seeks step `step` and narrates it: what the page needs of the engine.
#[wasm_bindgen]
pub fn trace(src: &str, step: usize) -> String {
    let trace = memlane_python::run(src, &memlane_python::RunOptions::default());
    let snap = trace.snapshot(step);
    format!(
        "{} {} {}",
        trace.len(),
        snap.objects.len(),
        memlane_core::narrate::describe_step(&trace, step, src)
    )
}
RUST
cp Cargo.lock "$work/"
(cd "$work" && CARGO_TARGET_DIR="$ROOT/target/engine-size" cargo build --release --offline \
  --target wasm32-unknown-unknown --quiet)
wasm-bindgen --target web --no-typescript --out-dir "$work/out" \
  "$ROOT/target/engine-size/wasm32-unknown-unknown/release/engine_size.wasm"
"$ROOT/node_modules/.bin/wasm-opt" -Oz --converge "$work/out/engine_size_bg.wasm" -o "$work/opt.wasm"
echo "engine alone: $(wc -c < "$work/opt.wasm") bytes wasm, $(gzip -9c "$work/opt.wasm" | wc -c) gzipped"
