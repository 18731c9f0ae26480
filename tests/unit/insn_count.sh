#!/bin/bash
# Host test of the insn_count QEMU plugin (bench/insn/insn_count.c): QEMU
# boots a 64 KiB firmware of our own that runs two loops of known length
# between three markers and leaves through isa-debug-exit. The plugin must
# write one line per marker with the instructions executed so far (4 per
# loop iteration: not translation blocks, not time), and a total at exit;
# it must refuse a bad argument or a missing output file with a message,
# and QEMU must then not start. Prints "N passed, N failed".
# usage: insn_count.sh TOP BUILD
set -uo pipefail
TOP=$1
BUILD=$2
. "$TOP/tests/lib/result.sh"
SO=$TOP/$BUILD/bench/insn_count.so
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

# Real mode, at F000:0000 (the reset vector at F000:FFF0 jumps there):
#   cli; MARK; mov cx,1000; l1: inc ax x3; loop l1; MARK;
#   mov cx,10000; l2: inc ax x3; loop l2; MARK; mov al,0x10; out 0xf4,al; hlt
# (isa-debug-exit: QEMU exits with status 0x10 * 2 + 1 = 33)
# MARK is 66 87 db, the plugin's marker. Between the first two markers
# run 1 + 4 * 1000 + 1 instructions, between the last two 1 + 4 * 10000 + 1.
fw=$T/fw.bin
head -c 65536 /dev/zero | tr '\000' '\364' > "$fw"	# hlt everywhere
code='\xfa\x66\x87\xdb\xb9\xe8\x03\x40\x40\x40\xe2\xfb\x66\x87\xdb'
code+='\xb9\x10\x27\x40\x40\x40\xe2\xfb\x66\x87\xdb\xb0\x10\xe6\xf4\xf4'
printf "$code" | dd of="$fw" conv=notrunc status=none
printf '\xea\x00\x00\x00\xf0' | dd of="$fw" bs=1 seek=65520 conv=notrunc status=none

qemu() {
	timeout 60 qemu-system-x86_64 -accel tcg -nodefaults -no-user-config -display none \
		-bios "$fw" -device isa-debug-exit,iobase=0xf4,iosize=4 "$@"
}

qemu -plugin "$SO,out=$T/marks" > "$T/log" 2>&1
rc=$?
[ "$rc" = 33 ] && [ -s "$T/marks" ]
result $? "QEMU runs the firmware with the plugin and exits through isa-debug-exit (status $rc)" \
	"$(cat "$T/log")"

d=$(awk '$1 == "mark" { m[$2] = $3; n++ } $1 == "total" { t = $2; l = $4 }
	END { if (n == 3 && t >= m[3] && l == 0) print m[2] - m[1], m[3] - m[2] }' "$T/marks")
[ -n "$d" ]
result $? "three numbered markers and a total with nothing lost" "$(cat "$T/marks")"
set -- $d
awk -v a="${1:-0}" -v b="${2:-0}" 'BEGIN {
	exit !(a >= 4002 - 8 && a <= 4002 + 8 && b >= 40002 - 8 && b <= 40002 + 8) }'
result $? "it counts instructions: ${1:-?} for 4002, ${2:-?} for 40002" "$(cat "$T/marks")"

qemu -plugin "$SO,out=$T/bad,bogus=1" > "$T/log" 2>&1
rc=$?
[ ! -e "$T/bad" ] && [ "$rc" != 0 ] && [ "$rc" != 33 ] && grep -q "insn_count: unknown argument 'bogus=1'" "$T/log"
result $? "an unknown argument is refused (status $rc)" "$(cat "$T/log")"

qemu -plugin "$SO" > "$T/log" 2>&1
rc=$?
[ "$rc" != 0 ] && [ "$rc" != 33 ] && grep -q "insn_count: no output file (out=FILE)" "$T/log"
result $? "no output file is refused (status $rc)" "$(cat "$T/log")"

qemu -plugin "$SO,out=$T/no/such/dir/marks" > "$T/log" 2>&1
rc=$?
[ "$rc" != 0 ] && [ "$rc" != 33 ] && grep -q "insn_count: cannot write $T/no/such/dir/marks" "$T/log"
result $? "an output file that cannot be written is refused (status $rc)" "$(cat "$T/log")"
summary
