// SPDX-License-Identifier: GPL-2.0
/*
 * A deferred wakeup under real-time load (TAP).
 *
 * Every CPU is held by a SCHED_FIFO spinner when a reclaimed task is woken
 * with the reserve empty, so its wakeup is deferred.  On stock 6.12 the
 * woken task runs at once: a SCHED_OTHER one on the fair server, an
 * rt_mutex owner boosted above the spinners on its boosted priority.  A
 * deferred wakeup must not need CPU time the woken task would not have
 * needed, so it must run as soon as with the feature off.
 *
 *  other:	a SCHED_OTHER thread asleep in read(), FIFO 50 spinners (on
 *		stock the fair server runs it, after up to 0.95 s of RT
 *		load: 6.12 defers the server until fair tasks starve);
 *  pi-owner:	a SCHED_OTHER owner of a PI mutex, asleep in read(), boosted
 *		to FIFO 50 by a waiter, FIFO 40 spinners; timed until the
 *		waiter has the mutex.
 *
 * Each case runs ROUNDS times with the feature off and on, alternated, in
 * this one boot; the spinners give up after SPIN_MAX_S, which is then what
 * a starved wakeup measures.  A case fails if the median with the feature
 * on exceeds twice the median off plus 50 ms (TCG's scheduling noise), or
 * if no wakeup was deferred (the test would prove nothing).
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sr_util.h"

#define SYSFS "/sys/kernel/mm/stack_reclaim/"
#define ROUNDS 5
#define SPIN_MAX_S 4.0

static atomic_int spin_stop;
static int pipefd[2];
static _Atomic double t_run;		/* when the woken side got through */
static pthread_mutex_t pi_mutex;
static atomic_int owner_locked, waiter_blocking;

/* Threads inherit main's FIFO 60: each sets what it needs. */
static void set_fifo(int prio)
{
	struct sched_param sp = { .sched_priority = prio };

	pthread_setschedparam(pthread_self(), prio ? SCHED_FIFO : SCHED_OTHER, &sp);
}

static void *spinner(void *arg)
{
	long cpu = (long)arg >> 8, prio = (long)arg & 0xff;
	double end = now_s() + SPIN_MAX_S;
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
	set_fifo(prio);
	while (!atomic_load(&spin_stop) && now_s() < end)
		;
	return NULL;
}

/* SCHED_OTHER: sleep in read(), note when we ran. */
static void *reader(void *arg)
{
	char c;

	(void)arg;
	set_fifo(0);
	if (read(pipefd[0], &c, 1) == 1)
		atomic_store(&t_run, now_s());
	return NULL;
}

/* SCHED_OTHER: take the PI mutex, sleep in read() holding it. */
static void *pi_owner(void *arg)
{
	char c;

	(void)arg;
	set_fifo(0);
	pthread_mutex_lock(&pi_mutex);
	atomic_store(&owner_locked, 1);
	if (read(pipefd[0], &c, 1) != 1)
		perror("read");
	pthread_mutex_unlock(&pi_mutex);
	return NULL;
}

/* FIFO 50: block on the mutex (boosting the owner), note when we got it. */
static void *pi_waiter(void *arg)
{
	(void)arg;
	set_fifo(50);
	atomic_store(&waiter_blocking, 1);
	pthread_mutex_lock(&pi_mutex);
	atomic_store(&t_run, now_s());
	pthread_mutex_unlock(&pi_mutex);
	return NULL;
}

/* One round: seconds from the waking write() to the woken side running. */
static double round_once(int pi, int on, int ncpu)
{
	pthread_t sleeper, waiter, spin[8];
	double t_write, t = -1;
	long i;

	put(SYSFS "enabled", on ? "1" : "0");
	if (pipe(pipefd))
		return -1;
	atomic_store(&t_run, 0);
	atomic_store(&spin_stop, 0);
	atomic_store(&owner_locked, 0);
	atomic_store(&waiter_blocking, 0);
	pthread_create(&sleeper, NULL, pi ? pi_owner : reader, NULL);
	while (pi && !atomic_load(&owner_locked))
		usleep(1000);
	usleep(50000);			/* asleep in read() */
	if (on) {
		/*
		 * Re-aging takes the pages below the saved SP even if a
		 * recycled stack had them touched by an earlier owner.
		 */
		put(SYSFS "reage_ms", "1");
		usleep(10000);
		put(SYSFS "reclaim", "1");
		put(SYSFS "reage_ms", "0");
	}
	if (pi) {
		pthread_create(&waiter, NULL, pi_waiter, NULL);
		while (!atomic_load(&waiter_blocking))
			usleep(1000);
		usleep(20000);		/* blocked: the owner is boosted */
	}
	for (i = 0; i < ncpu && i < 8; i++)
		pthread_create(&spin[i], NULL, spinner,
			       (void *)((i << 8) | (pi ? 40 : 50)));
	usleep(20000);			/* every CPU spins */
	t_write = now_s();
	if (write(pipefd[1], "x", 1) != 1)
		perror("write");
	while (now_s() < t_write + SPIN_MAX_S + 1) {
		double r = atomic_load(&t_run);

		if (r) {
			t = r - t_write;
			break;
		}
		usleep(500);
	}
	atomic_store(&spin_stop, 1);
	for (i = 0; i < ncpu && i < 8; i++)
		pthread_join(spin[i], NULL);
	pthread_join(sleeper, NULL);
	if (pi)
		pthread_join(waiter, NULL);
	close(pipefd[0]);
	close(pipefd[1]);
	return t;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static int run_case(int n, const char *name, int pi, int ncpu)
{
	double off[ROUNDS], on[ROUNDS], moff, mon;
	long deferred = stat_of("deferred_wakes"), slow = stat_of("deferred_wakes_slow");
	int i, ok;

	for (i = 0; i < ROUNDS; i++) {
		/* ABBA: neither mode always goes first. */
		if (i & 1) {
			on[i] = round_once(pi, 1, ncpu);
			off[i] = round_once(pi, 0, ncpu);
		} else {
			off[i] = round_once(pi, 0, ncpu);
			on[i] = round_once(pi, 1, ncpu);
		}
		printf("# %s round %d: off %.4f s, on %.4f s\n", name, i, off[i], on[i]);
	}
	put(SYSFS "enabled", "1");
	deferred = stat_of("deferred_wakes") - deferred;
	qsort(off, ROUNDS, sizeof(double), cmp);
	qsort(on, ROUNDS, sizeof(double), cmp);
	moff = off[ROUNDS / 2];
	mon = on[ROUNDS / 2];
	printf("# %s: median wake-to-run off %.4f s, on %.4f s (%.2fx); %ld wakeups deferred, %ld of them to stack_reclaimd\n",
	       name, moff, mon, moff > 0 ? mon / moff : 0, deferred,
	       slow >= 0 ? stat_of("deferred_wakes_slow") - slow : -1);
	ok = moff >= 0 && on[0] >= 0 && mon <= 2 * moff + 0.05 && deferred >= ROUNDS;
	printf("%sok %d - %s: a deferred wakeup under FIFO load runs as soon as with the feature off\n",
	       ok ? "" : "not ", n, name);
	return ok;
}

int main(void)
{
	int ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	pthread_mutexattr_t ma;

	if (access(SYSFS, F_OK)) {
		printf("1..1\nok 1 - rtwake # SKIP stack reclaim absent\n");
		return 0;
	}
	printf("TAP version 13\n1..2\n");
	pthread_mutexattr_init(&ma);
	pthread_mutexattr_setprotocol(&ma, PTHREAD_PRIO_INHERIT);
	pthread_mutex_init(&pi_mutex, &ma);
	/* Above the spinners, so that the test itself keeps running. */
	set_fifo(60);
	put(SYSFS "min_sleep_ms", "0");
	put(SYSFS "reserve_pages", "0");
	run_case(1, "other", 0, ncpu);
	run_case(2, "pi-owner", 1, ncpu);
	put(SYSFS "enabled", "1");
	put(SYSFS "reserve_pages", "32");
	put(SYSFS "min_sleep_ms", "1000");
	return 0;
}
