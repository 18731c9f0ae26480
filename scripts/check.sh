#!/bin/bash
# `make check`: build everything, run the host unit tests (ASan + UBSan), the
# harness self-tests, the guest tests in QEMU and the kernel lint; end with
# one overall "N passed, N failed" line and a non-zero status on any failure.
set -uo pipefail
TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP"
export BUILD=${BUILD:-build}
MAKE="make --no-print-directory BUILD=$BUILD"
passed=0
failed=0
recap=""
start=$(date +%s)

# run_stage NAME LOG COMMAND...: run a stage into LOG (and its status into
# LOG.rc); with LIVE=1 its output also goes to stdout as it comes.
run_stage() {
	local name=$1 log=$2 t0=$SECONDS
	shift 2
	if [ "${LIVE:-0}" = 1 ]; then
		echo "=== $name"
		"$@" 2>&1 | tee "$log"
		echo "${PIPESTATUS[0]}" > "$log.rc"
	else
		"$@" > "$log" 2>&1
		echo $? > "$log.rc"
	fi
	echo "$((SECONDS - t0))" > "$log.time"
}

# tally NAME LOG: add a finished stage's summary line to the totals.
tally() {
	local name=$1 log=$2 rc sum p f
	rc=$(cat "$log.rc" 2>/dev/null || echo 255)
	echo "=== $name: $(cat "$log.time" 2>/dev/null)s"
	sum=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" | tail -1)
	if [ -z "$sum" ]; then
		echo "check: FAIL: stage '$name' gave no summary (status $rc; see $log)"
		recap+="check: FAIL: stage '$name' gave no summary (status $rc)\n"
		failed=$((failed + 1))
		return
	fi
	p=${sum%% passed*}
	f=${sum#*, }; f=${f%% failed}
	passed=$((passed + p))
	failed=$((failed + f))
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "check: FAIL: stage '$name' exited with status $rc"
		recap+="check: FAIL: stage '$name' exited with status $rc\n"
		failed=$((failed + 1))
	fi
}

echo "=== build"
mkdir -p "$BUILD"
if ! $MAKE all > "$BUILD/build.log" 2>&1; then
	tail -40 "$BUILD/build.log"
	echo "check: FAIL: the build failed (see $BUILD/build.log)"
	echo "0 passed, 1 failed"
	exit 1
fi
# The host stages (one core, mostly) run beside the guest stages (QEMU);
# their output is shown when they are done.
L=$BUILD/check
mkdir -p "$L"
(
	run_stage "host unit tests" "$L/host.log" $MAKE check-host
	run_stage "kernel lint" "$L/lint.log" scripts/lint.sh
) &
host_pid=$!
LIVE=1 run_stage "guest harness self-tests" "$L/selftest.log" tests/vm/selftest.sh
tally "guest harness self-tests" "$L/selftest.log"
LIVE=1 run_stage "guest tests" "$L/guest.log" tests/vm/run.sh --quiet
tally "guest tests" "$L/guest.log"
wait "$host_pid"
for s in "host unit tests:host" "kernel lint:lint"; do
	echo "=== ${s%%:*}"
	cat "$L/${s#*:}.log"
	tally "${s%%:*}" "$L/${s#*:}.log"
done

echo "=== check took $(( $(date +%s) - start ))s"
# Repeat what failed last, just above the summary: CI shows only the tail of
# the output, and the guest stages' lines are far above it.
if [ "$failed" -gt 0 ]; then
	echo "=== what failed"
	grep -hE '^(not ok|(vm|host): FAIL|(vm|host):   not ok)' \
		"$L/selftest.log" "$L/guest.log" "$L/host.log" "$L/lint.log" \
		2> /dev/null | head -20
	printf '%b' "$recap"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
