#!/bin/sh
# mlagent-conf.sh PROFILE DIR [KEY=VALUE]...: print the mlagentd
# configuration the guest programs run, its store in DIR. One generator, so
# that the demos, the benchmarks and the guest tests of a proxy run the
# same loop (installed in the guest's /bin).
#
# PROFILE:
#  logblk  logblk's placement proxy with the lifetime learner. The agent
#          follows every write: every sample goes to the learner
#          (retrain_ms = 0: the learner trains on its own rounds, not the
#          agent's timer), 1% of them to the store (SQLite would fall
#          behind), short heartbeats and pushes.
#  demo    ml_lib_demo's policy proxy with the contextual learner: frequent
#          training and pushes, so that the loop shows in seconds.
#
# KEY=VALUE pairs are added to the proxy's section, agent.KEY=VALUE pairs
# to [agent] (a later line wins, mlagentd(8)).
usage() {
	echo "usage: mlagent-conf.sh logblk|demo DIR [KEY=VALUE | agent.KEY=VALUE]..." >&2
	exit 2
}
[ $# -ge 2 ] || usage
profile=$1
dir=$2
shift 2
case $profile in
logblk | demo) ;;
*) echo "mlagent-conf.sh: unknown profile: $profile" >&2; usage ;;
esac
for kv in "$@"; do
	case $kv in
	=* | agent.=*) echo "mlagent-conf.sh: no key: $kv" >&2; exit 2 ;;
	*=*) ;;
	*) echo "mlagent-conf.sh: not KEY=VALUE: $kv" >&2; exit 2 ;;
	esac
done

# extra agent|proxy: the pairs given for that section.
extra() {
	for kv in "$@"; do
		case $kv in
		agent.*) [ "$section" = agent ] && kv=${kv#agent.} || continue ;;
		*) [ "$section" = proxy ] || continue ;;
		esac
		echo "${kv%%=*} = ${kv#*=}"
	done
}

echo "[agent]"
echo "store = $dir/store.db"
echo "retention = 200000"
[ "$profile" = logblk ] && echo "discover_ms = 100" || echo "discover_ms = 200"
echo "report_ms = 0"
section=agent extra "$@"

if [ "$profile" = logblk ]; then
	cat <<EOC
[proxy logblk/placement]
learner = lifetime
retrain_ms = 0
heldout_permille = 10
store_permille = 10
train_ms = 100
push_min_ms = 100
heartbeat_ms = 200
EOC
else
	cat <<EOC
[proxy ml_lib_demo/policy]
push_min_ms = 50
train_ms = 500
heldout_max = 20000
heartbeat_ms = 200
min_samples = 6
EOC
fi
echo "sample_records = 65536"
echo "feedback_records = 65536"
section=proxy extra "$@"
