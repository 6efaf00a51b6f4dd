#!/usr/bin/env bash
# Installs what is missing, then runs every test: formatting and lints, native tests (core,
# CLI, queueing theory, gallery, determinism), the core's no_std build for wasm32, the wasm
# facade's tests in headless Chromium, and the browser tests of the built playground.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"

scripts/setup.sh

step() { printf '\n\033[1;32m==> %s\033[0m\n' "$*"; }

step "cargo fmt --check"
cargo fmt --all --check

step "cargo clippy (native, all targets)"
cargo clippy --workspace --all-targets -- -D warnings

step "native tests"
cargo test --workspace

step "core builds for wasm32-unknown-unknown without std"
cargo build -p loopsim-core --target wasm32-unknown-unknown --no-default-features

if [ -f crates/loopsim-wasm/Cargo.toml ]; then
  step "wasm facade tests in headless Chromium"
  CHROMEDRIVER=/usr/bin/chromedriver cargo test -p loopsim-wasm --target wasm32-unknown-unknown
fi

if [ -x scripts/test-browser.sh ]; then
  step "playground tests in headless Chromium"
  scripts/test-browser.sh
fi

step "all tests passed"
