#!/usr/bin/env bash
# Desktop app (issue #5), in the real WebKitGTK webview under Xvfb,
# measured through WebDriver (tauri-driver + WebKitWebDriver, as the e2e
# test drives it):
#  1. cold start: from launching `yoriai-app` to an interactive space home
#     (the demo space's project cards on screen);
#  2. opening a project of 10,000 comments on 500 ideas (`yoriai demo
#     big`): from the click on its card to the idea list drawn (its first
#     50 cards and "Show more").
#
# Usage: bench/app.sh [runs, default 10]
#   PROFILE=dev bench/app.sh   measures the debug build the e2e test uses
#                              (default: release, the build the README runs)
# Each run launches a fresh app process on the same home (seeded once by
# the CLI); the cold start includes process start, the node opening its
# SQLite home, loading the wasm UI and the first API round trips. Results
# go in docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
runs="${1:-10}"
profile="${PROFILE:-release}"
dir=$([ "$profile" = dev ] && echo debug || echo "$profile")

for tool in Xvfb WebKitWebDriver tauri-driver curl python3; do
  command -v "$tool" >/dev/null || { echo "error: $tool missing (scripts/test.sh installs the e2e tools)" >&2; exit 1; }
done
[ -f ui/dist/index.html ] || scripts/build-ui.sh
cargo build --locked --profile "$profile" --workspace --bins
app="$CARGO_TARGET_DIR/$dir/yoriai-app"

scratch=$(mktemp -d)
pids=()
cleanup() {
  # SIGTERM: tauri-driver then stops WebKitWebDriver (SIGKILL would leave
  # it holding its port).
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$scratch"
}
trap cleanup EXIT

export YORIAI_LAN=off
"$CARGO_TARGET_DIR/$dir/yoriai" --home "$scratch/demo" demo seed >/dev/null
"$CARGO_TARGET_DIR/$dir/yoriai" --home "$scratch/big" demo big --ideas 500 --comments 10000 >/dev/null

n=100
while [ -e "/tmp/.X11-unix/X$n" ]; do n=$((n + 1)); done
Xvfb ":$n" -screen 0 1180x820x24 -nolisten tcp >/dev/null 2>&1 &
pids+=($!)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# One scenario: a tauri-driver whose app opens HOME, then the measurement.
scenario() {
  local home="$1" mode="$2" port native driver
  port=$(free_port); native=$(free_port)
  YORIAI_HOME="$home" DISPLAY=":$n" XDG_DATA_HOME="$scratch/data" XDG_CONFIG_HOME="$scratch/config" \
    XDG_CACHE_HOME="$scratch/cache" \
    tauri-driver --port "$port" --native-port "$native" --native-driver "$(command -v WebKitWebDriver)" \
    >/dev/null 2>"$scratch/driver.log" &
  driver=$!
  pids+=("$driver")
  for p in "$port" "$native"; do
    for _ in $(seq 100); do (echo >"/dev/tcp/127.0.0.1/$p") 2>/dev/null && break; sleep 0.1; done
  done
  python3 - "$port" "$app" "$runs" "$mode" <<'EOF'
import json, sys, time, urllib.request
port, app, runs, mode = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
base = f"http://127.0.0.1:{port}"

def call(method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method=method,
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=60) as r:
        return json.loads(r.read() or b"{}")

def js(sid, script):
    return call("POST", f"/session/{sid}/execute/sync", {"script": script, "args": []})["value"]

def until(sid, script, t0, what):
    while True:
        try:
            if js(sid, script):
                return (time.perf_counter() - t0) * 1000
        except Exception:
            pass
        if time.perf_counter() - t0 > 60:
            sys.exit(f"{what} never showed")
        time.sleep(0.005)

caps = {"capabilities": {"alwaysMatch": {"browserName": "wry",
        "tauri:options": {"application": app}}}}
card = "document.querySelector('.project-card button:not([disabled])')"
times = []
for i in range(runs + 1):
    t0 = time.perf_counter()
    for attempt in range(3):
        try:
            sid = call("POST", "/session", caps)["value"]["sessionId"]
            break
        except Exception as e:
            # The driver may drop the first connection while it settles.
            if attempt == 2:
                raise
            time.sleep(1)
    ms = until(sid, f"return !!{card}", t0, "the space home")
    if mode == "project":
        t1 = time.perf_counter()
        js(sid, f"{card}.click(); return 1")
        ms = until(sid, "return document.querySelectorAll('.idea-card').length >= 50"
                   " && !!document.querySelector('.show-more')", t1, "the idea list")
    call("DELETE", f"/session/{sid}")
    time.sleep(0.5)
    if i == 0:
        print(f"{mode}: warm-up run (first launch, cold disk cache): {ms:.0f} ms")
    else:
        times.append(ms)
times.sort()
what = {"start": "cold start to interactive space home",
        "project": "open the project of 10,000 comments (its first 50 of 500 idea cards drawn)"}[mode]
print(f"{what}, {runs} runs: median {times[len(times) // 2]:.0f} ms, "
      f"min {times[0]:.0f} ms, max {times[-1]:.0f} ms")
EOF
  kill -TERM "$driver" 2>/dev/null || true
  wait "$driver" 2>/dev/null || true
}

scenario "$scratch/demo" start
scenario "$scratch/big" project
