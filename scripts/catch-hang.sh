#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Developer helper for silent hangs: boot like boot.sh, but with the serial
# console on a QEMU mux fed from a fifo.  If the console stays quiet for
# QUIET seconds (default 40), send sysrq w, l and t over a serial break
# and stop the guest, leaving the task dump in the log.
#
# Usage: scripts/catch-hang.sh BZIMAGE TESTS LOG [EXTRA_CMDLINE]
. "$(dirname "$0")/lib.sh"

img=$1 tests=$2 log=$3 extra=${4:-}
quiet_max=${QUIET:-40}
fifo=$(mktemp -u)
mkfifo "$fifo"
sleep 100000 > "$fifo" &
keeper=$!
qemu-system-x86_64 -accel tcg -cpu max -m "${MEM:-2G}" -smp "${CPUS:-2}" \
	-nodefaults -no-reboot -display none \
	-chardev stdio,mux=on,id=c,signal=off -serial chardev:c -mon chardev=c \
	-kernel "$img" -initrd "${INITRD:-$OUT/initramfs.cpio.gz}" \
	-append "console=ttyS0 panic=-1 oops=panic sr.run=$tests $extra" \
	< "$fifo" > "$log" 2>&1 &
qemu=$!
last=0 quiet=0
while kill -0 $qemu 2>/dev/null; do
	sleep 5
	n=$(wc -c < "$log")
	if [ "$n" = "$last" ]; then quiet=$((quiet + 5)); else quiet=0 last=$n; fi
	if [ $quiet -ge "$quiet_max" ]; then
		say "catch-hang: console quiet for ${quiet}s: sysrq w, l, t"
		for k in w l t; do
			printf '\001b' > "$fifo"; sleep 1; printf '%s' "$k" > "$fifo"; sleep 8
		done
		sleep 10
		kill $qemu
		break
	fi
done
kill $keeper 2>/dev/null
rm -f "$fifo"
if grep -q '^STACK-RECLAIM-HARNESS: done' "$log"; then
	say "catch-hang: guest finished (log: $log)"
else
	say "catch-hang: guest did NOT finish (log: $log)"
	exit 1
fi
