#!/bin/sh
# The kernel's own selftests (scripts/kselftests.sh) and KUnit suites as
# an outside judge.  Each runs once, with reclaim as aggressive as it goes
# when the kernel has it: every sleeper reclaimed at once, by scans every
# 10 ms and at every context switch, re-aged after 1 ms, a reserve of 4
# pages, from the steady state after one forced pass (settle() below).
# One "# kselftest SUITE/NAME RESULT" line per program and one
# "# kunit SUITE/CASE RESULT" line per KUnit case; the host compares them
# with the same run on the stock kernel (scripts/judge.sh).  Exit code 4
# is kselftest's skip.
dir=/sys/kernel/mm/stack_reclaim
# tune NAME=VALUE...: set tunables; prints NAME=OLD for each, to restore.
tune() {
	for kv; do
		echo "${kv%=*}=$(cat "$dir/${kv%=*}")"
		echo "${kv#*=}" > "$dir/${kv%=*}"
	done
}
stats=/sys/kernel/debug/stack_reclaim/stats
# Judge the steady state, not the switch to it: the first pass reclaims
# every sleeper at once while the reserves shrink to 4 pages, and for a
# moment nearly every wakeup in the system queues on stack_reclaimd.
# futex_requeue (10 ms sleep against a 30 ms timeout) failed 4 of 80
# times when started in that moment, 0 of 220 times in steady state.
settle() {
	echo 1 > $dir/reclaim
	i=0
	while ! grep -q '^deferred_wakes_now *0$' $stats && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	sleep 1
	echo "# settled after $((i / 10)).$((i % 10)) s + 1 s: $(grep -E '^deferred_wa' $stats | tr -s ' ' | tr '\n' ,)"
}
if [ -d $dir ]; then
	saved=$(tune min_sleep_ms=0 scan_interval_ms=10 switch_hook=1 reserve_pages=4 reage_ms=1)
	settle
fi
pass=0 fail=0 skip=0
# The kernel's own KUnit suites built in by tests/configs/feature.config
# ran at boot; run them again through debugfs, now with reclaim at its
# most aggressive.  One "# kunit SUITE/CASE RESULT" line per test case.
# The series' own suite (stack_reclaim) is not part of the judge.
# Their KTAP goes to the console at KERN_INFO and would cut into these
# lines: the console shows warnings and worse meanwhile.
printk=$(cut -f1 /proc/sys/kernel/printk)
echo 5 > /proc/sys/kernel/printk
t0=$(cut -d' ' -f1 /proc/uptime)
for run in /sys/kernel/debug/kunit/*/run; do
	[ -e "$run" ] || continue
	results=${run%/run}/results
	suite=${run%/run}
	suite=${suite##*/}
	[ "$suite" = stack_reclaim ] && continue
	echo 1 > "$run"
	awk -v s="$suite" '/^    (not )?ok [0-9]+ / {
		r = ($1 == "not") ? "fail" : "pass"
		n = ($1 == "not") ? $4 : $3
		if ($0 ~ /# *SKIP/) r = "skip"
		print "# kunit " s "/" n " " r
	}' "$results"
	grep -q '^not ok' "$results" &&
		grep -E '^ +# |not ok' "$results" | head -20 | sed 's/^/#   /'
done
echo "$printk" > /proc/sys/kernel/printk
echo "# KUnit suites rerun in $(awk -v a="$t0" '{ printf "%.1f", $1 - a }' /proc/uptime) s"
cd /tmp || exit 1
# Programs only (suites' run.sh scripts call them by relative paths).
# x86/sysret_ss_attrs_64 is left out: under QEMU TCG its far return to
# 32-bit code takes a user-mode #PF flagged as a supervisor access (SMAP),
# which the kernel reports as an oops.
for t in $(find /kselftests -type f ! -name '*.sh' ! -name 'sysret_ss_attrs_64' | sort); do
	name=${t#/kselftests/}
	start=$(date +%s)
	timeout 120 "$t" > /tmp/kselftest.out 2>&1
	rc=$?
	case $rc in
	0) res=pass; pass=$((pass + 1)) ;;
	4) res=skip; skip=$((skip + 1)) ;;
	*) res=fail; fail=$((fail + 1)); tail -5 /tmp/kselftest.out | sed 's/^/#   /' ;;
	esac
	echo "# kselftest $name $res (exit $rc, $(( $(date +%s) - start )) s)"
done
if [ -d $dir ]; then
	# shellcheck disable=SC2086
	tune $saved > /dev/null
	echo "# stack reclaim meanwhile: $(grep -E '^(pages_reclaimed|pages_repopulated|deferred_wakes|pages_reaged|deferred_wait_max_us) ' $stats | tr -s ' ' | tr '\n' ',')"
fi
echo "# kselftests: $pass passed, $fail failed, $skip skipped"
echo "1..1"
if [ $((pass + fail + skip)) -gt 0 ]; then
	echo "ok 1 - kselftests ran"
else
	echo "not ok 1 - no kselftests in the initramfs"
fi
