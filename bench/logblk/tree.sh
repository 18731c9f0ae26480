#!/bin/bash
# The lifetime learner's tree fit (user/logblk/lb_tree.c) against the fit it
# replaced, on the same rows (bench/logblk/tree_bench.c): instructions per
# fit counted by callgrind (repeatable, unlike time on shared machines),
# and the best wall time of several interleaved fits, natively and under
# qemu-x86_64 (TCG, as the guest's agent runs: there every floating point
# operation is a helper call, which the integer histograms avoid). Fails
# if the two fits disagree on the tree.
set -euo pipefail
TOP=$(cd "$(dirname "$0")/../.." && pwd)
bin=$TOP/${BUILD:-build}/bench/logblk/tree_bench
ROWS=${TREE_BENCH_ROWS:-65536} DEPTH=${TREE_BENCH_DEPTH:-6}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$bin" "$ROWS" "$DEPTH" 10
echo "emulated (qemu-x86_64, TCG):"
qemu-x86_64 "$bin" "$ROWS" "$DEPTH" 3 | sed 's/^/  /'
echo "instructions per fit (callgrind, one fit each):"
# ref_fit* also matches the compiler's clones (ref_fit.constprop.0).
for fn in ref_fit lbt_fit; do
	valgrind --tool=callgrind --callgrind-out-file="$tmp/cg.$fn" --toggle-collect="$fn*" \
		"$bin" "$ROWS" "$DEPTH" 1 > /dev/null 2> "$tmp/err.$fn" ||
		{ cat "$tmp/err.$fn"; exit 1; }
	sed -n 's/^totals: *\([0-9]*\).*/\1/p' "$tmp/cg.$fn" > "$tmp/n.$fn"
	[ -s "$tmp/n.$fn" ] && [ "$(cat "$tmp/n.$fn")" -gt 0 ] ||
		{ echo "tree bench: callgrind counted nothing in $fn"; exit 1; }
done
awk -v r="$(cat "$tmp/n.ref_fit")" -v n="$(cat "$tmp/n.lbt_fit")" 'BEGIN {
	printf "  one pass per feature and node (before):  %12d\n", r
	printf "  one pass per node, smaller child, ints:  %12d\n", n
	printf "  ratio before / now: %.2f\n", r / n }'
