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
cargo build -p yoriai-ui --lib --target wasm32-unknown-unknown --release --locked
out=ui/dist
rm -rf "$out.tmp"
mkdir -p "$out.tmp"
wasm-bindgen --target web --no-typescript --out-dir "$out.tmp" \
  "$CARGO_TARGET_DIR/wasm32-unknown-unknown/release/yoriai_ui.wasm"
cp ui/index.html ui/main.js ui/style.css "$out.tmp/"
rm -rf "$out"
mv "$out.tmp" "$out"
echo "== ui/dist: $(du -sh "$out" | cut -f1) ($(ls "$out" | tr '\n' ' '))"
