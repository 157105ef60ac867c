#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make check-bisect: every patch of the exported series builds.
#
# Applies out/patches/ one patch at a time (quilt) to a copy of the pinned
# tree and builds after each, incrementally, in one O= directory: with the
# test config (feature on once the Kconfig patch is in, absent before) and,
# from that patch on, with the feature off too.  Ends with
# "N passed, N failed".
. "$(dirname "$0")/lib.sh"

"$TOP/scripts/deps.sh" build
"$TOP/scripts/kernel-src.sh"
"$TOP/scripts/export.sh"
RESULTS=$OUT/bisect-results.log
rm -f "$RESULTS"
tree=$OUT/src/bisect
cfg=$TOP/tests/configs
rm -rf "$tree"
cp -a "$(pristine_tree)" "$tree"
n=0
while read -r p; do
	n=$((n + 1))
	(cd "$tree" && QUILT_PATCHES=$OUT/patches quilt push -q >/dev/null) ||
		die "bisect: $p does not apply"
	if grep -q '^config STACK_RECLAIM$' "$tree/mm/Kconfig"; then
		set -- on "$cfg/base.config $cfg/feature.config" \
		       off "$cfg/base.config"
	else
		set -- absent "$cfg/base.config"
	fi
	while [ $# -gt 0 ]; do
		say "bisect: patch $n ($p), feature $1"
		# shellcheck disable=SC2086
		if "$TOP/scripts/build-kernel.sh" bisect-$1 "$tree" $2; then
			result ok "bisect/$n-$1"
		else
			result fail "bisect/$n-$1"
		fi
		shift 2
	done
done < <(grep -v '^#' "$OUT/patches/series")
pass=$(grep -c '^ok ' "$RESULTS" || true)
fail=$(grep -c '^not ok ' "$RESULTS" || true)
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
