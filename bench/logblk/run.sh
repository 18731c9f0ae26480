#!/bin/bash
# bench/logblk/run.sh: logblk's write amplification with the learned
# placement (the real loop: the kernel's logblk/placement proxy, mlagentd's
# lifetime learner, the mode controller) against every human-made policy
# (p1 greedy mixed, p2 cost-benefit + GC stream, p3x hot/cold classes with
# class-aware GC, p4 SepBIT) and the oracle, per workload; the overhead of
# the proxy in EMERGENCY; its kernel memory.
#
# The guest (bench/logblk/lb-bench.sh) runs each workload once, learning,
# and captures it; this script replays every trace through the same core
# for every policy and for the oracle (the identical request stream) and
# prints:
#  1. WAF in the window: ML (measured on the device), p1..p4 (replayed),
#     the best human-made policy, the oracle, the learner's trees fitted on
#     the trace's own lifetimes (what the features tell at best), and the
#     ratios;
#  2. how the loop went: the mode at the end, the ML arm's share of the
#     window's decisions, models pushed, samples dropped;
#  3. the overhead: logblk with the proxy in EMERGENCY against without,
#     in blocks written per second and in the instructions the guest
#     executed per block written (a guest of its own, booted with the
#     insn_count QEMU plugin, bench/insn: the plugin slows the guest, which
#     must not change the learning runs);
#  4. the proxy's kernel memory.
# Exits non-zero if a run failed.
#
# usage: bench/logblk/run.sh   (env: LB_MB, LB_SEG_KB, LB_ROUNDS, LB_RATE,
#        LB_ONLY, LB_ROUNDS_OVH, LB_BG as in lb-bench.sh; LB_OUT results
#        directory, LB_TIMEOUT seconds)
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=${LB_OUT:-build/bench/logblk}
REPLAY=${BUILD:-build}/user/logblk-replay
ENVS="LB_MB=${LB_MB:-256} LB_SEG_KB=${LB_SEG_KB:-1024} LB_ROUNDS=${LB_ROUNDS:-10}"
ENVS="$ENVS LB_RATE=${LB_RATE:-10} LB_ONLY='${LB_ONLY:-}' LB_ROUNDS_OVH=${LB_ROUNDS_OVH:-15}"
ENVS="$ENVS LB_BG=${LB_BG:-0}"
start=$(date +%s)

# Which guests to boot: the workloads lb-bench.sh runs, and the overhead.
wanted() { [ -z "${LB_ONLY:-}" ] || echo "$1" | grep -q "$LB_ONLY"; }
learn=0
for w in $(awk '$1 ~ /^(synthetic|fio_workload|app|with_bg)$/ { print $2 }' bench/logblk/lb-bench.sh); do
	wanted "$w" && learn=1
done
guest() {
	tests/vm/run.sh --timeout "${LB_TIMEOUT:-3600}" "$@" | grep --line-buffered '^lb-bench: ' || true
}
wanted overhead || [ $learn = 1 ] || { echo "bench: LB_ONLY='$LB_ONLY' matches no workload"; exit 2; }
rm -rf "$OUT"
if [ $learn = 1 ]; then
	guest --out "$OUT" --exec "$ENVS LB_SKIP=overhead lb-bench.sh"
	[ -s "$OUT/results.txt" ] || { echo "bench: the guest produced no results (see $OUT/console.log)"; exit 1; }
fi
mkdir -p "$OUT"
: > "$OUT/insns.txt"
if wanted overhead; then
	guest --out "$OUT/overhead" --insn-count "$OUT/insns.txt" --exec "$ENVS LB_ONLY=overhead lb-bench.sh"
	grep -s '^overhead ' "$OUT/overhead/results.txt" >> "$OUT/results.txt" ||
		{ echo "bench: the overhead's guest produced no results (see $OUT/overhead/console.log)"; exit 1; }
fi
guest_s=$(($(date +%s) - start))

: > "$OUT/replay.txt"
t0=$(date +%s)
for t in "$OUT"/traces/*.lbt; do
	[ -e "$t" ] || continue
	"$REPLAY" -k -p all,oracle,fit "$t" >> "$OUT/replay.txt"
done
replay_s=$(($(date +%s) - t0))

awk -v guest_s="$guest_s" -v replay_s="$replay_s" -f bench/logblk/report.awk \
	"$OUT/results.txt" "$OUT/replay.txt" "$OUT/insns.txt"
