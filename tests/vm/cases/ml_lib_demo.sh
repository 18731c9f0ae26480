#!/bin/sh
# The ml_lib_demo example subsystem (ml_lib_demo_test).
modprobe ml_lib_demo ops_per_sec=0 seed=1 ||
	{ echo "not ok - modprobe ml_lib_demo"; echo "0 passed, 1 failed"; exit 1; }
exec ml_lib_demo_test
