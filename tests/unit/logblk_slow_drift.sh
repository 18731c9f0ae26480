#!/bin/bash
# Host test of the learner on a slowly shifting hotspot, through
# logblk-learn on a trace of the benchmark's size (the phase detector
# weighs the last 4096 writes: on the unit tests' 4096 blocks a move of the
# hot set is too short to fire it). 90% of the writes go to a tenth of
# 65,536 blocks, drawn again every 4 device sizes; models reach the device
# 0.06 device sizes late, as in the guest; arm seed 3, where the window
# that straddles the first move judged the deployed configuration worse
# than p3x by the margin twice in a row, and it was withdrawn (0.92 x p3x).
# Checks: the aftermath of each move is kept and the device writes less
# with it than without; the deployed configuration, ahead before the move,
# is kept until the window is past it, not withdrawn; the device ends at
# least 10% below p3x. Prints "N passed, N failed".
# usage: logblk_slow_drift.sh TOP BUILD
set -uo pipefail
TOP=$1
BUILD=$2
. "$TOP/tests/lib/result.sh"
GEN=$TOP/$BUILD/user/logblk-gen
L=$TOP/$BUILD/user/logblk-learn
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

"$GEN" -w shift:90/10 -P 4 -b 65536 -r 10 -m 5 -S 256 -G 300 -t "$T/shift.lbt" > /dev/null
result $? "logblk-gen writes the trace"

# field NAME FILE: the value of NAME= on the summary line.
field() {
	sed -n "s/.* $1=\([0-9.,]*\).*/\1/p" "$2"
}

"$L" -S 0.95 -p p3x -o 18 -s 3 -D 0.06 -v "$T/shift.lbt" > "$T/keep" 2>&1
result $? "logblk-learn runs" "$(tail -3 "$T/keep")"
"$L" -S 0.95 -p p3x -o 18 -s 3 -D 0.06 -K 0 "$T/shift.lbt" > "$T/nokeep" 2>&1
result $? "logblk-learn --keep 0 runs" "$(tail -3 "$T/nokeep")"

kept=$(field kept "$T/keep")
[ "$kept" = 2 ] && [ "$(field kept "$T/nokeep")" = 0 ]
result $? "the aftermaths of the two moves are kept; none with --keep 0" "kept=$kept"

w1=$(field win_waf "$T/keep")
w0=$(field win_waf "$T/nokeep")
awk -v a="$w1" -v b="$w0" 'BEGIN { exit !(a < b) }'
result $? "the device writes less with the last move's rows ($w1) than without ($w0)"

held=$(grep -c "kept until the window is past the move" "$T/keep")
wd=$(field withdrawn "$T/keep")
[ "$held" -ge 1 ] && [ "$wd" = 0 ]
result $? "ahead before the move, worse over a window with it: kept, not withdrawn" \
	"$held rounds held, $wd withdrawals"

p3x=$(field shadows_win_waf "$T/keep" | cut -d, -f1)
awk -v a="$w1" -v b="$p3x" 'BEGIN { exit !(a < 0.9 * b) }'
result $? "the device ends 10% below p3x ($w1 against $p3x)"
summary
