#!/bin/sh
# Every block of logblk reads back as last written (or as zeros after a
# discard) across heavy GC, discards and policy switches made under load
# by a second process: logblk-gen's checker and fio's verify.
. /bin/mltest.sh

S=/sys/block/logblk0/logblk
modprobe logblk size_mb=32 op_pct=12 seg_kb=64 || { not_ok "load"; mt_summary; exit 1; }

# Switch placement and victim selection as fast as possible meanwhile.
rm -f /tmp/stop
(
	while [ ! -e /tmp/stop ]; do
		for p in p1 p2 p3x p4; do echo $p > $S/policy; done
		echo cb > $S/victim
		echo mixed > $S/placement
		echo greedy > $S/victim
	done
) &
switcher=$!

check "logblk-gen: zipf writes and discards read back" \
	"logblk-gen -w zipf:1.0 -d /dev/logblk0 -r 3 -m 0 -D 10 -M 8 -v"
check "fio: random writes of 4..64 KiB verify (crc32c)" \
	"fio --name=verify --filename=/dev/logblk0 --rw=randwrite --bsrange=4k-64k --direct=1 \
	     --ioengine=psync --size=32m --loops=2 --verify=crc32c --verify_fatal=1 \
	     --randseed=7 --output=/tmp/fio.out"
touch /tmp/stop
wait $switcher
[ $mt_failed -eq 0 ] || tail -20 /tmp/fio.out

check "policies switched under load" "[ $(cat $S/policy_switches) -gt 20 ]"
check "GC ran" "[ $(($(cat $S/gc_fg) + $(cat $S/gc_bg))) -gt 100 ]"
check "discards unmapped blocks" "[ $(cat $S/discarded) -gt 0 ]"
before=$(cat $S/policy)
check "an unknown policy is refused" "! echo p9 2> /dev/null > $S/policy"
check "an unknown victim is refused" "! echo fifo 2> /dev/null > $S/victim"
check "and changes nothing" "[ $(cat $S/policy) = $before ]"
check "a bad background GC target is refused" "! echo 100000 2> /dev/null > $S/bg_gc_segs"
rmmod logblk
mt_summary
