#!/usr/bin/env bash
# Browser tests of the playground: builds dist/ with Trunk (release, offline), serves it on a
# localhost port and runs tests/browser/ with node's test runner in headless Chromium
# (playwright-core driving Debian's /usr/bin/chromium). Called by scripts/test-all.sh, whose
# `cargo test --workspace` already runs the crate's native tests (share links, gallery,
# completion). Runs scripts/setup.sh first (idempotent; SKIP_SETUP=1 skips it).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${SKIP_SETUP:-}" ]; then
  scripts/setup.sh
fi
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"

step() { printf '\n\033[1;36m--> %s\033[0m\n' "$*"; }

step "clippy for wasm32 (playground crate)"
cargo clippy -p loopsim-web --no-deps --target wasm32-unknown-unknown -- -D warnings

step "trunk build --release --offline"
trunk build --release --offline

step "release bundle size (gzip -9)"
total=0
for f in dist/*.wasm dist/*.js dist/*.css; do
  gz=$(gzip -9c "$f" | wc -c)
  total=$((total + gz))
  printf '  %-48s %8d B  gzip %7d B\n' "$(basename "$f")" "$(wc -c <"$f")" "$gz"
done
printf '  %-48s %19s %7d B (%d KiB)\n' "total (wasm + JS + CSS)" "" "$total" $((total / 1024))

step "browser tests (headless Chromium)"
mkdir -p tests/browser/artifacts
node --test --test-concurrency=1 --test-reporter=spec tests/browser/
