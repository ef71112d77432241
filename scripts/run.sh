#!/usr/bin/env bash
# Set up and run Yoriai on this machine with its embedded store (SQLite in
# the platform data directory; no server to install):
#
#   ./scripts/run.sh            the desktop app (installs what is missing,
#                               builds the UI and the app, opens the window)
#   ./scripts/run.sh ARGS...    the `yoriai` command line on its own home,
#                               e.g. ./scripts/run.sh demo seed
#
# The first build takes about 25 minutes on 2 cores; later runs start at once.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh

if [ $# -gt 0 ]; then
  cargo build --release --locked -p yoriai-node --bin yoriai
  home="${YORIAI_HOME:-${XDG_DATA_HOME:-$HOME/.local/share}/yoriai-cli}"
  exec "$CARGO_TARGET_DIR/release/yoriai" --home "$home" "$@"
fi

scripts/build-ui.sh
echo "== yoriai-app (release)"
cargo build --release --locked -p yoriai-app
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  echo "error: no display to open the window on (DISPLAY is not set)." >&2
  echo "On a machine without a screen: xvfb-run -a ./scripts/run.sh" >&2
  exit 1
fi
echo "== starting Yoriai (its store: \${XDG_DATA_HOME:-~/.local/share}/org.yoriai.app/home)"
exec "$CARGO_TARGET_DIR/release/yoriai-app"
