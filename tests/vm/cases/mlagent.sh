#!/bin/sh
# libmlagent against the real module: every library call, on the proxies of
# the test module (tests/guest/mlagent_test.c).
modprobe ml_lib && modprobe ml_lib_testmod ||
	{ echo "not ok - modprobe ml_lib ml_lib_testmod"; echo "0 passed, 1 failed"; exit 1; }
exec mlagent_test
