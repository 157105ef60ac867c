#!/bin/sh
# make demo: the figures for 10,000 sleeping threads.
echo "kernel: $(uname -r)"
exec /tests/sr_threads --demo
