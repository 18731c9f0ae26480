#!/bin/sh
# /init of the ml-lib test guest (see tests/vm/run.sh).
# Runs /exec.sh, or every /cases/*.sh; writes results to /out (9p).
export PATH=/bin:/sbin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t tmpfs tmp /tmp
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
modprobe 9pnet_virtio && modprobe 9p &&
	mount -t 9p -o trans=virtio,version=9p2000.L,msize=1048576 out /out ||
	{ echo "harness: cannot mount the 9p results share"; poweroff -f; }
. /etc/harness.conf
mkdir -p /out/cases /out/dmesg
dmesg -c > /out/dmesg/boot.txt

# Unload, in reverse order of loading, every module loaded since $1 (a
# snapshot of /proc/modules); print the ones that will not go.
unload_new() {
	for i in 1 2 3 4 5; do
		left=""
		for m in $(cut -d' ' -f1 /proc/modules); do
			grep -q "^$m " "$1" && continue
			rmmod "$m" 2>/dev/null || left="$left $m"
		done
		[ -z "$left" ] && return 0
	done
	echo "$left"
}

if [ -e /exec.sh ]; then
	echo "harness: running command"
	cp /proc/modules /tmp/mods.before
	sh /exec.sh > /dev/console 2>&1 < /dev/null
	echo $? > /out/exec.rc
	unload_new /tmp/mods.before > /out/exec.unload
	dmesg -c > /out/dmesg/exec.txt
else
	for c in /cases/*.sh; do
		n=$(basename "$c" .sh)
		echo "harness: case $n"
		cp /proc/modules /tmp/mods.before
		if [ "$CASE_TIMEOUT" -gt 0 ]; then
			timeout -s KILL "$CASE_TIMEOUT" sh "$c" > "/out/cases/$n.log" 2>&1 < /dev/null
		else
			sh "$c" > "/out/cases/$n.log" 2>&1 < /dev/null
		fi
		rc=$?
		unload_new /tmp/mods.before > "/out/cases/$n.unload"
		echo "$rc" > "/out/cases/$n.rc"
		dmesg -c > "/out/dmesg/$n.txt"
		tail -1 "/out/cases/$n.log" | sed "s/^/harness: $n: /"
	done
fi
sync
touch /out/harness.done
sync
umount /out
poweroff -f
