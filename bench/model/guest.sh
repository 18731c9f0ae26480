#!/bin/bash
# `make bench`: ml_lib_decide() with an integer model against with a cached
# recommendation table, in the QEMU guest (bench/model/ml_model_guest_bench.c).
set -euo pipefail
cd "$(dirname "$0")/../.."
exec tests/vm/run.sh --timeout 600 --exec 'modprobe ml_lib_testmod && ml_model_guest_bench'
