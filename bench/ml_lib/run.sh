#!/bin/bash
# `make bench`: the ml_lib benchmark in the QEMU guest (2 CPUs): publish and
# decide cost against a per-CPU increment and a memcpy, and publish ->
# consume throughput. Prints the figures and ratios.
set -uo pipefail
cd "$(dirname "$0")/../.."
OUT=${BUILD:-build}/vm/bench-ml_lib
tests/vm/run.sh --quiet --timeout 600 --out "$OUT" --exec \
	'modprobe ml_lib_testmod && ml_lib_bench > /out/bench.txt 2>&1'
rc=$?
cat "$OUT/bench.txt" 2>/dev/null || echo "bench/ml_lib: no output (see $OUT/console.log)"
exit $rc
