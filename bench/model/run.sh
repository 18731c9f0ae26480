#!/bin/bash
# Instructions per inference of the integer-model executor (core/ml_model.c),
# counted with callgrind on its host build (kernel code-generation flags; see
# bench/model/build.mk). Instruction counts are repeatable, unlike time on
# shared machines. Prints each figure next to its aim.
set -euo pipefail
TOP=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-build}
bin=$TOP/$BUILD/bench/model/model_bench
N=${MODEL_BENCH_N:-1000}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "model inference, instructions per inference (callgrind, $N inferences each)"
printf '  %-34s %8s %8s %6s\n' model instr aim ratio
for spec in "tree:a full depth-8 tree (511 nodes):100" \
	    "linear:linear, 16 features, 1 output:100" \
	    "mlp:MLP 16-32-1, int8-range weights:2000"; do
	IFS=: read -r kind label aim <<< "$spec"
	valgrind --tool=callgrind --callgrind-out-file="$tmp/cg.$kind" \
		--toggle-collect=ml_model_run "$bin" "$kind" "$N" > "$tmp/out.$kind" 2> "$tmp/err.$kind" ||
		{ cat "$tmp/err.$kind"; exit 1; }
	total=$(sed -n 's/^totals: *\([0-9]*\).*/\1/p' "$tmp/cg.$kind")
	per=$(( (total + N / 2) / N ))
	ratio=$(awk -v p="$per" -v a="$aim" 'BEGIN { printf "%.2f", p / a }')
	printf '  %-34s %8d %8s %6s  %s\n' "$label" "$per" "<= $aim" "$ratio" \
		"$([ "$per" -le "$aim" ] && echo "within aim" || echo "ABOVE AIM")"
done
