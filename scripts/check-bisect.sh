#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make check-bisect: every patch of the exported series builds, and from
# the Kconfig patch on, boots and works.
#
# Applies out/patches/ one patch at a time (quilt) to a copy of the pinned
# tree and builds after each, incrementally, in one O= directory: with the
# test config (feature on once the Kconfig patch is in, absent before) and,
# from that patch on, with the feature off too.  Options a patch does not
# define yet (the KUnit suite's, before its patch) are left out.  Each
# feature-on kernel boots and runs sr_threads (10,000 threads reclaimed and
# woken) and whatever KUnit suite of ours it has.  Ends with
# "N passed, N failed".  BISECT_FROM=N applies the patches before N
# without building them, to resume a run; BISECT_TO=N stops after N.
. "$(dirname "$0")/lib.sh"

"$TOP/scripts/deps.sh" build
"$TOP/scripts/kernel-src.sh"
"$TOP/scripts/export.sh"
export RESULTS=$OUT/bisect-results.log
rm -f "$RESULTS"
tree=$OUT/src/bisect
cfg=$TOP/tests/configs
NO_KSELFTESTS=1 "$TOP/scripts/mkinitramfs.sh"

# @fragment without the options that $tree does not define (yet).
defined_only() {
	local out=$OUT/bisect-$(basename "$1") defined
	defined=$(grep -rhoE '^(menu)?config [A-Za-z0-9_]+' "$tree" --include='Kconfig*' |
		  awk '{ print "CONFIG_" $2 }' | sort -u)
	grep -oE 'CONFIG_[A-Za-z0-9_]+' "$1" | sort -u |
		comm -23 - <(echo "$defined") > "$out.missing"
	grep -v -w -F -f "$out.missing" "$1" > "$out" || true
	echo "$out"
}
rm -rf "$tree"
mkdir -p "$(dirname "$tree")"
cp -a "$(pristine_tree)" "$tree"
n=0
while read -r p; do
	n=$((n + 1))
	(cd "$tree" && QUILT_PATCHES=$OUT/patches quilt push -q >/dev/null) ||
		die "bisect: $p does not apply"
	[ "$n" -lt "${BISECT_FROM:-1}" ] && continue
	[ "$n" -gt "${BISECT_TO:-999}" ] && break
	if grep -q '^config STACK_RECLAIM$' "$tree/mm/Kconfig"; then
		set -- on "$cfg/base.config $(defined_only "$cfg/feature.config")" \
		       off "$cfg/base.config"
	else
		set -- absent "$cfg/base.config"
	fi
	while [ $# -gt 0 ]; do
		say "bisect: patch $n ($p), feature $1"
		# shellcheck disable=SC2086
		if "$TOP/scripts/build-kernel.sh" bisect-$1 "$tree" $2; then
			result ok "bisect/$n-$1"
			[ "$1" = on ] && { "$TOP/scripts/boot.sh" "bisect-$n" \
				"$OUT/build/bisect-on/arch/x86/boot/bzImage" sr_threads \
				"kunit.filter_glob=stack_reclaim*" || true; }
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
