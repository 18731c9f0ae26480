#!/bin/bash
# `make demo`: logblk learns. Boots the guest, where logblk's placement is
# learned live on a drifting workload (scripts/demo-guest.sh says what
# happens); then, on the host, the same writes are replayed with every
# human-made policy and with the oracle (the identical request stream,
# through the same core), the summary table printed and the plot of write
# amplification over time drawn to out/logblk-demo.svg.
# The loop of ml-lib on its synthetic example: `make demo-mllib`.
set -euo pipefail
cd "$(dirname "$0")/.."
R=${BUILD:-build}/demo
REPLAY=${BUILD:-build}/user/logblk-replay
mkdir -p out
rm -rf "$R"
tests/vm/run.sh --timeout 900 --out "$R" --exec "$(cat scripts/demo-guest.sh)"
[ -s "$R/trace.lbt" ] || { echo "demo: the guest captured no trace (see $R/console.log)"; exit 1; }

N=65536
printf '\n== 4. The same writes, replayed with every human-made policy and with the oracle\n'
"$REPLAY" -k -t 16384 -p p1,p2,p3x,p4,oracle "$R/trace.lbt" > "$R/replay.txt"
win() { grep "^trace=.* policy=$1 " "$R/replay.txt" | tr ' ' '\n' | sed -n 's/^win_waf=//p'; }
ml=$(sed -n 's/.*win_waf=//p' "$R/summary.txt")
best=p1
for p in p2 p3x p4; do
	awk -v a="$(win $p)" -v b="$(win $best)" 'BEGIN { exit !(a < b) }' && best=$p
done
printf '   %-34s %s\n' "policy" "WAF, second half"
printf '   %-34s %s\n' "ML (the device, learning live)" "$ml"
for p in p1 p2 p3x p4; do
	printf '   %-34s %s%s\n' "$p (human-made)" "$(win $p)" "$([ $p = $best ] && echo '   <- the best human-made')"
done
printf '   %-34s %s\n' "oracle (knows the future)" "$(win oracle)"
awk -v ml="$ml" -v b="$(win $best)" -v o="$(win oracle)" 'BEGIN {
	printf "   ML / best human-made = %.3f (%+.1f%%), ML / oracle = %.3f\n", ml / b, 100 * (ml / b - 1), ml / o }'

# The plot: the device's WAF between its 2 s samples and the replays'. A
# point spans at least N/8 user blocks: the last sample, a few hundred
# blocks after the one before, would plot the GC of a moment as a spike.
{
	awk -v min=$((N / 8)) '
	     $1 - lu >= min {
		printf "series ML(device) %d %.4f\n", $1, ($1 - lu + $2 - lg) / ($1 - lu)
		lu = $1; lg = $2 }' "$R/device.txt"
	grep "^series" "$R/replay.txt" | grep -v " p1 \| p4 "
} | scripts/lb-plot.sh "logblk: write amplification over time, a hot set that moves every device size" $N \
	> out/logblk-demo.svg
printf '\n   The plot: out/logblk-demo.svg (ML on the device; p2, p3x and the oracle replayed)\n'
