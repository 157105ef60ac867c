#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make demo: build the patched kernel, boot it, start 10,000 sleeping
# threads, and print KernelStack before and after reclaim.
. "$(dirname "$0")/lib.sh"

"$TOP/scripts/deps.sh" build
"$TOP/scripts/kernel-src.sh"
"$TOP/scripts/patched-tree.sh"
cfg=$TOP/tests/configs
"$TOP/scripts/build-kernel.sh" test-gcc "$OUT/src/linux" "$cfg/base.config" "$cfg/feature.config"
"$TOP/scripts/mkinitramfs.sh"
RESULTS=$OUT/demo-results.log "$TOP/scripts/boot.sh" demo \
	"$OUT/build/test-gcc/arch/x86/boot/bzImage" demo ${DEMO_CMDLINE:-} >/dev/null || true
echo
grep '^guest: ' "$OUT/logs/demo.log" | cut -c8- | grep -v '^TAP\|^1\.\.' || die "demo produced no output (log: $OUT/logs/demo.log)"
