#!/usr/bin/env bash
# The whole test suite, from a fresh Debian machine: installs what is
# missing, then formatting, lints, the browser (wasm32) build of the domain
# crate, and every test. CI runs exactly this (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh

rustup component add rustfmt clippy >/dev/null 2>&1 || true
rustup target add wasm32-unknown-unknown >/dev/null

echo "== cargo fmt --check"
cargo fmt --all -- --check

echo "== cargo clippy -D warnings"
cargo clippy --workspace --all-targets --locked -- -D warnings

echo "== yoriai-crdt for wasm32-unknown-unknown (the browser client runs it)"
cargo build -p yoriai-crdt --target wasm32-unknown-unknown --locked

echo "== tests"
cargo test --workspace --locked
