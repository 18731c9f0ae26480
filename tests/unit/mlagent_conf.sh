#!/bin/bash
# Host test of user/agent/mlagent-conf.sh, the one generator of the guest
# programs' mlagentd configurations: each profile is a configuration
# mlagentd accepts (--check) with the profile's learner; KEY=VALUE pairs
# override the proxy's keys and agent.KEY=VALUE the agent's; bad
# arguments exit 2 with a message and print nothing. Prints
# "N passed, N failed".
# usage: mlagent_conf.sh TOP BUILD
set -uo pipefail
TOP=$1
BUILD=$2
. "$TOP/tests/lib/result.sh"
G=$TOP/user/agent/mlagent-conf.sh
A=$TOP/$BUILD/user/agent/mlagentd
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

# checks PROFILE PATTERN... [-- ARGS]: mlagentd --check accepts the
# profile's configuration and its resolved form matches every PATTERN.
checks() {
	local profile=$1 args=() pats=()
	shift
	while [ $# -gt 0 ] && [ "$1" != -- ]; do pats+=("$1"); shift; done
	[ $# -gt 0 ] && shift && args=("$@")
	sh "$G" "$profile" "$T" "${args[@]}" > "$T/conf" &&
		"$A" -c "$T/conf" --check > "$T/check" 2>&1
	local rc=$? p
	for p in "${pats[@]}"; do
		[ $rc = 0 ] || break
		grep -q -- "$p" "$T/check" || rc=1
	done
	result $rc "$profile ${args[*]}: mlagentd accepts it (${pats[*]})" "$(cat "$T/check")"
}
checks logblk "\[proxy logblk/placement\]" "learner = lifetime" "store = $T/store.db"
checks demo "\[proxy ml_lib_demo/policy\]" "learner = contextual" "min_samples = 6"
checks demo "min_samples = 9" "report_ms = 5000" -- min_samples=9 agent.report_ms=5000
checks logblk "persist = 6" "heartbeat_ms = 100" -- persist=6 heartbeat_ms=100

# refused ARGS...: exit 2, a message on stderr, nothing on stdout.
refused() {
	sh "$G" "$@" > "$T/out" 2> "$T/err"
	local rc=$?
	[ $rc = 2 ] && [ -s "$T/err" ] && [ ! -s "$T/out" ]
	result $? "refused: ${*:-no arguments} (exit $rc)" "$(cat "$T/err" "$T/out")"
}
refused
refused logblk
refused nosuch "$T"
refused demo "$T" novalue
refused demo "$T" =3
refused demo "$T" agent.=3
summary
