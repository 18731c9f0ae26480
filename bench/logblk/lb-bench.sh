#!/bin/sh
# lb-bench.sh: the guest half of bench/logblk/run.sh (installed in /bin).
#
# Runs every workload on a fresh logblk device and appends one line of
# key=value results per run to /out/results.txt:
#  - synthetic workloads (logblk-gen): on the device with each policy at
#    85% utilization; the p3x run is captured to a trace (the host replays
#    it at 75% and 85% for every policy);
#  - fio cross-checks (uniform, zipf 0.8, zipf 1.2): captured at 85%, p3x;
#  - applications (SQLite WAL and file churn on ext4 and f2fs, mounted
#    with discard): captured at 85%, p3x;
#  - a few synthetic workloads again with background GC on (source=bg).
# Traces go to /out/traces/WORKLOAD.lbt for the host-side replayer.
#
# Background GC is off in all but the last part: when it runs depends on
# thread scheduling, and collecting victims in bursts changes where moved
# blocks land (docs/logblk.md). Without it the device is a deterministic
# function of its requests, as the replayer and the simulator are.
#
# Environment: LB_MB (logical MiB, 256), LB_SEG_KB (1024), LB_ROUNDS
# (random writes after the warm-up, in device sizes, 10), LB_ONLY (a
# pattern: run only the workloads whose name matches).
set -u
MB=${LB_MB:-256}
SEG_KB=${LB_SEG_KB:-1024}
ROUNDS=${LB_ROUNDS:-10}
ONLY=${LB_ONLY:-}
OP85=18	# utilization 100 / 118 = 84.7%
POLICIES="p1 p2 p3x p4"
N=$((MB * 256))
S=/sys/block/logblk0/logblk
OUT=/out
M=/mnt/lbbench
mkdir -p $OUT/traces $M
: > $OUT/results.txt
modprobe ext4
modprobe f2fs

wanted() { [ -z "$ONLY" ] || echo "$1" | grep -q "$ONLY"; }
now() { cut -d' ' -f1 /proc/uptime; }

# load OP POLICY [BG]: a fresh device; BG free segments for background GC.
load() {
	modprobe logblk size_mb=$MB op_pct=$1 seg_kb=$SEG_KB policy=$2 bg_gc_segs=${3:-0} ||
		{ echo "lb-bench: cannot load logblk" >&2; exit 1; }
}

# result NAME OP POLICY SOURCE START: record the device's counters.
# Background GC is stopped first so that the counters and the trace end
# at the same event.
result() {
	echo 0 > $S/bg_gc_segs
	u=$(cat $S/user_writes)
	g=$(cat $S/gc_writes)
	mu=$(cat $S/mark_user_writes)
	mg=$(cat $S/mark_gc_writes)
	line="workload=$1 op=$2 policy=$3 source=$4 user=$u gc=$g waf=$(cat $S/waf)"
	line="$line win_user=$((u - mu)) win_gc=$((g - mg)) win_waf=$(cat $S/waf_window)"
	line="$line gc_fg=$(cat $S/gc_fg) gc_bg=$(cat $S/gc_bg) discarded=$(cat $S/discarded)"
	line="$line mapped=$(cat $S/mapped) nr_lblocks=$(cat $S/nr_lblocks)"
	line="$line secs=$(echo "$(now) $5" | awk '{ printf "%.1f", $1 - $2 }')"
	echo "$line" >> $OUT/results.txt
	echo "lb-bench: $line"
}

# Synthetic workloads: the GC simulator's (gcsim, docs/logblk.md): a sequential
# warm-up, ROUNDS x N random writes, the window is the second half.
synthetic() {
	name=$1
	shift
	wanted "$name" || return 0
	for p in $POLICIES; do
		load $OP85 $p
		t0=$(now)
		gen="logblk-gen $* -d /dev/logblk0 -r $ROUNDS -m $((ROUNDS / 2)) -k $S/mark"
		if [ $p = p3x ]; then
			logblk-capture -o $OUT/traces/$name.lbt -- $gen > /dev/null ||
				echo "lb-bench: $name: capture failed" >&2
			result "$name" $OP85 $p capture "$t0"
		else
			$gen > /dev/null || echo "lb-bench: $name: workload failed" >&2
			result "$name" $OP85 $p device "$t0"
		fi
		rmmod logblk
	done
}

# fio cross-checks: fio's own random generators on the same schedule.
fio_workload() {
	name=$1
	dist=$2
	wanted "$name" || return 0
	load $OP85 p3x
	t0=$(now)
	half=$((ROUNDS * MB / 2))m
	logblk-capture -o $OUT/traces/$name.lbt -- sh -c "
		fio_run() { fio --name=lb --filename=/dev/logblk0 --direct=1 --ioengine=psync --output=/dev/null \"\$@\"; }
		fio_run --rw=write --bs=256k --size=${MB}m &&
		fio_run --rw=randwrite --bs=4k --norandommap --random_generator=tausworthe64 \
			--random_distribution=$dist --randseed=1 --size=${MB}m --io_size=$half &&
		echo 1 > $S/mark &&
		fio_run --rw=randwrite --bs=4k --norandommap --random_generator=tausworthe64 \
			--random_distribution=$dist --randseed=2 --size=${MB}m --io_size=$half" ||
		echo "lb-bench: $name: capture failed" >&2
	result "$name" $OP85 p3x capture "$t0"
	rmmod logblk
}

# Applications: a file system mounted with discard, 55% of its free space
# filled with cold data, then the workload on another 35%, so that the
# device holds live data on most of its logical size; the window is the
# workload.
app() {
	name=$1
	fs=$2
	work=$3
	mopt=${4:-discard}
	wanted "$name" || return 0
	load $OP85 p3x
	t0=$(now)
	if [ $fs = ext4 ]; then
		# No lazy initialization: it would write in the window.
		mkfs="mkfs.ext4 -q -E lazy_itable_init=0,lazy_journal_init=0 /dev/logblk0"
	else
		mkfs="mkfs.f2fs -q /dev/logblk0 > /dev/null"
	fi
	logblk-capture -o $OUT/traces/$name.lbt -- sh -c "
		set -e
		trap 'umount $M 2> /dev/null || true' EXIT
		$mkfs && mount -t $fs -o $mopt /dev/logblk0 $M || exit 1
		avail=\$(df -m $M | awk 'NR == 2 { print \$4 }')
		echo \"lb-bench: $name: \$avail MiB free after mkfs\"
		dd if=/dev/urandom of=$M/ballast bs=1M count=\$((avail * 55 / 100)) 2> /dev/null
		sync
		echo 1 > $S/mark
		if [ $work = db ]; then
			# About 3.3 KiB per row: the database takes 35% of the free space.
			lb-dbload $M/db \$((avail * 35 / 100 * 1024 / 33 * 10)) 3000 1
		else
			mkdir $M/churn
			lb-churn $M/churn \$((avail * 35 / 100)) 6000 1
		fi" || echo "lb-bench: $name: capture failed" >&2
	result "$name" $OP85 p3x capture "$t0"
	rmmod logblk
}

synthetic uniform -w uniform
synthetic zipf0.8 -w zipf:0.8
synthetic zipf1.0 -w zipf:1.0
synthetic zipf1.2 -w zipf:1.2
synthetic hc80-20 -w hotcold:80/20
synthetic hc90-10 -w hotcold:90/10
synthetic shift90-10-p1 -w shift:90/10 -P 1
synthetic shift90-10-p4 -w shift:90/10 -P 4
fio_workload fio-uniform random
fio_workload fio-zipf0.8 zipf:0.8
fio_workload fio-zipf1.2 zipf:1.2
# The same synthetic workloads with background GC on (the default target).
with_bg() {
	name=$1
	shift
	wanted "$name" || return 0
	for p in $POLICIES; do
		load $OP85 $p -1
		t0=$(now)
		logblk-gen "$@" -d /dev/logblk0 -r $ROUNDS -m $((ROUNDS / 2)) -k $S/mark > /dev/null ||
			echo "lb-bench: $name: workload failed" >&2
		result "$name" $OP85 $p bg "$t0"
		rmmod logblk
	done
}

app ext4-sqlite ext4 db
app ext4-churn ext4 churn
app f2fs-sqlite f2fs db
app f2fs-churn f2fs churn
app ext4-sqlite-nd ext4 db nodiscard
app ext4-churn-nd ext4 churn nodiscard
with_bg zipf1.0 -w zipf:1.0
with_bg hc90-10 -w hotcold:90/10
echo "lb-bench: done"
