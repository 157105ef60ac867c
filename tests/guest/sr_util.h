/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the guest test programs: writing a sysfs/procfs file,
 * reading a stack reclaim statistic or a /proc/meminfo field, private
 * futexes, and moving into a memory cgroup.
 */
#ifndef SR_UTIL_H
#define SR_UTIL_H

#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define SR_STATS "/sys/kernel/debug/stack_reclaim/stats"
/* The system freezer, with pm_test=freezer: freeze, wait, thaw. */
#define POWER "/sys/power/"
#define PM_TEST_DELAY "/sys/module/suspend/parameters/pm_test_delay"

/* Write @v to @path: 0 if all of it was taken, else -errno (-EIO if short). */
static inline int put(const char *path, const char *v)
{
	int fd = open(path, O_WRONLY), ret = 0;
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, v, strlen(v));
	if (n < 0)
		ret = -errno;
	else if ((size_t)n != strlen(v))
		ret = -EIO;
	close(fd);
	return ret;
}

/* Read @path to its end and throw it away: 0, or -errno if it won't open. */
static inline int read_all(const char *path)
{
	char buf[4096];
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return -errno;
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	close(fd);
	return 0;
}

/*
 * The number after @key on a line of @path that starts with @key followed
 * by @sep ("name value", "Key: value"), or -1 if there is none.
 */
static inline long field_of(const char *path, const char *key, char sep)
{
	size_t len = strlen(key);
	char line[256];
	long v = -1;
	FILE *f = fopen(path, "r");

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, key, len) && line[len] == sep)
			v = atol(line + len + 1);
	if (f)
		fclose(f);
	return v;
}

/* A "name value" line of the debugfs stats, or -1 if there is none. */
static inline long stat_of(const char *name)
{
	return field_of(SR_STATS, name, ' ');
}

/* A /proc/meminfo field in kB, or -1. */
static inline long meminfo_kb(const char *key)
{
	return field_of("/proc/meminfo", key, ':');
}

static inline void futex_wait(int *w, int val)
{
	syscall(SYS_futex, w, FUTEX_WAIT_PRIVATE, val, NULL, NULL, 0);
}

static inline void futex_wake(int *w, int n)
{
	syscall(SYS_futex, w, FUTEX_WAKE_PRIVATE, n, NULL, NULL, 0);
}

/* Seconds on the monotonic clock. */
static inline double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

/* Let this process hold @need file descriptors (it runs as root). */
static inline void raise_nofile(long need)
{
	struct rlimit r;

	if (getrlimit(RLIMIT_NOFILE, &r) || (long)r.rlim_cur >= need)
		return;
	r.rlim_cur = need;
	if ((long)r.rlim_max < need)
		r.rlim_max = need;
	if (setrlimit(RLIMIT_NOFILE, &r))
		perror("setrlimit RLIMIT_NOFILE");
}

/* Mount cgroup2 on /sys/fs/cgroup unless it is there already. */
static inline void mount_cgroup2(void)
{
	mkdir("/sys/fs/cgroup", 0755);
	mount("none", "/sys/fs/cgroup", "cgroup2", 0, NULL);
}

/*
 * Move this process into memory cgroup /sys/fs/cgroup/@name limited to
 * @max (cgroup2 mounted if need be).  0 on success, else -errno.
 */
static inline int enter_memcg(const char *name, const char *max)
{
	char path[128], pid[16];

	mount_cgroup2();
	put("/sys/fs/cgroup/cgroup.subtree_control", "+memory");
	snprintf(path, sizeof(path), "/sys/fs/cgroup/%s", name);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "/sys/fs/cgroup/%s/memory.max", name);
	put(path, max);
	snprintf(path, sizeof(path), "/sys/fs/cgroup/%s/cgroup.procs", name);
	snprintf(pid, sizeof(pid), "%d", getpid());
	return put(path, pid);
}

#endif /* SR_UTIL_H */
