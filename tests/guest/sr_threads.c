// SPDX-License-Identifier: GPL-2.0
/*
 * Stack reclaim end-to-end test (kselftest style, TAP output).
 *
 * Starts N sleeping threads (default 10,000), measures /proc/meminfo
 * KernelStack, asks the kernel to reclaim now, and checks that KernelStack
 * fell by at least 70% of what the threads' stacks took, and VmallocUsed
 * with it.  Then every thread wakes, makes a few syscalls that run on its
 * (repopulated) stack, and exits.
 *
 *   sr_threads            test mode (asserts)
 *   sr_threads --demo     print a table of the figures, assert nothing
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/futex.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#define SYSFS "/sys/kernel/mm/stack_reclaim/"

static atomic_int ready, done_ok, done_bad;
/* The first failure a woken thread saw: its step and errno, for the log. */
static const char *_Atomic first_bad_step;
static atomic_int first_bad_errno;
/* How many woken threads were in their syscalls at once, at most. */
static atomic_int running, most_running;
static int go;
static int tap_n;

static void tap(int ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#include <stdarg.h>

#include "sr_util.h"
static void tap(int ok, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %d - ", ok ? "" : "not ", ++tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

static int read_str(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = 0;
	return 0;
}

/* Record the first failed step; later failures only count. */
static int failed(const char *step)
{
	const char *none = NULL;

	if (atomic_compare_exchange_strong(&first_bad_step, &none, step))
		atomic_store(&first_bad_errno, errno);
	return 0;
}

/* Tasks in the system: the fourth field of /proc/loadavg, "running/total". */
static long nr_tasks(void)
{
	char buf[128], *slash;

	if (read_str("/proc/loadavg", buf, sizeof(buf)))
		return 0;
	slash = strchr(buf, '/');
	return slash ? atol(slash + 1) : 0;
}

static void *sleeper(void *arg)
{
	char path[64], buf[512];
	struct utsname u;
	struct pollfd p;
	int fd, pipefd[2];
	int ok = 1, n;

	(void)arg;
	atomic_fetch_add(&ready, 1);
	while (!__atomic_load_n(&go, __ATOMIC_ACQUIRE))
		futex_wait(&go, 0);

	n = atomic_fetch_add(&running, 1) + 1;
	for (int m = atomic_load(&most_running); m < n;)
		if (atomic_compare_exchange_weak(&most_running, &m, n))
			break;

	/* Run on the repopulated stack: a few syscalls with some depth. */
	snprintf(path, sizeof(path), "/proc/self/task/%ld/status", syscall(SYS_gettid));
	fd = open(path, O_RDONLY);
	if (fd < 0)
		ok = failed("open status");
	else if (read(fd, buf, sizeof(buf)) <= 0)
		ok = failed("read status");
	if (fd >= 0)
		close(fd);
	if (uname(&u)) {
		ok = failed("uname");
	} else if (pipe(pipefd)) {
		ok = failed("pipe");
	} else {
		p.fd = pipefd[0];
		p.events = POLLIN;
		if (write(pipefd[1], "x", 1) != 1)
			ok = failed("pipe write");
		else if (poll(&p, 1, 1000) != 1)
			ok = failed("poll");
		else if (read(pipefd[0], buf, 1) != 1)
			ok = failed("pipe read");
		close(pipefd[0]);
		close(pipefd[1]);
	}
	atomic_fetch_sub(&running, 1);
	atomic_fetch_add(ok ? &done_ok : &done_bad, 1);
	return NULL;
}

int main(int argc, char **argv)
{
	int demo = argc > 1 && !strcmp(argv[1], "--demo");
	int n = 10000, i, created = 0, have;
	long k0, k1, k2, k3, r0, r3, t0, t3, v1, v2;
	char old_min[32] = "", buf[4096];
	pthread_t *tids;
	pthread_attr_t attr;
	double used, freed, saving = 0;

	if (getenv("SR_THREADS"))
		n = atoi(getenv("SR_THREADS"));
	have = access(SYSFS "reclaim", W_OK) == 0;
	if (!demo)
		printf("TAP version 13\n1..%d\n", have ? 6 : 1);

	if (have) {
		/* Every sleeper counts, however briefly it has slept. */
		read_str(SYSFS "min_sleep_ms", old_min, sizeof(old_min));
		put(SYSFS "min_sleep_ms", "0");
	}

	/* The default threads-max scales down with THREAD_SIZE (32K stacks). */
	put("/proc/sys/kernel/threads-max", "100000");
	/*
	 * Each woken thread holds three descriptors at once, and all of them
	 * may wake together: the default limit of 1024 would fail the test
	 * whenever more than 340 of them run at the same time.
	 */
	raise_nofile(3L * n + 64);
	tids = calloc(n, sizeof(*tids));
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 64 * 1024);
	k0 = meminfo_kb("KernelStack");
	r0 = have ? stat_of("pages_reclaimed_now") : 0;
	t0 = nr_tasks();
	for (i = 0; i < n; i++) {
		if (pthread_create(&tids[i], &attr, sleeper, NULL))
			break;
		created++;
	}
	while (atomic_load(&ready) < created)
		usleep(10000);
	usleep(200000);	/* let the last ones reach futex_wait() */
	k1 = meminfo_kb("KernelStack");
	v1 = meminfo_kb("VmallocUsed");
	used = k1 - k0;

	if (have) {
		if (put(SYSFS "reclaim", "1"))
			fprintf(stderr, "reclaim trigger failed\n");
	}
	k2 = meminfo_kb("KernelStack");
	v2 = meminfo_kb("VmallocUsed");
	if (have && !demo)
		printf("# the reclaim pass over %d sleepers took %ld ms\n", created,
		       stat_of("full_pass_last_ms"));
	freed = k1 - k2;
	if (used > 0)
		saving = 100.0 * freed / used;

	if (demo) {
		printf("%-34s %10d\n", "sleeping threads", created);
		printf("%-34s %10ld kB\n", "KernelStack, no threads", k0);
		printf("%-34s %10ld kB  (%.1f kB per thread)\n", "KernelStack, threads asleep",
		       k1, used / created);
		if (have) {
			printf("%-34s %10ld kB  (%.1f kB per thread)\n",
			       "KernelStack, after reclaim", k2, (used - freed) / created);
			printf("%-34s %9.1f %%   (limit for %.0f K stacks: %.1f %%)\n",
			       "saving on the threads' stacks", saving, used / created,
			       100.0 * (1 - 4.0 / (used / created)));
		} else {
			printf("stack reclaim is ABSENT from this kernel: stock figures only, no saving\n");
		}
	} else {
		tap(created == n, "created %d/%d sleeping threads", created, n);
		if (have)
			tap(used > 0 && saving >= 70.0,
			    "KernelStack: %ld kB -> %ld kB after reclaim; %.0f of %.0f kB freed (%.1f%%, need >= 70%%)",
			    k1, k2, freed, used, saving);
		/*
		 * The pages reclaimed are vmalloc pages no longer there:
		 * VmallocUsed falls with KernelStack (slack: stacks of tasks
		 * the kernel started meanwhile, other vmalloc users).
		 */
		if (have)
			tap(freed > 0 && labs((v1 - v2) - (k1 - k2)) <= (k1 - k2) / 20 + 1024,
			    "VmallocUsed: %ld kB -> %ld kB after reclaim, %ld kB less; KernelStack %ld kB less",
			    v1, v2, v1 - v2, k1 - k2);
	}

	__atomic_store_n(&go, 1, __ATOMIC_RELEASE);
	syscall(SYS_futex, &go, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
	for (i = 0; i < created; i++)
		pthread_join(tids[i], NULL);
	k3 = meminfo_kb("KernelStack");
	r3 = have ? stat_of("pages_reclaimed_now") : 0;
	t3 = nr_tasks();

	if (demo) {
		printf("%-34s %10ld kB\n", "KernelStack, threads exited", k3);
		if (have && !read_str(SR_STATS, buf, sizeof(buf)))
			printf("\n%s:\n%s", SR_STATS, buf);
	} else if (have) {
		printf("# up to %d woken threads in their syscalls at once\n",
		       atomic_load(&most_running));
		if (atomic_load(&first_bad_step))
			printf("# first failure: %s: %s\n", atomic_load(&first_bad_step),
			       strerror(atomic_load(&first_bad_errno)));
		tap(atomic_load(&done_ok) == created && !atomic_load(&done_bad),
		    "all %d threads woke, ran syscalls and exited (%d bad)",
		    atomic_load(&done_ok), atomic_load(&done_bad));
		/*
		 * Count every stack whole: other tasks' stacks were reclaimed
		 * and refilled meanwhile (pages_reclaimed_now, 4 kB each),
		 * and tasks the kernel started (kworkers) have stacks too.
		 * Slack: a few stacks in the per-CPU cache.
		 */
		long stack_kb = created ? (k1 - k0 + created - 1) / created : 16;
		long was = k0 + 4 * r0, now = k3 + 4 * r3;
		long others = t3 > t0 ? (t3 - t0) * stack_kb : 0;
		long slack = 4 * stack_kb;

		tap(now <= was + others + slack,
		    "KernelStack, reclaimed pages counted, back to %ld kB after exit (was %ld kB; %ld new tasks: %ld kB; slack %ld kB)",
		    now, was, t3 - t0, others, slack);
		/* Steps of the series before the statistics have no directory. */
		if (access("/sys/kernel/debug/stack_reclaim", F_OK))
			printf("ok %d - debugfs stats readable # SKIP no stack_reclaim debugfs directory\n",
			       ++tap_n);
		else
			tap(!read_str(SR_STATS, buf, sizeof(buf)) &&
			    strstr(buf, "pages_reclaimed"), "debugfs stats readable");
	}
	if (have && old_min[0])
		put(SYSFS "min_sleep_ms", old_min);
	return 0;
}
