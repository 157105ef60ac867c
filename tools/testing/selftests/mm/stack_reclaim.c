// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel stack reclaim as user space sees it (CONFIG_STACK_RECLAIM,
 * Documentation/admin-guide/mm/stack_reclaim.rst):
 *
 *  - every tunable in /sys/kernel/mm/stack_reclaim/ refuses malformed and
 *    out-of-range writes with EINVAL and keeps its value;
 *  - a write to "reclaim" takes the never-touched stack pages of sleeping
 *    threads, and KernelStack in /proc/meminfo drops;
 *  - every such thread wakes, goes through a few system calls and exits,
 *    and KernelStack comes back;
 *  - /proc/vmstat counts the pages taken and put back;
 *  - enabled=0 gives every reclaimed page back at once.
 *
 * Needs root; puts back every tunable it changes.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "../kselftest.h"

#define SYSFS		"/sys/kernel/mm/stack_reclaim/"
#define NR_THREADS	256
#define WAIT_SECS	30

/* A tunable, its range, and a valid value other than its default. */
static const struct tunable {
	const char	*name;
	unsigned long	max;
	const char	*valid;
} tunables[] = {
	{ "enabled",		1,		"1" },
	{ "min_sleep_ms",	3600000,	"250" },
	{ "scan_interval_ms",	3600000,	"0" },
	{ "switch_hook",	1,		"0" },
	{ "reserve_pages",	256,		"8" },
	{ "tlb_flush",		1,		"0" },
	{ "reage_ms",		3600000,	"5000" },
};

/* (An empty write never reaches sysfs: write(2) returns 0.) */
static const char * const malformed[] = {
	"x", "-1", "1x", "0x1", " ", "1 1", "+", "99999999999999999999", "1.5",
};

static int sysfs_read(const char *name, char *buf, size_t len)
{
	char path[256];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), SYSFS "%s", name);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = 0;
	buf[strcspn(buf, "\n")] = 0;
	return 0;
}

/* 0, or the negative errno of the write. */
static int sysfs_write(const char *name, const char *val, size_t len)
{
	char path[256];
	ssize_t n;
	int fd, err = 0;

	snprintf(path, sizeof(path), SYSFS "%s", name);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -errno;
	n = write(fd, val, len);
	if (n < 0)
		err = -errno;
	close(fd);
	return err;
}

static int sysfs_puts(const char *name, const char *val)
{
	return sysfs_write(name, val, strlen(val));
}

/* The number after "@name@sep" at the start of a line of @path, or -1. */
static long proc_field(const char *path, const char *name, char sep)
{
	char line[256];
	long n = -1;
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, name, strlen(name)) &&
		    line[strlen(name)] == sep) {
			n = strtol(line + strlen(name) + 1, NULL, 10);
			break;
		}
	fclose(f);
	return n;
}

static long meminfo_kb(const char *field)
{
	return proc_field("/proc/meminfo", field, ':');
}

/* An event count in /proc/vmstat. */
static long vm_event(const char *name)
{
	return proc_field("/proc/vmstat", name, ' ');
}

/* Malformed and out-of-range writes get EINVAL and change nothing. */
static void test_tunable(const struct tunable *t)
{
	char before[64], after[64], big[32];
	unsigned int i, bad = 0;
	int err;

	if (sysfs_read(t->name, before, sizeof(before))) {
		ksft_test_result_fail("%s: cannot read\n", t->name);
		return;
	}
	for (i = 0; i < ARRAY_SIZE(malformed); i++) {
		err = sysfs_puts(t->name, malformed[i]);
		if (err != -EINVAL) {
			ksft_print_msg("%s: \"%s\" gave %d, not -EINVAL\n",
				       t->name, malformed[i], err);
			bad++;
		}
	}
	snprintf(big, sizeof(big), "%lu", t->max + 1);
	if (sysfs_puts(t->name, big) != -EINVAL) {
		ksft_print_msg("%s: %s (max + 1) accepted\n", t->name, big);
		bad++;
	}
	/* A NUL inside the write is malformed too. */
	if (sysfs_write(t->name, "1\0", 2) != -EINVAL) {
		ksft_print_msg("%s: a write with a NUL accepted\n", t->name);
		bad++;
	}
	if (sysfs_read(t->name, after, sizeof(after)) || strcmp(before, after)) {
		ksft_print_msg("%s: %s changed to %s\n", t->name, before, after);
		bad++;
	}
	if (sysfs_puts(t->name, t->valid) ||
	    sysfs_read(t->name, after, sizeof(after)) || strcmp(after, t->valid)) {
		ksft_print_msg("%s: %s not taken\n", t->name, t->valid);
		bad++;
	}
	sysfs_puts(t->name, before);
	ksft_test_result(!bad, "%s: bad writes get EINVAL, value unchanged\n",
			 t->name);
}

/* ---- a herd of sleeping threads ------------------------------------ */

static atomic_int go;			/* futex word: 1 releases the herd */
static atomic_int waiting, finished, bad_syscalls;

static void *sleeper(void *arg)
{
	struct utsname u;
	char buf[512];
	int fd;

	atomic_fetch_add(&waiting, 1);
	while (!atomic_load(&go))
		syscall(SYS_futex, &go, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
	/* Back in the kernel on a stack that was reclaimed while asleep. */
	fd = open("/proc/self/status", O_RDONLY);
	if (fd < 0 || read(fd, buf, sizeof(buf)) <= 0 || uname(&u))
		atomic_fetch_add(&bad_syscalls, 1);
	if (fd >= 0)
		close(fd);
	atomic_fetch_add(&finished, 1);
	return NULL;
}

struct herd {
	pthread_t	th[NR_THREADS];
	int		n;
};

static int herd_start(struct herd *h)
{
	pthread_attr_t attr;
	int ms;

	atomic_store(&go, 0);
	atomic_store(&waiting, 0);
	atomic_store(&finished, 0);
	atomic_store(&bad_syscalls, 0);
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 64 * 1024);
	for (h->n = 0; h->n < NR_THREADS; h->n++)
		if (pthread_create(&h->th[h->n], &attr, sleeper, NULL))
			break;
	pthread_attr_destroy(&attr);
	for (ms = 0; atomic_load(&waiting) < h->n && ms < WAIT_SECS * 1000; ms++)
		usleep(1000);
	/* Into futex_wait() and off their CPUs. */
	usleep(200000);
	return h->n;
}

/* Release the herd; true if every thread ran and exited in time. */
static bool herd_finish(struct herd *h)
{
	int i, ms;

	atomic_store(&go, 1);
	syscall(SYS_futex, &go, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
	for (ms = 0; atomic_load(&finished) < h->n && ms < WAIT_SECS * 1000; ms++)
		usleep(1000);
	if (atomic_load(&finished) < h->n)
		return false;		/* a lost wakeup: leave them */
	for (i = 0; i < h->n; i++)
		pthread_join(h->th[i], NULL);
	return !atomic_load(&bad_syscalls);
}

/*
 * Reclaim a sleeping herd: KernelStack must drop by at least half of what
 * the herd's stacks hold beyond their top pages, then come back once the
 * herd has run and exited.
 */
static void test_reclaim_and_wake(void)
{
	long base, asleep, reclaimed, per_thread, want, after;
	long taken[2], refilled[2], page_kb = sysconf(_SC_PAGESIZE) / 1024;
	struct herd h;

	base = meminfo_kb("KernelStack");
	if (herd_start(&h) < NR_THREADS) {
		ksft_test_result_fail("started %d of %d threads\n", h.n, NR_THREADS);
		herd_finish(&h);
		ksft_test_result_skip("no herd to wake\n");
		ksft_test_result_skip("no herd to count\n");
		ksft_test_result_skip("no herd to exit\n");
		return;
	}
	asleep = meminfo_kb("KernelStack");
	per_thread = (asleep - base) / h.n;
	taken[0] = vm_event("kstack_pages_reclaimed");
	sysfs_puts("reclaim", "1");
	reclaimed = meminfo_kb("KernelStack");
	taken[1] = vm_event("kstack_pages_reclaimed");
	/* Every page but the top one may go: 4 kB of each stack stays. */
	want = (per_thread - 4) * h.n / 2;
	ksft_print_msg("KernelStack %ld kB with %d sleepers (%ld kB each), %ld kB after reclaim\n",
		       asleep, h.n, per_thread, reclaimed);
	ksft_print_msg("reclaim took %ld of %ld kB beyond the top pages, want >= %ld\n",
		       asleep - reclaimed, (per_thread - 4) * h.n, want);
	ksft_test_result(per_thread > 4 && asleep - reclaimed >= want,
			 "reclaim takes sleepers' untouched stack pages\n");
	refilled[0] = vm_event("kstack_pages_repopulated");
	ksft_test_result(herd_finish(&h),
			 "every reclaimed thread woke, made system calls and exited\n");
	refilled[1] = vm_event("kstack_pages_repopulated");
	after = meminfo_kb("KernelStack");
	/*
	 * The pass takes at least what reclaim must take from the herd (and
	 * whatever it finds elsewhere); the herd's pages come back as it
	 * wakes.  KernelStack also moves with tasks that come and go, so
	 * the counts are held to want, not to its exact drop.
	 */
	ksft_print_msg("/proc/vmstat: %ld pages reclaimed, %ld repopulated as the herd woke\n",
		       taken[1] - taken[0], refilled[1] - refilled[0]);
	if (taken[0] < 0 && vm_event("pgfault") < 0)
		ksft_test_result_skip("/proc/vmstat: no CONFIG_VM_EVENT_COUNTERS\n");
	else
		ksft_test_result(taken[0] >= 0 && want > 0 &&
				 (taken[1] - taken[0]) * page_kb >= want &&
				 (refilled[1] - refilled[0]) * page_kb >= want,
				 "/proc/vmstat counts the pages reclaimed and repopulated\n");
	ksft_print_msg("KernelStack %ld kB after exit, %ld kB before the herd\n",
		       after, base);
	ksft_test_result(after <= base + per_thread * 4,
			 "KernelStack back after the herd exits\n");
}

/* enabled=0 puts every reclaimed page back before it returns. */
static void test_disable_gives_back(void)
{
	long asleep, reclaimed, disabled;
	struct herd h;

	herd_start(&h);
	asleep = meminfo_kb("KernelStack");
	sysfs_puts("reclaim", "1");
	reclaimed = meminfo_kb("KernelStack");
	sysfs_puts("enabled", "0");
	disabled = meminfo_kb("KernelStack");
	sysfs_puts("enabled", "1");
	ksft_print_msg("KernelStack %ld kB asleep, %ld kB reclaimed, %ld kB with enabled=0\n",
		       asleep, reclaimed, disabled);
	/* Back to within a tenth of what reclaim took (other tasks run). */
	ksft_test_result(reclaimed < asleep &&
			 disabled >= asleep - (asleep - reclaimed) / 10,
			 "enabled=0 gives the reclaimed pages back\n");
	ksft_test_result(herd_finish(&h), "the herd woke and exited\n");
}

int main(void)
{
	char min_sleep[64], enabled[64];
	unsigned int i;

	ksft_print_header();
	if (access(SYSFS, F_OK))
		ksft_exit_skip("no %s: CONFIG_STACK_RECLAIM is off\n", SYSFS);
	if (geteuid())
		ksft_exit_skip("needs root\n");
	if (sysfs_read("min_sleep_ms", min_sleep, sizeof(min_sleep)) ||
	    sysfs_read("enabled", enabled, sizeof(enabled)))
		ksft_exit_fail_msg("cannot read the tunables\n");
	ksft_set_plan(ARRAY_SIZE(tunables) + 6);

	for (i = 0; i < ARRAY_SIZE(tunables); i++)
		test_tunable(&tunables[i]);

	sysfs_puts("enabled", "1");
	/* Take sleepers at once, not after a second. */
	sysfs_puts("min_sleep_ms", "0");
	test_reclaim_and_wake();
	test_disable_gives_back();
	sysfs_puts("min_sleep_ms", min_sleep);
	sysfs_puts("enabled", enabled);

	ksft_finished();
}
