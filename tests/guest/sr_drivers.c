// SPDX-License-Identifier: GPL-2.0
/*
 * The drivers of stack reclaim, each on a fresh batch of sleeping threads
 * (TAP): the shrinker (through SHRINKER_DEBUG's scan file and through
 * drop_caches), the periodic scan, and the context-switch hook.  Each must
 * bring KernelStack down by at least 60% of what the batch's stacks took
 * (the switch hook 30%, see below), and every thread must then wake and
 * exit.  Then the pool: after a herd has found the reserves short, a pass
 * keeps the pages it takes for the next herd, and the shrinker frees them.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sr_util.h"

#define SYSFS "/sys/kernel/mm/stack_reclaim/"
#define N 2000

static atomic_int ready, done;
static int go;
static int tap_n;
static pthread_t tids[N];

static void *sleeper(void *arg)
{
	(void)arg;
	atomic_fetch_add(&ready, 1);
	while (!__atomic_load_n(&go, __ATOMIC_ACQUIRE))
		syscall(SYS_futex, &go, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
	atomic_fetch_add(&done, 1);
	return NULL;
}

/* Start a batch; returns KernelStack with it asleep, *base without it. */
static long start_batch(long *base)
{
	pthread_attr_t attr;
	int i;

	atomic_store(&ready, 0);
	atomic_store(&done, 0);
	go = 0;
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 64 * 1024);
	*base = meminfo_kb("KernelStack");
	for (i = 0; i < N; i++)
		if (pthread_create(&tids[i], &attr, sleeper, NULL))
			exit(1);
	while (atomic_load(&ready) < N)
		usleep(10000);
	usleep(200000);
	return meminfo_kb("KernelStack");
}

static int end_batch(void)
{
	int i;

	__atomic_store_n(&go, 1, __ATOMIC_RELEASE);
	syscall(SYS_futex, &go, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
	for (i = 0; i < N; i++)
		pthread_join(tids[i], NULL);
	return atomic_load(&done) == N;
}

static void report(const char *how, long base, long before, long after, double need)
{
	double used = before - base, pct = used > 0 ? 100.0 * (before - after) / used : 0;
	int woke = end_batch();

	printf("%sok %d - %s: KernelStack %ld -> %ld kB, %.1f%% of the batch's stacks (need >= %.0f%%)\n",
	       pct >= need ? "" : "not ", ++tap_n, how, before, after, pct, need);
	printf("%sok %d - %s: all %d threads woke and exited\n", woke ? "" : "not ",
	       ++tap_n, how, N);
}

static int shrinker_scan_file(char *path, size_t len)
{
	DIR *d = opendir("/sys/kernel/debug/shrinker");
	struct dirent *e;
	int found = 0;

	while (d && (e = readdir(d)))
		if (!strncmp(e->d_name, "stack_reclaim", 13)) {
			snprintf(path, len, "/sys/kernel/debug/shrinker/%s/scan", e->d_name);
			found = 1;
		}
	if (d)
		closedir(d);
	return found;
}

int main(void)
{
	long base, before, after, cap, pool, target;
	char scan[300];
	int i;

	if (access(SYSFS, F_OK)) {
		printf("1..1\nok 1 - drivers # SKIP stack reclaim absent\n");
		return 0;
	}
	printf("TAP version 13\n1..11\n");
	put(SYSFS "min_sleep_ms", "0");

	/* 1. The shrinker, as SHRINKER_DEBUG drives it. */
	before = start_batch(&base);
	if (shrinker_scan_file(scan, sizeof(scan)))
		for (i = 0; i < 100; i++)
			put(scan, "0 0 1000");
	report("shrinker (debugfs scan)", base, before, meminfo_kb("KernelStack"), 60);

	/* 2. The shrinker, as drop_caches drives it. */
	before = start_batch(&base);
	for (i = 0; i < 20; i++)
		put("/proc/sys/vm/drop_caches", "2");
	report("shrinker (drop_caches)", base, before, meminfo_kb("KernelStack"), 60);

	/* 3. The periodic scan. */
	before = start_batch(&base);
	put(SYSFS "scan_interval_ms", "100");
	sleep(2);
	after = meminfo_kb("KernelStack");
	put(SYSFS "scan_interval_ms", "0");
	report("periodic scan", base, before, after, 60);

	/*
	 * 4. The switch hook: threads are reclaimed as they go to sleep.  At
	 * the default min_sleep_ms: the hook passes over a task that last
	 * blocked less than that before, but a new thread's first sleep
	 * counts.
	 */
	put(SYSFS "min_sleep_ms", "1000");
	cap = stat_of("pages_reclaimed_at_switch");
	put(SYSFS "switch_hook", "1");
	before = start_batch(&base);
	after = meminfo_kb("KernelStack");
	put(SYSFS "switch_hook", "0");
	cap = stat_of("pages_reclaimed_at_switch") - cap;
	printf("# %ld pages reclaimed at context switch\n", cap);
	/*
	 * Threads are counted in @before already reclaimed: compare with 16K
	 * each.  The hook only sees tasks that are dequeued when they switch
	 * out; EEVDF's delayed dequeue keeps some fair tasks queued
	 * (sched_delayed) past that point, and those are left to the
	 * shrinker.  So expect a smaller share than the full passes above.
	 */
	report("switch hook", base, base + N * 16, after, 30);

	/*
	 * 5. The pool.  Each batch above ended in a herd of N wakeups, more
	 * than the per-CPU reserves hold, so the pool may keep what this pass
	 * takes beyond them; the shrinker must give all of it back.
	 */
	put(SYSFS "min_sleep_ms", "0");
	before = start_batch(&base);
	put(SYSFS "reclaim", "1");
	pool = stat_of("pool_pages_now");
	target = stat_of("pool_target_now");
	printf("%sok %d - a pass after a herd keeps pages for the next: pool %ld of %ld pages\n",
	       pool > 0 && pool <= target ? "" : "not ", ++tap_n, pool, target);
	put("/proc/sys/vm/drop_caches", "2");
	pool = stat_of("pool_pages_now");
	target = stat_of("pool_target_now");
	printf("%sok %d - the shrinker empties the pool: %ld pages left, target %ld\n",
	       !pool && !target ? "" : "not ", ++tap_n, pool, target);
	printf("%sok %d - pool: all %d threads woke and exited\n",
	       end_batch() ? "" : "not ", ++tap_n, N);
	return 0;
}
