#!/bin/sh
# Unprivileged access: no CAP_SYS_ADMIN, non-root (ml_lib_perm_test).
modprobe ml_lib_testmod || { echo "not ok - modprobe ml_lib_testmod"; echo "0 passed, 1 failed"; exit 1; }
exec ml_lib_perm_test
