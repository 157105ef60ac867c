#!/bin/sh
# Overflow detection with stack reclaim: a shell whose stack was reclaimed
# while it slept (and refilled when it woke) asks LKDTM for EXHAUST_STACK,
# which recurses to the guard page below the stack.  The run must end in
# the guard-page report (boot.sh EXPECT=crash); a hole or a silent
# survival fails it.  Also the last test of its boot: the kernel dies here.
S=/sys/kernel/mm/stack_reclaim
D=/sys/kernel/debug/provoke-crash/DIRECT
STATS=/sys/kernel/debug/stack_reclaim/stats
echo "TAP version 13"
echo "1..1"
if [ ! -w $D ] || [ ! -d $S ]; then
	echo "ok 1 - EXHAUST_STACK # SKIP no LKDTM or no stack reclaim"
	exit 0
fi
stat() { sed -n "s/^$1  *//p" $STATS; }
echo 0 > $S/min_sleep_ms
echo 1 > $S/reage_ms
before=$(stat pages_repopulated)
# The subshell sleeps in wait4() while the pass takes its pages.
( sleep 3; echo "# subshell woke, pages repopulated: $(( $(stat pages_repopulated) - before ))"
  echo EXHAUST_STACK > $D; echo "not ok 2 - EXHAUST_STACK returned: no overflow" ) &
sleep 1
echo 1 > $S/reclaim
if [ "$(stat pages_reclaimed)" -gt 0 ]; then
	echo "ok 1 - reclaim ran before the overflow"
else
	echo "not ok 1 - reclaim ran before the overflow"
fi
wait
