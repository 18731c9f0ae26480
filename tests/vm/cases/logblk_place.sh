#!/bin/sh
# logblk's learned placement, logblk/placement: a fixed model pushed by a
# test agent (tests/guest/logblk_place_test.c, which also checks the schema,
# that malformed models are refused and change nothing, and the proxy's
# samples and outcomes) places blocks in COLLABORATION (both arms) and
# RECOMMENDATION (GC advised by the model); the trace captured meanwhile
# replays through the same core with the same model to exactly the
# device's counters, and every ML class in it is the one the replayer's
# model gives: kernel and replayer agree bit for bit on every placement.
. /bin/mltest.sh

S=/sys/block/logblk0/logblk
modprobe ml_lib
modprobe logblk size_mb=16 op_pct=18 seg_kb=64 policy=p3x bg_gc_segs=0 ||
	{ not_ok "load"; mt_summary; exit 1; }
# Three refused pushes in a row test the refusal, not the reject-burst
# trigger; the test agent does not heartbeat (on a loaded host its run may
# outlast the default timeout): not the heartbeat trigger either.
echo 10 > /sys/kernel/ml_lib/logblk/placement/controller/reject_min
echo 3600000 > /sys/kernel/ml_lib/logblk/placement/controller/heartbeat_timeout_ms
logblk-capture -o /tmp/t.lbt -- logblk_place_test /tmp/m.mlm > /tmp/o 2>&1
cat /tmp/o
check "the placement proxy's test program passed" "grep -q '^[1-9][0-9]* passed, 0 failed' /tmp/o"
check "the proxy's mode is back to emergency without its agent" \
	"[ \$(cat /sys/kernel/ml_lib/logblk/placement/mode) = emergency ]"
r=$(logblk-replay -k -V -m /tmp/m.mlm -p trace /tmp/t.lbt 2> /tmp/e)
rc=$?
cat /tmp/e
check "the replay with the model verified every ML class" "[ $rc = 0 ]"
echo "# replay: $r"
# The replay's counters against the device's.
val() { mt_kv "$r" "$1"; }
same() { mt_kv_same "$r" "$1" "$2"; }
same user "$(cat $S/user_writes)"
same gc "$(cat $S/gc_writes)"
same gc_fg "$(cat $S/gc_fg)"
same mapped "$(cat $S/mapped)"
same free_segs "$(cat $S/free_segs)"
same gc_advised "$(cat $S/place_gc_advised)"
same ml_mismatch 0
check "the model's log class wrote to a stream of its own" "[ \$(cat $S/stream7_user_writes) -gt 0 ]"
check "ML classes were checked" "[ \"\$(val ml_checked)\" -gt 1000 ] && [ \"\$(val ml_checked)\" = \"\$(val ml_blocks)\" ]"
rmmod logblk
mt_summary
