#!/bin/bash
# Host test of the benchmark's application workloads' command lines
# (lb-dbload, lb-kvload, lb-churn, static programs that also run on the
# host): a small run succeeds, and a wrong argument count, a count that is
# empty, not a number, signed, partly a number or too large, or a bad seed
# is refused with exit 2 and a message, before the database or the
# directory is touched. Prints "N passed, N failed".
# usage: lb_workload_args.sh TOP BUILD
set -uo pipefail
TOP=$1
BUILD=$2
. "$TOP/tests/lib/result.sh"
G=$TOP/$BUILD/guest
T=$(mktemp -d -p /var/tmp)	# RocksDB's direct I/O needs a disk, not tmpfs
trap 'rm -rf "$T"' EXIT

# ok NAME PROGRAM ARGS...: the run succeeds and prints its summary.
ok() {
	local name=$1 out rc
	shift
	out=$(timeout 60 "$@" 2>&1)
	rc=$?
	[ "$rc" = 0 ] && grep -q "^$(basename "$1"): " <<< "$out"
	result $? "$name runs (exit $rc)" "$out"
}
# refused NAME PATTERN PATH PROGRAM ARGS...: exit 2, PATTERN on stderr,
# and PATH (its database or directory) not created.
refused() {
	local name=$1 pattern=$2 path=$3 err rc
	shift 3
	err=$(timeout 60 "$@" 2>&1 > /dev/null)
	rc=$?
	[ "$rc" = 2 ] && grep -q -- "$pattern" <<< "$err" && [ ! -e "$path" ]
	result $? "$name is refused (exit $rc)" "$err"
}

ok "lb-dbload 10 rows, 5 transactions" "$G/lb-dbload" "$T/ok.db" 10 5
ok "lb-kvload 10 keys, 1 update, seed 0x2a" "$G/lb-kvload" "$T/ok.kv" 10 1 0x2a
mkdir "$T/ok.churn"
ok "lb-churn 1 MiB, 10 steps" "$G/lb-churn" "$T/ok.churn" 1 10 7

db=$T/bad.db
refused "lb-dbload with 2 arguments" "usage: lb-dbload" "$db" "$G/lb-dbload" "$db" 10
refused "lb-dbload with 9 rows" "ROWS must be a number, at least 10: 9" "$db" "$G/lb-dbload" "$db" 9 5
for v in "" abc -5 12x 99999999999999999999; do
	refused "lb-dbload with TRANSACTIONS '$v'" "bad TRANSACTIONS: $v" "$db" "$G/lb-dbload" "$db" 10 "$v"
done
refused "lb-dbload with SEED 0xzz" "bad SEED: 0xzz" "$db" "$G/lb-dbload" "$db" 10 5 0xzz

kv=$T/bad.kv
refused "lb-kvload with 5 arguments" "usage: lb-kvload" "$kv" "$G/lb-kvload" "$kv" 10 1 1 1
for v in "" abc -5 12x 99999999999999999999; do
	refused "lb-kvload with KEYS '$v'" "KEYS must be a number, at least 10: $v" "$kv" "$G/lb-kvload" "$kv" "$v" 1
	refused "lb-kvload with UPDATES '$v'" "bad UPDATES: $v" "$kv" "$G/lb-kvload" "$kv" 10 "$v"
done
refused "lb-kvload with SEED -1" "bad SEED: -1" "$kv" "$G/lb-kvload" "$kv" 10 1 -1

mkdir "$T/bad.churn"
ch=$T/bad.churn/d00	# lb-churn's first subdirectory
refused "lb-churn with 0 MiB" "bad TARGET_MB: 0" "$ch" "$G/lb-churn" "$T/bad.churn" 0 10
refused "lb-churn with 2^44 MiB" "bad TARGET_MB: 17592186044416" "$ch" "$G/lb-churn" "$T/bad.churn" 17592186044416 10
for v in "" abc -5 12x; do
	refused "lb-churn with STEPS '$v'" "bad STEPS: $v" "$ch" "$G/lb-churn" "$T/bad.churn" 1 "$v"
done
refused "lb-churn with SEED ' 7'" "bad SEED:  7" "$ch" "$G/lb-churn" "$T/bad.churn" 1 10 " 7"
summary
