#!/bin/sh
# lb-agent-conf.sh DIR [KEY=VALUE]...: print the mlagentd configuration
# that serves logblk's placement proxy with the lifetime learner, its store
# in DIR (installed in the guest's /bin; used by the demo, the benchmark
# and the guest tests, so that they all run the same loop).
#
# The agent follows every write: every sample goes to the learner
# (retrain_ms = 0: the learner trains on its own rounds, not the agent's
# timer), 1% of them to the store (SQLite would fall behind), short
# heartbeats and pushes. KEY=VALUE pairs are added to the proxy's section
# (a later line wins, mlagentd(8)).
[ $# -ge 1 ] || { echo "usage: lb-agent-conf.sh DIR [KEY=VALUE]..." >&2; exit 2; }
dir=$1
shift
for kv in "$@"; do
	case $kv in
	*=*) ;;
	*) echo "lb-agent-conf.sh: not KEY=VALUE: $kv" >&2; exit 2 ;;
	esac
done
cat <<EOC
[agent]
store = $dir/store.db
discover_ms = 100
retention = 200000
report_ms = 0
[proxy logblk/placement]
learner = lifetime
retrain_ms = 0
heldout_permille = 10
store_permille = 10
train_ms = 100
push_min_ms = 100
heartbeat_ms = 200
sample_records = 65536
feedback_records = 65536
EOC
for kv in "$@"; do
	echo "${kv%%=*} = ${kv#*=}"
done
