#!/usr/bin/env bash
# Run Anlan on this machine with the embedded SQLite database in ./data and the demo data.
# Builds the PWA and the server first. Extra arguments go to `anlan serve`.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
source scripts/lib.sh

command -v npm >/dev/null || { echo "Node.js and npm are required to build the PWA" >&2; exit 1; }
build_pwa
step "building the server"
cargo build --release --locked -p anlan-server
exec ./target/release/anlan serve --demo --data ./data --static-dir pwa/dist "$@"
