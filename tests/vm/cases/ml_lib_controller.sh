#!/bin/sh
# The mode controller in ml_lib.ko: knobs, evidence, safety triggers (ml_lib_controller_test).
modprobe ml_lib_testmod || { echo "not ok - modprobe ml_lib_testmod"; echo "0 passed, 1 failed"; exit 1; }
exec ml_lib_controller_test
