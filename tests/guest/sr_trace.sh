#!/bin/sh
# The tracepoints fire: a reclaim pass over a sleeper, then its wakeup,
# must show stack_reclaim_reclaim and stack_reclaim_repopulate events in
# tracefs; a pass with re-aging over a sleeper that went deep, a
# stack_reclaim_reage event.
S=/sys/kernel/mm/stack_reclaim
T=/sys/kernel/tracing
echo "TAP version 13"
echo "1..3"
mount -t tracefs tracefs $T 2>/dev/null
if [ ! -d $T/events/stack_reclaim ] || [ ! -d $S ]; then
	for i in 1 2 3; do echo "ok $i - tracepoint $i # SKIP no tracefs events or no stack reclaim"; done
	exit 0
fi
echo 0 > $S/min_sleep_ms
echo > $T/trace
echo 1 > $T/events/stack_reclaim/enable
# A sleeper that goes 8K deep first, then sleeps in wait4().
( echo 8192 > /sys/kernel/debug/stack_reclaim/use_stack; sleep 2 ) &
sleep 1
echo 1 > $S/reage_ms
echo 1 > $S/reclaim
echo 0 > $S/reage_ms
wait
echo 0 > $T/events/stack_reclaim/enable
echo 1000 > $S/min_sleep_ms
i=0
for ev in reclaim reage repopulate; do
	n=$(grep -c "stack_reclaim_$ev:" $T/trace)
	i=$((i + 1))
	if [ "$n" -gt 0 ]; then
		echo "ok $i - stack_reclaim_$ev fired ($n events)"
	else
		echo "not ok $i - stack_reclaim_$ev fired"
	fi
done
grep -m3 "stack_reclaim_" $T/trace | sed 's/^/# /'
