#!/bin/sh
# Tables, decisions, shares, expiry, invalid tables, outcomes (ml_lib_decide_test).
modprobe ml_lib_testmod || { echo "not ok - modprobe ml_lib_testmod"; echo "0 passed, 1 failed"; exit 1; }
exec ml_lib_decide_test
