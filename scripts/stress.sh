#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make stress: the wake/reclaim storm for longer, on the debug kernel
# (lockdep, DEBUG_VM, kmemleak, stack checks), with a kmemleak scan before
# and after.  STRESS_SECS sets the duration (default 300 s of guest time).
. "$(dirname "$0")/lib.sh"

secs=${STRESS_SECS:-300}
rm -f "$RESULTS"
"$TOP/scripts/deps.sh" build
"$TOP/scripts/kernel-src.sh"
"$TOP/scripts/patched-tree.sh"
cfg=$TOP/tests/configs
"$TOP/scripts/build-kernel.sh" debug-gcc "$OUT/src/linux" \
	"$cfg/base.config" "$cfg/feature.config" "$cfg/debug.config"
"$TOP/scripts/mkinitramfs.sh"
TIMEOUT=$((secs * 5 + 600)) "$TOP/scripts/boot.sh" stress-debug \
	"$OUT/build/debug-gcc/arch/x86/boot/bzImage" sr_kmemleak,sr_storm,sr_readers,sr_walkers,sr_kmemleak \
	"sr.env.SR_STORM_SECS=$secs sr.env.SR_WALKERS_SECS=$secs" || true
grep '^guest: #' "$OUT/logs/stress-debug.log" | cut -c8-
pass=$(grep -c '^ok ' "$RESULTS" || true)
fail=$(grep -c '^not ok ' "$RESULTS" || true)
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
