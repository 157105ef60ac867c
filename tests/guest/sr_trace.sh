#!/bin/sh
# The tracepoints fire: a reclaim pass over a sleeper, then its wakeup,
# must show stack_reclaim_reclaim and stack_reclaim_repopulate events in
# tracefs; a pass with re-aging over a sleeper that went deep, a
# stack_reclaim_reage event.  A deferred wakeup is one wakeup, as on
# stock: sched_waking and sched_wakeup fire once for it, and schedstats
# count it once.
S=/sys/kernel/mm/stack_reclaim
T=/sys/kernel/tracing
echo "TAP version 13"
echo "1..5"
mount -t tracefs tracefs $T 2>/dev/null
if [ ! -d $T/events/stack_reclaim ] || [ ! -d $S ]; then
	for i in 1 2 3 4 5; do echo "ok $i - tracepoint $i # SKIP no tracefs events or no stack reclaim"; done
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

# A reader asleep in a fifo, reclaimed with the reserve empty, so that the
# write that wakes it is deferred; after it wakes, it reports its own
# wakeup count.
D=/sys/kernel/debug/stack_reclaim/stats
sr_stat() { awk -v k="$1" '$1 == k { print $2 }' $D; }
wakeups() { awk '$1 == "nr_wakeups" { print $3 }' "$1" 2>/dev/null; }
schedstats=$(cat /proc/sys/kernel/sched_schedstats 2>/dev/null)
echo 1 > /proc/sys/kernel/sched_schedstats 2>/dev/null
mkfifo /tmp/sr_trace.fifo
sh -c 'read x < /tmp/sr_trace.fifo; cat /proc/$$/sched > /tmp/sr_trace.after' &
pid=$!
# Open the fifo for writing first: the reader then sleeps in read().
exec 3> /tmp/sr_trace.fifo
sleep 1
before=$(wakeups /proc/$pid/sched)
echo 0 > $S/min_sleep_ms
echo 0 > $S/reserve_pages
echo 1 > $S/reclaim
echo > $T/trace
for ev in sched_waking sched_wakeup; do
	echo "pid == $pid" > $T/events/sched/$ev/filter
	echo 1 > $T/events/sched/$ev/enable
done
d0=$(sr_stat deferred_wakes)
echo go >&3
wait $pid
d1=$(sr_stat deferred_wakes)
for ev in sched_waking sched_wakeup; do
	echo 0 > $T/events/sched/$ev/enable
	echo 0 > $T/events/sched/$ev/filter
done
exec 3>&-
[ -n "$schedstats" ] && echo "$schedstats" > /proc/sys/kernel/sched_schedstats
echo 32 > $S/reserve_pages
echo 1000 > $S/min_sleep_ms
after=$(wakeups /tmp/sr_trace.after)
rm -f /tmp/sr_trace.fifo /tmp/sr_trace.after
waking=$(grep -c "sched_waking:" $T/trace)
wakeup=$(grep -c "sched_wakeup:" $T/trace)
deferred=$((d1 - d0))
echo "# deferred_wakes +$deferred; sched_waking $waking, sched_wakeup $wakeup; nr_wakeups ${before:-?} -> ${after:-?}"
if [ "$deferred" -ge 1 ] && [ "$waking" -eq 1 ] && [ "$wakeup" -eq 1 ]; then
	echo "ok 4 - a deferred wakeup fires sched_waking and sched_wakeup once each"
else
	echo "not ok 4 - a deferred wakeup fires sched_waking and sched_wakeup once each"
fi
if [ -z "$before" ] || [ -z "$after" ]; then
	echo "ok 5 - schedstats count a deferred wakeup once # SKIP no schedstats"
elif [ "$deferred" -ge 1 ] && [ $((after - before)) -eq 1 ]; then
	echo "ok 5 - schedstats count a deferred wakeup once"
else
	echo "not ok 5 - schedstats count a deferred wakeup once"
fi
