#!/bin/bash
# `make demo-mllib`: boot the guest and show ml-lib's learning loop live on the
# example subsystem ml_lib_demo (scripts/demo-mllib-guest.sh says what happens).
set -euo pipefail
cd "$(dirname "$0")/.."
exec tests/vm/run.sh --timeout 600 --exec "$(cat scripts/demo-mllib-guest.sh)"
