#!/bin/sh
# The guest side of `make demo` (scripts/demo.sh runs it in QEMU, then
# prints the summary and draws the plot on the host): logblk, a kernel
# block device, learns where to put its data.
#
# What is shown live, every 2 seconds: the placement proxy's mode, the
# share of the device's decisions the model made, the proxy's efficiency
# (the model's blocks' GC moves over the default's), the device's write
# amplification over the last 2 seconds, and what the learner measured on
# its shadow devices (the same writes, placed by the human-made policy and
# by the model) when it last pushed a model.
S=/sys/block/logblk0/logblk
P=/sys/kernel/ml_lib/logblk/placement
T=/tmp/demo
N=65536
# Writes a second, thousands, that the emulated agent follows (docs/logblk.md).
# 10, as the benchmark: at 12 one demo run on a slower shared host fell two
# device sizes behind, stepped aside (max_lag) and ended 2% above p2.
RATE=${DEMO_RATE:-10}
mkdir -p $T

say() { printf '\n== %s\n' "$*"; }
note() { printf '   %s\n' "$*"; }

say "1. logblk: a log-structured block device, and the best human-made policy"
note "logblk (/dev/logblk0, 256 MiB, 15% spare space) writes out of place and"
note "cleans segments (GC): every block GC moves is a write nobody asked for."
note "Write amplification (WAF) = blocks written to the medium / blocks the user"
note "wrote: lower is better. Where each write goes (its temperature class)"
note "decides how much GC must move. Its human-made policy here is p2"
note "(cost-benefit cleaning, moved blocks apart), the best of the four on"
note "this workload: a hot set of 10% of the blocks takes 90% of the writes"
note "and moves to other blocks every 64 Ki writes (one device size)."
modprobe ml_lib
modprobe logblk size_mb=256 op_pct=18 seg_kb=1024 policy=p2 bg_gc_segs=0

say "2. mlagentd learns the placement; the kernel decides every block itself"
note "Every block written is an ml_lib decision on its features (how long"
note "since it was last written, how often, the device's drift, ...). The"
note "agent learns how long blocks live, compiles a tree into the kernel"
note "(integer, no FPU), and deploys it only when it writes less than the"
note "human-made policy on shadow devices fed the same writes. The mode"
note "controller gives the model a share of the decisions and promotes it on"
note "evidence: learning (10%), collaboration (50%), recommendation (95%)."
mlagent-conf.sh logblk $T > $T/conf
mlagentd -c $T/conf > $T/log 2>&1 &
AGENT=$!
logblk-capture -o /out/trace.lbt -- logblk-gen -w shift:90/10 -P 1 -d /dev/logblk0 \
	-r 10 -m 5 -k $S/mark -R $RATE > $T/gen 2>&1 &
GEN=$!

printf '\n   %5s  %-15s %5s  %10s  %12s  %s\n' time mode ML% efficiency "WAF (2 s)" \
	"learner's shadows: human-made vs model"
t0=$(cut -d. -f1 /proc/uptime)
lu=0 lg=0 lml=0 ldef=0
: > /out/device.txt
while kill -0 $GEN 2> /dev/null; do
	sleep 2
	u=$(cat $S/user_writes) g=$(cat $S/gc_writes)
	ml=$(cat $S/place_decisions_ml) def=$(cat $S/place_decisions_default)
	mode=$(cat $P/mode) e=$(cat $P/efficiency_bp)
	echo "$u $g $mode" >> /out/device.txt
	if [ $u -gt $lu ]; then
		waf=$(echo "$u $lu $g $lg" | awk '{ printf "%.2f", ($1 - $2 + $3 - $4) / ($1 - $2) }')
	else
		waf=-
	fi
	d=$((ml + def - lml - ldef))
	share=$([ $d -gt 0 ] && echo $(( (ml - lml) * 100 / d )) || echo 0)
	[ "$e" -lt 0 ] && eff=" -" || eff=$(printf '%d.%02d' $((e / 10000)) $((e % 10000 / 100)))
	shadows=$(grep -o 'candidate [0-9.]*, compared with [0-9.]*' $T/log | tail -1 |
		awk '{ printf "%s vs %s", $5, $2 }' | tr -d ',')
	printf '   %4ss  %-15s %4s%%  %10s  %12s  %s\n' $(( $(cut -d. -f1 /proc/uptime) - t0 )) \
		"$mode" "$share" "$eff" "$waf" "${shadows:--}"
	lu=$u lg=$g lml=$ml ldef=$def
done
wait $GEN
grep -E "^written" $T/gen | sed 's/^/   workload: /'
note "efficiency: GC moves per block of the model's blocks over those of the"
note "blocks the policy still places (5% in recommendation). Both share the"
note "device's segments, so the policy's blocks pay for the mix and the figure"
note "flatters the model: the device's WAF (below) and the learner's shadows"
note "are the honest measure."
echo "$(cat $S/user_writes) $(cat $S/gc_writes) $(cat $P/mode)" >> /out/device.txt

say "3. What happened"
grep -E "mode .* -> " $T/log | sed 's/.*placement: /   /' | head -6
# place_model is the version the last decision used: models pushed after
# the last write (the agent judges a little behind) are not in it.
echo "   models pushed: $(grep -c 'deployed model' $T/log), the last one a decision used: v$(cat $S/place_model)"
echo "   the device's WAF over the second half: $(cat $S/waf_window) (learning all along)"
echo "   kernel memory of the placement proxy: $(cat $S/place_mem_bytes) bytes" \
	"($(( $(cat $S/place_mem_bytes) * 100 / $(cat $S/nr_lblocks) / 100 )) per block)"
echo "ml=$(cat $S/place_decisions_ml) def=$(cat $S/place_decisions_default) win_waf=$(cat $S/waf_window)" \
	> /out/summary.txt
kill $AGENT
wait $AGENT 2> /dev/null
cp $T/log /out/agent.log
rmmod logblk
