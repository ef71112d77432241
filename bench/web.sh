#!/usr/bin/env bash
# The web app on a tablet (issue #7), in headless Chromium with a
# mid-range tablet profile (CPU 4x slower, 20/10 Mbit/s, 20 ms), against a
# laptop serving it with `yoriai tablets` (the dev build: its dependencies,
# samod and automerge among them, are optimised in dev builds too):
#  1. first load over the LAN (fresh profile each run: no cache, no
#     service worker) to the name field, and the bytes transferred;
#  2. a project of 10,000 comments on 500 ideas (`yoriai demo big`) in the
#     browser: how long its documents take to arrive after joining, then
#     opening the project (to its first ideas drawn) and an idea (to its
#     comments), each several times.
# Usage: bench/web.sh [runs, default 5]. Results go in docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
runs="${1:-5}"
[ -f ui/dist/yoriai_ui_bg.wasm.gz ] || scripts/build-ui.sh
[ -d tests/browser/node_modules/playwright-core ] || (cd tests/browser && npm install --no-audit --no-fund)
cargo build --locked -p yoriai-node --bin yoriai
yoriai="$CARGO_TARGET_DIR/debug/yoriai"
home=$(mktemp -d)
out=$(mktemp)
cleanup() { kill "${pid:-}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$home" "$out"; }
trap cleanup EXIT
"$yoriai" --home "$home" init --name "Facilitator" >/dev/null
space=$("$yoriai" --home "$home" --json demo big | python3 -c 'import json,sys; print(json.load(sys.stdin)["space"])')
"$yoriai" --home "$home" --json tablets "$space" --listen 127.0.0.1:0 >"$out" &
pid=$!
for _ in $(seq 100); do [ -s "$out" ] && break; sleep 0.1; done
url=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["urls"][0])' "$out")
echo "== serving $url"
node bench/web.mjs "$url" "$runs"
