#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make check: apply, export, build (gcc, clang, debug), boot and run every
# test, check that the runner catches broken guests.  Ends with the line
# "N passed, N failed".  CHECK_FULL=1 (make check-full) also builds and
# boots stock 6.12 and judges against that run instead of the recorded
# tests/judge-stock.txt, and runs the KUnit suite through kunit.py
# (scripts/kunit.sh).
. "$(dirname "$0")/lib.sh"

T0=$(date +%s)
rm -f "$RESULTS"
mkdir -p "$OUT"
stage() { say "[$(( $(date +%s) - T0 ))s] $*"; }

stage "1/10 dependencies"
"$TOP/scripts/deps.sh" check
stage "2/10 pinned kernel source"
"$TOP/scripts/kernel-src.sh"

stage "3/10 series applies to the pinned tree"
if "$TOP/scripts/patched-tree.sh"; then
	result ok "series/applies-to-$(make -s -C "$(pristine_tree)" kernelversion)"
else
	result fail "series/applies"
	die "the series no longer applies; see the failing hunk above"
fi
if "$TOP/scripts/apply.sh" "$OUT/src/linux" >/dev/null 2>&1; then
	result fail "series/refuses-patched-tree"
else
	result ok "series/refuses-patched-tree"
fi

stage "4/10 exported series (git format-patch, quilt, git am, checkpatch)"
"$TOP/scripts/export.sh"
"$TOP/scripts/verify-export.sh"
"$TOP/scripts/static-checks.sh"

build() {	# name configs...; TREE= another source tree (default: patched)
	local name=$1; shift
	if "$TOP/scripts/build-kernel.sh" "$name" "${TREE:-$OUT/src/linux}" "$@"; then
		result ok "build/$name"
	else
		result fail "build/$name"
		return 1
	fi
}
cfg=$TOP/tests/configs
stage "5/10 build: gcc"
build test-gcc "$cfg/base.config" "$cfg/feature.config" || true
# One kernel is clang, 32K stacks and PREEMPT_DYNAMIC at once: each of
# the three needs a build of its own only to show what the other two
# would show on it too.
stage "6/10 build: clang (LLVM=1) with 32K stacks (CONFIG_STACK_RECLAIM_32K)"
LLVM=1 build test-clang "$cfg/base.config" "$cfg/feature.config" "$cfg/32k.config" || true
stage "7/10 build: debug kernel (lockdep, DEBUG_VM, stack checks)"
build debug-gcc "$cfg/base.config" "$cfg/feature.config" "$cfg/debug.config" || true
stage "8/10 build: KASAN${CHECK_FULL:+, and stock 6.12}"
build kasan "$cfg/base.config" "$cfg/feature.config" "$cfg/kasan.config" || true
# The yardstick for the kernel's own selftests: the pristine tree with the
# test config minus the feature.
if [ -n "${CHECK_FULL:-}" ]; then
	grep -v STACK_RECLAIM "$cfg/feature.config" > "$OUT/stock-feature.config"
	TREE=$(pristine_tree) build stock-judge "$cfg/base.config" "$OUT/stock-feature.config" || true
fi

# W=1 with gcc and clang, and sparse, on the files the series adds: every
# warning is a failure.  C=2 checks them even when they are up to date.
objs="mm/stack_reclaim.o mm/stack_reclaim_test.o"
strict() {	# name label make-args...
	local name=$1 label=$2 out; shift 2
	[ -d "$OUT/build/$name" ] || return 0
	out=$(make -s -C "$OUT/src/linux" O="$OUT/build/$name" ARCH=x86_64 "$@" $objs 2>&1)
	if [ -z "$out" ]; then
		result ok "static/$label"
	else
		echo "$out" | head -20
		result fail "static/$label"
	fi
}
strict test-gcc gcc-W=1-sparse W=1 C=2
strict test-clang clang-W=1 LLVM=1 W=1

stage "9/10 boot and test"
"$TOP/scripts/mkinitramfs.sh"
img() { echo "$OUT/build/$1/arch/x86/boot/bzImage"; }
boot() { "$TOP/scripts/boot.sh" "$@" || true; }
all=ksft_stack_reclaim,sr_sysfs,sr_threads,sr_memcg,sr_drivers,sr_readers,sr_depth,sr_faults,sr_rtwake,sr_offline,sr_storm,sr_trace,sr_bootparam
[ -f "$(img test-gcc)" ] && boot gcc "$(img test-gcc)" $all
[ -f "$(img test-gcc)" ] && boot gcc-off "$(img test-gcc)" sr_threads,sr_bootparam "stack_reclaim=off"
# kmemleak scans before and after everything else on the debug kernel.
# The debug kernel is CONFIG_PREEMPT=y (Android), the clang one
# PREEMPT_DYNAMIC (the distributions) booted with preempt=full: walkers
# against re-aging need preemption to show.  The clang boot also carries
# bad stack_reclaim= values, each to be rejected with the feature left on;
# sr_bootparam goes first, while the boot messages are still in the log
# buffer (sysrq t in sr_walkers overwrites them).  sched_debug_race reads
# the scheduler's debug file under load, as sysrq t does: unpatched
# 6.12.117 oopses in pick_task_fair() at once (patch 1 of the series).
[ -f "$(img debug-gcc)" ] && TIMEOUT=900 boot debug "$(img debug-gcc)" \
	sr_kmemleak,$all,sr_walkers,sched_debug_race,sr_kmemleak "sr.env.SCHED_DEBUG_RACE_SECS=30"
[ -f "$(img test-clang)" ] && boot clang-32k "$(img test-clang)" \
	sr_bootparam,sr_sysfs,sr_threads,sr_drivers,sr_readers,sr_walkers,sched_debug_race,sr_depth,sr_faults,sr_rtwake,sr_storm \
	"sr.env.SCHED_DEBUG_RACE_SECS=30 preempt=full stack_reclaim=bogus stack_reclaim= stack_reclaim stack_reclaim=OFF stack_reclaim=on1 stack_reclaim=-1"
# KASAN checks every access to a stack page given back and to its shadow.
[ -f "$(img kasan)" ] && TIMEOUT=900 boot kasan "$(img kasan)" sr_threads,sr_readers,sr_depth,sr_storm
# The kernel's own selftests, patched (aggressive reclaim) against stock.
stock=$TOP/tests/judge-stock.txt
if [ -n "${CHECK_FULL:-}" ] && [ -f "$(img stock-judge)" ]; then
	boot kselftests-stock "$(img stock-judge)" kselftests
	stock=$OUT/logs/kselftests-stock.log
	# The recorded list must still hold: all it says passes, passes.
	"$TOP/scripts/judge.sh" --results "$stock" > "$OUT/stock-now.txt"
	broken=$("$TOP/scripts/judge.sh" --results "$TOP/tests/judge-stock.txt" |
		grep ' pass$' | grep -vxFf "$OUT/stock-now.txt" | cut -d' ' -f1 | tr '\n' ' ')
	if [ -s "$OUT/stock-now.txt" ] && [ -z "$broken" ]; then
		result ok "judge/recorded-stock-list-holds"
	else
		result fail "judge/recorded-stock-list-holds" "${broken:-no results}"
	fi
fi
if [ -f "$(img test-gcc)" ]; then
	boot kselftests "$(img test-gcc)" kselftests
	"$TOP/scripts/judge.sh" "$stock" "$OUT/logs/kselftests.log"
fi
# Overflow detection: the guest must die of the guard-page report.
[ -f "$(img test-gcc)" ] && EXPECT=crash boot lkdtm "$(img test-gcc)" sr_lkdtm
[ -f "$(img test-clang)" ] && EXPECT=crash boot lkdtm-32k "$(img test-clang)" sr_lkdtm

stage "10/10 the runner catches broken guests"
if [ -f "$(img test-gcc)" ]; then
	EXPECT=fail boot failing-test "$(img test-gcc)" selftest_fail
	EXPECT=fail boot kernel-crash "$(img test-gcc)" selftest_panic
	EXPECT=fail TIMEOUT=60 boot hang "$(img test-gcc)" selftest_hang
fi
# The suite through the kernel's own runner (kunit.py, its .kunitconfig).
[ -n "${CHECK_FULL:-}" ] && KUNIT_IN_CHECK=1 "$TOP/scripts/kunit.sh"

pass=$(grep -c '^ok ' "$RESULTS" || true)
fail=$(grep -c '^not ok ' "$RESULTS" || true)
skip=$(grep -c '^skip ' "$RESULTS" || true)
stage "done"
if [ "$fail" -gt 0 ]; then
	echo "Failures:"
	grep '^not ok ' "$RESULTS" | sed 's/^/  /'
fi
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
