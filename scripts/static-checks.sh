#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# checkpatch --strict on every exported patch, and kernel-doc on the new
# files.  Each patch is one result.
. "$(dirname "$0")/lib.sh"

src=$(pristine_tree)
[ -f "$OUT/patches/series" ] || die "run scripts/export.sh first"
# A series adds files in several patches and MAINTAINERS in one: the
# "does MAINTAINERS need updating?" warning is noise here.
for p in "$OUT"/patches/0*.patch; do
	name=$(basename "$p" .patch)
	case $name in 0000-*) continue ;; esac
	out=$("$src/scripts/checkpatch.pl" --strict --no-tree -q \
		--ignore FILE_PATH_CHANGES "$p" 2>&1) || true
	if [ -z "$out" ]; then
		result ok "checkpatch/$name"
	else
		echo "$out" | head -20
		result fail "checkpatch/$name"
	fi
done
for f in $(series_files); do
	case $f in *.c|*.h) ;; *) continue ;; esac
	case $f in *.patch) continue ;; esac
	out=$("$src/scripts/kernel-doc" -none "$TOP/$f" 2>&1) || true
	if [ -z "$out" ]; then
		result ok "kernel-doc/$f"
	else
		echo "$out" | head -10
		result fail "kernel-doc/$f"
	fi
done
