#!/bin/bash
# Host test of logblk-replay's fit (-p fit) from the command line: on a
# hot/cold trace it reports the fit's window WAF below the mixed policy's,
# with its thresholds, leaves and rows (-k); it refuses --series, which a
# grid of runs cannot give, with exit 2 and a message. Prints "N passed,
# N failed".
# usage: logblk_replay_fit.sh TOP BUILD
set -uo pipefail
TOP=$1
BUILD=$2
. "$TOP/tests/lib/result.sh"
R=$TOP/$BUILD/user/logblk-replay
G=$TOP/$BUILD/user/logblk-gen
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

"$G" -w hotcold:90/10 -t "$T/hc.lbt" -b 4096 -r 8 -m 4 -S 16 -G 320 -s 1 > /dev/null
"$R" -k -p p1,fit "$T/hc.lbt" > "$T/out" 2> "$T/err"
rc=$?
p1=$(awk '/policy=p1 / { for (i = 1; i <= NF; i++) if ($i ~ /^win_waf=/) print substr($i, 9) }' "$T/out")
fit=$(awk '/policy=fit / { for (i = 1; i <= NF; i++) if ($i ~ /^win_waf=/) print substr($i, 9) }' "$T/out")
[ "$rc" = 0 ] && [ -n "$p1" ] && [ -n "$fit" ] && awk -v a="$fit" -v b="$p1" 'BEGIN { exit !(a < 0.8 * b) }'
result $? "the fit places a hot/cold trace far better than p1 ($fit against $p1)" "rc=$rc $(cat "$T/out" "$T/err")"
grep -q 'policy=fit .* fit=[0-9.e-]*/[24]/\(log\|nolog\)/\(greedy\|cb\) leaves=[1-9][0-9]* rows=[1-9][0-9]*/[0-9]*$' "$T/out"
result $? "-k prints the fit's thresholds, victim, leaves and rows" "$(cat "$T/out")"

"$R" -p fit -t 100 "$T/hc.lbt" > /dev/null 2> "$T/err"
rc=$?
[ "$rc" = 2 ] && grep -q -- '--series does not apply to "fit"' "$T/err"
result $? "--series with fit is refused (exit $rc)" "$(cat "$T/err")"
summary
