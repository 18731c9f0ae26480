#!/bin/bash
# Benchmark: consume throughput through libmlagent (callback and iterator)
# against a raw mmap loop, in one guest run. Prints records/s and ratios.
set -uo pipefail
cd "$(dirname "$0")/../.."
OUT=${BUILD:-build}/vm/bench-agentlib
tests/vm/run.sh --quiet --out "$OUT" --exec \
	'modprobe ml_lib && modprobe ml_lib_testmod && mlagent_bench > /out/bench.txt 2>&1'
rc=$?
cat "$OUT/bench.txt" 2>/dev/null || echo "bench/agentlib: no output (see $OUT/console.log)"
exit $rc
