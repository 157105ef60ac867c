#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build the guest initramfs: busybox-static, tests/guest/init, and the
# static test programs from tests/guest/*.c and tests/guest/*.sh, and the
# kernel's selftests that judge it (scripts/kselftests.sh).
# Usage: scripts/mkinitramfs.sh OUTPUT.cpio.gz
. "$(dirname "$0")/lib.sh"

outfile=${1:-$OUT/initramfs.cpio.gz}
root=$OUT/initramfs
rm -rf "$root"
mkdir -p "$root"/{bin,sbin,proc,sys,dev,tmp,tests,etc}
cp /bin/busybox "$root/bin/busybox" || die "busybox-static missing"
for app in $("$root/bin/busybox" --list); do
	[ "$app" = busybox ] || ln -sf busybox "$root/bin/$app"
done
cp "$TOP/tests/guest/init" "$root/init"

say "initramfs: compiling guest test programs"
for c in "$TOP"/tests/guest/*.c; do
	[ -e "$c" ] || continue
	exe=$root/tests/$(basename "$c" .c)
	gcc -static -O2 -Wall -Werror -pthread -o "$exe" "$c" ||
		die "cannot compile $c"
done
# The series' own kselftest, from the patched tree (tools/testing/selftests/
# mm/stack_reclaim.c), as /tests/ksft_stack_reclaim.
ksft=$OUT/src/linux/tools/testing/selftests/mm/stack_reclaim.c
if [ -f "$ksft" ]; then
	gcc -static -O2 -Wall -Werror -pthread -o "$root/tests/ksft_stack_reclaim" "$ksft" ||
		die "cannot compile $ksft"
fi
for s in "$TOP"/tests/guest/*.sh; do
	[ -e "$s" ] || continue
	install -m 755 "$s" "$root/tests/$(basename "$s" .sh)"
done
# The kernel's own selftests, when the pinned tree is there to build them.
if [ -z "${NO_KSELFTESTS:-}" ] && pristine_tree >/dev/null 2>&1; then
	"$TOP/scripts/kselftests.sh"
	cp -a "$OUT/kselftests" "$root/kselftests"
fi
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) > "$outfile"
say "initramfs: $outfile ($(du -h "$outfile" | cut -f1))"
