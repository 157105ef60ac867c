// SPDX-License-Identifier: GPL-2.0
/*
 * Stack walkers against re-aging at its most eager (TAP).
 *
 * A walker that pins a task's stack (try_get_task_stack(): /proc/PID/stack,
 * sched_show_task() for sysrq t, wchan) reads the saved stack pointer once
 * and then walks up from it.  If the task is switched out deep, the walker
 * is preempted after reading that SP, and meanwhile the task returns,
 * sleeps shallow and has the pages below its new SP re-aged, the walker
 * resumes on pages that are gone.  This makes that happen as often as it
 * can: NR_DEEP threads alternate 5 ms asleep 8K deep in the kernel
 * (debugfs use_stack "8192 5") with 20 ms asleep near the top of their
 * stacks; re-aging runs every 10 ms with reage_ms=1 and min_sleep_ms=0;
 * low-priority walkers read every thread's /proc/PID/stack and wchan while
 * CPU hogs preempt them; sysrq t, whose walks print frame by frame to a
 * slow console, runs every second.  Without the fix this oopses in the
 * unwinder within seconds.  The console judge catches
 * that; the program checks that re-aging really ran during the race.
 * SR_WALKERS_SECS sets the duration (default 20 s of guest time),
 * SR_WALKERS_REAGE_MS the re-aging age (default 1; 0 runs the same load
 * without re-aging).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "sr_util.h"

#define SYSFS "/sys/kernel/mm/stack_reclaim/"
#define USE_STACK "/sys/kernel/debug/stack_reclaim/use_stack"
#define NR_DEEP 32
#define NR_WALKERS 4
#define NR_HOGS 2

static atomic_int stop;
static atomic_long walks, deep_bursts;
static pid_t deep_tid[NR_DEEP];
static atomic_int nr_started;

static void *deep_thread(void *arg)
{
	long i = (long)arg;
	struct timespec shallow = { 0, 20 * 1000 * 1000 };
	int fd = open(USE_STACK, O_WRONLY);

	deep_tid[i] = syscall(SYS_gettid);
	atomic_fetch_add(&nr_started, 1);
	while (fd >= 0 && !atomic_load(&stop)) {
		/* Asleep 5 ms at the bottom of 8K of stack. */
		if (write(fd, "8192 5", 6) != 6)
			break;
		atomic_fetch_add(&deep_bursts, 1);
		nanosleep(&shallow, NULL);
	}
	if (fd >= 0)
		close(fd);
	return NULL;
}

static void *walker(void *arg)
{
	char path[64];
	int i;

	(void)arg;
	setpriority(PRIO_PROCESS, syscall(SYS_gettid), 19);
	while (!atomic_load(&stop)) {
		for (i = 0; i < NR_DEEP; i++) {
			snprintf(path, sizeof(path), "/proc/self/task/%d/stack", deep_tid[i]);
			read_all(path);
			snprintf(path, sizeof(path), "/proc/self/task/%d/wchan", deep_tid[i]);
			read_all(path);
			atomic_fetch_add(&walks, 1);
		}
	}
	return NULL;
}

static void *hog(void *arg)
{
	(void)arg;
	while (!atomic_load(&stop))
		;
	return NULL;
}

int main(void)
{
	pthread_t deep[NR_DEEP], walk[NR_WALKERS], hogs[NR_HOGS];
	const char *env = getenv("SR_WALKERS_SECS");
	double secs = env ? atof(env) : 20, end, next_sysrq;
	long reaged, skipped, sysrqs = 0;
	long i;

	if (access(SYSFS, F_OK) || access(USE_STACK, W_OK)) {
		printf("1..1\nok 1 - walkers # SKIP stack reclaim or use_stack absent\n");
		return 0;
	}
	printf("TAP version 13\n1..2\n");
	put(SYSFS "min_sleep_ms", "0");
	/* SR_WALKERS_REAGE_MS=0: the same load without re-aging. */
	put(SYSFS "reage_ms", getenv("SR_WALKERS_REAGE_MS") ?: "1");
	put(SYSFS "scan_interval_ms", "10");
	reaged = stat_of("pages_reaged");
	skipped = stat_of("reage_skipped_pinned");

	for (i = 0; i < NR_DEEP; i++)
		pthread_create(&deep[i], NULL, deep_thread, (void *)i);
	while (atomic_load(&nr_started) < NR_DEEP)
		usleep(1000);
	for (i = 0; i < NR_WALKERS; i++)
		pthread_create(&walk[i], NULL, walker, NULL);
	for (i = 0; i < NR_HOGS; i++)
		pthread_create(&hogs[i], NULL, hog, NULL);

	end = now_s() + secs;
	next_sysrq = now_s() + 1;
	while (now_s() < end) {
		usleep(100000);
		if (now_s() >= next_sysrq) {
			put("/proc/sysrq-trigger", "t");
			sysrqs++;
			next_sysrq = now_s() + 1;
		}
	}
	atomic_store(&stop, 1);
	for (i = 0; i < NR_HOGS; i++)
		pthread_join(hogs[i], NULL);
	for (i = 0; i < NR_WALKERS; i++)
		pthread_join(walk[i], NULL);
	for (i = 0; i < NR_DEEP; i++)
		pthread_join(deep[i], NULL);
	put(SYSFS "scan_interval_ms", "0");
	put(SYSFS "reage_ms", "0");
	put(SYSFS "min_sleep_ms", "1000");

	reaged = stat_of("pages_reaged") - reaged;
	printf("# %.0f s: %ld deep bursts, %ld walks, %ld sysrq t, %ld pages re-aged",
	       secs, atomic_load(&deep_bursts), atomic_load(&walks), sysrqs, reaged);
	if (skipped >= 0)
		printf(", %ld re-agings passed over for a pinned stack",
		       stat_of("reage_skipped_pinned") - skipped);
	printf("\n");
	printf("%sok 1 - walkers and sysrq t raced with re-aging\n",
	       atomic_load(&walks) > 0 && atomic_load(&deep_bursts) > NR_DEEP ? "" : "not ");
	if (getenv("SR_WALKERS_REAGE_MS") && !atoi(getenv("SR_WALKERS_REAGE_MS")))
		printf("ok 2 - re-aging took pages during the race # SKIP re-aging off\n");
	else
		printf("%sok 2 - re-aging took pages during the race\n",
		       reaged > 0 ? "" : "not ");
	return 0;
}
