#!/bin/sh
# mlagentd against ml_lib_demo, end to end: the agent attaches; the proxy
# goes LEARNING -> COLLABORATION -> RECOMMENDATION on its own; the ML arm's
# mean cost is at most 3/4 of the default's. Then the demo's hidden policy
# switches (linear -> mirror, linear reflected about the default: the
# deployed table becomes worse than the default by as much as it had
# learned): efficiency rises above 1, the proxy demotes, the agent forgets,
# learns the new policy and the proxy climbs back, without restarting
# anything. The switch was to the wave once: the table was then only 6%
# worse than the default in one run in six, and the agent, still in
# RECOMMENDATION, learned the wave before the proxy had the evidence to
# demote (right for a system, but this case tests the demotion).
# kill -9 of the agent: EMERGENCY within the heartbeat timeout; a restart
# deploys the model stored; the agent re-attaches when the module comes
# back; SIGHUP reloads, SIGTERM detaches cleanly. The store marks the
# demotion, for the rebuilds to weigh the data before it less.
#
# Costs are measured on exactly 20000 operations run through the demo's
# "step" file with its worker paused: cost_ok is "the ML arm's mean cost is
# at most 3/4 of the default's". The agent's tables (with their exploration
# probes) level off at 0.4-0.5 of the default's cost on an idle host and at
# 0.65-0.7 with the host loaded (the guest starved); an untrained agent's is
# the default's or worse. At 1/2, the check only passed by catching a dip.
# The demo runs 10000 operations a second and gives the model half of the
# decisions while it learns (share_learning_bp).
# At 20000 a second, on a slower host the emulated agent fell behind (its
# feedback rings overflowed) and learned the second policy only to 0.7 of
# the default's cost: this case tests the loop, not the agent's speed
# (bench/agent measures that).
P=/sys/kernel/ml_lib/ml_lib_demo/policy
D=/sys/kernel/ml_lib_demo
T=/tmp/mlagentd
RATE=10000
mkdir -p $T
pass=0
fail=0
ok() { echo "ok - $1"; pass=$((pass + 1)); }
nok() { echo "not ok - $1"; fail=$((fail + 1)); }
# wait_for SECONDS CMD...: poll CMD every 0.1 s until it succeeds.
wait_for() {
	n=$(($1 * 10))
	shift
	while ! "$@" > /dev/null 2>&1; do
		n=$((n - 1))
		[ $n -le 0 ] && return 1
		sleep 0.1
	done
}
is() { [ "$(cat "$1")" = "$2" ]; }
logged() { grep -q "$1" $T/log; }
# logged_version WHAT: N of the last "WHAT vN" in the agent's log.
logged_version() { v=$(grep -o "$1 v[0-9]*" $T/log | tail -1); echo "${v##*v}"; }
# measure: ML and DEF mean costs x 1000 over 20000 operations.
measure() {
	echo 0 > $D/ops_per_sec
	echo 1 > $D/seed
	echo 20000 > $D/step
	ML=$(cat $D/mean_cost_ml_milli)
	DEF=$(cat $D/mean_cost_default_milli)
	NML=$(cat $D/ops_ml)
	echo $RATE > $D/ops_per_sec
}
# cost_ok [NUM DEN]: the ML arm's mean cost is at most NUM/DEN (default 3/4)
# of the default's.
cost_ok() {
	measure
	[ "$NML" -gt 0 ] && [ $((ML * ${2:-4})) -le $((DEF * ${1:-3})) ]
}
# wait_cost SECONDS [NUM DEN]: measure every 2 s until cost_ok [NUM DEN].
wait_cost() {
	n=$(($1 / 2))
	shift
	while ! cost_ok "$@"; do
		n=$((n - 1))
		[ $n -le 0 ] && return 1
		sleep 2
	done
}
costs() { echo "ML $((ML / 1000)).$((ML % 1000 / 100)), default $((DEF / 1000)).$((DEF % 1000 / 100))"; }
start_agent() {
	mlagentd -c $T/conf >> $T/log 2>&1 &
	A=$!
}
# dump: the end of the agent's log, and all of it beside this case's log
# (build/vm/out/cases/ on the host) for the failures CI reports.
dump() {
	echo "# log:"
	grep -v "deployed model" $T/log | tail -12 | sed "s/^/#   /"
	[ -d /out/cases ] && cp $T/log /out/cases/mlagentd.agent.log &&
		echo "# all of it: cases/mlagentd.agent.log"
}

modprobe ml_lib && modprobe ml_lib_demo ops_per_sec=$RATE seed=1 noise=20 ||
	{ nok "modprobe"; echo "$pass passed, $((fail))"; exit 1; }
# Half of the decisions are the ML arm's while learning: it learns faster.
echo 5000 > $P/share_learning_bp
# Twice the longest silence seen from the agent on a loaded host (7 s, with
# one host CPU busy beside `make check`): a starved guest must not send the
# proxy to EMERGENCY (heartbeat) mid-test. The kill below detaches at once.
echo 15000 > $P/controller/heartbeat_timeout_ms
mlagent-conf.sh demo $T agent.report_ms=5000 > $T/conf
mlagentd -c $T/conf --check > $T/check 2>&1 && grep -q "min_samples = 6" $T/check &&
	ok "the configuration checks" || nok "mlagentd --check"

start_agent
if wait_for 10 is $P/attached 1 && is $P/agent_pid $A; then
	ok "attaches (pid $A)"
else
	nok "no attach"; dump
fi
is $P/mode learning && is $P/mode_reason attached && ok "LEARNING on attach" ||
	nok "mode $(cat $P/mode) ($(cat $P/mode_reason)) on attach"
wait_for 30 logged "deployed model v" && ok "deploys a model that beats the default on held-out data" ||
	{ nok "nothing deployed"; dump; }

# promoted_to MODE: the proxy is in MODE, promoted there.
promoted_to() { is $P/mode "$1" && is $P/mode_reason promoted; }
if wait_for 60 promoted_to recommendation &&
	wait_for 5 logged "learning -> collaboration (promoted)" &&
	wait_for 5 logged "collaboration -> recommendation (promoted)"; then
	ok "climbs LEARNING -> COLLABORATION -> RECOMMENDATION on its own"
else
	nok "no climb: mode $(cat $P/mode) ($(cat $P/mode_reason))"; dump
fi
# The waits allow for a slow host.
if wait_cost 90; then
	ok "learned the hidden policy: mean cost $(costs)"
else
	nok "not learned: mean cost $(costs)"; dump
fi

eff=$(cat $P/efficiency_bp)
echo mirror > $D/policy
measure
[ "$ML" -gt "$DEF" ] && ok "the policy switch makes the deployed model worse than the default: $(costs)" ||
	nok "the switch did not hurt: $(costs)"
if wait_for 30 is $P/mode_reason demoted && wait_for 10 logged "demoted: data before now weighs"; then
	ok "efficiency $eff -> $(cat $P/efficiency_bp) bp: the proxy demotes, the agent forgets"
else
	nok "no demotion: mode $(cat $P/mode) ($(cat $P/mode_reason))"; dump
fi
# The agent marks the demotion in its store before it logs it, so that its
# rebuilds (and a restarted agent's) weigh the data before it less; the
# proxy's feedback that reported it is committed with the mark. Checked
# here and not after the restart: by then the demotion's outcomes may have
# left the retention (200000 outcomes), and the mark with them.
if mlagentd --store-check -s $T/store.db > $T/store 2>&1 &&
	marks=$(grep -o "[0-9]* forget marks" $T/store) && [ "${marks%% *}" -ge 1 ] &&
	demotions=$(grep -o "[0-9]* demotions in the feedback" $T/store) &&
	[ "${demotions%% *}" -ge 1 ]; then
	ok "the store marks the demotion ($marks, $demotions)"
else
	nok "no forget mark or no demotion in the store"; cat $T/store
fi
if wait_for 120 promoted_to recommendation && is $P/agent_pid $A; then
	ok "the proxy climbs back to RECOMMENDATION (same agent, pid $A)"
else
	nok "no climb back: mode $(cat $P/mode) ($(cat $P/mode_reason))"; dump
fi
if wait_cost 100; then
	ok "learned the new policy: mean cost $(costs)"
else
	nok "the new policy not learned: mean cost $(costs)"; dump
fi

hb=$(cat $P/controller/heartbeat_timeout_ms)
kill -9 $A
wait $A 2> /dev/null
# The model deployed last before the kill. Each is committed to the store
# before it is logged: the restart restores this one or, if the kill fell
# between the two, a newer one.
last=$(logged_version "deployed model")
if wait_for $((hb / 1000)) is $P/mode emergency && is $P/mode_reason detached &&
	is $P/attached 0; then
	ok "kill -9: EMERGENCY (detached) within the heartbeat timeout (${hb} ms)"
else
	nok "after kill -9: mode $(cat $P/mode) ($(cat $P/mode_reason))"
fi
mlagentd --store-check -s $T/store.db > $T/store 2>&1 && grep -q "integrity ok" $T/store &&
	ok "the store is intact after kill -9" || { nok "store check"; cat $T/store; }

tables=$(cat $P/recs_accepted)
start_agent
wait_for 10 is $P/attached 1 && wait_for 10 logged "restored model v" &&
	wait_for 10 [ "$(cat $P/recs_accepted)" -gt "$tables" ] &&
	ok "restart: the model restored from the store and pushed" ||
	{ nok "restart: no restored model"; dump; }
# The agent pushes the restored model alone first, then rebuilds its
# learner from the store and explores again (the proxy is back in
# LEARNING, where it probes every key). The cost measured before the kill
# was the deployed model's with its probes, and the probes may be well
# ahead of it: after the switch to the mirror, one CI run restored a v8
# that had been deployed at a held-out cost of 172 and cost 193.5 against
# 202.9 alone, where v8 with its probes had cost 155 against 209. So the
# check is on the version, and on the restarted agent being back below
# 9/10 of the default's cost within 30 s (an untrained agent's is the
# default's or worse).
got=$(logged_version "restored model")
if [ -n "$last" ] && [ -n "$got" ] && [ "$got" -ge "$last" ] && wait_cost 30 9 10; then
	ok "the restored model is v$got, v$last deployed last before the kill: mean cost $(costs)"
else
	nok "the restored model: v$got, want v$last or newer, mean cost $(costs)"; dump
fi

rmmod ml_lib_demo
wait_for 10 logged "the proxy is gone" && ok "module unloaded: the agent detaches" ||
	{ nok "the agent did not notice the unload"; dump; }
modprobe ml_lib_demo ops_per_sec=$RATE seed=1 noise=20
if wait_for 10 is $P/attached 1 && is $P/agent_pid $A; then
	ok "module loaded again: the agent re-attaches"
else
	nok "no re-attach"; dump
fi

sed -i 's/train_ms = 500/train_ms = 400/' $T/conf
kill -HUP $A
wait_for 10 logged "configuration changed: restarting" && wait_for 10 is $P/attached 1 &&
	ok "SIGHUP: the changed proxy section restarts" || { nok "SIGHUP"; dump; }

kill $A
wait $A
rc=$?
[ $rc = 0 ] && is $P/attached 0 && logged "stopped; detached" &&
	ok "SIGTERM: detached, exit 0" || { nok "SIGTERM: exit $rc"; dump; }
echo "$pass passed, $fail failed"
