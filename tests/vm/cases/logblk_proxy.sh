#!/bin/sh
# logblk's ml_lib proxy, logblk/trace: schema, one sample per event,
# tables refused (tests/guest/logblk_trace_test.c).
modprobe logblk size_mb=16 seg_kb=64 || { echo "not ok - load"; echo "0 passed, 1 failed"; exit 1; }
logblk_trace_test
