#!/bin/sh
# A full logblk device fails writes with ENOSPC instead of hanging;
# overwrites still work, and discards make room again.
. /bin/mltest.sh

S=/sys/block/logblk0/logblk
# No over-provisioning: 32 MiB logical, but the spare segments leave less data capacity.
modprobe logblk size_mb=32 op_pct=0 seg_kb=64 || { not_ok "load"; mt_summary; exit 1; }
cap=$(cat $S/data_capacity)
check "the device is thin" "[ $cap -lt $(cat $S/nr_lblocks) ]"

yes logblk | dd of=/dev/logblk0 bs=64k iflag=fullblock oflag=direct 2> /tmp/dd.err
rc=$?
check "filling the device fails" "[ $rc -ne 0 ]"
check "with ENOSPC" "grep -q 'No space left on device' /tmp/dd.err"
check "after mapping the whole data capacity" "[ $(cat $S/mapped) -eq $cap ]"
check "counted in nospc" "[ $(cat $S/nospc) -ge 1 ]"

# Overwrites need no new space: GC makes room at full capacity.
check "random overwrites succeed at full capacity" \
	"logblk-gen -w uniform -W 0 -b $cap -r 2 -m 0 -d /dev/logblk0"
check "GC ran" "[ $(($(cat $S/gc_fg) + $(cat $S/gc_bg))) -gt 0 ]"
dd if=/dev/urandom of=/tmp/rnd bs=64k count=64 2> /dev/null
dd if=/tmp/rnd of=/dev/logblk0 bs=64k count=64 oflag=direct conv=notrunc 2> /dev/null
dd if=/dev/logblk0 of=/tmp/back bs=64k count=64 iflag=direct 2> /dev/null
check "data reads back" "cmp -s /tmp/rnd /tmp/back"

zero_block() { [ "$(dd if=/dev/logblk0 bs=4k skip=$1 count=1 iflag=direct 2> /dev/null | tr -d '\000' | wc -c)" -eq 0 ]; }
check "a mapped block is not zero" "! zero_block 2500"
blkdiscard -o 8388608 -l 4194304 /dev/logblk0
check "a discard unmaps" "[ $(cat $S/mapped) -eq $((cap - 1024)) ]"
check "discarded blocks read as zeros" "zero_block 2500"
check "and make room" "dd if=/tmp/rnd of=/dev/logblk0 bs=64k count=32 seek=128 oflag=direct 2> /dev/null"
check "rewritten blocks read back" "! zero_block 2500"
check "the rest stays unmapped" "zero_block 2600"
rmmod logblk
mt_summary
