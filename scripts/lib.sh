# SPDX-License-Identifier: GPL-2.0
# Shared helpers for the harness scripts. Sourced, not run.

set -euo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT=${OUT:-$TOP/out}
CACHE=${CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/stack-reclaim}
RESULTS=${RESULTS:-$OUT/results.log}

# The kernel we test against: Debian's linux-source-6.12 package.
KPKG=linux-source-6.12
KPKG_VERSION=${KPKG_VERSION:-6.12.117-1~deb12u1}

say()  { printf '==> %s\n' "$*"; }
warn() { printf 'WARNING: %s\n' "$*" >&2; }
die()  { printf 'ERROR: %s\n' "$*" >&2; exit 1; }

# Record one test verdict; the summary line is made from these.
result() {	# result ok|fail NAME [detail]
	mkdir -p "$(dirname "$RESULTS")"
	if [ "$1" = ok ]; then
		printf 'ok %s\n' "$2" >> "$RESULTS"
		printf '  PASS %s\n' "$2"
	else
		printf 'not ok %s%s\n' "$2" "${3:+ # $3}" >> "$RESULTS"
		printf '  FAIL %s%s\n' "$2" "${3:+ ($3)}"
	fi
}

# Files of the feature, in series order (comments and blank lines dropped).
series_files() {
	grep -v -e '^#' -e '^[[:space:]]*$' -e '^==' "$TOP/series"
}

# The pristine tree this harness tests against (prepared by kernel-src.sh).
pristine_tree() {
	cat "$CACHE/current" 2>/dev/null || die "no kernel source yet; run scripts/kernel-src.sh"
}

# QEMU accelerator: $ACCEL if set; KVM only if the host really virtualises
# (vmx/svm), since a paravirtual /dev/kvm without them crashes or crawls.
detect_accel() {
	if [ -n "${ACCEL:-}" ]; then
		echo "$ACCEL"
	elif [ -w /dev/kvm ] && grep -qwE 'vmx|svm' /proc/cpuinfo; then
		echo kvm
	else
		echo tcg
	fi
}
