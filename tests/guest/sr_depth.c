// SPDX-License-Identifier: GPL-2.0
/*
 * How deep do common syscalls go on the kernel stack?  For each probe, a
 * batch of threads runs it once and goes to sleep; a reclaim pass then
 * tells, through the touched_pages histogram, how many stack pages those
 * threads have ever used.  Prints one line per probe.
 * Checks that the histogram sees depth at all (the use_stack probe), and
 * shows that in this small kernel no probed syscall, not even memcg direct
 * reclaim, gets past the top page: hence sr_bench's use of use_stack.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/futex.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sr_util.h"

#define SYSFS "/sys/kernel/mm/stack_reclaim/"
#define BATCH 100
#define PAGES 4

static atomic_int ready;
static int go;
static int pipes[64][2];
static int epfd;

static void hist(long h[PAGES + 1])
{
	char line[256];
	FILE *f = fopen(SR_STATS, "r");
	unsigned int i;

	memset(h, 0, sizeof(long) * (PAGES + 1));
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "touched_pages_%u", &i) == 1 && i <= PAGES)
			h[i] = atol(strchr(line, ' '));
	if (f)
		fclose(f);
}

static void op_none(void) { }

static void op_poll(void)
{
	struct pollfd p[64];
	int i;

	for (i = 0; i < 64; i++) {
		p[i].fd = pipes[i][1];
		p[i].events = POLLOUT;
	}
	poll(p, 64, 0);
}

static void op_select(void)
{
	struct timeval tv = { 0, 0 };
	fd_set w;
	int i, max = 0;

	FD_ZERO(&w);
	for (i = 0; i < 64; i++) {
		FD_SET(pipes[i][1], &w);
		if (pipes[i][1] > max)
			max = pipes[i][1];
	}
	select(max + 1, NULL, &w, NULL, &tv);
}

static void op_symlinks(void)
{
	struct stat st;

	stat("/tmp/depth/l39", &st);
}

static void op_procstack(void)
{
	char path[64], buf[4096];
	int fd;

	snprintf(path, sizeof(path), "/proc/self/task/%ld/stack", syscall(SYS_gettid));
	fd = open(path, O_RDONLY);
	if (fd >= 0) {
		if (read(fd, buf, sizeof(buf)) < 0)
			buf[0] = 0;
		close(fd);
	}
}

static void op_kmsg(void)
{
	put("/dev/kmsg", "<7>sr_depth probe\n");
}

static void *nothing(void *a) { return a; }

static void op_clone(void)
{
	pthread_t t;

	if (!pthread_create(&t, NULL, nothing, NULL))
		pthread_join(t, NULL);
}

static void op_epoll(void)
{
	struct epoll_event ev;

	epoll_wait(epfd, &ev, 1, 0);
}

static void op_fault(void)
{
	char *p = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int fd = open("/dev/zero", O_RDONLY);

	if (p != MAP_FAILED && fd >= 0 && read(fd, p, 1 << 20) < 0)
		perror("read");
	if (fd >= 0)
		close(fd);
	if (p != MAP_FAILED)
		munmap(p, 1 << 20);
}

static void op_tmpfs(void)
{
	char path[64], buf[8192] = { 1 };
	int fd;

	snprintf(path, sizeof(path), "/tmp/depth/f%ld", syscall(SYS_gettid));
	fd = open(path, O_CREAT | O_RDWR | O_TRUNC, 0600);
	if (fd >= 0) {
		if (write(fd, buf, sizeof(buf)) < 0 || fsync(fd))
			perror("tmpfs");
		close(fd);
		unlink(path);
	}
}

/*
 * Negative dentries (kernfs keeps them) charged to a small memory cgroup:
 * the allocating thread runs memcg direct reclaim.
 */
static void op_memcg(void)
{
	char path[64];
	struct stat st;
	int i;

	for (i = 0; i < 3000; i++) {
		snprintf(path, sizeof(path), "/sys/kernel/nx-%ld-%d", syscall(SYS_gettid), i);
		stat(path, &st);
	}
}

static void op_use_stack(void)
{
	put("/sys/kernel/debug/stack_reclaim/use_stack", "8192");
}

static const struct probe {
	const char *name;
	void (*op)(void);
} probes[] = {
	{ "futex-only", op_none }, { "poll-64", op_poll },
	{ "select-64", op_select }, { "symlink-chain-40", op_symlinks },
	{ "proc-stack", op_procstack }, { "dev-kmsg", op_kmsg },
	{ "pthread-create", op_clone }, { "epoll-nested-4", op_epoll },
	{ "user-fault-1M", op_fault }, { "tmpfs-write", op_tmpfs },
	{ "memcg-reclaim", op_memcg }, { "use_stack-8192", op_use_stack },
};

static void *worker(void *arg)
{
	const struct probe *p = arg;

	p->op();
	atomic_fetch_add(&ready, 1);
	while (!__atomic_load_n(&go, __ATOMIC_ACQUIRE))
		syscall(SYS_futex, &go, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
	return NULL;
}

static void setup(void)
{
	struct epoll_event ev = { .events = EPOLLIN };
	char a[64], b[64];
	int i, e, efd;

	for (i = 0; i < 64; i++)
		if (pipe(pipes[i]))
			exit(1);
	mkdir("/tmp/depth", 0700);
	for (i = 0; i < 40; i++) {
		snprintf(a, sizeof(a), "/tmp/depth/l%d", i);
		snprintf(b, sizeof(b), i ? "l%d" : "/tmp", i - 1);
		if (symlink(b, a))
			perror("symlink");
	}
	/* epoll in epoll, four deep, with a ready eventfd at the bottom. */
	efd = eventfd(1, 0);
	ev.data.fd = efd;
	for (i = 0; i < 4; i++) {
		e = epoll_create1(0);
		if (epoll_ctl(e, EPOLL_CTL_ADD, efd, &ev))
			perror("epoll_ctl");
		efd = e;
		ev.data.fd = e;
	}
	epfd = efd;
}

static long memcg_max_events(void)
{
	char line[128];
	long v = -1;
	FILE *f = fopen("/sys/fs/cgroup/depth/memory.events", "r");

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "max ", 4))
			v = atol(line + 4);
	if (f)
		fclose(f);
	return v;
}

int main(void)
{
	long before[PAGES + 1], after[PAGES + 1];
	pthread_t t[BATCH];
	unsigned int i, k;
	int shallow_ok = 0, deep_ok = 0;

	if (access(SYSFS "reclaim", W_OK)) {
		printf("1..1\nok 1 - depth # SKIP stack reclaim absent\n");
		return 0;
	}
	setup();
	put(SYSFS "min_sleep_ms", "0");
	for (k = 0; k < sizeof(probes) / sizeof(probes[0]); k++) {
		if (probes[k].op == op_memcg && enter_memcg("depth", "32M"))
			continue;
		put(SYSFS "reclaim", "1");
		hist(before);
		atomic_store(&ready, 0);
		go = 0;
		for (i = 0; i < BATCH; i++)
			pthread_create(&t[i], NULL, worker, (void *)&probes[k]);
		while (atomic_load(&ready) < BATCH)
			usleep(1000);
		usleep(100000);
		put(SYSFS "reclaim", "1");
		hist(after);
		printf("# %-18s threads by stack pages touched:", probes[k].name);
		for (i = 1; i <= PAGES; i++)
			printf(" %u:%ld", i, after[i] - before[i]);
		printf("\n");
		if (probes[k].op == op_memcg)
			printf("#   (memory.max reached %ld times)\n", memcg_max_events());
		if (probes[k].op == op_none)
			shallow_ok = after[1] - before[1] >= BATCH * 9 / 10;
		if (probes[k].op == op_use_stack)
			deep_ok = after[3] + after[4] - before[3] - before[4] >= BATCH * 9 / 10;
		__atomic_store_n(&go, 1, __ATOMIC_RELEASE);
		syscall(SYS_futex, &go, FUTEX_WAKE_PRIVATE, BATCH, NULL, NULL, 0);
		for (i = 0; i < BATCH; i++)
			pthread_join(t[i], NULL);
	}
	put(SYSFS "min_sleep_ms", "1000");
	printf("1..2\n%sok 1 - futex sleepers touch only the top stack page\n",
	       shallow_ok ? "" : "not ");
	printf("%sok 2 - use_stack 8192 shows as 3+ touched pages in the histogram\n",
	       deep_ok ? "" : "not ");
	return 0;
}
