#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Write $OUT/patches/: the series as numbered git-format-patch mails with a
# cover letter, plus a quilt "series" file.  Each "== commits/X.txt" group
# of ./series becomes one commit with that message (scripts/series.py says
# what each path holds after it).
. "$(dirname "$0")/lib.sh"

src=$(pristine_tree)
exp=$OUT/export
dest=$OUT/patches
rm -rf "$exp" "$dest"
mkdir -p "$exp/git" "$dest"
export GIT_AUTHOR_NAME="Stack Reclaim Developers" GIT_AUTHOR_EMAIL="stack-reclaim@localhost"
export GIT_COMMITTER_NAME=$GIT_AUTHOR_NAME GIT_COMMITTER_EMAIL=$GIT_AUTHOR_EMAIL
export GIT_AUTHOR_DATE="2026-11-22T00:00:00Z" GIT_COMMITTER_DATE="2026-11-22T00:00:00Z"

# A small repository holding the pristine versions of the files we touch.
git -C "$exp/git" init -q
for f in $(series_files); do
	p=${f%.patch}
	if [ -e "$src/$p" ]; then
		mkdir -p "$exp/git/$(dirname "$p")"
		cp "$src/$p" "$exp/git/$p"
	fi
done
git -C "$exp/git" add -A
git -C "$exp/git" commit -q -m "Linux $(make -s -C "$src" kernelversion) (pristine files)"
git -C "$exp/git" tag base

commit_group() {
	[ -n "$msg" ] || return 0
	git -C "$exp/git" add -A
	git -C "$exp/git" commit -q -s -F "$TOP/$msg" || die "export: empty commit for $msg"
}

# One commit per group, each path as it stands after that patch.
n=0
for msg in $(python3 "$TOP/scripts/series.py" groups); do
	n=$((n + 1))
	python3 "$TOP/scripts/series.py" apply "$src" "$exp/git" $n || die "export: patch $n ($msg)"
	commit_group
done

git -C "$exp/git" format-patch -q --cover-letter --no-signature \
	--subject-prefix="RFC PATCH" -o "$dest" base..HEAD
# Fill in the cover letter from commits/00-cover.txt.
cover=$(ls "$dest"/0000-*.patch)
python3 - "$cover" "$TOP/commits/00-cover.txt" <<'PY'
import sys
cover, text = sys.argv[1], open(sys.argv[2]).read()
subject, _, body = text.partition("\n\n")
s = open(cover).read()
s = s.replace("*** SUBJECT HERE ***", subject.strip())
s = s.replace("*** BLURB HERE ***", body.rstrip())
open(cover, "w").write(s)
PY
(cd "$dest" && ls 0*.patch | grep -v '^0000-') > "$dest/series"
say "export: $(wc -l < "$dest/series") patches and a cover letter in $dest"
