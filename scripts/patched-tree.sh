#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Make $OUT/src/linux: the pinned pristine tree with the series applied.
# Rebuilt only when the series changes, so O= builds stay incremental.
. "$(dirname "$0")/lib.sh"

src=$(pristine_tree)
dst=$OUT/src/linux
stamp=$( (cd "$TOP" && cat series $(series_files)) | sha1sum | cut -c1-16)
if [ -f "$dst/.series-stamp" ] && [ "$(cat "$dst/.series-stamp")" = "$stamp" ]; then
	say "tree: $dst is up to date"
	exit 0
fi
say "tree: copying pristine $src"
rm -rf "$dst.new"
mkdir -p "$(dirname "$dst")"
cp -a "$src" "$dst.new"
"$TOP/scripts/apply.sh" "$dst.new"
# Only files the series touches get new mtimes; make rebuilds just those.
if [ -d "$dst" ]; then
	rsync -a --checksum --delete --exclude .series-stamp "$dst.new/" "$dst/" 2>/dev/null ||
		{ rm -rf "$dst"; mv "$dst.new" "$dst"; }
	rm -rf "$dst.new"
else
	mv "$dst.new" "$dst"
fi
echo "$stamp" > "$dst/.series-stamp"
say "tree: patched tree ready at $dst"
