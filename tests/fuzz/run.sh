#!/bin/bash
# Run the model fuzzer for a bounded time (FUZZ_SECONDS, default 20) with a
# fixed seed, after checking that the committed seed corpus is current.
# Prints "N passed, N failed".
#
# usage: tests/fuzz/run.sh FUZZER GEN_CORPUS
set -uo pipefail
TOP=$(cd "$(dirname "$0")/../.." && pwd)
fuzzer=$1
gen=$2
secs=${FUZZ_SECONDS:-20}
corpus=$TOP/tests/fuzz/corpus/model
out=$(dirname "$fuzzer")
. "$TOP/tests/lib/result.sh"

msg=$("$gen" --check "$corpus" 2>&1)
result $? "seed corpus is current" "$msg"$'\n'"regenerate it with 'make fuzz-corpus'"

# New inputs go to a scratch directory (the first one), never to the
# committed corpus; crashes are kept in $out for replay.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
log=$out/fuzz_model.log
"$fuzzer" -seed=1 -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
	-use_value_profile=1 -print_final_stats=1 -artifact_prefix="$out/" \
	"$work" "$corpus" > "$log" 2>&1
rc=$?
runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
result $rc "fuzz_model: ${runs:-?} inputs in ${secs}s without a crash (log: $log)" \
	"$(grep -E 'ERROR|runtime error|fuzz_model:|model_ref:|SUMMARY' "$log" | head -10)"$'\n'"replay: $fuzzer $out/crash-*"
summary
