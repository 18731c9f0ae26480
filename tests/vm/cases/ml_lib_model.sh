#!/bin/sh
# Integer models: kernel inference equals user space, bit for bit; refused models (ml_lib_model_test).
modprobe ml_lib_testmod || { echo "not ok - modprobe ml_lib_testmod"; echo "0 passed, 1 failed"; exit 1; }
exec ml_lib_model_test
