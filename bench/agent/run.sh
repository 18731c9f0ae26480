#!/bin/bash
# bench/agent: samples stored per second (against raw SQLite) and training
# time per 100 000 examples per learner, on the host (see agent_bench.c).
set -euo pipefail
TOP=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-build}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$TOP/$BUILD/bench/agent/agent_bench" "$tmp"
