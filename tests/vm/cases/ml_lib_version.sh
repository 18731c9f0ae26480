#!/bin/sh
# /dev/ml_lib exists with mode 0600 and answers the version ioctl.
modprobe ml_lib || { echo "not ok - modprobe ml_lib"; echo "0 passed, 1 failed"; exit 1; }
exec ml_lib_version_test
