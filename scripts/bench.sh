#!/bin/bash
# `make bench`: run every benchmark; each prints its figures and ratios.
set -uo pipefail
cd "$(dirname "$0")/.."
[ $# -gt 0 ] || { echo "bench: no benchmarks yet"; exit 0; }
rc=0
for b in "$@"; do
	echo "=== $b"
	$b || { echo "bench: $b failed"; rc=1; }
done
exit $rc
