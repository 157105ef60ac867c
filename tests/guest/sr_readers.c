// SPDX-License-Identifier: GPL-2.0
/*
 * Readers of sleeping tasks' stacks, run against reclaimed stacks (TAP):
 * sysrq t and w (sched_show_task(), and stack_not_used() with
 * DEBUG_STACK_USAGE), /proc/PID/stack, wchan, stat, syscall, and
 * /proc/vmallocinfo.  The sleepers went 8K deep first, and a second
 * thread runs reclaim passes with re-aging on all the while, so readers
 * race with pages being taken from below the sleepers' stack pointers.
 * The console judge catches any oops they cause.
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
#define N 50

static atomic_int ready, stop_reclaim;
static int go;

static void *sleeper(void *arg)
{
	(void)arg;
	put("/sys/kernel/debug/stack_reclaim/use_stack", "8192");
	atomic_fetch_add(&ready, 1);
	while (!__atomic_load_n(&go, __ATOMIC_ACQUIRE))
		syscall(SYS_futex, &go, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
	return NULL;
}

static void *reclaimer(void *arg)
{
	(void)arg;
	while (!atomic_load(&stop_reclaim)) {
		put(SYSFS "reclaim", "1");
		usleep(1000);
	}
	return NULL;
}

/* Read a whole file; 1 if it could be opened (contents are not judged). */
static int slurp(const char *path)
{
	char buf[4096];
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return 0;
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	close(fd);
	return 1;
}

int main(void)
{
	static const char *const files[] = { "stack", "wchan", "stat", "syscall" };
	pthread_t tids[N], rt;
	char path[300];
	struct dirent *e;
	int i, n = 0, opened = 0;
	DIR *d;

	if (access(SYSFS, F_OK)) {
		printf("1..1\nok 1 - readers # SKIP stack reclaim absent\n");
		return 0;
	}
	printf("TAP version 13\n1..4\n");
	for (i = 0; i < N; i++)
		pthread_create(&tids[i], NULL, sleeper, NULL);
	while (atomic_load(&ready) < N)
		usleep(10000);
	usleep(100000);
	put(SYSFS "min_sleep_ms", "0");
	put(SYSFS "reclaim", "1");
	put(SYSFS "reage_ms", "1");
	pthread_create(&rt, NULL, reclaimer, NULL);

	/* Every task, kernel threads included, with holes in its stack. */
	put("/proc/sysrq-trigger", "t");
	put("/proc/sysrq-trigger", "w");
	printf("ok %d - sysrq t and w on reclaimed stacks\n", ++n);

	d = opendir("/proc/self/task");
	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		for (i = 0; i < 4; i++) {
			snprintf(path, sizeof(path), "/proc/self/task/%s/%s", e->d_name, files[i]);
			opened += slurp(path);
		}
	}
	if (d)
		closedir(d);
	printf("%sok %d - /proc/PID/{stack,wchan,stat,syscall} of %d threads read\n",
	       opened >= 3 * N ? "" : "not ", ++n, N);
	printf("%sok %d - /proc/vmallocinfo read\n", slurp("/proc/vmallocinfo") ? "" : "not ", ++n);
	if (access("/sys/kernel/debug/kmemleak", W_OK))
		printf("ok %d - kmemleak scan # SKIP no kmemleak in this kernel\n", ++n);
	else
		printf("%sok %d - kmemleak scan of reclaimed stacks\n",
		       put("/sys/kernel/debug/kmemleak", "scan") ? "not " : "", ++n);

	atomic_store(&stop_reclaim, 1);
	pthread_join(rt, NULL);
	printf("# pages re-aged so far: %ld\n", stat_of("pages_reaged"));
	put(SYSFS "reage_ms", "0");
	__atomic_store_n(&go, 1, __ATOMIC_RELEASE);
	syscall(SYS_futex, &go, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
	for (i = 0; i < N; i++)
		pthread_join(tids[i], NULL);
	put(SYSFS "min_sleep_ms", "1000");
	return 0;
}
