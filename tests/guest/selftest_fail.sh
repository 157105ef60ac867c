#!/bin/sh
# Harness self-test: a guest whose test fails must fail the run.
echo "1..1"
echo "not ok 1 - deliberately failing test"
