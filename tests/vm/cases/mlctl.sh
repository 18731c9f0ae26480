#!/bin/sh
# mlctl against the real module: every command, its output, exit codes and
# messages, on the proxies of the test module (subsystem "mltest").
T=/tmp/mlctl
mkdir -p $T
pass=0
fail=0
ok() { echo "ok - $1"; pass=$((pass + 1)); }
nok() { echo "not ok - $1"; fail=$((fail + 1)); }
# run NAME WANT_RC CMD...: run CMD, stdout in $T/out, stderr in $T/err.
run() {
	name=$1 want=$2
	shift 2
	"$@" > $T/out 2> $T/err
	rc=$?
	if [ "$rc" = "$want" ]; then
		ok "$name (exit $rc)"
	else
		nok "$name: exit $rc, want $want"
		sed 's/^/#   /' $T/out $T/err | head -20
	fi
}
# has NAME FILE TEXT: FILE contains the fixed string TEXT.
has() {
	if grep -qF -- "$3" "$2"; then
		ok "$1"
	else
		nok "$1: no '$3' in $2:"
		sed 's/^/#   /' "$2" | head -20
	fi
}
ctl() { echo "$*" > /sys/kernel/debug/ml_lib_testmod/ctl; }
# until_true CMD...: retry CMD (up to 10 s) until it succeeds.
until_true() {
	i=0
	while ! "$@" > /dev/null 2>&1; do
		i=$((i + 1))
		[ $i -ge 400 ] && return 1
		sleep 0.025
	done
}
attached() { mlctl status "$1" --json | grep -q '"attached":true'; }

# Without the module.
run "no module: list fails" 1 mlctl list
has "no module: says to load it" $T/err "is the ml_lib module loaded? Try 'modprobe ml_lib'"
modprobe ml_lib && modprobe ml_lib_testmod || { nok "modprobe"; echo "$pass passed, $((fail + 1)) failed"; exit 1; }
run "--device nonexistent" 1 mlctl --device /nonexistent list
has "--device: names the path" $T/err "cannot open /nonexistent"

# Usage errors: exit 2 and a message.
run "no command" 2 mlctl
run "unknown command" 2 mlctl frobnicate
has "unknown command: message" $T/err "unknown command 'frobnicate'"
run "bad mode name" 2 mlctl mode mltest/p0 bogus
has "bad mode name: message" $T/err "unknown mode 'bogus'"
run "mode without PROXY" 2 mlctl mode
run "watch: bad --interval" 2 mlctl watch p0 --interval 1
run "malformed PROXY" 2 mlctl status mltest/p0/x
for c in list status mode watch samples start stop reinit; do
	run "$c --help" 0 mlctl $c --help
	has "$c --help: usage" $T/out "usage: mlctl $c"
done

# list and status.
run "list" 0 mlctl list
has "list: p0" $T/out "mltest/p0"
has "list: bench" $T/out "mltest/bench"
run "list --json" 0 mlctl list --json
has "list --json: p0" $T/out '"subsystem":"mltest","name":"p0","mode":"emergency"'
run "status (all)" 0 mlctl status
has "status (all): header" $T/out "EFFICIENCY"
has "status (all): p1" $T/out "mltest/p1"
run "status PROXY" 0 mlctl status mltest/p0
has "status PROXY: name" $T/out "proxy:          mltest/p0 (id "
has "status PROXY: mode" $T/out "mode:           emergency"
has "status PROXY: no agent" $T/out "agent:          none"
run "status NAME --json" 0 mlctl status p0 --json
has "status --json: object" $T/out '"name":"p0","mode":"emergency"'
run "status --json (all)" 0 mlctl status --json
has "status --json (all): array" $T/out '[{"id":'
run "unknown proxy" 1 mlctl status nosuch
has "unknown proxy: message" $T/err "no proxy 'nosuch': 'mlctl list' shows the proxies"

# start, stop, reinit.
run "stop" 0 mlctl stop p0
run "status after stop" 0 mlctl status p0
has "stopped" $T/out "state:          stopped"
run "start" 0 mlctl start mltest/p0
run "status after start" 0 mlctl status p0
has "started" $T/out "state:          started"
run "reinit" 0 mlctl reinit p0
run "stop unknown proxy" 1 mlctl stop nosuch

# samples: attach, print the schema as a header and the samples.
mlctl samples p0 --csv --count 5 --timeout 20000 > $T/csv 2> $T/csv.err &
spid=$!
if until_true attached p0; then
	ok "samples attaches"
else
	nok "samples attaches"
fi
# While it holds the proxy, another agent is refused, with the reason.
run "samples when held" 1 mlctl samples p0 --count 1
has "samples when held: names the agent" $T/err "mltest/p0 already has an agent (pid $spid)"
has "samples when held: what to do" $T/err "mlctl watch mltest/p0"
# ... and an administrator can pin the mode of the attached proxy.
run "mode collaboration" 0 mlctl mode p0 collaboration
run "status pinned" 0 mlctl status p0
has "mode pinned" $T/out "mode:           collaboration, pinned (last change: admin)"
has "agent shown" $T/out "agent:          pid $spid"
run "mode auto" 0 mlctl mode p0 AUTO
run "status unpinned" 0 mlctl status p0 --json
has "mode unpinned" $T/out '"pinned":false'
ctl publish p0 0 300 5 10 20
wait $spid
src=$?
if [ $src = 0 ]; then ok "samples --count 5 ends (exit 0)"; else nok "samples exit $src"; cat $T/csv.err; fi
has "samples: csv header" $T/csv "ts_ns,cpu,key,decision_id,x,y"
has "samples: first" $T/csv ",0,300,0,10,20"
has "samples: last" $T/csv ",0,304,0,14,16"
n=$(wc -l < $T/csv)
if [ "$n" = 6 ]; then ok "samples: header + 5 lines"; else nok "samples: $n lines"; cat $T/csv; fi
run "detached after samples" 0 mlctl status p0
has "agent gone" $T/out "agent:          none"

# samples, human format, ended by its timeout; a stopped proxy is pointed out.
run "samples --timeout" 0 mlctl samples p0 --timeout 100
has "samples: table header" $T/out "x(ns)"
mlctl stop p0
run "samples of a stopped proxy" 0 mlctl samples p0 --timeout 100
has "samples: stopped proxy" $T/err "mltest/p0 is stopped: it publishes no samples until 'mlctl start mltest/p0'"
mlctl start p0

# samples of a proxy that goes away.
mlctl samples p1 --timeout 20000 > $T/gone 2> $T/gone.err &
spid=$!
# Its header is printed once the attach is complete (rings mapped).
until_true grep -q . $T/gone || nok "samples p1 attaches"
ctl destroy p1
wait $spid
src=$?
if [ $src = 1 ]; then ok "samples: proxy gone (exit 1)"; else nok "samples: proxy gone: exit $src"; fi
has "samples: proxy gone: message" $T/gone.err "mltest/p1 went away"
ctl create p1

# watch: non-interactive views, rates from the second on; stoppable.
ctl publish p0 0 1 10 0 0
run "watch --count 2" 0 mlctl watch p0 --count 2 --interval 50
n=$(grep -c '^proxy:' $T/out)
if [ "$n" = 2 ]; then ok "watch: 2 views"; else nok "watch: $n views"; fi
has "watch: no rate in the first view" $T/out "rates (/s):     published -,"
has "watch: rates in the second" $T/out "rates (/s):     published 0.000, dropped 0.000"
mlctl watch p0 --interval 50 > $T/watch 2>&1 &
wpid=$!
until_true grep -q '^proxy:' $T/watch || nok "watch starts"
kill -INT $wpid
wait $wpid
wrc=$?
if [ $wrc = 0 ]; then ok "watch stops on SIGINT (exit 0)"; else nok "watch: SIGINT gave exit $wrc"; fi

echo "$pass passed, $fail failed"
[ $fail = 0 ]
