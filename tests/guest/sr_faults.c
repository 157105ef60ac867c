// SPDX-License-Identifier: GPL-2.0
/*
 * Allocation failure (TAP).  With debugfs fail_stack_reclaim failing every
 * reserve refill and every stack_reclaimd allocation, wakeups of reclaimed
 * threads must wait (deferred), not crash and not run with a hole; when
 * injection stops they must all complete.  The same across a system freeze
 * and thaw.  A write of enabled=0 that waits for memory ends on SIGKILL.
 * Then cycles of reclaim and wake with 30% of allocations
 * failing, and the same inside a memory cgroup that another process is
 * driving into OOM.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/futex.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <pthread.h>
#include <time.h>
#include <unistd.h>

#include "sr_util.h"

#define SYSFS "/sys/kernel/mm/stack_reclaim/"
#define FAIL "/sys/kernel/debug/fail_stack_reclaim/"
#define N 200

static atomic_int asleep, done;
static int go;
static int tap_n;

static void tap(int ok, const char *what)
{
	printf("%sok %d - %s\n", ok ? "" : "not ", ++tap_n, what);
	fflush(stdout);
}

static void *sleeper(void *arg)
{
	int gen = (int)(long)arg;

	atomic_fetch_add(&asleep, 1);
	while (__atomic_load_n(&go, __ATOMIC_ACQUIRE) == gen)
		syscall(SYS_futex, &go, FUTEX_WAIT_PRIVATE, gen, NULL, NULL, 0);
	atomic_fetch_add(&done, 1);
	return NULL;
}

static pthread_t th[N];

/* Start N sleepers and take their stack pages. */
static void sleep_and_reclaim(void)
{
	int i;

	atomic_store(&asleep, 0);
	atomic_store(&done, 0);
	for (i = 0; i < N; i++)
		pthread_create(&th[i], NULL, sleeper, (void *)(long)go);
	while (atomic_load(&asleep) < N)
		usleep(1000);
	usleep(100000);
	put(SYSFS "reclaim", "1");
}

static void wake_all(void)
{
	__atomic_add_fetch(&go, 1, __ATOMIC_RELEASE);
	syscall(SYS_futex, &go, FUTEX_WAKE_PRIVATE, N, NULL, NULL, 0);
}

/* Wait up to @secs for every sleeper to finish; join them. */
static int all_done(double secs)
{
	double end = now_s() + secs;
	int i;

	while (atomic_load(&done) < N && now_s() < end)
		usleep(5000);
	if (atomic_load(&done) < N)
		return 0;
	for (i = 0; i < N; i++)
		pthread_join(th[i], NULL);
	return 1;
}

static void inject(const char *probability)
{
	put(FAIL "probability", probability);
}

static int cycles(int n)
{
	int c, ok = 1;

	for (c = 0; c < n && ok; c++) {
		sleep_and_reclaim();
		wake_all();
		ok = all_done(30);
	}
	return ok;
}

/*
 * A system freeze while wakeups wait in stack_reclaimd.  The sleepers are
 * in futex_wait(), a freezable sleep; their wakeups are deferred and
 * injection runs out (fail_stack_reclaim/times) about a second later,
 * while the freeze (pm_test=freezer) holds everything for 3 s.  Were a
 * sleeper frozen with its wakeup pending, stack_reclaimd's wakeup would
 * find TASK_FROZEN and do nothing, and the thaw would put the sleeper back
 * to sleep: it would never run.
 */
static void freeze_with_deferred_wakeups(void)
{
	char buf[160];
	double t0;
	int ret;

	if (put(POWER "pm_test", "freezer")) {
		tap(1, "freeze with deferred wakeups # SKIP no pm_test in this kernel");
		return;
	}
	put(PM_TEST_DELAY, "3");
	inject("100");
	put(SYSFS "reserve_pages", "0");
	put(SYSFS "reserve_pages", "32");
	sleep_and_reclaim();
	put(FAIL "times", "50");	/* stack_reclaimd retries every 20 ms */
	wake_all();
	t0 = now_s();
	ret = put(POWER "state", "freeze");
	put(FAIL "times", "-1");
	inject("0");
	snprintf(buf, sizeof(buf),
		 "freeze and thaw with %d wakeups deferred: every sleeper ran (freeze %s, %.1f s)",
		 N, ret ? strerror(-ret) : "ok", now_s() - t0);
	tap(all_done(30), buf);
	put(POWER "pm_test", "none");
	put(PM_TEST_DELAY, "5");
}

/*
 * Turning the feature off waits for memory to give the pages back, and a
 * SIGKILL must end that wait: -EINTR, enabled reads 0, and the pages not
 * given back return as their tasks wake.  Writing 0 again finishes.
 */
static void disable_killed_while_waiting(void)
{
	int blocked, killed, status, ran, again;
	char buf[200], en[8] = "";
	double t0, dt;
	pid_t pid;
	FILE *f;

	inject("100");
	put(SYSFS "reserve_pages", "0");
	put(SYSFS "reserve_pages", "32");
	sleep_and_reclaim();
	pid = fork();
	if (pid == 0)
		_exit(put(SYSFS "enabled", "0") ? 1 : 0);
	usleep(500000);
	blocked = waitpid(pid, &status, WNOHANG) == 0;
	t0 = now_s();
	kill(pid, SIGKILL);
	while (waitpid(pid, &status, WNOHANG) == 0 && now_s() - t0 < 5)
		usleep(10000);
	dt = now_s() - t0;
	killed = dt < 5 && WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
	f = fopen(SYSFS "enabled", "r");
	if (f) {
		if (!fgets(en, sizeof(en), f))
			en[0] = 0;
		fclose(f);
	}
	inject("0");
	if (dt >= 5)
		waitpid(pid, &status, 0);
	wake_all();
	ran = all_done(30);
	again = put(SYSFS "enabled", "0") == 0 && stat_of("pages_reclaimed_now") <= 0;
	put(SYSFS "enabled", "1");
	put(SYSFS "min_sleep_ms", "0");
	snprintf(buf, sizeof(buf),
		 "enabled=0 waiting for memory: blocked %d, SIGKILL ended it in %.2f s, enabled then %c, sleepers ran %d, 0 again finished %d",
		 blocked, dt, en[0] ? en[0] : '?', ran, again);
	tap(blocked && killed && en[0] == '0' && ran && again, buf);
}

/*
 * Children in our memory cgroup that allocate until the OOM killer ends
 * them, one after the other, while the cycles run.
 */
static atomic_int hog_stop, hog_kills;
static atomic_int hog_pid;

static void hog(void)
{
	char *p;

	for (;;) {
		p = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			pause();
		memset(p, 1, 1 << 20);
	}
}

static void *hog_keeper(void *arg)
{
	int status;
	pid_t pid;

	(void)arg;
	while (!atomic_load(&hog_stop)) {
		pid = fork();
		if (pid == 0)
			hog();
		atomic_store(&hog_pid, pid);
		if (pid < 0 || waitpid(pid, &status, 0) != pid)
			break;
		if (!atomic_load(&hog_stop) && WIFSIGNALED(status) &&
		    WTERMSIG(status) == SIGKILL)
			atomic_fetch_add(&hog_kills, 1);
	}
	return NULL;
}

int main(void)
{
	long deferred0, failures0, reclaimed;
	char buf[160];
	int deferred, early;
	pthread_t keeper;
	double t0;

	if (access(FAIL "probability", W_OK)) {
		printf("1..1\nok 1 - fault injection # SKIP no fail_stack_reclaim in this kernel\n");
		return 0;
	}
	printf("TAP version 13\n1..8\n");
	put(SYSFS "min_sleep_ms", "0");
	put(FAIL "verbose", "0");
	put(FAIL "interval", "1");
	put(FAIL "times", "-1");

	/* 1. Every allocation fails: wakeups wait, nothing crashes. */
	inject("100");
	put(SYSFS "reserve_pages", "0");	/* drain: refills fail from now on */
	deferred0 = stat_of("deferred_wakes");
	failures0 = stat_of("reserve_refill_failures");
	/*
	 * The pass runs with the reserve off, so that neither a reserve nor
	 * the pool (which a miss elsewhere may have grown meanwhile) keeps
	 * the pages it takes; then the reserve comes back, empty.
	 */
	sleep_and_reclaim();
	put(SYSFS "reserve_pages", "32");
	reclaimed = stat_of("pages_reclaimed_now");
	wake_all();
	sleep(2);
	deferred = stat_of("deferred_wakes") - deferred0;
	early = atomic_load(&done);
	snprintf(buf, sizeof(buf),
		 "all allocations failing: %d of %d wakeups deferred, %d ran (%ld pages out, %ld failed allocations)",
		 deferred, N, early, reclaimed, stat_of("reserve_refill_failures") - failures0);
	/* Other tasks defer too; the sleepers that ran were not reclaimed. */
	tap(deferred >= N * 9 / 10 && early <= N / 10, buf);

	/* 2. Injection stops: every delayed wakeup completes. */
	t0 = now_s();
	inject("0");
	snprintf(buf, sizeof(buf), "injection stopped: all %d delayed threads ran", N);
	tap(all_done(30), buf);
	fprintf(stderr, "recovered in %.2f s\n", now_s() - t0);
	sleep(1);
	tap(stat_of("reserve_pages_now") > 0, "reserve refilled after injection stopped");

	/* 3. The freezer and deferred wakeups. */
	freeze_with_deferred_wakeups();

	/* 4. Turning the feature off, killed while it waits for memory. */
	disable_killed_while_waiting();

	/* 5. 30% of allocations fail, 20 cycles of reclaim and wake. */
	inject("30");
	tap(cycles(20), "30% allocation failures: 20 reclaim/wake cycles of 200 threads complete");
	inject("0");

	/* 6. The same inside a memory cgroup being driven into OOM. */
	if (enter_memcg("sr_faults", "48M")) {
		tap(1, "memcg OOM # SKIP no memory cgroup");
		tap(1, "memcg OOM victim # SKIP no memory cgroup");
		return 0;
	}
	pthread_create(&keeper, NULL, hog_keeper, NULL);
	inject("30");
	tap(cycles(10), "memcg at OOM, 30% failures: 10 reclaim/wake cycles complete");
	inject("0");
	atomic_store(&hog_stop, 1);
	kill(atomic_load(&hog_pid), SIGKILL);
	pthread_join(keeper, NULL);
	snprintf(buf, sizeof(buf), "the OOM killer fired %d times meanwhile, always on a hog",
		 atomic_load(&hog_kills));
	tap(atomic_load(&hog_kills) > 0, buf);
	put(SYSFS "min_sleep_ms", "1000");
	return 0;
}
