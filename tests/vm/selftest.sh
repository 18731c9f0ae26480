#!/bin/bash
# Self-tests of the guest harness: a failing case, a kernel warning and a
# hanging guest must each fail the run, with a message that says why; with
# --insn-count, each insn-mark the guest runs must reach the count file.
# Prints "N passed, N failed".
set -uo pipefail
TOP=$(cd "$(dirname "$0")/../.." && pwd)
cd "$TOP"
BUILD=${BUILD:-build}
. tests/lib/result.sh

# expect NAME PATTERN RUN-ARGS...: the run must fail and print PATTERN.
expect() {
	local name=$1 pattern=$2 out rc
	shift 2
	out=$(tests/vm/run.sh --quiet --out "$BUILD/vm/selftest-$name" "$@" 2>&1)
	rc=$?
	[ "$rc" -ne 0 ] && grep -Eq "$pattern" <<< "$out"
	result $? "harness fails a run with $name" \
		"status $rc, wanted /$pattern/:
$(tail -15 <<< "$out")"
}

expect failing_case 'FAIL: case failing_case: 1 failed' tests/vm/selftest/failing_case.sh
expect kernel_warning 'FAIL: kernel splat in dmesg during kernel_warning: .*WARNING:' \
	tests/vm/selftest/kernel_warning.sh
expect hang 'FAIL: guest timed out after 12s' --timeout 12 --case-timeout 0 \
	tests/vm/selftest/hang.sh
# --insn-count: three marks in the guest, three growing counts on the host
# (the guest's work between them), and the total at QEMU's exit.
marks=$BUILD/vm/selftest-insn.txt
rm -f "$marks"
out=$(tests/vm/run.sh --quiet --out "$BUILD/vm/selftest-insn" --insn-count "$marks" \
	--exec "insn-mark && insn-mark && insn-mark" 2>&1)
rc=$?
[ "$rc" -eq 0 ] && awk '$1 == "mark" { if ($2 != ++n || $3 <= last) bad = 1; last = $3 }
	$1 == "total" { t = $2 } END { exit bad || n != 3 || t < last }' "$marks" 2> /dev/null
result $? "harness counts the guest's instructions between insn-marks" \
	"status $rc:
$(cat "$marks" 2> /dev/null; tail -15 <<< "$out")"
# A file name QEMU would split is refused before anything is built or booted.
out=$(tests/vm/run.sh --insn-count "$BUILD/vm/a,b" --exec true 2>&1)
rc=$?
[ "$rc" -eq 2 ] && grep -q "cannot take a file name with a comma" <<< "$out"
result $? "harness refuses an --insn-count file with a comma" "status $rc: $(tail -5 <<< "$out")"
summary
