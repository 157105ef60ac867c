#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Extract the pinned 6.12 source from Debian's linux-source-6.12 into the
# cache (outside git) and record its path in $CACHE/current.
. "$(dirname "$0")/lib.sh"

ver=$(dpkg-query -W -f='${Version}' $KPKG 2>/dev/null) ||
	die "$KPKG is not installed (run scripts/deps.sh)"
if [ "$ver" != "$KPKG_VERSION" ]; then
	warn "*** $KPKG is $ver, NOT the pinned $KPKG_VERSION ***"
	warn "*** the series was tested on $KPKG_VERSION; results may differ ***"
fi
tarball=/usr/src/$KPKG.tar.xz
[ -f "$tarball" ] || die "$tarball missing; reinstall $KPKG"

dir=$CACHE/$ver
if [ ! -f "$dir/.extracted" ]; then
	say "kernel: extracting $tarball ($ver) into $dir"
	rm -rf "$dir"
	mkdir -p "$dir"
	tar -C "$dir" -xf "$tarball"
	touch "$dir/.extracted"
fi
src=$dir/$KPKG
kv=$(make -s -C "$src" kernelversion)
case $kv in
6.12.*) ;;
*) die "$src is $kv, not 6.12" ;;
esac
echo "$src" > "$CACHE/current"
say "kernel: pristine $kv at $src"
