#!/bin/sh
# Attach, rings, mmap, exact samples, drops, poll wake-ups (ml_lib_ring_test).
modprobe ml_lib_testmod || { echo "not ok - modprobe ml_lib_testmod"; echo "0 passed, 1 failed"; exit 1; }
exec ml_lib_ring_test
