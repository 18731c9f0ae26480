#!/bin/sh
# The guest side of `make demo-mllib` (scripts/demo-mllib.sh runs it in QEMU): the
# learning loop of ml-lib, live, on the example subsystem ml_lib_demo.
#
# Each phase is a function; `show N` prints one status line per second for
# N seconds. To extend the demo, add a phase and call it at the bottom.
P=/sys/kernel/ml_lib/ml_lib_demo/policy
D=/sys/kernel/ml_lib_demo
T=/tmp/demo
RATE=${DEMO_RATE:-20000}
mkdir -p $T
START=$(cut -d. -f1 /proc/uptime)

say() { printf '\n== %s\n' "$*"; }
note() { printf '   %s\n' "$*"; }

# The mean cost of each arm over the last interval, from the demo's
# cumulative counters.
last_ops_ml=0 last_cost_ml=0 last_ops_def=0 last_cost_def=0
arm_costs() {
	ops_ml=$(cat $D/ops_ml) cost_ml=$(cat $D/cost_ml)
	ops_def=$(cat $D/ops_default) cost_def=$(cat $D/cost_default)
	dml=$((ops_ml - last_ops_ml)) ddef=$((ops_def - last_ops_def))
	if [ $dml -gt 0 ]; then
		ML=$(( (cost_ml - last_cost_ml) * 10 / dml ))
		ML="$((ML / 10)).$((ML % 10))"
	else
		ML="-"
	fi
	if [ $ddef -gt 0 ]; then
		DEF=$(( (cost_def - last_cost_def) * 10 / ddef ))
		DEF="$((DEF / 10)).$((DEF % 10))"
	else
		DEF="-"
	fi
	SHARE=$(( (dml + ddef) > 0 ? dml * 100 / (dml + ddef) : 0 ))
	last_ops_ml=$ops_ml last_cost_ml=$cost_ml last_ops_def=$ops_def last_cost_def=$cost_def
}

efficiency() {
	e=$(cat $P/efficiency_bp)
	if [ "$e" -lt 0 ]; then echo "  -  "; else printf '%d.%02d' $((e / 10000)) $((e % 10000 / 100)); fi
}

header() {
	printf '   %5s  %-15s %-10s %5s  %11s %11s  %s\n' time mode reason ML% \
		"cost ML" "cost def." "efficiency  model"
}

# show SECONDS: a status line per second.
show() {
	local i=0
	while [ $i -lt "$1" ]; do
		sleep 1
		arm_costs
		model=$(grep -o 'deployed model v[0-9]*' $T/log 2>/dev/null | tail -1 | sed 's/deployed model //')
		printf '   %4ss  %-15s %-10s %4s%%  %11s %11s  %-10s  %s\n' \
			$(( $(cut -d. -f1 /proc/uptime) - START )) "$(cat $P/mode)" \
			"$(cat $P/mode_reason)" "$SHARE" "$ML" "$DEF" "$(efficiency)" "${model:--}"
		i=$((i + 1))
	done
}

# show_until SECONDS MODE: status lines until the proxy is in MODE (or SECONDS).
show_until() {
	local n=0
	while [ $n -lt "$1" ] && [ "$(cat $P/mode)" != "$2" ]; do
		show 1
		n=$((n + 1))
	done
	[ "$(cat $P/mode)" = "$2" ]
}

start_agent() {
	mlagentd -c $T/conf >> $T/log 2>&1 &
	AGENT=$!
}

phase_alone() {
	say "1. A kernel subsystem with its own (default) algorithm"
	note "ml_lib_demo decides a value d in [0, 1000] for every operation, in a"
	note "context x in [0, 63]. Its cost is |d - f(x)| + noise, where f is a"
	note "hidden optimal policy (now: f(x) = 100 + 12 x). Its default algorithm"
	note "always picks d = 500. Lower cost is better. $RATE operations a second."
	note "Without an agent its ml_lib proxy is in EMERGENCY: the default decides."
	modprobe ml_lib
	modprobe ml_lib_demo ops_per_sec=$RATE seed=1 noise=20
	arm_costs
	header
	show 3
}

phase_learn() {
	say "2. mlagentd attaches and learns"
	note "The agent reads the decisions' contexts and costs, stores them, learns"
	note "per context the cost of each value, and deploys a recommendation table"
	note "only when it beats the deployed one on held-out data. The proxy gives"
	note "the model a share of the decisions (ML%) and measures its efficiency:"
	note "its mean cost over the default's (below 1: the model is better). On"
	note "evidence it promotes the model: LEARNING (here 50% of the decisions),"
	note "COLLABORATION (50%), RECOMMENDATION (all but a 5% holdout)."
	mlagent-conf.sh demo $T > $T/conf
	echo 5000 > $P/share_learning_bp
	start_agent
	header
	if show_until 60 recommendation; then
		note "Promoted to RECOMMENDATION; the model keeps improving:"
	else
		note "(not promoted within a minute)"
	fi
	show 20
}

phase_switch() {
	say "3. The subsystem changes: the hidden policy becomes its mirror image"
	note "f(x) now falls from 900 to 144 where it rose from 100 to 856: every"
	note "value the table learned moves the wrong way, so the deployed table is"
	note "now worse than the default. The proxy measures it, demotes the model"
	note "to LEARNING (reason: demoted); the agent forgets its old data, learns"
	note "the new policy, and the proxy promotes the model again. Nothing"
	note "restarts."
	echo mirror > $D/policy
	header
	show_until 20 learning
	show 3
	if show_until 90 recommendation; then
		note "Back in RECOMMENDATION:"
	else
		note "(not promoted again within 90 s)"
	fi
	show 8
	grep -E "demoted|-> (collaboration|recommendation)" $T/log | tail -4 | sed 's/^/   log: /'
}

phase_kill() {
	say "4. The agent dies (kill -9)"
	note "The kernel closes its file: the proxy detaches at once and falls to"
	note "EMERGENCY: the default algorithm decides everything again."
	kill -9 $AGENT
	wait $AGENT 2> /dev/null
	header
	show 3
}

phase_restart() {
	say "5. The agent restarts"
	note "It reloads the last deployed model from its SQLite store and pushes it"
	note "before learning anything new: the good costs are back at once."
	start_agent
	header
	show 8
	grep -E "restored model|attached" $T/log | tail -2 | sed 's/^/   log: /'
}

phase_end() {
	say "Done"
	kill $AGENT
	wait $AGENT
	note "mlagentd stopped (SIGTERM: final commit, detached). Its store:"
	mlagentd --store-check -s $T/store.db | sed 's/^/   /'
}

phase_alone
phase_learn
phase_switch
phase_kill
phase_restart
phase_end
