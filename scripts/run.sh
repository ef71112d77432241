#!/usr/bin/env bash
# Set up and run Yoriai on this machine with its embedded store (SQLite in
# a home directory; no server): builds the `yoriai` command, seeds the demo
# space on first run, and shows the demo project. Extra arguments are
# passed to `yoriai` instead, with the same home:
#   ./scripts/run.sh idea add PROJECT "More benches by the pond"
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh

cargo build --release --locked -p yoriai-node --bin yoriai
yoriai="$CARGO_TARGET_DIR/release/yoriai"
home="${YORIAI_HOME:-${XDG_DATA_HOME:-$HOME/.local/share}/yoriai-demo}"

if [ $# -gt 0 ]; then
  exec "$yoriai" --home "$home" "$@"
fi

project_file="$home/demo-project"
if [ ! -s "$project_file" ]; then
  "$yoriai" --home "$home" init --name "田中 Tanaka (市役所 town hall)" >/dev/null
  "$yoriai" --home "$home" --json demo seed \
    | sed -n 's/.*"id":"\([^"]*\)".*/\1/p' > "$project_file"
fi
project="$(cat "$project_file")"
"$yoriai" --home "$home" show "$project"
echo
echo "Home: $home   Project: $project"
echo "Next: ./scripts/run.sh idea add $project \"your idea\"   |   ./scripts/run.sh --help"
