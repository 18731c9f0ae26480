#!/bin/sh
# Harness self-test: a guest that never finishes.
echo "hanging on purpose"
while :; do sleep 1; done
