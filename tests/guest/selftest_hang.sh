#!/bin/sh
# Harness self-test: a guest that never finishes must fail the run.
echo "1..1"
echo "ok 1 - about to hang"
sleep 100000
