#!/bin/sh
# The mode controller end to end: ml_lib_demo and a scripted agent (ml_lib_climb_test).
modprobe ml_lib_demo ops_per_sec=0 seed=1 ||
	{ echo "not ok - modprobe ml_lib_demo"; echo "0 passed, 1 failed"; exit 1; }
exec ml_lib_climb_test
