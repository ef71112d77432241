#!/usr/bin/env bash
# The whole test suite, from a fresh Debian machine: installs what is
# missing, then formatting, lints, the browser (wasm32) build of the domain
# crate, and every test. CI runs exactly this (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh

rustup component add rustfmt clippy >/dev/null 2>&1 || true
rustup target add wasm32-unknown-unknown >/dev/null

# The stock JavaScript automerge-repo client for the interop test.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "== installing nodejs npm"
  as_root apt-get update -q
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q nodejs npm
fi
echo "== npm install (tests/interop, as pinned by its lockfile)"
# `npm ci` trips over optional platform packages when the lockfile omits
# registry addresses (as configured here); `npm install` honours the lock.
(cd tests/interop && npm install --no-audit --no-fund --loglevel=error)

echo "== cargo fmt --check"
cargo fmt --all -- --check

echo "== cargo clippy -D warnings"
cargo clippy --workspace --all-targets --locked -- -D warnings

echo "== yoriai-crdt for wasm32-unknown-unknown (the browser client runs it)"
cargo build -p yoriai-crdt --target wasm32-unknown-unknown --locked

# As root the LAN test must run three devices in network namespaces found
# by mDNS; elsewhere it runs them over loopback only.
if [ "$(id -u)" = 0 ]; then export YORIAI_REQUIRE_NETNS="${YORIAI_REQUIRE_NETNS:-1}"; fi

echo "== tests"
cargo test --workspace --locked
