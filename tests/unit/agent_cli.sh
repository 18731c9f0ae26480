#!/bin/bash
# Host test of mlagentd as a program, without a kernel: options and exit
# codes, configuration errors with their origin, the store check, signals
# (SIGHUP with a broken file keeps the running configuration; SIGTERM stops
# with 0), the docs (every option in mlagentd(8), every parameter in
# docs/agent.md), the sample configuration and the systemd unit.
# Prints "N passed, N failed". usage: agent_cli.sh TOP BUILD
set -uo pipefail
TOP=$1
BUILD=$2
. "$TOP/tests/lib/result.sh"
A=$TOP/$BUILD/user/agent/mlagentd
T=$(mktemp -d)
trap 'kill $pid 2>/dev/null; rm -rf "$T"' EXIT
pid=

# run WANT_RC ARGS...: stdout in $T/out, stderr in $T/err
run() {
	local want=$1
	shift
	"$A" "$@" > "$T/out" 2> "$T/err"
	rc=$?
	[ "$rc" = "$want" ]
}

run 0 --help && grep -q "usage: mlagentd" "$T/out"
result $? "--help (exit 0)"
run 0 --version && grep -q "^mlagentd " "$T/out"
result $? "--version (exit 0)"
run 2 --bogus
result $? "an unknown option: exit 2" "$(cat "$T/err")"
run 2 extra
result $? "an unexpected argument: exit 2"
run 2 -c "$T/missing.conf" --check && grep -q "missing.conf" "$T/err"
result $? "a missing --config file: exit 2, named" "$(cat "$T/err")"
printf '[agent]\nretention = 10\n[proxy a/b]\ngrid = 1000\n' > "$T/bad.conf"
run 2 -c "$T/bad.conf" --check && grep -q "bad.conf:4: grid: 1000 is outside" "$T/err"
result $? "a value out of range: exit 2, FILE:LINE" "$(cat "$T/err")"
run 2 -o "a/b:nokey=1" --check && grep -q "command line: unknown key 'nokey'" "$T/err"
result $? "a bad override: exit 2, named" "$(cat "$T/err")"
: > "$T/empty.conf"
run 0 -c "$T/empty.conf" -p x/y -o x/y:learner=linreg -o retention=7 --check
grep -q "learner = linreg" "$T/out" && grep -q "retention = 7" "$T/out" && grep -q "\[proxy x/y\]" "$T/out"
result $? "--check prints the resolved configuration" "$(cat "$T/out" "$T/err")"
run 0 -c "$TOP/packaging/mlagent.conf" --check
result $? "packaging/mlagent.conf checks" "$(cat "$T/err")"
run 0 --list-params && grep -q "learner = contextual" "$T/out" && grep -q "learner = linreg" "$T/out"
result $? "--list-params lists the learners"

run 1 -s "$T/none.db" --store-check && grep -q "none.db" "$T/err"
result $? "--store-check of a missing store: exit 1" "$(cat "$T/err")"
run 1 -s /nonexistent/dir/s.db -p x
result $? "a store that cannot be opened: exit 1" "$(cat "$T/err")"

# A running agent without /dev/ml_lib: it waits; SIGHUP with a broken file
# keeps the running configuration; SIGTERM stops it with 0.
printf '[agent]\nstore = %s\ndiscover_ms = 50\n[proxy x/y]\n' "$T/s.db" > "$T/run.conf"
"$A" -c "$T/run.conf" > "$T/log" 2>&1 &
pid=$!
wait_log() {
	local i
	for i in $(seq 200); do
		grep -q "$1" "$T/log" && return 0
		sleep 0.05
	done
	return 1
}
wait_log "started"
result $? "starts" "$(cat "$T/log")"
if [ -e /dev/ml_lib ]; then
	result 0 "(/dev/ml_lib exists here: the wait is not tested)"
else
	wait_log "waiting for it"
	result $? "waits for /dev/ml_lib" "$(cat "$T/log")"
fi
echo "[proxy" > "$T/run.conf.new"
cp "$T/run.conf" "$T/run.conf.good"
mv "$T/run.conf.new" "$T/run.conf"
kill -HUP $pid
wait_log "keeping the running configuration"
result $? "SIGHUP with a broken file: logged, ignored" "$(cat "$T/log")"
cp "$T/run.conf.good" "$T/run.conf"
kill -HUP $pid
wait_log "configuration reloaded: 1 proxies"
result $? "SIGHUP: reloaded" "$(cat "$T/log")"
kill -TERM $pid
wait $pid
rc=$?
pid=
[ $rc = 0 ] && grep -q "stopped$" "$T/log"
result $? "SIGTERM: exit 0" "rc $rc; $(cat "$T/log")"
run 0 -s "$T/s.db" --store-check && grep -q "integrity ok" "$T/out"
result $? "--store-check: an intact store" "$(cat "$T/out" "$T/err")"

# The docs.
missing=""
for o in $("$A" --help | grep -o -- '--[a-z-]*' | sort -u); do
	grep -q -- "${o//-/\\\\-}" "$TOP/man/man8/mlagentd.8" || missing="$missing $o"
done
result "$([ -z "$missing" ]; echo $?)" "every option is in mlagentd(8)" "missing:$missing"
missing=""
for p in $("$A" --list-params | awk '/^  [a-z_]+ / { print $1 }' | sort -u) store log log_level learner; do
	grep -q "| \`$p\` |" "$TOP/docs/agent.md" || missing="$missing $p"
done
result "$([ -z "$missing" ]; echo $?)" "every key is in docs/agent.md" "missing:$missing"
MANWIDTH=80 man --warnings=all -E UTF-8 -l "$TOP/man/man8/mlagentd.8" > /dev/null 2> "$T/man"
result "$([ ! -s "$T/man" ]; echo $?)" "mlagentd(8) renders without warnings" "$(cat "$T/man")"

# The unit, with ExecStart pointing at the built program.
sed "s|/usr/local/sbin/mlagentd|$A|" "$TOP/packaging/mlagentd.service" > "$T/mlagentd.service"
systemd-analyze verify --man=no "$T/mlagentd.service" > "$T/unit" 2>&1
result $? "the systemd unit verifies" "$(cat "$T/unit")"
summary
