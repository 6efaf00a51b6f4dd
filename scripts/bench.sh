#!/usr/bin/env bash
# The benchmark table: builds the release CLI and the wasm engine, then prints ONE table
# (machine, command, wall time, events/s, requests/s, peak memory, target) measured by
# scripts/bench-table.py. The README's "Benchmarks" section is this table.
#
#   scripts/bench.sh [--quick] [--month] [--repeat N]
#     --quick      skip AsyncFlow and the page
#     --month      add the 30-day shop's peak memory (263 M requests: minutes of CPU)
#     --repeat N   runs per row, best reported (default 3)
# Environment: CARGO_TARGET_DIR (default target/); LOOPSIM_DIST, a built playground (trunk's
# dist/) for the page row (default dist/ when present); AFPYTHON, the Python with
# asyncflow-sim 0.1.1 (default /work/afenv/bin/python; the row is skipped without it).
#
# Speed is measured here and in `cargo bench -p loopsim-core`, never asserted in tests. The
# machine is shared by other work: the table prints the load average before and after.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"
target="${CARGO_TARGET_DIR:-$PWD/target}"

echo "building the release CLI and the wasm engine…" >&2
cargo build --quiet --release -p loopsim-cli
cargo build --quiet --release -p loopsim-wasm --target wasm32-unknown-unknown
pkg="$target/bench-wasm-pkg"
rm -rf "$pkg"
wasm-bindgen --target web --out-dir "$pkg" "$target/wasm32-unknown-unknown/release/loopsim_wasm.wasm"

dist="${LOOPSIM_DIST:-}"
if [ -z "$dist" ] && [ -f dist/index.html ]; then dist=dist; fi
exec python3 scripts/bench-table.py --loopsim "$target/release/loopsim" --wasm-pkg "$pkg" \
  ${dist:+--dist "$dist"} "$@"
