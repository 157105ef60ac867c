#!/bin/sh
# kmemleak finds nothing new after the tests: run it first and last in a
# boot (sr.run=sr_kmemleak,...,sr_kmemleak).  The first run scans and
# clears what the boot itself left, the last one scans again and fails on
# any suspect reported since, printing where each was allocated.  Stacks
# with holes are scanned too: kmemleak must skip the holes, and a page the
# reclaim took was never written, so it held no pointer to lose.
K=/sys/kernel/debug/kmemleak
MARK=/tmp/sr_kmemleak.cleared
echo "TAP version 13"
echo "1..1"
if [ ! -w $K ]; then
	echo "ok 1 - kmemleak # SKIP no kmemleak in this kernel"
	exit 0
fi
# kmemleak reports an object only once it is 5 s old (jiffies_min_age).
sleep 6
if ! echo scan > $K; then
	echo "not ok 1 - kmemleak scan failed"
	exit 0
fi
if [ ! -e $MARK ]; then
	# Only these scans: init has turned kmemleak's thread off (see there).
	n=$(grep -c '^unreferenced object' $K)
	echo clear > $K
	touch $MARK
	echo "ok 1 - kmemleak baseline: $n suspects from the boot cleared"
	exit 0
fi
# The list shows what the latest scan found unreferenced: a second scan
# drops objects whose only pointer sat in a register during the first.
echo scan > $K
n=$(grep -c '^unreferenced object' $K)
if [ "$n" -eq 0 ]; then
	echo "ok 1 - kmemleak: no new suspected leak after the tests"
else
	# The first suspects with their allocation backtraces, for the log.
	head -60 $K | sed 's/^/# /'
	echo "not ok 1 - kmemleak: $n new suspected leaks after the tests"
fi
