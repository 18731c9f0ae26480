#!/bin/sh
# Modes, transitions and their reasons, agent death, tracepoints (ml_lib_mode_test).
modprobe ml_lib_testmod || { echo "not ok - modprobe ml_lib_testmod"; echo "0 passed, 1 failed"; exit 1; }
exec ml_lib_mode_test
