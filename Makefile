# SPDX-License-Identifier: GPL-2.0
# Fault-free kernel stack reclaim for Linux 6.12 -- see README.

.PHONY: all demo check check-full check-bisect kunit stress bench apply export refresh clean help

all: help

help:
	@echo "make demo     build and boot the patched kernel, show 10k idle threads' savings"
	@echo "make check    apply, export, build (gcc/clang/debug), boot, run all tests"
	@echo "make check-full   make check, plus stock 6.12 rebuilt and rebooted as the judge"
	@echo "make bench    stock 6.12 vs patched (off/on/hook/32k): bench/RESULTS.md"
	@echo "make check-bisect   every exported patch builds (feature on and off)"
	@echo "make kunit    the KUnit suite through tools/testing/kunit/kunit.py"
	@echo "make stress   the wake/reclaim storm on the debug kernel (STRESS_SECS=300)"
	@echo "make apply KSRC=/path/to/linux-6.12   apply the series to your tree"
	@echo "make export   write out/patches/ (git format-patch + quilt series)"

demo:
	@scripts/demo.sh

check:
	@scripts/check.sh

check-full:
	@CHECK_FULL=1 scripts/check.sh

check-bisect:
	@scripts/check-bisect.sh

kunit:
	@scripts/kunit.sh

stress:
	@scripts/stress.sh

bench:
	@scripts/bench.sh

apply:
	@test -n "$(KSRC)" || { echo "usage: make apply KSRC=/path/to/linux-6.12"; exit 1; }
	@scripts/apply.sh "$(KSRC)"

export:
	@scripts/deps.sh build && scripts/kernel-src.sh && scripts/export.sh

refresh:
	@scripts/refresh.sh

clean:
	rm -rf out
