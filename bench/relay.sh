#!/usr/bin/env bash
# Relay benchmark (issue #3): fetch of a 10,000-change project through the
# relay, and propagation latency with N clients making 6 changes a second.
# Usage: bench/relay.sh [seconds per load step, default 10]
# Results go in docs/benchmarks.md with the machine they ran on.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
cargo run --release --locked -p yoriai-relay --example relay_load -- "${1:-10}"
