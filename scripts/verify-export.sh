#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Check that $OUT/patches applies to the pristine tree with quilt push -a
# and with git am.
. "$(dirname "$0")/lib.sh"

src=$(pristine_tree)
exp=$OUT/export
[ -f "$OUT/patches/series" ] || die "run scripts/export.sh first"

say "export: quilt push -a on a pristine copy"
rm -rf "$exp/quilt"
cp -a "$src" "$exp/quilt"
if (cd "$exp/quilt" && QUILT_PATCHES=$OUT/patches quilt push -a -q >"$exp/quilt.log" 2>&1); then
	result ok "export/quilt-push-a"
else
	tail -5 "$exp/quilt.log"
	result fail "export/quilt-push-a"
fi
rm -rf "$exp/quilt"

say "export: git am on the pristine files"
rm -rf "$exp/am"
git clone -q "$exp/git" "$exp/am"
git -C "$exp/am" checkout -q base
if git -C "$exp/am" -c user.name=check -c user.email=check@localhost \
	am -q $(grep -v '^#' "$OUT/patches/series" | sed "s|^|$OUT/patches/|") >"$exp/am.log" 2>&1 &&
   git -C "$exp/am" diff --quiet HEAD "$(git -C "$exp/git" rev-parse HEAD)" -- ; then
	result ok "export/git-am"
else
	tail -5 "$exp/am.log"
	result fail "export/git-am"
fi
