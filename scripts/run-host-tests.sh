#!/bin/bash
# Run host unit-test binaries (built with ASan and UBSan); each prints
# "N passed, N failed". Prints one overall line of the same form.
set -uo pipefail
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
passed=0
failed=0
for t in "$@"; do
	out=$("$t" 2>&1)
	rc=$?
	sum=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' <<< "$out" | tail -1)
	if [ -z "$sum" ]; then
		echo "host: FAIL: $t printed no summary (status $rc):"
		tail -20 <<< "$out" | sed 's/^/host:   /'
		failed=$((failed + 1))
		continue
	fi
	p=${sum%% passed*}
	f=${sum#*, }; f=${f%% failed}
	passed=$((passed + p))
	failed=$((failed + f))
	if [ "$f" -gt 0 ] || [ "$rc" -ne 0 ]; then
		echo "host: FAIL: $t ($sum, status $rc):"
		grep -E '^(not ok|#)|ERROR|runtime error' <<< "$out" | head -20 | sed 's/^/host:   /'
		[ "$f" -gt 0 ] || failed=$((failed + 1))
	else
		echo "host: $(basename "$t"): $sum"
	fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
