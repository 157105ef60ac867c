// SPDX-License-Identifier: GPL-2.0
/*
 * Herd wakeup benchmark (make bench; prints "bench:" lines, TAP).
 *
 * N threads sleep on one futex and are woken by one FUTEX_WAKE.  Each
 * round times every thread from the wake call to its first instruction in
 * user space: p50, p99 and the last.  The same threads serve every round,
 * and every round takes the same steps in each mode:
 *
 *   off	sysfs enabled=0 (the static key off: stock's code paths)
 *   on		enabled=1, every sleeper's stack reclaimed (min_sleep_ms=0,
 *		a reclaim pass) just before the wake
 *   again	off once more: the spread between two off modes is the noise
 *		left within one boot
 *
 * in rotating order, HERD_ROUNDS (default 10) times, for each herd size in
 * HERD_SIZES (default "1000 10000").  Reported: the median over rounds of
 * each statistic, as ratios on/off and again/off, and the fraction of the
 * herd's wakeups that were deferred (the reserve could not serve them).
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
#define MAX_ROUNDS 64

static int gen;				/* futex word: the round */
static atomic_int asleep, done;
static double *woke;			/* per thread, ns */

static double now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e9 + t.tv_nsec;
}

static void *sleeper(void *arg)
{
	long i = (long)arg;
	int g = 0;

	for (;;) {
		atomic_fetch_add(&asleep, 1);
		while (__atomic_load_n(&gen, __ATOMIC_ACQUIRE) == g)
			futex_wait(&gen, g);
		woke[i] = now_ns();
		g = __atomic_load_n(&gen, __ATOMIC_ACQUIRE);
		atomic_fetch_add(&done, 1);
		if (g < 0)
			return NULL;
	}
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* One wake of the herd of @n in @mode: p50, p99, last in us; deferred. */
static void herd_round(int n, const char *mode, double out[4])
{
	double t0, *lat = malloc(n * sizeof(*lat));
	long def0;
	int i, on = !strcmp(mode, "on");

	put(SYSFS "enabled", on ? "1" : "0");
	while (atomic_load(&asleep) < n)
		usleep(1000);
	usleep(50000);			/* into futex_wait() and off CPU */
	/* The same steps in every mode; the pass takes nothing when off. */
	put(SYSFS "reclaim", "1");
	def0 = stat_of("deferred_wakes");
	atomic_store(&asleep, 0);
	atomic_store(&done, 0);
	t0 = now_ns();
	__atomic_add_fetch(&gen, 1, __ATOMIC_RELEASE);
	futex_wake(&gen, INT_MAX);
	while (atomic_load(&done) < n)
		usleep(1000);
	for (i = 0; i < n; i++)
		lat[i] = (woke[i] - t0) / 1e3;
	qsort(lat, n, sizeof(*lat), cmp);
	out[0] = lat[n / 2];
	out[1] = lat[n * 99 / 100];
	out[2] = lat[n - 1];
	out[3] = (double)(stat_of("deferred_wakes") - def0) / n;
	free(lat);
}

static double median(double *v, int n)
{
	double s[MAX_ROUNDS];

	memcpy(s, v, n * sizeof(*v));
	qsort(s, n, sizeof(*s), cmp);
	return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

static void herd(int n, int rounds)
{
	static const char * const modes[] = { "off", "on", "again" };
	static const char * const stat[] = { "p50", "p99", "last" };
	double v[3][4][MAX_ROUNDS], o[4], off;
	pthread_attr_t attr;
	pthread_t *t = calloc(n, sizeof(*t));
	int r, k, m, s;
	long i;

	woke = calloc(n, sizeof(*woke));
	__atomic_store_n(&gen, 0, __ATOMIC_RELEASE);
	atomic_store(&asleep, 0);
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 64 * 1024);
	for (i = 0; i < n; i++)
		if (pthread_create(&t[i], &attr, sleeper, (void *)i)) {
			printf("# could not create thread %ld of %d\n", i, n);
			exit(1);
		}
	for (r = 0; r < rounds; r++)
		for (k = 0; k < 3; k++) {
			m = (r + k) % 3;
			herd_round(n, modes[m], o);
			for (s = 0; s < 4; s++)
				v[m][s][r] = o[s];
		}
	for (s = 0; s < 3; s++) {
		off = median(v[0][s], rounds);
		printf("bench: herd_%d_%s_off %.1f us\n", n, stat[s], off);
		printf("bench: herd_%d_%s_on_ratio %.3f ratio\n", n, stat[s],
		       median(v[1][s], rounds) / off);
		printf("bench: herd_%d_%s_again_ratio %.3f ratio\n", n, stat[s],
		       median(v[2][s], rounds) / off);
	}
	printf("bench: herd_%d_deferred_fraction %.4f ratio\n", n,
	       median(v[1][3], rounds));
	/* Let them go. */
	put(SYSFS "enabled", "1");
	while (atomic_load(&asleep) < n)
		usleep(1000);
	__atomic_store_n(&gen, -1, __ATOMIC_RELEASE);
	futex_wake(&gen, INT_MAX);
	for (i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	free(t);
	free(woke);
}

int main(void)
{
	const char *sizes = getenv("HERD_SIZES") ?: "1000 10000";
	int rounds = getenv("HERD_ROUNDS") ? atoi(getenv("HERD_ROUNDS")) : 10;
	char *list, *tok;

	if (access(SYSFS, F_OK)) {
		printf("1..1\nok 1 - herd # SKIP stack reclaim absent\n");
		return 0;
	}
	if (rounds < 1 || rounds > MAX_ROUNDS)
		rounds = 10;
	printf("TAP version 13\n1..1\n");
	raise_nofile(1024);
	put("/proc/sys/kernel/threads-max", "400000");
	put(SYSFS "min_sleep_ms", "0");
	list = strdup(sizes);
	for (tok = strtok(list, " ,"); tok; tok = strtok(NULL, " ,"))
		herd(atoi(tok), rounds);
	put(SYSFS "min_sleep_ms", "1000");
	printf("ok 1 - herd benchmark ran\n");
	return 0;
}
