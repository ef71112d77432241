#!/usr/bin/env bash
# Build the Yew UI to wasm and lay it out in ui/dist (the desktop app
# embeds that folder). Installs the wasm target and the wasm-bindgen CLI of
# exactly the version Cargo.lock pins, under a persistent tool folder.
# Plain `cargo build` + `wasm-bindgen` rather than trunk: one tool less to
# build on a fresh machine (trunk alone takes ~15 min on 2 cores).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh

rustup target add wasm32-unknown-unknown >/dev/null
version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/[^0-9.]/, ""); print; exit }' Cargo.lock)
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$version" ]; then
  echo "== installing wasm-bindgen-cli $version into $YORIAI_TOOLS (about 9 minutes, once)"
  CARGO_TARGET_DIR="$YORIAI_TOOLS/target" cargo install --root "$YORIAI_TOOLS" "wasm-bindgen-cli@$version"
fi

echo "== yoriai-ui for wasm32"
cargo build -p yoriai-ui --lib --target wasm32-unknown-unknown --profile web --locked
out=ui/dist
rm -rf "$out.tmp"
mkdir -p "$out.tmp"
wasm-bindgen --target web --no-typescript --remove-name-section --remove-producers-section \
  --out-dir "$out.tmp" "$CARGO_TARGET_DIR/wasm32-unknown-unknown/web/yoriai_ui.wasm"
cp ui/index.html ui/main.js ui/style.css ui/manifest.webmanifest "$out.tmp/"
# The service worker caches this build as one version (browsers load
# the app offline from it).
version=$(cat "$out.tmp"/* | sha256sum | cut -c1-16)
sed "s/__VERSION__/$version/" ui/sw.js > "$out.tmp/sw.js"
# Served compressed to browsers that accept it (node/src/web.rs).
gzip -9 -k -n "$out.tmp/yoriai_ui_bg.wasm" "$out.tmp/yoriai_ui.js"
rm -rf "$out"
mv "$out.tmp" "$out"
echo "== ui/dist: $(du -sh "$out" | cut -f1) ($(ls "$out" | tr '\n' ' '))"
