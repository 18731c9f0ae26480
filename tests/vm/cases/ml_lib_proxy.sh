#!/bin/sh
# Registry, lifecycle, schema, list, status, control ioctls, sysfs knobs (ml_lib_proxy_test).
modprobe ml_lib_testmod || { echo "not ok - modprobe ml_lib_testmod"; echo "0 passed, 1 failed"; exit 1; }
exec ml_lib_proxy_test
