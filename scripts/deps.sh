#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Install what the harness needs from Debian's archive, once.
# Usage: scripts/deps.sh [build|boot|check|bench]
. "$(dirname "$0")/lib.sh"

what=${1:-check}
pkgs="build-essential bc bison flex libelf-dev libssl-dev cpio xz-utils kmod
      python3 git quilt ccache rsync qemu-system-x86 busybox-static"
case $what in
check|bench) pkgs="$pkgs clang lld llvm sparse" ;;
esac
[ "$what" = bench ] && pkgs="$pkgs gnuplot-nox"

missing=
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing="$missing $p"
done
# The kernel source is pinned separately (kernel-src.sh), but install the
# package here so that one apt run does all the downloading.
dpkg-query -W -f='${Version}' $KPKG 2>/dev/null | grep -qx "$KPKG_VERSION" ||
	missing="$missing $KPKG"

if [ -z "$missing" ]; then
	say "deps: all present"
	exit 0
fi
say "deps: installing$missing"
[ "$(id -u)" = 0 ] || die "need root to apt-get install:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null || die "apt-get update failed"
for p in $missing; do
	if [ "$p" = $KPKG ]; then
		if ! apt-get install -y -q "$KPKG=$KPKG_VERSION" >/dev/null; then
			warn "$KPKG $KPKG_VERSION is gone from the archive;"
			warn "FALLING BACK TO THE NEWEST 6.12 -- results are not for the pinned base"
			apt-get install -y -q "$KPKG" >/dev/null || die "cannot install $KPKG"
		fi
	else
		apt-get install -y -q --no-install-recommends "$p" >/dev/null ||
			die "cannot install Debian package '$p'"
	fi
done
say "deps: done"
