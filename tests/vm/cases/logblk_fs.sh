#!/bin/sh
# ext4 (-o discard) and f2fs on logblk: a database and a file-churn
# workload run (on ext4 also RocksDB, whose lifetime hints must reach the
# device), the file systems tell the device what died, and a file-system
# check finds them clean.
. /bin/mltest.sh

S=/sys/block/logblk0/logblk
M=/mnt/lbfs
mkdir -p $M
modprobe ext4
modprobe f2fs
for fs in ext4 f2fs; do
	modprobe logblk size_mb=128 op_pct=12 seg_kb=256 || { not_ok "load for $fs"; continue; }
	if [ $fs = ext4 ]; then
		mkfs.ext4 -q /dev/logblk0 && mount -t ext4 -o discard /dev/logblk0 $M
	else
		mkfs.f2fs -q /dev/logblk0 > /dev/null && mount -t f2fs -o discard /dev/logblk0 $M
	fi
	check "$fs: mkfs and mount" "grep -q ' $M $fs ' /proc/mounts"
	mkdir -p $M/churn
	check "$fs: file churn" "lb-churn $M/churn 12 400 3 > /dev/null"
	check "$fs: SQLite WAL inserts, updates, deletes" "lb-dbload $M/db 3000 300 5 > /dev/null"
	if [ $fs = ext4 ]; then
		# RocksDB's flushes and compactions in direct I/O: with its
		# fcntl mended (bench/logblk/lb_kvload.c), the hint it sets on
		# each table file (3 medium, 4 long, 5 extreme) reaches the
		# device's write requests; the tracepoint shows each request's.
		T=/sys/kernel/tracing/instances/lbhint
		mkdir $T && echo 1 > $T/events/logblk/logblk_event/enable
		check "ext4: RocksDB with direct flushes and compactions" \
			"lb-kvload $M/kv 3000 30000 5 > /dev/null"
		echo 0 > $T/events/logblk/logblk_event/enable
		hinted=$(grep -c ' op=1 arg=[345] ' $T/trace)
		echo "# $hinted write requests with RocksDB's hints in the trace's last $(grep -c ' op=1 ' $T/trace)"
		rmdir $T
		check "ext4: RocksDB's lifetime hints reach the device" "[ $hinted -gt 0 ]"
	fi
	rm -rf $M/churn
	umount $M
	check "$fs: the device learnt what died" "[ $(cat $S/discarded) -gt 0 ]"
	if [ $fs = ext4 ]; then
		check "ext4: e2fsck finds it clean" "e2fsck -fn /dev/logblk0 > /tmp/fsck.out 2>&1"
	else
		check "f2fs: fsck.f2fs finds it clean" \
			"fsck.f2fs /dev/logblk0 > /tmp/fsck.out 2>&1 && ! grep -q 'Fail\|FAIL' /tmp/fsck.out"
	fi
	[ $mt_failed -eq 0 ] || tail -5 /tmp/fsck.out
	rmmod logblk
done
mt_summary
