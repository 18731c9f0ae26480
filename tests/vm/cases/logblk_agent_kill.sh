#!/bin/sh
# Forward progress never depends on the agent: mlagentd learns logblk's
# placement and its model places blocks; then the agent is killed (-9) in
# the middle of a workload. The proxy falls to EMERGENCY at once, the
# device goes on with its default policy (no decision at all), GC keeps
# going, and every block reads back as written at the end.
. /bin/mltest.sh

S=/sys/block/logblk0/logblk
P=/sys/kernel/ml_lib/logblk/placement
modprobe ml_lib
modprobe logblk size_mb=16 op_pct=18 seg_kb=64 policy=p3x bg_gc_segs=0 ||
	{ not_ok "load"; mt_summary; exit 1; }
mkdir -p /tmp/ak
# The small device (a device size every half second) leaves a slow agent
# behind: not what this case tests (max_lag: test_slow_agent_steps_aside).
mlagent-conf.sh logblk /tmp/ak push_min_ms=50 heartbeat_ms=100 max_lag=16 > /tmp/ak/conf
mlagentd -c /tmp/ak/conf > /tmp/ak/log 2>&1 &
agent=$!
# The workload: a shifting hotspot, paced, every block checked at the end.
logblk-gen -w shift:90/10 -P 1 -d /dev/logblk0 -r 24 -m 1 -R 8 -v > /tmp/ak/gen 2>&1 &
gen=$!
n=0
while [ "$(cat $S/place_decisions_ml)" -lt 2000 ] && [ $n -lt 300 ] && kill -0 $gen 2> /dev/null; do
	sleep 0.1
	n=$((n + 1))
done
check "the model placed blocks before the kill" "[ \$(cat $S/place_decisions_ml) -ge 2000 ]"
kill -9 $agent
wait $agent 2> /dev/null
check "the proxy is in emergency once the agent is gone" "[ \$(cat $P/mode) = emergency ]"
ml=$(cat $S/place_decisions_ml) def=$(cat $S/place_decisions_default) gc=$(cat $S/gc_writes)
user=$(cat $S/user_writes)
wait $gen
rc=$?
cat /tmp/ak/gen
check "the workload finished and read every block back intact" "[ $rc = 0 ] && grep -q ', 0 bad' /tmp/ak/gen"
check "the device went on writing after the kill" "[ \$(cat $S/user_writes) -gt \$(( $user + 20000 )) ]"
check "GC kept going after the kill" "[ \$(cat $S/gc_writes) -gt $gc ]"
check "no decision was made without the agent" \
	"[ \$(cat $S/place_decisions_ml) = $ml ] && [ \$(cat $S/place_decisions_default) = $def ]"
grep -q "deployed model" /tmp/ak/log && ok "the agent had deployed a model" ||
	{ not_ok "the agent had deployed a model"; cat /tmp/ak/log; }
rmmod logblk
mt_summary
