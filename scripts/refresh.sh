#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Developer helper: after editing the patched tree in $OUT/src/linux,
# write the changes back into the repository (new files copied, <path>.patch
# regenerated against the pristine tree).
. "$(dirname "$0")/lib.sh"

src=$(pristine_tree)
dst=${1:-$OUT/src/linux}
for f in $(series_files); do
	case $f in
	*.patch)
		p=${f%.patch}
		# A step (scripts/series.py) is kept by hand; checked below.
		[ -e "$src/$p" ] || continue
		mkdir -p "$(dirname "$TOP/$f")"; (cd / && diff -u --label "a/$p" --label "b/$p" "$src/$p" "$dst/$p") > "$TOP/$f.new" || true
		[ -s "$TOP/$f.new" ] || die "$p has no changes; drop $f from series"
		mv "$TOP/$f.new" "$TOP/$f" ;;
	*)
		cp "$dst/$f" "$TOP/$f" ;;
	esac
done
python3 "$TOP/scripts/series.py" check "$src" || die "refresh: fix the step named above"
say "refresh: series written back from $dst"
