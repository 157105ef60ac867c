// SPDX-License-Identifier: GPL-2.0
/*
 * Pipe ping-pong between two threads, timed with the feature off, on
 * (shrinker mode), on with the switch hook, and on with the switch hook
 * and min_sleep_ms=0, where the hook takes both threads' untouched pages
 * at every switch and each wakeup refills them (the worst case).  The
 * modes are interleaved so that drift cancels; prints the median round
 * trip of each mode and the ratios to "off".  A benchmark, not a test: it
 * asserts nothing.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define SYSFS "/sys/kernel/mm/stack_reclaim/"
#define TRIPS 20000
#define ROUNDS 5
#define MODES 4

static int ab[2], ba[2];

static void put(const char *f, const char *v)
{
	char path[128];
	int fd;

	snprintf(path, sizeof(path), SYSFS "%s", f);
	fd = open(path, O_WRONLY);
	if (fd >= 0) {
		if (write(fd, v, strlen(v)) < 0)
			perror(path);
		close(fd);
	}
}

static void *echo(void *arg)
{
	char c;

	(void)arg;
	while (read(ab[0], &c, 1) == 1 && c != 'q')
		if (write(ba[1], &c, 1) != 1)
			break;
	return NULL;
}

static double run(void)
{
	struct timespec a, b;
	char c = 'x';
	int i;

	clock_gettime(CLOCK_MONOTONIC, &a);
	for (i = 0; i < TRIPS; i++)
		if (write(ab[1], &c, 1) != 1 || read(ba[0], &c, 1) != 1)
			exit(1);
	clock_gettime(CLOCK_MONOTONIC, &b);
	return ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / TRIPS;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int main(void)
{
	static const char *const names[MODES] = {
		"off", "on", "on+switch_hook", "hook,min_sleep 0"
	};
	double t[MODES][ROUNDS], med[MODES];
	pthread_t th;
	int r, m;

	if (access(SYSFS, F_OK)) {
		printf("1..1\nok 1 - pingpong # SKIP stack reclaim absent\n");
		return 0;
	}
	if (pipe(ab) || pipe(ba) || pthread_create(&th, NULL, echo, NULL))
		return 1;
	run();	/* warm up */
	for (r = 0; r < ROUNDS; r++) {
		for (m = 0; m < MODES; m++) {
			put("enabled", m ? "1" : "0");
			put("switch_hook", m >= 2 ? "1" : "0");
			put("min_sleep_ms", m == 3 ? "0" : "1000");
			t[m][r] = run();
		}
	}
	put("enabled", "1");
	put("switch_hook", "0");
	put("min_sleep_ms", "1000");
	printf("1..1\n");
	for (m = 0; m < MODES; m++) {
		qsort(t[m], ROUNDS, sizeof(double), cmp);
		med[m] = t[m][ROUNDS / 2];
		printf("# pipe round trip, %-16s median %8.0f ns  ratio to off %.3f\n",
		       names[m], med[m], med[m] / med[0]);
	}
	printf("ok 1 - pingpong benchmark ran (%d rounds x %d trips per mode)\n",
	       ROUNDS, TRIPS);
	if (write(ab[1], "q", 1) != 1)
		return 1;
	pthread_join(th, NULL);
	return 0;
}
