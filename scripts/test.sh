#!/usr/bin/env bash
# The whole test suite, as CI runs it (.ci/run calls this). Installs what a fresh machine of
# this kind lacks, starts PostgreSQL if it is down, then: format, lint, Rust tests on SQLite and
# PostgreSQL, the type-checked PWA build, its unit tests and the browser end-to-end tests.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
source scripts/lib.sh

ensure_system_packages
ensure_postgres
ensure_openpyxl

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy -D warnings"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "cargo test (SQLite and PostgreSQL)"
cargo build --workspace --locked
cargo test --workspace --locked

step "PWA: type-checked build and unit tests"
build_pwa
(cd pwa && npm test)

step "PWA: end-to-end in Chromium against the real server"
(cd pwa && ANLAN_BIN="$PWD/../target/debug/anlan" npm run e2e)

step "Debian package: contents, systemd unit, the packaged binary serving the packaged app"
bash scripts/package-check.sh
