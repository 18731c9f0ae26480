#!/bin/sh
# Harness self-test: the cases pass, but the kernel WARN()s.
modprobe ml_lib_selftest_warn && echo "ok - loaded the warning module" ||
	echo "not ok - load the warning module"
echo "1 passed, 0 failed"
