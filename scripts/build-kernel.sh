#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build a kernel from a tinyconfig plus config fragments, out of tree.
# Usage: scripts/build-kernel.sh NAME SRC FRAGMENT... ; LLVM=1 for clang.
# The image ends up in $OUT/build/NAME/arch/x86/boot/bzImage.
. "$(dirname "$0")/lib.sh"

name=$1 src=$2
shift 2
O=$OUT/build/$name
mkdir -p "$O"

mk=(make -s -C "$src" O="$O" ARCH=x86_64 -j"$(nproc)")
if [ "${LLVM:-}" = 1 ]; then
	mk+=(LLVM=1)
	command -v ccache >/dev/null && mk+=(CC="ccache clang")
else
	command -v ccache >/dev/null && mk+=(CC="ccache gcc")
fi
export CCACHE_DEPEND=1 CCACHE_NOHASHDIR=1 CCACHE_BASEDIR=$OUT
[ -n "${EXTRA_MAKE:-}" ] && mk+=($EXTRA_MAKE)

# Generate the config aside and swap it in only if it changed, so that an
# unchanged config keeps the build incremental.
say "build $name: configuring (tinyconfig + $(for f; do basename "$f"; done | tr '\n' ' '))"
rm -rf "$O/cfg" && mkdir -p "$O/cfg"
"${mk[@]}" O="$O/cfg" tinyconfig >/dev/null
"$src/scripts/kconfig/merge_config.sh" -m -O "$O/cfg" "$O/cfg/.config" "$@" >/dev/null
"${mk[@]}" O="$O/cfg" olddefconfig >/dev/null
# A fragment option that did not survive olddefconfig is a broken config:
# say which, instead of silently testing something else.
bad=
for f; do
	while read -r line; do
		case $line in
		CONFIG_*=*) grep -qxF "$line" "$O/cfg/.config" || bad="$bad $line" ;;
		"# CONFIG_"*" is not set")
			opt=${line#\# }; opt=${opt%% *}
			grep -q "^$opt=" "$O/cfg/.config" && bad="$bad $line" ;;
		esac
	done < "$f"
done
[ -z "$bad" ] || die "build $name: config options not honoured:$bad"
cmp -s "$O/cfg/.config" "$O/.config" || cp "$O/cfg/.config" "$O/.config"
rm -rf "$O/cfg"

say "build $name: compiling ($([ "${LLVM:-}" = 1 ] && echo clang || echo gcc), $(nproc) jobs)"
start=$(date +%s)
if ! "${mk[@]}" bzImage > "$O/build.log" 2>&1; then
	grep -E -m20 'error|Error' "$O/build.log" || tail -20 "$O/build.log"
	die "build $name failed (log: $O/build.log)"
fi
# piggy.S pulls the compressed kernel in with .incbin, which ccache's
# depend mode does not hash: when the compressed size matches an earlier
# build's, ccache hands back that build's piggy.o and the bzImage boots
# the old kernel.  Assemble it again, uncached (a few seconds).
rm -f "$O/arch/x86/boot/compressed/piggy.o"
if ! CCACHE_DISABLE=1 "${mk[@]}" bzImage >> "$O/build.log" 2>&1; then
	tail -20 "$O/build.log"
	die "build $name failed (log: $O/build.log)"
fi
# Compiler warnings in the files of the series are failures (kernel style).
if grep -E 'warning:' "$O/build.log" | grep -E 'stack_reclaim|fork\.c|sched/core\.c|exit\.c|vmalloc\.c' ; then
	die "build $name: warnings in files the series touches"
fi
say "build $name: done in $(( $(date +%s) - start ))s"
