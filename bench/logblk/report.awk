# bench/logblk/report.awk: the tables of bench/logblk/run.sh, from the
# guest's results.txt and the host's replay.txt (see run.sh).

function kv(line, key,    n, i, f) {
	n = split(line, f, " ")
	for (i = 1; i <= n; i++)
		if (index(f[i], key "=") == 1)
			return substr(f[i], length(key) + 2)
	return ""
}
function util(op) { return sprintf("%d%%", 10000 / (100 + op) + 0.5) }
function median(a, n,    i, j, t) {
	for (i = 2; i <= n; i++)
		for (j = i; j > 1 && a[j - 1] > a[j]; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
	return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
# The instructions the guest executed per block written in each overhead
# run: the difference of the two marks around it, over its blocks. Round k
# of each side ran back to back: the mean of the pairs' differences and
# its standard error.
function insns(    k, v, n, i0, i1, ins0, ins1, a0, a1, s, ss, d, mean, se, base, line0, line1) {
	if (!nmk)
		return
	if (nmk != 2 * novl) {
		printf "instructions: %d marks for %d runs, not used (see insns.txt)\n", nmk, novl
		return
	}
	for (k = 1; k <= novl; k++) {
		v = (mk[2 * k] - mk[2 * k - 1]) / ovblk[k]
		if (ovpp[k] == 1) { ins1[++i1] = v; a1[i1] = v; line1 = line1 sprintf(" %.0f", v) }
		else { ins0[++i0] = v; a0[i0] = v; line0 = line0 sprintf(" %.0f", v) }
	}
	print "instructions the guest executed per block written (insn_count, bench/insn):"
	printf "without the proxy: median %.1f  (%s)\n", median(a0, i0), substr(line0, 2)
	printf "with the proxy:    median %.1f  (%s)\n", median(a1, i1), substr(line1, 2)
	n = i0 < i1 ? i0 : i1; s = 0; ss = 0; base = 0
	for (k = 1; k <= n; k++) { d = ins1[k] - ins0[k]; s += d; ss += d * d; base += ins0[k] }
	if (n < 2)
		return
	mean = s / n; se = sqrt((ss - n * mean * mean) / (n - 1) / n); base /= n
	printf "paired rounds: the proxy adds %.1f instructions per block (overhead %.3f%%), about 95%% within %.1f-%.1f (%.3f%% to %.3f%%)\n",
		mean, 100 * mean / base, mean - 2 * se, mean + 2 * se,
		100 * (mean - 2 * se) / base, 100 * (mean + 2 * se) / base
}
BEGIN { np = split("p1 p2 p3x p4", pol, " ") }
FNR == NR {
	if ($1 == "overhead") {
		# "... written: B blocks in S s, R blocks/s": R is the field before last.
		pp = kv($0, "place_proxy")
		thr[pp, ++nthr[pp]] = $(NF - 1)
		# Runs in order, with their blocks: the insn_count marks follow it.
		ovpp[++novl] = pp
		for (i = 1; i < NF; i++) if ($i == "written:") ovblk[novl] = $(i + 1)
		if (pp == 1) { ovmode = kv($0, "mode"); ovmem = kv($0, "mem"); ovblocks = kv($0, "blocks") }
		next
	}
	w = kv($0, "workload")
	if (kv($0, "source") == "bg") { bg[w, kv($0, "policy")] = kv($0, "win_waf"); hasbg[w] = 1; next }
	if (!(w in seen)) { seen[w] = 1; order[++nw] = w }
	run[w] = $0
	next
}
# insns.txt (insn_count's output): "mark K INSNS", then "total INSNS lost L".
$1 == "mark" { mk[$2] = $3; nmk++; next }
$1 == "total" { next }
{
	w = kv($0, "trace"); sub(/\.lbt$/, "", w)
	rep[w, kv($0, "policy")] = kv($0, "win_waf")
	if (kv($0, "policy") == "oracle") ocfg[w] = kv($0, "oracle")
}
END {
	# Tables 1 and 2: the learning runs (none when only the overhead ran).
	if (nw) {
		print ""
		print "== 1. write amplification in the window: the learned placement (measured on the device,"
		print "      learning all along) against the human-made policies and the oracle (replayed: the"
		print "      identical request stream through the same core); lower is better"
		printf "%-15s %4s %-4s %7s %7s %7s %7s %7s  %-4s %7s %7s %7s %10s %10s %8s\n", "workload", "util",
			"dflt", "ML", "p1", "p2", "p3x", "p4", "best", "", "oracle", "fit", "ML/best", "ML/oracle",
			"fit/best"
		worst = 0; fails = 0
		for (i = 1; i <= nw; i++) {
			w = order[i]; r = run[w]
			ml = kv(r, "win_waf")
			best = ""; bp = ""
			for (p = 1; p <= np; p++) {
				v = rep[w, pol[p]]
				if (v != "" && (best == "" || v + 0 < best + 0)) { best = v; bp = pol[p] }
			}
			if (best == "" || ml == "") { printf "%-15s: no result\n", w; fails++; continue }
			o = rep[w, "oracle"]; f = rep[w, "fit"]
			printf "%-15s %4s %-4s %7s %7s %7s %7s %7s  %-4s %7s %7s %7s %10.3f %10.3f %8s\n", w,
				util(kv(r, "op")), kv(r, "policy"), ml, rep[w, "p1"], rep[w, "p2"],
				rep[w, "p3x"], rep[w, "p4"], bp, best, o, (f != "" ? f : "-"), ml / best,
				(o > 0 ? ml / o : 0), (f > 0 ? sprintf("%.3f", f / best) : "-")
			if (ml / best > worst) { worst = ml / best; worstw = w }
		}
		printf "the worst ML / best human-made: %.3f (%s); the oracle's classes: first threshold x N,\n", worst, worstw
		print "ratio, classes, victim, per workload in replay.txt. fit: the learner's trees fitted on"
		print "the trace's own true lifetimes (what the features tell at best; logblk-replay(1))"
		print ""
		print "== 2. the loop: the mode at the end, the ML arm's share of the decisions, its GC advice,"
		print "      outcomes fed back, models pushed (the last version), samples the agent missed,"
		print "      the agent's CPU time over the run's (one CPU's share)"
		printf "%-15s %-15s %7s %10s %10s %8s %8s %7s %7s\n", "workload", "mode", "ML%", "gc_advised",
			"outcomes", "model", "dropped", "secs", "agent"
		for (i = 1; i <= nw; i++) {
			w = order[i]; r = run[w]
			ml = kv(r, "ml"); def = kv(r, "def"); cpu = kv(r, "agent_cpu")
			printf "%-15s %-15s %6.1f%% %10s %10s %8s %8s %7s %7s\n", w, kv(r, "mode"),
				(ml + def > 0 ? 100 * ml / (ml + def) : 0), kv(r, "gc_advised"),
				kv(r, "outcomes"), "v" kv(r, "model"), kv(r, "dropped"), kv(r, "secs"),
				(cpu != "" && kv(r, "secs") > 0 ? sprintf("%.0f%%", 100 * cpu / kv(r, "secs")) : "-")
		}
	}
	if (nthr[0] && nthr[1]) {
		for (k = 1; k <= nthr[0]; k++) a0[k] = thr[0, k]
		for (k = 1; k <= nthr[1]; k++) a1[k] = thr[1, k]
		m0 = median(a0, nthr[0]); m1 = median(a1, nthr[1])
		print ""
		print "== 3. overhead: logblk without the placement proxy, and with it in " ovmode " (no agent),"
		print "      the same workload (zipf 1.0, 3N writes, unpaced) alternating; blocks written per second"
		line0 = ""; line1 = ""
		for (k = 1; k <= nthr[0]; k++) line0 = line0 " " thr[0, k]
		for (k = 1; k <= nthr[1]; k++) line1 = line1 " " thr[1, k]
		printf "without the proxy: median %.0f  (%s)\n", m0, substr(line0, 2)
		printf "with the proxy:    median %.0f  (%s)\n", m1, substr(line1, 2)
		printf "ratio with / without: %.4f (overhead %.2f%%)\n", m1 / m0, 100 * (1 - m1 / m0)
		# Round k of each side ran back to back: the mean log ratio of the
		# pairs and its standard error say how far the noise leaves it.
		n = nthr[0] < nthr[1] ? nthr[0] : nthr[1]; s = 0; ss = 0
		for (k = 1; k <= n; k++) { l = log(thr[1, k] / thr[0, k]); s += l; ss += l * l }
		if (n > 1) {
			mean = s / n; se = sqrt((ss - n * mean * mean) / (n - 1) / n)
			printf "paired rounds: ratio %.4f, about 95%% within %.4f-%.4f (overhead %.1f%%, %.1f%% to %.1f%%)\n",
				exp(mean), exp(mean - 2 * se), exp(mean + 2 * se), 100 * (1 - exp(mean)),
				100 * (1 - exp(mean + 2 * se)), 100 * (1 - exp(mean - 2 * se))
		}
		insns()
		print ""
		print "== 4. the proxy's kernel memory"
		printf "%d bytes for %d blocks: %.2f bytes per block (%.2f%% of the device's data)\n", ovmem,
			ovblocks, ovmem / ovblocks, 100 * ovmem / (ovblocks * 4096)
	}
	if (length(hasbg)) {
		print ""
		print "== 5. the device with background GC on (issue 8), 85%"
		for (w in hasbg)
			printf "%-15s p1 %s p2 %s p3x %s p4 %s\n", w, bg[w, "p1"], bg[w, "p2"], bg[w, "p3x"], bg[w, "p4"]
	}
	printf "\nguest %ds; host replay of %d traces (4 policies, the oracle's and the fit's 48 grid points each) %ds\n",
		guest_s, nw, replay_s
	if (fails) exit 1
}
