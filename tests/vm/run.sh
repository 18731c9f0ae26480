#!/bin/bash
# Boot Debian's 6.12 kernel under QEMU TCG with ml-lib's modules and programs,
# and run either the guest test cases or one command.
#
# usage: tests/vm/run.sh [options] [CASE.sh ...]
#   (no CASE)          run every tests/vm/cases/*.sh
#   --exec CMD         run CMD in the guest instead (stdout streamed live);
#                      the run's status is CMD's, or failure on a kernel splat
#   --timeout S        hard limit for the whole guest run (default 900)
#   --case-timeout S   limit for one case; 0 = none (default 300)
#   --mem MB           guest memory (default 2048)
#   --smp N            guest CPUs (default 2)
#   --out DIR          results directory, shared with the guest as /out
#                      (default $BUILD/vm/out)
#   --quiet            do not stream the guest console
#   --insn-count FILE  count the instructions the guest executes with the
#                      insn_count QEMU plugin (bench/insn); each marker the
#                      guest runs (insn-mark) appends "mark K INSNS" to FILE
#
# Test mode: every case is a shell script run by the guest's /bin/sh that
# prints its cases and ends with "N passed, N failed". The run fails on a
# failed case, a case without a summary, a case timeout, a guest timeout or
# panic, a module a case loaded that will not unload, or a kernel splat
# (WARNING:, BUG:, Oops, refcount_t:, general protection, possible circular
# locking) in dmesg. The last line printed is the overall "N passed, N failed".
set -euo pipefail

TOP=$(cd "$(dirname "$0")/../.." && pwd)
cd "$TOP"
BUILD=${BUILD:-build}
EXEC=""
TIMEOUT=900
CASE_TIMEOUT=300
MEM=2048
SMP=2
OUT=""
QUIET=0
INSN_OUT=""
CASES=()

die() { echo "vm: $*" >&2; exit 2; }

while [ $# -gt 0 ]; do
	case "$1" in
	--exec) EXEC=$2; shift 2 ;;
	--timeout) TIMEOUT=$2; shift 2 ;;
	--case-timeout) CASE_TIMEOUT=$2; shift 2 ;;
	--mem) MEM=$2; shift 2 ;;
	--smp) SMP=$2; shift 2 ;;
	--out) OUT=$2; shift 2 ;;
	--quiet) QUIET=1; shift ;;
	--insn-count) INSN_OUT=$2; shift 2 ;;
	-h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	-*) die "unknown option $1 (see --help)" ;;
	*) CASES+=("$1"); shift ;;
	esac
done

KVER=$(scripts/kver.sh) || die "no guest kernel; run 'make deps'"
PLUGIN=()
if [ -n "$INSN_OUT" ]; then
	[ -f "$BUILD/bench/insn_count.so" ] || die "no $BUILD/bench/insn_count.so; run 'make'"
	# QEMU splits -plugin's argument at commas.
	case $INSN_OUT in *,*) die "--insn-count: QEMU cannot take a file name with a comma: $INSN_OUT" ;; esac
	PLUGIN=(-plugin "$BUILD/bench/insn_count.so,out=$INSN_OUT")
fi
MD=/lib/modules/$KVER
OUT=${OUT:-$BUILD/vm/out}
mkdir -p "$BUILD/vm"
# A private work directory, so that several runs may go on at once.
VM=$(mktemp -d "$BUILD/vm/work.XXXXXX")
trap 'rm -rf "$VM"' EXIT
ROOT=$VM/root
rm -rf "$OUT"
mkdir -p "$ROOT"/{bin,sbin,etc,proc,sys,dev,tmp,out,cases,run,var} "$ROOT$MD/extra" "$OUT"

if [ -z "$EXEC" ] && [ ${#CASES[@]} -eq 0 ]; then
	CASES=(tests/vm/cases/*.sh)
	[ -e "${CASES[0]}" ] || die "no cases in tests/vm/cases"
fi

# --- initramfs -------------------------------------------------------------
cp /bin/busybox "$ROOT/bin/"
for a in $(busybox --list); do
	# the list contains "busybox" itself: linking it would overwrite the binary
	[ "$a" = busybox ] || ln -sf busybox "$ROOT/bin/$a"
done
# The kernel runs /sbin/modprobe to load modules on demand (crypto for ext4).
ln -sf ../bin/busybox "$ROOT/sbin/modprobe"

# Our modules, found by modprobe through depmod.
ls "$BUILD"/kmod/*.ko >/dev/null 2>&1 || die "no modules in $BUILD/kmod; run 'make'"
cp "$BUILD"/kmod/*.ko "$ROOT$MD/extra/"

# Debian modules the guest needs, with their dependencies from modules.dep.
# ext4 and f2fs find their checksums through the crypto API, not modules.dep.
GUEST_KMODS="9pnet_virtio 9p ext4 f2fs crc32c_generic crc32_generic loop null_blk ${GUEST_KMODS:-}"
for m in $GUEST_KMODS; do
	deps=$(grep -E "(^|/)$m\.ko(\.xz)?:" "$MD/modules.dep" | tr -d ':') ||
		die "kernel module $m not found in $MD/modules.dep"
	for f in $deps; do
		mkdir -p "$ROOT$MD/$(dirname "$f")"
		case $f in
		*.xz) xz -dc "$MD/$f" > "$ROOT$MD/${f%.xz}" ;;
		*) cp "$MD/$f" "$ROOT$MD/$f" ;;
		esac
	done
done
cp "$MD"/modules.builtin "$MD"/modules.builtin.modinfo "$MD"/modules.order "$ROOT$MD/"
depmod -b "$ROOT" "$KVER"

# Static test programs, and host programs with the shared libraries they need.
for p in $(make -s --no-print-directory print-GUEST_PROGS); do
	[ -x "$p" ] || die "guest program $p is not built; run 'make'"
	cp "$p" "$ROOT/bin/"
done
copy_with_libs() {
	local bin=$1 lib
	cp "$bin" "$ROOT/bin/"
	for lib in $(ldd "$bin" 2>/dev/null | grep -o '/[^ ]*'); do
		mkdir -p "$ROOT$(dirname "$lib")"
		cp -L -n "$lib" "$ROOT$lib"
	done
}
for p in $(make -s --no-print-directory print-GUEST_HOST_BINS); do
	copy_with_libs "$p"
done
mkdir -p "$ROOT/lib64" && [ -e "$ROOT/lib64/ld-linux-x86-64.so.2" ] ||
	cp -L /lib64/ld-linux-x86-64.so.2 "$ROOT/lib64/"

# The cases, or the command.
for c in "${CASES[@]}"; do
	[ -f "$c" ] || die "no such case: $c"
	cp "$c" "$ROOT/cases/"
done
if [ -n "$EXEC" ]; then
	printf '%s\n' "$EXEC" > "$ROOT/exec.sh"
fi
cp tests/vm/guest-init.sh "$ROOT/init"
chmod +x "$ROOT/init"
cat > "$ROOT/etc/harness.conf" <<EOC
CASE_TIMEOUT=$CASE_TIMEOUT
EOC
(cd "$ROOT" && find . | cpio -o -H newc --quiet) > "$VM/initrd.cpio"

# --- boot --------------------------------------------------------------------
CONSOLE=$OUT/console.log
set +e
if [ "$QUIET" = 1 ]; then
	sink() { cat > "$CONSOLE"; }
else
	sink() { tee "$CONSOLE"; }
fi
boot() {
	timeout --foreground -k 5 "$TIMEOUT" qemu-system-x86_64 -accel tcg,thread=multi \
		-cpu max -smp "$SMP" -m "$MEM" \
		-nodefaults -no-user-config -display none -serial stdio -no-reboot \
		-kernel "/boot/vmlinuz-$KVER" -initrd "$VM/initrd.cpio" \
		-append "console=ttyS0 panic=-1 loglevel=1 oops=panic panic_on_warn=0" \
		-virtfs "local,path=$OUT,mount_tag=out,security_model=none,id=out" \
		"${PLUGIN[@]}" \
		< /dev/null 2>&1 | sink
	qrc=${PIPESTATUS[0]}
}
boot
# Rarely (about once in tens of boots, seen only on a loaded host) the
# emulated kernel dies of a fatal exception during its own boot, before /init
# ran and before any module of ours was loaded: an emulation flake, not a test
# result. The guest's /init writes out/dmesg/boot.txt first thing, so its
# absence after a quick exit tells such a crash apart; boot once more, and
# keep the first console log.
if [ ! -e "$OUT/dmesg/boot.txt" ] && [ "$qrc" != 124 ] && [ "$qrc" != 137 ] &&
   grep -q "Kernel panic" "$CONSOLE"; then
	mv "$CONSOLE" "$OUT/console.boot-crash.log"
	echo "vm: the guest kernel crashed while booting, before /init (see $OUT/console.boot-crash.log); booting again"
	boot
fi
set -e

# --- verdict -------------------------------------------------------------------
passed=0
failed=0
fail() { echo "vm: FAIL: $*"; failed=$((failed + 1)); }

if [ "$qrc" = 124 ] || [ "$qrc" = 137 ]; then
	fail "guest timed out after ${TIMEOUT}s (see $CONSOLE)"
elif [ ! -e "$OUT/harness.done" ]; then
	if grep -q "Kernel panic" "$CONSOLE"; then
		fail "guest kernel panicked: $(grep -m1 'Kernel panic' "$CONSOLE" | tr -d '\r') (see $CONSOLE)"
	else
		fail "guest did not finish (qemu status $qrc; see $CONSOLE)"
	fi
fi

SPLAT='WARNING:|BUG:|Oops|refcount_t:|general protection|possible circular locking|INFO: task .* blocked|UBSAN:|KASAN:|kmemleak'
for d in "$OUT"/dmesg/*.txt; do
	[ -e "$d" ] || continue
	if grep -Eq "$SPLAT" "$d"; then
		fail "kernel splat in dmesg during $(basename "$d" .txt): $(grep -Em1 "$SPLAT" "$d")"
	fi
done

if [ -n "$EXEC" ]; then
	rc=$(cat "$OUT/exec.rc" 2>/dev/null || echo 255)
	if [ "$failed" -gt 0 ]; then
		exit 1
	fi
	exit "$rc"
fi

for c in "${CASES[@]}"; do
	n=$(basename "$c" .sh)
	log=$OUT/cases/$n.log
	if [ ! -e "$OUT/cases/$n.rc" ]; then
		[ -e "$OUT/harness.done" ] && fail "case $n did not run"
		[ -e "$OUT/harness.done" ] || fail "case $n did not finish"
		continue
	fi
	rc=$(cat "$OUT/cases/$n.rc")
	sum=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" | tail -1 || true)
	if [ -z "$sum" ]; then
		if [ "$rc" = 137 ] || [ "$rc" = 143 ]; then
			fail "case $n timed out after ${CASE_TIMEOUT}s (see $log)"
		else
			fail "case $n printed no summary (status $rc; see $log)"
		fi
		continue
	fi
	p=${sum%% passed*}
	f=${sum#*, }; f=${f%% failed}
	passed=$((passed + p))
	failed=$((failed + f))
	if [ "$f" -gt 0 ]; then
		echo "vm: FAIL: case $n: $f failed (see $log):"
		# awk reads the whole log: a pipe into head would end this
		# script with SIGPIPE (set -e, pipefail) before its summary.
		awk '/^(not ok|#)/ && n++ < 20 { print "vm:   " $0 }' "$log"
	elif [ "$rc" != 0 ]; then
		fail "case $n exited with status $rc (see $log)"
	fi
	if [ -s "$OUT/cases/$n.unload" ]; then
		fail "case $n: module would not unload: $(cat "$OUT/cases/$n.unload")"
	fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
