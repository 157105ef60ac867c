#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make kunit: the stack reclaim KUnit suite through the kernel's own
# runner, on the suite's .kunitconfig:
#
#   tools/testing/kunit/kunit.py run --arch=x86_64 \
#	--kunitconfig=mm/stack_reclaim.kunitconfig
#
# kunit.py builds its own kernel (olddefconfig from the .kunitconfig) in
# out/build/kunit and boots it under QEMU, two CPUs, TCG unless the host
# has vmx/svm.  Ends with "N passed, N failed".
. "$(dirname "$0")/lib.sh"

"$TOP/scripts/deps.sh" build
"$TOP/scripts/kernel-src.sh"
"$TOP/scripts/patched-tree.sh"
# Called from make check-full, it adds to that run's results.
if [ -z "${KUNIT_IN_CHECK:-}" ]; then
	export RESULTS=$OUT/kunit-results.log
	rm -f "$RESULTS"
fi
src=$OUT/src/linux
make_opts=()
command -v ccache >/dev/null && make_opts=(--make_options "CC=ccache gcc")
export CCACHE_DEPEND=1 CCACHE_NOHASHDIR=1 CCACHE_BASEDIR=$OUT

say "kunit: kunit.py run --arch=x86_64 --kunitconfig=mm/stack_reclaim.kunitconfig"
log=$OUT/logs/kunit-py.log
mkdir -p "$(dirname "$log")"
if (cd "$src" && python3 tools/testing/kunit/kunit.py run --arch=x86_64 \
	--kunitconfig=mm/stack_reclaim.kunitconfig \
	--build_dir="$OUT/build/kunit" --jobs="$(nproc)" "${make_opts[@]}" \
	--qemu_args="-smp 2" --timeout=1800) > "$log" 2>&1; then
	result ok "kunit.py/stack_reclaim"
else
	tail -30 "$log"
	result fail "kunit.py/stack_reclaim" "see $log"
fi
grep -E '^\[[0-9:]+\] (Testing complete|Elapsed time)' "$log" || true
[ -n "${KUNIT_IN_CHECK:-}" ] && exit 0
pass=$(grep -c '^ok ' "$RESULTS" || true)
fail=$(grep -c '^not ok ' "$RESULTS" || true)
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
