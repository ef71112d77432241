# Sourced by the other scripts: what a fresh Debian machine needs before
# building Yoriai. Sets CARGO_TARGET_DIR to a persistent place outside the
# clone (override it to choose another).

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/cache/yoriai/target}"
if ! mkdir -p "$CARGO_TARGET_DIR" 2>/dev/null || [ ! -w "$CARGO_TARGET_DIR" ]; then
  export CARGO_TARGET_DIR="$HOME/.cache/yoriai/target"
  mkdir -p "$CARGO_TARGET_DIR"
fi

# Tools built from crates.io (wasm-bindgen-cli, tauri-driver) live here,
# beside the build cache, so a second run reuses them.
export YORIAI_TOOLS="${YORIAI_TOOLS:-$(dirname "$CARGO_TARGET_DIR")/tools}"
mkdir -p "$YORIAI_TOOLS/bin"
export PATH="$YORIAI_TOOLS/bin:$PATH"

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# System packages: a C compiler (bundled SQLite), pkg-config, OpenSSL headers.
missing=()
command -v cc >/dev/null 2>&1 || missing+=(build-essential)
command -v pkg-config >/dev/null 2>&1 || missing+=(pkg-config)
# OpenSSL headers: the WebSocket client (samod -> tungstenite -> native-tls).
{ command -v pkg-config >/dev/null 2>&1 && pkg-config --exists openssl; } || missing+=(libssl-dev)
# iproute2: the LAN test builds network namespaces with `ip netns`.
command -v ip >/dev/null 2>&1 || missing+=(iproute2)
# The desktop app: WebKitGTK and GTK headers (Tauri 2 on Linux).
if command -v pkg-config >/dev/null 2>&1; then
  pkg-config --exists webkit2gtk-4.1 || missing+=(libwebkit2gtk-4.1-dev)
  pkg-config --exists gtk+-3.0 || missing+=(libgtk-3-dev)
  pkg-config --exists librsvg-2.0 || missing+=(librsvg2-dev)
else
  missing+=(libwebkit2gtk-4.1-dev libgtk-3-dev librsvg2-dev)
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "== installing ${missing[*]}"
  as_root apt-get update -q
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"
fi

command -v cargo >/dev/null 2>&1 || {
  echo "error: cargo not found; install Rust with rustup (https://rustup.rs) and run this again" >&2
  exit 1
}
