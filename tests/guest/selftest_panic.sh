#!/bin/sh
# Harness self-test: a kernel crash must fail the run even though this
# "test" reports success first.
echo "1..1"
echo "ok 1 - about to crash the kernel"
echo c > /proc/sysrq-trigger
