# Sourced by shell tests: result STATUS NAME [DETAILS] prints "ok - NAME" or
# "not ok - NAME" (with DETAILS as "#" lines) and counts; summary prints the
# closing "N passed, N failed" and returns non-zero on any failure.
passed=0
failed=0
result() {
	if [ "$1" = 0 ]; then
		echo "ok - $2"
		passed=$((passed + 1))
	else
		echo "not ok - $2"
		[ -z "${3:-}" ] || echo "$3" | sed 's/^/#   /'
		failed=$((failed + 1))
	fi
}
summary() {
	echo "$passed passed, $failed failed"
	[ "$failed" = 0 ]
}
