#!/usr/bin/env bash
# Runs one fuzz target for a while, one job, seeding its corpus from the repository's
# Python programs (parse, run_limited) or from links made by the encoder (permalink).
# Usage: [FUZZ_TIMEOUT=s] fuzz/run.sh TARGET SECONDS   (needs `rustup toolchain install nightly` and
#                                         `cargo install cargo-fuzz`)
set -euo pipefail
cd "$(dirname "$0")"
target=$1 seconds=${2:-600}
mkdir -p "corpus/$target"
case "$target" in
  parse|run_limited)
    cp -n ../tests/conformance/programs/*.py ../crates/memlane-python/tests/parser_corpus/*.py \
      "corpus/$target/" 2>/dev/null || true ;;
  permalink)
    printf '%s' 'v1.JYzBCoMwEER_JexJIRRMb4F-SdPDalcMxDUkqyDiv7vibeYxbw4Ylj-BBzQf8-2scb_AvWYMnEtkaRJx07dtYLBQhTJ4ZyHvqrxfnVM4Pwe0EYvWseBMVcGQd5mWW4ucIutGykp3EyqMCfyIqdJ5AQ' > corpus/permalink/v1
    printf '%s' 'code=x%20%3D%20%5B1%2C%202%5D%0Aprint(x)&curInstr=1&py=3&mode=display' > corpus/permalink/tutor
    printf '%s' 'code=a+%3D+1&step=0&py=3.13&mode=event' > corpus/permalink/plain ;;
esac
# -rss_limit_mb: the interpreter's own caps must stop runaway programs well before this.
cargo +nightly fuzz run "$target" "corpus/$target" -- \
  -max_total_time="$seconds" -timeout="${FUZZ_TIMEOUT:-20}" -rss_limit_mb=2048 -max_len=4096 \
  -print_final_stats=1
