#!/bin/bash
# `make demo`: boot the guest with ml_lib loaded and show it working.
set -euo pipefail
cd "$(dirname "$0")/.."
exec tests/vm/run.sh --timeout 600 --exec 'set -e
modprobe ml_lib
echo "--- /dev/ml_lib"
ls -l /dev/ml_lib
echo "--- ABI version"
ml_lib_version_test
'
