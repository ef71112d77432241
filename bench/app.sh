#!/usr/bin/env bash
# Desktop app cold start (issue #5): from launching `yoriai-app` to an
# interactive space home (the demo space's project cards on screen), in
# the real WebKitGTK webview under Xvfb, measured through WebDriver
# (tauri-driver + WebKitWebDriver, as the e2e test drives it).
#
# Usage: bench/app.sh [runs, default 10]
#   PROFILE=dev bench/app.sh   measures the debug build the e2e test uses
#                              (default: release, the build the README runs)
# Each run launches a fresh app process on the same home (the demo space
# seeded once by the CLI); the figure includes process start, the node
# opening its SQLite home, loading the wasm UI and the first two API
# round trips. Results go in docs/benchmarks.md.
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
cargo build --locked --profile "$profile" -p yoriai-app -p yoriai-node --bin yoriai-app --bin yoriai
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

export YORIAI_HOME="$scratch/home" YORIAI_LAN=off
"$CARGO_TARGET_DIR/$dir/yoriai" demo seed >/dev/null

n=100
while [ -e "/tmp/.X11-unix/X$n" ]; do n=$((n + 1)); done
Xvfb ":$n" -screen 0 1180x820x24 -nolisten tcp >/dev/null 2>&1 &
pids+=($!)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
port=$(free_port); native=$(free_port)
DISPLAY=":$n" XDG_DATA_HOME="$scratch/data" XDG_CONFIG_HOME="$scratch/config" \
  XDG_CACHE_HOME="$scratch/cache" \
  tauri-driver --port "$port" --native-port "$native" --native-driver "$(command -v WebKitWebDriver)" \
  >/dev/null 2>"$scratch/driver.log" &
pids+=($!)
for p in "$port" "$native"; do
  for _ in $(seq 100); do (echo >"/dev/tcp/127.0.0.1/$p") 2>/dev/null && break; sleep 0.1; done
done

python3 - "$port" "$app" "$runs" <<'EOF'
import json, sys, time, urllib.request
port, app, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
base = f"http://127.0.0.1:{port}"

def call(method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method=method,
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=60) as r:
        return json.loads(r.read() or b"{}")

caps = {"capabilities": {"alwaysMatch": {"browserName": "wry",
        "tauri:options": {"application": app}}}}
times = []
for i in range(runs + 1):
    t0 = time.perf_counter()
    sid = call("POST", "/session", caps)["value"]["sessionId"]
    while True:
        try:
            found = call("POST", f"/session/{sid}/elements",
                         {"using": "css selector", "value": ".project-card button:not([disabled])"})["value"]
        except Exception:
            found = []
        if found:
            break
        if time.perf_counter() - t0 > 30:
            sys.exit("the space home never showed its projects")
        time.sleep(0.01)
    ms = (time.perf_counter() - t0) * 1000
    call("DELETE", f"/session/{sid}")
    time.sleep(0.5)
    if i == 0:
        print(f"warm-up run (first launch, cold disk cache): {ms:.0f} ms")
    else:
        times.append(ms)
times.sort()
med = times[len(times) // 2]
print(f"cold start to interactive space home, {runs} runs: "
      f"median {med:.0f} ms, min {times[0]:.0f} ms, max {times[-1]:.0f} ms")
EOF
