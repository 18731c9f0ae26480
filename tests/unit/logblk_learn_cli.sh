#!/bin/bash
# Host test of logblk-learn's options: every numeric option out of its range
# or not a number is refused with exit 2 and a message naming the option,
# before any trace is read; values in range are accepted (the run then
# stops at the missing trace with exit 1). Prints "N passed, N failed".
# usage: logblk_learn_cli.sh TOP BUILD
set -uo pipefail
TOP=$1
BUILD=$2
. "$TOP/tests/lib/result.sh"
L=$TOP/$BUILD/user/logblk-learn
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

# refused OPTION VALUE: exit 2, and stderr names --OPTION and the value.
refused() {
	"$L" "--$1" "$2" "$T/none.lbt" > /dev/null 2> "$T/err"
	local rc=$?
	[ "$rc" = 2 ] && grep -q -- "--$1 wants .*'$2'" "$T/err"
	result $? "--$1 $2 is refused (exit $rc)" "$(cat "$T/err")"
}

for v in 9 0 x 3.5 ''; do refused depth "$v"; done
for v in 1.5 -0.1 nan; do refused share "$v"; done
for v in 0 5 1e; do refused round "$v"; done
for v in 0 65; do refused judge "$v"; done
for v in 0 65 2x; do refused persist "$v"; done
for v in -1 1001 12.5; do refused op "$v"; done
for v in zz 1ffffffff; do refused mask "$v"; done
for v in -4 abc; do refused seed "$v"; done
for v in -1 65 x; do refused slow "$v"; done
for v in -0.1 65 0.1y; do refused delay "$v"; done
for v in -0.1 1.5 nan; do refused keep "$v"; done

"$L" -d 8 -S 0.95 -r 0.5 -j 8 -P 4 -o 18 -M ff -s 7 -A 2.5 -D 0.1 -K 0.25 "$T/none.lbt" > /dev/null 2> "$T/err"
rc=$?
[ "$rc" = 1 ] && grep -q "none.lbt" "$T/err"
result $? "values in range are accepted; a missing trace is exit 1, named" "rc=$rc $(cat "$T/err")"
summary
