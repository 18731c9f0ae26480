#!/bin/sh
# logblk refuses bad module parameters with a clear message and no device,
# and loads with good ones.
. /bin/mltest.sh

# refused PATTERN PARAM...: the load fails and the kernel log says PATTERN.
refused() {
	want=$1
	shift
	dmesg -c > /dev/null
	if modprobe logblk "$@" 2> /dev/null; then
		not_ok "load with '$*' is refused"
		rmmod logblk
		return
	fi
	if [ -e /dev/logblk0 ]; then
		not_ok "no device after '$*' was refused"
	elif dmesg | grep -q "logblk: $want"; then
		ok "refused with a message: $*"
	else
		not_ok "message for '$*': wanted /$want/, got: $(dmesg | grep logblk: | tail -1)"
	fi
}

refused "size_mb=0: must be 1\.\." size_mb=0
refused "size_mb=2000000: must be" size_mb=2000000
refused "op_pct=401: must be 0\.\.400" op_pct=401
refused "seg_kb=100: must be a power of two" seg_kb=100
refused "seg_kb=32: must be a power of two, 64\.\." seg_kb=32
refused "policy=p5: must be p1, p2, p3x or p4" policy=p5
refused "bg_gc_segs=-2: must be -1" bg_gc_segs=-2
refused "size_mb=4 op_pct=0 seg_kb=1024 give 4 segments: too few segments" size_mb=4 op_pct=0
refused "size_mb=65536 op_pct=28 needs [0-9]* MiB of RAM, more than half" size_mb=65536

if modprobe logblk size_mb=16 seg_kb=64 policy=p4 && [ -b /dev/logblk0 ] &&
   [ "$(cat /sys/block/logblk0/logblk/policy)" = p4 ] &&
   [ "$(cat /sys/block/logblk0/logblk/nr_lblocks)" = 4096 ] &&
   [ "$(cat /sys/block/logblk0/size)" = 32768 ]; then
	ok "good parameters load: 16 MiB, policy p4"
else
	not_ok "good parameters load"
fi
rmmod logblk 2> /dev/null
mt_summary
