#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make bench: stock 6.12 against the patched kernel, side by side.
#
# Builds the stock kernel and the patched one from the same config (the
# patched one adds CONFIG_STACK_RECLAIM and, for the use_stack driver,
# CONFIG_DEBUG_STACK_RECLAIM; see tests/configs/bench.config), then
# boots, round after round, these kernels with the same QEMU settings:
#   stock   the pristine Debian 6.12 tree
#   off     patched, booted with stack_reclaim=off
#   on      patched, shrinker/trigger mode (the default)
#   hook    patched, with the context-switch hook on
#   32k     patched with CONFIG_STACK_RECLAIM_32K, feature on (BENCH_32K=0
#           leaves it out)
#   again   stock once more, at the other end of the round: stock against
#           itself is how far boots of one kernel drift (the noise floor)
# The "on" boot also runs the in-boot A/B: BENCH_AB (default 4) rounds of
# the cost benchmarks with the feature switched off, on, on with the
# switch hook, and off again through sysfs, which cancels the drift
# between boots (off again/off is the noise left within one boot).
# The "on" boot also runs the herd benchmark (tests/guest/sr_herd.c):
# 1,000, 2,000 and 10,000 futex waiters woken at once, off against on with
# every sleeper reclaimed, BENCH_HERD_ROUNDS (default 15) rounds in one boot.
# Each boot runs every benchmark of tests/guest/sr_bench.c once; the order
# of the kernels flips every round so drift cancels.  Results: raw numbers
# in out/bench/raw.csv, medians and ratios in bench/results.{csv,json},
# bench/RESULTS.md and PNG plots in bench/.
#
# Env: BENCH_RUNS (rounds, default 5), BENCH_BIG=0 to skip 100,000 idle
# threads (done in the first round only), BENCH_DEEP (threads, 1000),
# BENCH_AB (in-boot A/B rounds, 4), BENCH_HERD_ROUNDS (15).
. "$(dirname "$0")/lib.sh"

runs=${BENCH_RUNS:-5}
big=${BENCH_BIG:-1}
dir=$OUT/bench
cfg=$TOP/tests/configs

"$TOP/scripts/deps.sh" bench
"$TOP/scripts/kernel-src.sh"
"$TOP/scripts/patched-tree.sh"
"$TOP/scripts/build-kernel.sh" bench-stock "$(pristine_tree)" "$cfg/base.config"
"$TOP/scripts/build-kernel.sh" bench-patched "$OUT/src/linux" \
	"$cfg/base.config" "$cfg/bench.config"
[ "${BENCH_32K:-1}" = 1 ] &&
	"$TOP/scripts/build-kernel.sh" bench-32k "$OUT/src/linux" \
		"$cfg/base.config" "$cfg/bench.config" "$cfg/32k.config"
"$TOP/scripts/mkinitramfs.sh"

rm -rf "$dir"
mkdir -p "$dir"
echo "round,mode,benchmark,value,unit" > "$dir/raw.csv"
for r in $(seq 1 "$runs"); do
	modes="stock off on hook"
	[ "${BENCH_32K:-1}" = 1 ] && modes="$modes 32k"
	modes="$modes again"
	[ $((r % 2)) = 0 ] && modes=$(echo $modes | tr ' ' '\n' | tac | tr '\n' ' ')
	threads=1000,10000
	[ "$r" = 1 ] && [ "$big" = 1 ] && threads=1000,10000,100000
	for m in $modes; do
		img=$OUT/build/bench-patched/arch/x86/boot/bzImage
		extra="sr.env.BENCH_MODE=$m sr.env.BENCH_THREADS=$threads"
		[ -n "${BENCH_DEEP:-}" ] && extra="$extra sr.env.BENCH_DEEP=$BENCH_DEEP"
		[ $m = stock ] || [ $m = again ] &&
			img=$OUT/build/bench-stock/arch/x86/boot/bzImage
		progs=sr_bench
		# The herd benchmark switches the feature off and on in one boot.
		[ $m = on ] && progs=sr_bench,sr_herd &&
			extra="$extra sr.env.BENCH_AB=${BENCH_AB:-4}" &&
			extra="$extra sr.env.HERD_SIZES=1000,2000,10000" &&
			extra="$extra sr.env.HERD_ROUNDS=${BENCH_HERD_ROUNDS:-15}"
		[ $m = 32k ] && img=$OUT/build/bench-32k/arch/x86/boot/bzImage
		[ $m = off ] && extra="$extra stack_reclaim=off"
		say "bench: round $r/$runs, kernel $m"
		MEM=6G TIMEOUT=3600 RESULTS=$dir/boots.log \
			"$TOP/scripts/boot.sh" "bench-$r-$m" "$img" "$progs" "$extra" ||
			die "bench boot $r/$m failed; see $OUT/logs/bench-$r-$m.log"
		grep '^guest: bench: ' "$OUT/logs/bench-$r-$m.log" |
			awk -v r="$r" -v m="$m" '{ print r "," m "," $3 "," $4 "," $5 }' \
			>> "$dir/raw.csv"
		grep '^guest: wake_latency' "$OUT/logs/bench-$r-$m.log" | cut -c8- || true
	done
done

# What the numbers were measured on.
accel=$(detect_accel)
cat > "$dir/meta.env" <<EOF
kernel=$(make -s -C "$(pristine_tree)" kernelversion 2>/dev/null)
package=$(dpkg-query -W -f='${Version}' $KPKG 2>/dev/null)
config_stock=$(sha256sum "$OUT/build/bench-stock/.config" | cut -c1-16)
config_patched=$(sha256sum "$OUT/build/bench-patched/.config" | cut -c1-16)
series=$(cat $(series_files | sed "s|^|$TOP/|") | sha256sum | cut -c1-16)
accel=$accel
qemu_cpu=$([ "$accel" = kvm ] && echo host || echo max)
host_cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
vcpus=2
guest_mem=6G
rounds=$runs
date=$(date -u +%Y-%m-%dT%H:%MZ)
EOF
python3 "$TOP/scripts/bench-report.py" "$dir" "$TOP/bench"
say "bench: results in bench/RESULTS.md (raw: $dir/raw.csv)"
