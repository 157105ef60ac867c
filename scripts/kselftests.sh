#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build the kernel's own selftests that the patched kernel is judged by
# (fork/clone, signals and sigreturn, syscall entry and single-stepping,
# ptrace, futex, pidfd, membarrier), statically, from the pinned tree,
# into $OUT/kselftests/SUITE/.  mkinitramfs.sh puts them in the guest;
# tests/guest/kselftests runs them.  The tree is only read.
. "$(dirname "$0")/lib.sh"

SUITES="x86 futex ptrace sigaltstack kcmp membarrier pidfd"
src=$(pristine_tree)
dst=$OUT/kselftests
work=$OUT/kselftests-build
stamp=$(echo "$src $SUITES" | sha1sum | cut -c1-16)
if [ -d "$dst" ] && [ "$(cat "$work/stamp" 2>/dev/null)" = "$stamp" ]; then
	say "kselftests: up to date in $dst"
	exit 0
fi
rm -rf "$dst" "$work"
say "kselftests: installing the UAPI headers of $(basename "$src")"
make -s -C "$src" O="$work" ARCH=x86_64 headers_install \
	INSTALL_HDR_PATH="$work/usr" >/dev/null
for s in $SUITES; do
	mkdir -p "$dst/$s"
	# -k: a test that does not build here (a missing library) is left out,
	# for both kernels alike; the others still build.
	make -k -s -C "$src/tools/testing/selftests/$s" CC="gcc -static" \
		KHDR_INCLUDES="-isystem $work/usr/include" \
		OUTPUT="$dst/$s" > "$work/$s.log" 2>&1 || true
	find "$dst/$s" -type f ! -perm -u+x -delete
	say "kselftests: $s: $(find "$dst/$s" -type f | wc -l) programs"
done
echo "$stamp" > "$work/stamp"
