#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Boot a kernel in QEMU, run guest tests, judge the console.
#
# Usage: scripts/boot.sh LABEL BZIMAGE TESTS [EXTRA_CMDLINE]
#   TESTS is a comma-separated list of programs in the guest's /tests.
#   Env: INITRD (default $OUT/initramfs.cpio.gz), TIMEOUT (seconds, 600),
#        MEM (2G), CPUS (2), EXPECT=fail to check that the run is judged
#        a failure (harness self-test), EXPECT=crash for a test that must
#        end in the kernel report EXPECT_CRASH (an ERE, default: the stack
#        guard-page BUG) before any other splat, ACCEL=kvm|tcg to override,
#        ICOUNT=SHIFT to run TCG by instruction count (-icount shift=SHIFT,
#        sleep=off): with CPUS=1 the guest's clocks then depend on the
#        instructions it runs, not on the host, and timings repeat.
#
# Every KUnit (KTAP) and guest (TAP) result becomes one result line.  The run
# as a whole fails if the guest does not reach its end marker in time, or if
# the console shows an oops, BUG, WARNING, panic, double fault, lockdep
# report, hung task, RCU stall or soft lockup -- whatever the tests printed.
. "$(dirname "$0")/lib.sh"

label=$1 kernel=$2 tests=$3 extra=${4:-}
initrd=${INITRD:-$OUT/initramfs.cpio.gz}
timeout=${TIMEOUT:-600}
log=$OUT/logs/$label.log
mkdir -p "$OUT/logs"
[ -f "$kernel" ] || die "no kernel image $kernel"
[ -f "$initrd" ] || die "no initramfs $initrd"

accel=$(detect_accel)
if [ "$accel" = kvm ]; then
	qaccel=(-enable-kvm -cpu host)
else
	qaccel=(-accel tcg -cpu max)
	[ -n "${ICOUNT:-}" ] && qaccel+=(-icount "shift=$ICOUNT,sleep=off")
fi

cmdline="console=ttyS0 panic=-1 oops=panic hung_task_timeout_secs=60 sr.run=$tests $extra"
say "boot $label: $accel, ${CPUS:-2} vCPUs, tests: $tests (timeout ${timeout}s)"
start=$(date +%s)
set +e
timeout --foreground -k 10 "$timeout" qemu-system-x86_64 "${qaccel[@]}" \
	-m "${MEM:-2G}" -smp "${CPUS:-2}" -nodefaults -no-reboot \
	-display none -serial stdio -monitor none \
	-kernel "$kernel" -initrd "$initrd" -append "$cmdline" \
	</dev/null >"$log" 2>&1
rc=$?
set -e
tr -d '\r' < "$log" > "$log.tmp" && mv "$log.tmp" "$log"
say "boot $label: guest exited after $(( $(date +%s) - start ))s (log: $log)"

# --- judge the console -------------------------------------------------
problems=()
[ $rc = 124 ] || [ $rc = 137 ] && problems+=("timeout after ${timeout}s")
bad='Oops|BUG:|WARNING:|Kernel panic|double fault|possible recursive locking|possible circular locking|inconsistent lock state|INFO: task .* blocked for more than|INFO: rcu|rcu: INFO|detected stall|soft lockup|hard LOCKUP|general protection fault|KASAN:|UBSAN:|unable to handle|stack_reclaim: .*(hole|missing)'
if [ "${EXPECT:-pass}" = crash ]; then
	# The guest must die of the expected report, and of nothing before it.
	want=${EXPECT_CRASH:-'BUG: .*stack guard page was hit'}
	firstbad=$(grep -E "$bad" "$log" | head -1)
	if ! grep -qE "$want" "$log"; then
		problems+=("expected crash report not seen: $want")
	elif ! echo "$firstbad" | grep -qE "$want"; then
		problems+=("console before the expected crash: $(echo "$firstbad" | cut -c1-120)")
	elif grep -qE 'stack_reclaim: .*(hole|missing)' "$log"; then
		problems+=("console: $(grep -E 'stack_reclaim: .*(hole|missing)' "$log" | head -1 | cut -c1-120)")
	else
		result ok "$label/expected-crash"
		say "boot $label: died as expected: $(grep -E "$want" "$log" | head -1 | cut -c1-100)"
	fi
elif ! grep -q '^STACK-RECLAIM-HARNESS: done' "$log"; then
	problems+=("guest did not reach its end marker")
fi
if [ "${EXPECT:-pass}" != crash ] && grep -qE "$bad" "$log"; then
	first=$(grep -nE "$bad" "$log" | head -1 | cut -d: -f1)
	problems+=("console: $(sed -n "${first}p" "$log" | cut -c1-120)")
fi

# --- collect test results ----------------------------------------------
tmp=$(mktemp)
sed -E 's/^\[ *[0-9]+\.[0-9]+\] //' "$log" | awk -v label="$label" '
	/^STACK-RECLAIM-HARNESS: run / { prog = $3; next }
	/^guest: (not )?ok [0-9]+/ {
		line = substr($0, 8); st = (line ~ /^not ok/) ? "fail" : "ok"
		sub(/^(not )?ok [0-9]+ (- )?/, "", line)
		if (line ~ /# *SKIP/) st = "skip"
		name = line; sub(/ *#.*/, "", name); gsub(/ /, "_", name)
		print st, label "/" prog "/" name; next
	}
	/^    (not )?ok [0-9]+ / {		# KUnit test case (KTAP, one level in)
		line = $0; sub(/^ +/, "", line); st = (line ~ /^not ok/) ? "fail" : "ok"
		sub(/^(not )?ok [0-9]+ /, "", line)
		if (line ~ /# *SKIP/) st = "skip"
		name = line; sub(/ *#.*/, "", name)
		print st, label "/kunit/" name; next
	}
	/^not ok [0-9]+ / { line = $0; sub(/^not ok [0-9]+ /, "", line); print "fail", label "/kunit-suite/" line }
' > "$tmp"

if [ "${EXPECT:-pass}" = fail ]; then
	# Harness self-test: the run must be judged a failure.
	nfail=$(grep -c '^fail' "$tmp" || true)
	if [ ${#problems[@]} -gt 0 ] || [ "$nfail" -gt 0 ]; then
		result ok "harness/$label-is-caught"
		printf '    caught: %s\n' "${problems[@]:-$nfail failing test(s)}"
	else
		result fail "harness/$label-is-caught" "runner judged a broken guest as passing"
	fi
	rm -f "$tmp"
	exit 0
fi

while read -r st name; do
	case $st in
	ok) result ok "$name" ;;
	skip) printf 'skip %s\n' "$name" >> "$RESULTS"; printf '  SKIP %s\n' "$name" ;;
	*) result fail "$name" ;;
	esac
done < "$tmp"
ntests=$(wc -l < "$tmp")
# A failing guest program's own diagnostics ("# ..." lines) belong next to
# the failure: CI shows this output, not the log.
for prog in $(grep '^fail' "$tmp" | cut -d/ -f2 | grep -v '^kunit' | sort -u); do
	echo "---- $prog diagnostics ($log):"
	sed -E 's/^\[ *[0-9]+\.[0-9]+\] //' "$log" |
		awk -v p="$prog" '/^STACK-RECLAIM-HARNESS: run / { on = ($3 == p); next }
			on && /^guest: #/ { print "    " substr($0, 8) }' | head -40
done
rm -f "$tmp"
[ "$ntests" -gt 0 ] || problems+=("no test results in the console")

if [ ${#problems[@]} -eq 0 ]; then
	[ "${EXPECT:-pass}" = crash ] || result ok "$label/console-clean"
	exit 0
fi
for p in "${problems[@]}"; do
	result fail "$label/console-clean" "$p"
done
# Show the first problem in context.
first=$(grep -nE "$bad" "$log" | head -1 | cut -d: -f1)
if [ -n "$first" ]; then
	echo "---- $log around line $first:"
	sed -n "$(( first > 5 ? first - 5 : 1 )),$(( first + 40 ))p" "$log"
else
	echo "---- last lines of $log:"
	tail -25 "$log"
fi
exit 1
