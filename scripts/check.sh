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
start=$(date +%s)

# stage NAME COMMAND...: run a stage, add its summary line to the totals.
stage() {
	local name=$1 log rc sum p f t0=$SECONDS
	shift
	echo "=== $name"
	# The stage's output goes to stdout as it comes, and to a file to read
	# its summary from (not to /dev/stderr: with both streams redirected to
	# one file, that would overwrite it).
	log=$BUILD/check-stage.log
	"$@" 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	echo "=== $name: $((SECONDS - t0))s"
	sum=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" | tail -1)
	if [ -z "$sum" ]; then
		echo "check: FAIL: stage '$name' gave no summary (status $rc)"
		failed=$((failed + 1))
		return
	fi
	p=${sum%% passed*}
	f=${sum#*, }; f=${f%% failed}
	passed=$((passed + p))
	failed=$((failed + f))
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "check: FAIL: stage '$name' exited with status $rc"
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
stage "host unit tests" $MAKE check-host
stage "guest harness self-tests" tests/vm/selftest.sh
stage "guest tests" tests/vm/run.sh --quiet
stage "kernel lint" scripts/lint.sh

echo "=== check took $(( $(date +%s) - start ))s"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
