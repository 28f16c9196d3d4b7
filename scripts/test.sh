#!/usr/bin/env bash
# Runs every memlane test, after installing whatever is missing (scripts/setup.sh --browser).
# Works from any directory. Exits non-zero if any part fails; ends with a summary.
# Usage: scripts/test.sh [part...]    (default: all parts, in this order)
#   rust         cargo test --workspace
#   conformance  cargo build --release -p memlane-cli, then python3 tests/conformance/run.py
#   web          trunk build --release --offline (the release site in dist/); fails when
#                wasm + js + css, gzipped, exceed the bundle limit
#   wasm         memlane-web's component tests (wasm-bindgen-test) in headless chromium
#   browser      node --test tests/browser/ (drives chromium against dist/; screenshots
#                go to tests/browser/screenshots/)
set -uo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

all_parts=(rust conformance web wasm browser)
parts=()
for arg in "$@"; do
  case "$arg" in
    rust|conformance|web|wasm|browser) parts+=("$arg") ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) die test "unknown part $arg (parts: ${all_parts[*]})" ;;
  esac
done
[ ${#parts[@]} -gt 0 ] || parts=("${all_parts[@]}")
wants() { local p; for p in "${parts[@]}"; do [ "$p" = "$1" ] && return 0; done; return 1; }

declare -A status seconds
declare -A what=(
  [setup]="scripts/setup.sh (install what is missing)"
  [rust]="cargo test --workspace"
  [conformance]="cargo build --release -p memlane-cli; python3 tests/conformance/run.py"
  [web]="trunk build --release --offline"
  [wasm]="cargo test -p memlane-web --target wasm32-unknown-unknown (chromedriver)"
  [browser]="node --test tests/browser/"
)
order=()
failed=0

# run NAME COMMAND...: runs one part, records how it went and how long it took.
run() {
  local name=$1; shift
  order+=("$name")
  say test "── $name: ${what[$name]}"
  local start=$SECONDS rc=0
  "$@" || rc=$?
  seconds[$name]=$((SECONDS - start))
  if [ "$rc" = 0 ]; then status[$name]=passed; else status[$name]="FAILED (exit $rc)"; failed=$((failed + 1)); fi
}
not_run() { order+=("$1"); status[$1]="NOT RUN ($2)"; seconds[$1]=0; failed=$((failed + 1)); }

summary() {
  echo
  say test "summary"
  local name
  for name in "${order[@]}"; do
    printf '  %-12s %-30s %5ss  %s\n' "$name" "${status[$name]}" "${seconds[$name]}" "${what[$name]}"
  done
  local skipped=()
  for name in "${all_parts[@]}"; do wants "$name" || skipped+=("$name"); done
  [ ${#skipped[@]} = 0 ] || printf '  (not asked for: %s)\n' "${skipped[*]}"
  if [ "$failed" = 0 ]; then
    printf '%sall %d parts passed%s\n' "$_green" "${#order[@]}" "$_off"
  else
    printf '%s%d of %d parts failed or did not run%s\n' "$_red" "$failed" "${#order[@]}" "$_off"
  fi
}

conformance() {
  cargo build --release -p memlane-cli || return
  if [ ! -f tests/conformance/run.py ]; then
    echo "tests/conformance/run.py does not exist (yet): the conformance suite cannot run" >&2
  fi
  python3 tests/conformance/run.py
}

web() {
  trunk build --release --offline || return
  # What the full page downloads, as gzip would send it: the files dist/index.html names,
  # plus the wasm its loader fetches. (The other pages' own small files are listed apart.)
  local f total=0 size page
  page=$( { grep -oE '(src|href)="[^"]+\.(js|css|wasm)"' dist/index.html | sed -E 's/^[a-z]+="(\.\/)?//; s/"$//'; ls dist/*.wasm | sed 's|^dist/||'; } | sort -u)
  for f in $page; do
    [ -f "dist/$f" ] || continue
    size=$(gzip -9c "dist/$f" | wc -c)
    total=$((total + size))
    printf '  %-44s %8s bytes, %7s gzipped\n' "dist/$f" "$(wc -c <"dist/$f")" "$size"
  done
  echo "  the full page downloads (wasm + js + css): $total bytes gzipped"
  for f in dist/*.js dist/*.css; do
    case " $(echo $page) " in *" ${f#dist/} "*) continue ;; esac
    printf '  (other pages) %-30s %8s bytes, %7s gzipped\n' "$f" "$(wc -c <"$f")" "$(gzip -9c "$f" | wc -c)"
  done
  # The budget is 250 KB; the bundle is not there yet (docs/performance.md says why and
  # what would get it there). Until it is, the check holds the measured size plus a
  # little (now 463,027 + 0.4%, raised on purpose for the history's pieces and compact
  # memory events, +3,690 bytes), so growth fails the build instead of going unnoticed.
  # Lower the limit as the bundle shrinks; raise it only on purpose, with the
  # measurement in the docs.
  local budget=250000 limit=465000
  if [ "$total" -gt "$limit" ]; then
    echo "  bundle over its limit: $total > $limit bytes gzipped (budget $budget)" >&2
    return 1
  fi
  if [ "$total" -gt "$budget" ]; then
    echo "  within the limit of $limit bytes, but over the $budget-byte budget by $((total - budget)) bytes"
  fi
}

# Component tests: built to wasm, run by wasm-bindgen-test-runner in headless chromium
# through chromedriver (both from scripts/setup.sh --browser).
wasm() {
  CHROMEDRIVER="${CHROMEDRIVER:-/usr/bin/chromedriver}" \
  CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
    cargo test -p memlane-web --target wasm32-unknown-unknown --test wasm_components
}

setup_args=()
{ wants browser || wants wasm; } && setup_args+=(--browser)
run setup scripts/setup.sh "${setup_args[@]}"
if [ "${status[setup]}" != passed ]; then
  summary
  exit 1
fi

wants rust && run rust cargo test --workspace
wants conformance && run conformance conformance
wants web && run web web
wants wasm && run wasm wasm
if wants browser; then
  if wants web && [ "${status[web]}" != passed ]; then
    not_run browser "the web build failed"
  elif [ ! -f dist/index.html ]; then
    not_run browser "no dist/: run the web part"
  else
    run browser node --test tests/browser/
  fi
fi

summary
[ "$failed" = 0 ]
