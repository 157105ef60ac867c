// SPDX-License-Identifier: GPL-2.0
/*
 * Memory cgroup accounting of reclaimed stacks (TAP).  In a cgroup of its
 * own, N threads sleep; memory.stat kernel_stack must fall by about the
 * reclaimed pages after a pass and rise back when they wake, while
 * memory.current keeps the charge (a wakeup cannot be refused for a memcg
 * limit, so the stack's charge stays whole; see the core commit).
 */
#define _GNU_SOURCE
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sr_util.h"

#define SYSFS "/sys/kernel/mm/stack_reclaim/"
#define CG "/sys/fs/cgroup/sr_memcg/"
#define N 500
/*
 * memory.stat flushes small pending updates only every 2 s (FLUSH_TIME in
 * mm/memcontrol.c): wait for that before each reading.
 */
#define STAT_FLUSH_WAIT_US 2500000

static atomic_int ready, woke;
static int go;

static void *sleeper(void *arg)
{
	(void)arg;
	atomic_fetch_add(&ready, 1);
	while (!__atomic_load_n(&go, __ATOMIC_ACQUIRE))
		futex_wait(&go, 0);
	atomic_fetch_add(&woke, 1);
	/* Stay alive (and asleep) until main() has looked again. */
	while (__atomic_load_n(&go, __ATOMIC_ACQUIRE) == 1)
		futex_wait(&go, 1);
	return NULL;
}

/* A "key value" line of memory.stat, in kB; -1 if absent. */
static long memstat_kb(const char *key)
{
	long v = field_of(CG "memory.stat", key, ' ');

	return v < 0 ? v : v / 1024;
}

static long current_kb(void)
{
	char buf[64] = "";
	FILE *f = fopen(CG "memory.current", "r");

	if (f && !fgets(buf, sizeof(buf), f))
		buf[0] = 0;
	if (f)
		fclose(f);
	return atol(buf) / 1024;
}

int main(void)
{
	long s0, s1, s2, s3, c1, c2, freed_kb, r0;
	pthread_attr_t attr;
	pthread_t tids[N];
	int i;

	if (access(SYSFS, F_OK)) {
		printf("1..1\nok 1 - memcg kernel_stack # SKIP stack reclaim absent\n");
		return 0;
	}
	if (enter_memcg("sr_memcg", "max") || memstat_kb("kernel_stack") < 0) {
		printf("1..1\nok 1 - memcg kernel_stack # SKIP no memory cgroup\n");
		return 0;
	}
	printf("TAP version 13\n1..3\n");
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 64 * 1024);
	s0 = memstat_kb("kernel_stack");
	for (i = 0; i < N; i++)
		if (pthread_create(&tids[i], &attr, sleeper, NULL))
			return 1;
	while (atomic_load(&ready) < N)
		usleep(10000);
	/* It also gives the last threads time to fall asleep. */
	usleep(STAT_FLUSH_WAIT_US);
	s1 = memstat_kb("kernel_stack");
	c1 = current_kb();
	r0 = stat_of("pages_reclaimed_now");
	put(SYSFS "min_sleep_ms", "0");
	put(SYSFS "reclaim", "1");
	put(SYSFS "min_sleep_ms", "1000");
	usleep(STAT_FLUSH_WAIT_US);
	s2 = memstat_kb("kernel_stack");
	c2 = current_kb();
	freed_kb = (stat_of("pages_reclaimed_now") - r0) * 4;
	printf("# kernel_stack %ld -> %ld -> %ld kB (%d threads), memory.current %ld -> %ld kB, %ld kB reclaimed system-wide\n",
	       s0, s1, s2, N, c1, c2, freed_kb);
	/* The cgroup holds our N + 1 tasks, 3 reclaimable pages each. */
	printf("%sok 1 - kernel_stack fell by the threads' reclaimed pages (%ld kB, expected %d..%d)\n",
	       s1 - s2 >= N * 12 * 9 / 10 && s1 - s2 <= (N + 1) * 12 ? "" : "not ",
	       s1 - s2, N * 12 * 9 / 10, (N + 1) * 12);
	printf("%sok 2 - the memcg charge stays (memory.current fell %ld kB)\n",
	       c1 - c2 < (s1 - s2) / 2 ? "" : "not ", c1 - c2);

	__atomic_store_n(&go, 1, __ATOMIC_RELEASE);
	futex_wake(&go, INT_MAX);
	while (atomic_load(&woke) < N)
		usleep(10000);
	s3 = memstat_kb("kernel_stack");
	printf("%sok 3 - kernel_stack back when they woke (%ld kB, was %ld kB)\n",
	       s3 >= s1 - 16 ? "" : "not ", s3, s1);
	__atomic_store_n(&go, 2, __ATOMIC_RELEASE);
	futex_wake(&go, INT_MAX);
	for (i = 0; i < N; i++)
		pthread_join(tids[i], NULL);
	return 0;
}
