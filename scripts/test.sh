#!/usr/bin/env bash
# The whole test suite, from a fresh Debian machine: installs what is
# missing, then formatting, lints, the browser (wasm32) build of the domain
# crate, and every test. CI runs exactly this (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."

# Builds are slow on 2 cores: keep them outside the clone so runs are
# incremental (override with CARGO_TARGET_DIR).
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/cache/yoriai/target}"
if ! mkdir -p "$CARGO_TARGET_DIR" 2>/dev/null || [ ! -w "$CARGO_TARGET_DIR" ]; then
  export CARGO_TARGET_DIR="$HOME/.cache/yoriai/target"
  mkdir -p "$CARGO_TARGET_DIR"
fi

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# System packages: a C compiler for crates that build C code.
missing=()
command -v cc >/dev/null 2>&1 || missing+=(build-essential)
command -v pkg-config >/dev/null 2>&1 || missing+=(pkg-config)
if [ ${#missing[@]} -gt 0 ]; then
  echo "== installing ${missing[*]}"
  as_root apt-get update -q
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"
fi

command -v cargo >/dev/null 2>&1 || {
  echo "error: cargo not found; install Rust with rustup (https://rustup.rs) and run this again" >&2
  exit 1
}
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
