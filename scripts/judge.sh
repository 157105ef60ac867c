#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The kernel's own selftests and KUnit suites as an outside judge: compare
# the "# kselftest SUITE/NAME RESULT" and "# kunit SUITE/CASE RESULT" lines
# of a stock boot and a patched boot (tests/guest/kselftests).  A program
# or case that passes on stock must pass on the patched kernel; one that
# fails or skips on stock too is reported as a skip with that reason.
# STOCK is a stock boot's log, or a list of "NAME RESULT" lines recorded
# from one (tests/judge-stock.txt: the kernel source is pinned, so stock's
# result is a fact make check need not rebuild; make check-full does).
# Usage: scripts/judge.sh STOCK_LOG|STOCK_LIST PATCHED_LOG
#        scripts/judge.sh --results LOG	(print a log's list)
. "$(dirname "$0")/lib.sh"

results() {
	case $1 in
	*.txt) grep -v '^#' "$1" | sort ;;
	*) sed -n -e 's/^guest: # kselftest \([^ ]*\) \([a-z]*\).*/\1 \2/p' \
		-e 's/^guest: # kunit \([^ ]*\) \([a-z]*\).*/kunit\/\1 \2/p' "$1" | sort ;;
	esac
}
if [ "$1" = --results ]; then
	results "$2"
	exit 0
fi
stock=$1 patched=$2
results "$stock" > "$OUT/judge-stock.txt"
results "$patched" > "$OUT/judge-patched.txt"
[ -s "$OUT/judge-stock.txt" ] || { result fail "judge/stock-ran-kselftests"; exit 0; }
grep -q '^kunit/' "$OUT/judge-stock.txt" || result fail "judge/stock-ran-kunit"
sp=0 pp=0
while read -r name st; do
	pt=$(awk -v n="$name" '$1 == n { print $2 }' "$OUT/judge-patched.txt")
	[ "$st" = pass ] && sp=$((sp + 1))
	[ "$pt" = pass ] && pp=$((pp + 1))
	if [ "$st" = pass ]; then
		if [ "$pt" = pass ]; then
			result ok "judge/$name"
		else
			result fail "judge/$name" "passes on stock, ${pt:-missing} with stack reclaim"
		fi
	else
		printf 'skip %s\n' "judge/$name" >> "$RESULTS"
		printf '  SKIP judge/%s (%s on stock too: %s with reclaim)\n' "$name" "$st" "${pt:-missing}"
	fi
done < "$OUT/judge-stock.txt"
# "passed/total" of kselftest programs, then of KUnit cases, in FILE
tally() {
	awk '{ k = ($1 ~ /^kunit\//); n[k]++; if ($2 == "pass") p[k]++ }
	     END { printf "%d/%d %d/%d\n", p[0], n[0], p[1], n[1] }' "$1"
}
read -r sk su < <(tally "$OUT/judge-stock.txt")
read -r pk pu < <(tally "$OUT/judge-patched.txt")
say "judge: kselftest programs passed: stock $sk, patched $pk"
say "judge: KUnit cases passed: stock $su, patched $pu"
if [ "$sp" = "$pp" ]; then
	result ok "judge/pass-count-equals-stock"
else
	result fail "judge/pass-count-equals-stock" "stock $sp, patched $pp"
fi
