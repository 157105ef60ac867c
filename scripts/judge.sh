#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The kernel's own selftests as an outside judge: compare the
# "# kselftest SUITE/NAME RESULT" lines of a stock boot and a patched boot
# (tests/guest/kselftests).  A program that passes on stock must pass on
# the patched kernel; one that fails or skips on stock too is reported as
# a skip with that reason.  Usage: scripts/judge.sh STOCK_LOG PATCHED_LOG
. "$(dirname "$0")/lib.sh"

stock=$1 patched=$2
results() { sed -n 's/^guest: # kselftest \([^ ]*\) \([a-z]*\) .*/\1 \2/p' "$1" | sort; }
results "$stock" > "$OUT/judge-stock.txt"
results "$patched" > "$OUT/judge-patched.txt"
[ -s "$OUT/judge-stock.txt" ] || { result fail "judge/stock-ran-kselftests"; exit 0; }
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
say "judge: kselftests passed: stock $sp, patched $pp of $(wc -l < "$OUT/judge-stock.txt")"
if [ "$sp" = "$pp" ]; then
	result ok "judge/pass-count-equals-stock"
else
	result fail "judge/pass-count-equals-stock" "stock $sp, patched $pp"
fi
