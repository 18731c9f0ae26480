#!/bin/sh
# The trace logblk-capture records through the logblk/trace ml_lib proxy
# replays, through the same core logic, to exactly the device's counters:
# user and GC writes, foreground and background GC, and the measured
# window after a mark, across discards, a policy switch and background GC.
# The tracepoint gives the same trace.
. /bin/mltest.sh

S=/sys/block/logblk0/logblk
modprobe logblk size_mb=32 op_pct=15 seg_kb=64 policy=p4 || { not_ok "load"; mt_summary; exit 1; }
# Both sources at once: the ml_lib proxy (outer) and the tracepoint (inner).
if logblk-capture -o /tmp/t.lbt -- logblk-capture -T -o /tmp/tp.lbt -- sh -c "
	logblk-gen -w hotcold:90/10 -d /dev/logblk0 -r 3 -m 1 -D 5 -k $S/mark &&
	echo p3x > $S/policy &&
	logblk-gen -w zipf:1.2 -W 0 -d /dev/logblk0 -r 2 -m 0 -s 7 &&
	echo 0 > $S/bg_gc_segs"; then
	ok "capture through ml_lib and through the tracepoint"
else
	not_ok "capture through ml_lib and through the tracepoint"
fi
check "both give the same trace" "cmp /tmp/t.lbt /tmp/tp.lbt"
check "the proxy dropped nothing" "[ \$(cat /sys/kernel/ml_lib/logblk/trace/dropped) = 0 ]"
r=$(logblk-replay -k -p trace /tmp/t.lbt)
echo "# replay: $r"
# The replay's counters against the device's.
val() { mt_kv "$r" "$1"; }
same() { mt_kv_same "$r" "$1" "$2"; }
same user "$(cat $S/user_writes)"
same gc "$(cat $S/gc_writes)"
same gc_fg "$(cat $S/gc_fg)"
same gc_bg "$(cat $S/gc_bg)"
same waf "$(cat $S/waf)"
same win_user "$(($(cat $S/user_writes) - $(cat $S/mark_user_writes)))"
same win_gc "$(($(cat $S/gc_writes) - $(cat $S/mark_gc_writes)))"
same win_waf "$(cat $S/waf_window)"
same mapped "$(cat $S/mapped)"
same free_segs "$(cat $S/free_segs)"
if [ "$(cat $S/gc_bg)" -gt 0 ] && [ "$(cat $S/discarded)" -gt 0 ] &&
   [ "$(cat $S/policy_switches)" = 1 ]; then
	ok "the trace exercised background GC, discards and a switch"
else
	not_ok "the trace exercised background GC, discards and a switch"
fi
if logblk-capture -o /tmp/u.lbt -- true 2> /tmp/err; then
	not_ok "capture on a used device is refused"
else
	grep -q "freshly loaded" /tmp/err && ok "capture on a used device is refused" ||
		not_ok "capture on a used device is refused: $(cat /tmp/err)"
fi
rmmod logblk
mt_summary
