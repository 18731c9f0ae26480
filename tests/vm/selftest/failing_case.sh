#!/bin/sh
# Harness self-test: a guest case that fails.
echo "ok - a case that passes"
echo "not ok - a case that fails on purpose"
echo "1 passed, 1 failed"
exit 1
