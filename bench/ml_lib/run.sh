#!/bin/bash
# `make bench`: the ml_lib benchmark, in the QEMU guest (2 CPUs).
set -euo pipefail
cd "$(dirname "$0")/../.."
exec tests/vm/run.sh --quiet --timeout 600 --exec 'modprobe ml_lib_testmod && ml_lib_bench'
