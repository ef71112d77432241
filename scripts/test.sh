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

# The web app in a browser: Debian's Chromium, driven by playwright-core,
# audited by axe-core (tests/browser, as pinned by its lockfile).
if ! command -v chromium >/dev/null 2>&1; then
  echo "== installing chromium"
  as_root apt-get update -q
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium
fi
echo "== npm install (tests/browser, as pinned by its lockfile)"
(cd tests/browser && npm install --no-audit --no-fund --loglevel=error)

# The end-to-end test of the desktop app: a virtual display, Debian's
# WebKitWebDriver, ImageMagick, and tauri-driver (built once into $YORIAI_TOOLS).
e2e_missing=()
command -v Xvfb >/dev/null 2>&1 || e2e_missing+=(xvfb)
command -v WebKitWebDriver >/dev/null 2>&1 || e2e_missing+=(webkit2gtk-driver)
# ImageMagick's import takes the screenshots (WebDriver's hangs here).
command -v import >/dev/null 2>&1 || e2e_missing+=(imagemagick)
if [ ${#e2e_missing[@]} -gt 0 ]; then
  echo "== installing ${e2e_missing[*]}"
  as_root apt-get update -q
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${e2e_missing[@]}"
fi
if ! tauri-driver --help >/dev/null 2>&1; then
  echo "== installing tauri-driver 2 into $YORIAI_TOOLS (a few minutes, once)"
  CARGO_TARGET_DIR="$YORIAI_TOOLS/target" cargo install --locked --root "$YORIAI_TOOLS" "tauri-driver@^2"
fi

# The UI (wasm) first: the app embeds ui/dist when it compiles.
scripts/build-ui.sh

echo "== cargo fmt --check"
cargo fmt --all -- --check

echo "== cargo clippy -D warnings"
cargo clippy --workspace --all-targets --locked -- -D warnings

echo "== yoriai-crdt for wasm32-unknown-unknown (the browser client runs it)"
cargo build -p yoriai-crdt --target wasm32-unknown-unknown --locked

echo "== clippy -D warnings on the browser's own code (yoriai-ui for wasm32)"
cargo clippy -p yoriai-ui --lib --target wasm32-unknown-unknown --locked -- -D warnings

# As root the LAN test must run three devices in network namespaces found
# by mDNS; elsewhere it runs them over loopback only.
if [ "$(id -u)" = 0 ]; then export YORIAI_REQUIRE_NETNS="${YORIAI_REQUIRE_NETNS:-1}"; fi
# The app's end-to-end test must run here (it saves docs/screenshots/).
export YORIAI_REQUIRE_E2E="${YORIAI_REQUIRE_E2E:-1}"
# And the browser test (it saves docs/screenshots/tablet-*.png).
export YORIAI_REQUIRE_BROWSER="${YORIAI_REQUIRE_BROWSER:-1}"

echo "== tests"
cargo test --workspace --locked
