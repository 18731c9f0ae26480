#!/bin/sh
# Concurrency: agents, lifecycle and floods at once; the modules must unload after (ml_lib_stress_test).
modprobe ml_lib_testmod || { echo "not ok - modprobe ml_lib_testmod"; echo "0 passed, 1 failed"; exit 1; }
ml_lib_stress_test
rc=$?
rmmod ml_lib_testmod && rmmod ml_lib || { echo "not ok - unload after the stress"; exit 1; }
exit $rc
