#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Apply the stack reclaim series to a 6.12 tree: new files are copied to
# their kernel paths, <path>.patch files are applied, as ./series and
# scripts/series.py say.  Refuses a tree that is not 6.12 or already has it.
# Usage: scripts/apply.sh /path/to/linux-6.12
. "$(dirname "$0")/lib.sh"

KSRC=${1:?usage: apply.sh KSRC}
[ -f "$KSRC/Makefile" ] || die "$KSRC is not a kernel tree"
kv=$(make -s -C "$KSRC" kernelversion 2>/dev/null) || die "cannot read version of $KSRC"
case $kv in
6.12|6.12.*) ;;
*) die "$KSRC is Linux $kv; this series is for 6.12" ;;
esac
[ -e "$KSRC/mm/stack_reclaim.c" ] &&
	die "$KSRC already has stack reclaim (mm/stack_reclaim.c exists)"

# Print the hunk that failed, so the user sees what no longer matches.
show_failed_hunks() {	# patchfile patch-output
	grep -o 'Hunk #[0-9]* FAILED' <<<"$2" | grep -o '[0-9]*' | while read -r n; do
		echo "---- failing hunk #$n of $1:"
		awk -v n="$n" '/^@@/{h++} h==n' "$1" | sed -n '1,40p'
	done
}

# Check everything before touching the tree, so a failure leaves it as it
# was.  A step (a later patch's part of a file, see scripts/series.py) is
# checked by series.py, which computes every file before writing any.
for f in $(series_files); do
	case $f in
	*.patch)
		[ -e "$KSRC/${f%.patch}" ] || continue	# a step
		out=$(patch -p1 -d "$KSRC" --dry-run --forward --silent < "$TOP/$f" 2>&1) || {
			echo "$out"
			show_failed_hunks "$TOP/$f" "$out"
			die "series does not apply to $KSRC ($kv): $f"
		} ;;
	*)
		[ -e "$KSRC/$f" ] && die "$KSRC/$f already exists"
		[ -f "$TOP/$f" ] || die "series names $f, which is missing" ;;
	esac
done

python3 "$TOP/scripts/series.py" apply "$KSRC" "$KSRC" all ||
	die "series does not apply to $KSRC ($kv)"
say "apply: stack reclaim applied to $KSRC ($kv)"
