#!/bin/bash
# bench/logblk/run.sh: write amplification of logblk's human-made policies
# (p1 greedy mixed, p2 cost-benefit + GC stream, p3x hot/cold classes with
# class-aware GC, p4 SepBIT) per workload at 75% and 85% utilization.
#
# The guest (bench/logblk/lb-bench.sh) runs the workloads on the device and
# captures their traces; this script then replays every trace through the
# same core logic for every policy and prints:
#  1. the device-measured table (synthetic workloads, every policy, 85%);
#  2. the replayed table (every workload, every policy: each policy sees
#     the identical request stream), with the check that each captured run
#     replays to exactly the device's counters.
# Exits non-zero if a run failed or a replay differs from its device.
#
# usage: bench/logblk/run.sh   (env: LB_MB, LB_SEG_KB, LB_ROUNDS, LB_ONLY as
#        in lb-bench.sh; LB_OUT results directory, LB_TIMEOUT seconds)
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=${LB_OUT:-build/bench/logblk}
REPLAY=${BUILD:-build}/user/logblk-replay
ENVS="LB_MB=${LB_MB:-256} LB_SEG_KB=${LB_SEG_KB:-1024} LB_ROUNDS=${LB_ROUNDS:-10} LB_ONLY='${LB_ONLY:-}'"
start=$(date +%s)

tests/vm/run.sh --timeout "${LB_TIMEOUT:-3600}" --out "$OUT" --exec "$ENVS lb-bench.sh" |
	grep --line-buffered '^lb-bench: ' || true
[ -s "$OUT/results.txt" ] || { echo "bench: the guest produced no results (see $OUT/console.log)"; exit 1; }
guest_s=$(($(date +%s) - start))

: > "$OUT/replay.txt"
t0=$(date +%s)
for t in "$OUT"/traces/*.lbt; do
	[ -e "$t" ] || continue
	"$REPLAY" -k -p trace "$t" | sed 's/^/op=native /' >> "$OUT/replay.txt"
	for op in 33 18; do
		"$REPLAY" -k -p all --op $op "$t" | sed "s/^/op=$op /" >> "$OUT/replay.txt"
	done
done
replay_s=$(($(date +%s) - t0))

awk -v guest_s="$guest_s" -v replay_s="$replay_s" '
function kv(line, key,    n, i, f) {
	n = split(line, f, " ")
	for (i = 1; i <= n; i++)
		if (index(f[i], key "=") == 1)
			return substr(f[i], length(key) + 2)
	return ""
}
function util(op) { return op == 33 ? "75%" : "85%" }
# A table row: the window WAF of each policy from src[], and the best.
function row(w, op, src,    p, best, bp, s, v) {
	best = ""; bp = ""
	s = sprintf("%-15s %4s", w, util(op))
	for (p = 1; p <= np; p++) {
		v = src[w, op, pol[p]]
		s = s sprintf(" %7s", v == "" ? "-" : v)
		if (v != "" && (best == "" || v + 0 < best + 0)) { best = v; bp = pol[p] }
	}
	return s sprintf("  %-4s", bp)
}
BEGIN {
	np = split("p1 p2 p3x p4", pol, " ")
	hdr = sprintf("%-15s %4s %7s %7s %7s %7s  %-4s", "workload", "util", "p1", "p2", "p3x", "p4", "best")
}
FNR == NR {
	w = kv($0, "workload"); op = kv($0, "op"); p = kv($0, "policy"); src = kv($0, "source")
	if (!(w in seen)) { seen[w] = 1; order[++nw] = w }
	if (src == "bg") { bg[w, op, p] = kv($0, "win_waf"); hasbg[w] = 1; next }
	dev[w, op, p] = kv($0, "win_waf")
	devc[w, op, p] = kv($0, "user") " " kv($0, "gc") " " kv($0, "win_user") " " kv($0, "win_gc")
	if (src == "device") synth[w] = 1
	if (src == "capture") { cap[w] = $0; ncap++ }
	next
}
{
	w = kv($0, "trace"); sub(/\.lbt$/, "", w); op = kv($0, "op"); p = kv($0, "policy")
	if (op == "native") p = "p3x"
	if (op == "native") op = 18
	rep[w, op, p] = kv($0, "win_waf")
	repc[w, op, p] = kv($0, "user") " " kv($0, "gc") " " kv($0, "win_user") " " kv($0, "win_gc")
}
END {
	print ""
	print "== 1. write amplification measured on the device, in the window (synthetic workloads, 85%)"
	print hdr
	for (i = 1; i <= nw; i++) {
		w = order[i]
		if (w in synth) print row(w, 18, dev)
	}
	print ""
	print "== 2. replayed from the captured traces through the same core (every policy sees the same requests)"
	print hdr
	for (i = 1; i <= nw; i++) {
		w = order[i]
		if (!(w in cap)) continue
		print row(w, 33, rep); print row(w, 18, rep)
	}
	print ""
	if (length(hasbg)) {
		print "== 3. the device with background GC on (keeps 12 segments free), 85%, against table 1"
		print hdr
		for (i = 1; i <= nw; i++) {
			w = order[i]
			if (!(w in hasbg)) continue
			print row(w, 18, bg) "  background GC on"
			print row(w, 18, dev) "  off"
		}
		print ""
	}
	same = 0; diff = 0
	for (k in devc) {
		if (!(k in repc)) continue
		if (devc[k] == repc[k]) same++
		else { diff++; split(k, a, SUBSEP); printf "bench: FAIL: %s %s %s: device %s, replay %s\n", a[1], util(a[2]), a[3], devc[k], repc[k] }
	}
	printf "device = replay: %d of %d cells have the same user, GC and window counters\n", same, same + diff
	for (i = 1; i <= nw; i++) {
		w = order[i]
		if (w in cap)
			printf "  %-15s mapped %5.1f%% of the blocks at the end, %8s discarded, captured run %5ss\n", w,
				100 * kv(cap[w], "mapped") / kv(cap[w], "nr_lblocks"), kv(cap[w], "discarded"), kv(cap[w], "secs")
	}
	printf "guest %ds; host replay of %d traces, 9 runs each, %ds\n", guest_s, ncap, replay_s
	if (diff || !same) exit 1
}' "$OUT/results.txt" "$OUT/replay.txt"
