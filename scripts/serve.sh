#!/usr/bin/env bash
# Serves the playground at http://127.0.0.1:8080/ with live rebuilds (trunk serve, offline:
# only tools already installed are used). Installs what is missing first.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"
# Trunk.toml's watch ignore list names web/gen (the bundle output): it must exist.
mkdir -p web/gen
exec trunk serve --release --offline --address 127.0.0.1 --port "${PORT:-8080}" "$@"
