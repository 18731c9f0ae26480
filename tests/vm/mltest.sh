#!/bin/sh
# mltest.sh: the shell counterpart of tests/lib/mltest.h for guest cases.
# Installed as /bin/mltest.sh in the guest; a case sources it:
#
#	. /bin/mltest.sh
#	check "the device exists" "[ -b /dev/logblk0 ]"
#	...
#	mt_summary
#
# check NAME COMMAND evaluates COMMAND and prints "ok - NAME" or
# "not ok - NAME (COMMAND)"; mt_summary prints "N passed, N failed".
# mt_kv LINE KEY prints KEY's value in a line of key=value words;
# mt_kv_same LINE KEY WANT checks it is WANT (a non-empty value).
mt_passed=0
mt_failed=0
ok() { echo "ok - $1"; mt_passed=$((mt_passed + 1)); }
not_ok() { echo "not ok - $1"; mt_failed=$((mt_failed + 1)); }
check() { if eval "$2"; then ok "$1"; else not_ok "$1 ($2)"; fi; }
mt_kv() { echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }
mt_kv_same() {
	if [ -n "$3" ] && [ "$(mt_kv "$1" "$2")" = "$3" ]; then
		ok "$2: $3"
	else
		not_ok "$2: $(mt_kv "$1" "$2"), expected $3"
	fi
}
mt_summary() { echo "$mt_passed passed, $mt_failed failed"; }
