// SPDX-License-Identifier: GPL-2.0
/*
 * Reading the scheduler's debug file under load (TAP).  Not a test of the
 * feature: this shows what stock 6.12.117 does to itself, so that a crash
 * in a test that uses sysrq t can be told apart from one of ours.
 *
 * 6.12.117's print_cfs_rq() (kernel/sched/debug.c), which both
 * /sys/kernel/debug/sched/debug and sysrq t run, calls avg_vruntime()
 * after dropping the runqueue lock, and since 6.12.y took mainline's
 * zero_vruntime tracking avg_vruntime() writes: it rescales
 * cfs_rq->avg_vruntime and moves cfs_rq->zero_vruntime.  If the owner of
 * the runqueue updates either between its loads and its stores (a context
 * switch, an enqueue or dequeue, a slice expiring at a tick), one of the
 * updates is lost.  The sum no longer matches the queued entities and
 * never will again, none of them is eligible, pick_eevdf() returns NULL
 * and pick_next_entity() oopses on it.  Mainline fixed print_cfs_rq() in
 * e08d007f9d81 ("sched/debug: Fix avg_vruntime() usage"); patch 1 of this
 * series does the same for 6.12.117.
 *
 * The load, for a 2-CPU guest: two CPU hogs (slices expire at ticks),
 * four pipe ping-pong pairs (enqueue and dequeue all the time), and two
 * readers of the debug file; none pinned.  SCHED_DEBUG_RACE_SECS sets the
 * duration (default 60 s of guest time).
 * The console judge catches the oops; the program checks that the readers
 * read.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "sr_util.h"

#define SCHED_DEBUG "/sys/kernel/debug/sched/debug"
#define NR_PAIRS 4
#define NR_HOGS 2
#define NR_READERS 2

static atomic_int stop;
static atomic_long reads, round_trips;

static void *reader(void *arg)
{
	(void)arg;
	while (!atomic_load(&stop) && !read_all(SCHED_DEBUG))
		atomic_fetch_add(&reads, 1);
	return NULL;
}

static void *hog(void *arg)
{
	(void)arg;
	while (!atomic_load(&stop))
		;
	return NULL;
}

/* One end of a ping-pong pair: read a byte from in, write it to out. */
static void *pong(void *arg)
{
	int *fds = arg;
	char c = 0;

	while (!atomic_load(&stop)) {
		if (read(fds[0], &c, 1) != 1 || write(fds[1], &c, 1) != 1)
			break;
		atomic_fetch_add(&round_trips, 1);
	}
	return NULL;
}

/* Start fn(arg) as threads[*nr], and count it; false if it did not start. */
static int start(pthread_t *threads, int *nr, void *(*fn)(void *), void *arg)
{
	if (pthread_create(&threads[*nr], NULL, fn, arg))
		return 0;
	(*nr)++;
	return 1;
}

int main(void)
{
	pthread_t threads[2 * NR_PAIRS + NR_HOGS + NR_READERS];
	static int pipes[NR_PAIRS][4], ends[NR_PAIRS][2][2];
	const char *env = getenv("SCHED_DEBUG_RACE_SECS");
	double secs = env ? atof(env) : 60, end;
	int i, nr_pairs, nr_threads = 0, nr_pongs, ok = 1;

	printf("TAP version 13\n1..1\n");
	if (access(SCHED_DEBUG, R_OK)) {
		printf("ok 1 - sched debug read under load # SKIP %s absent\n",
		       SCHED_DEBUG);
		return 0;
	}
	for (nr_pairs = 0; nr_pairs < NR_PAIRS && ok; nr_pairs++) {
		i = nr_pairs;
		if (pipe(&pipes[i][0]) || pipe(&pipes[i][2])) {
			ok = 0;
			break;
		}
		/* a reads pipe 0 and writes pipe 1; b the other way round. */
		ends[i][0][0] = pipes[i][0];
		ends[i][0][1] = pipes[i][3];
		ends[i][1][0] = pipes[i][2];
		ends[i][1][1] = pipes[i][1];
		ok = start(threads, &nr_threads, pong, ends[i][0]) &&
		     start(threads, &nr_threads, pong, ends[i][1]) &&
		     write(pipes[i][1], "x", 1) == 1;
	}
	nr_pongs = nr_threads;
	for (i = 0; i < NR_HOGS && ok; i++)
		ok = start(threads, &nr_threads, hog, NULL);
	for (i = 0; i < NR_READERS && ok; i++)
		ok = start(threads, &nr_threads, reader, NULL);

	end = now_s() + secs;
	while (ok && now_s() < end)
		usleep(100000);
	atomic_store(&stop, 1);
	/* The readers and hogs first, then close the pipes under the pairs. */
	for (i = nr_pongs; i < nr_threads; i++)
		pthread_join(threads[i], NULL);
	for (i = 0; i < nr_pairs; i++) {
		close(pipes[i][1]);
		close(pipes[i][3]);
	}
	for (i = 0; i < nr_pongs; i++)
		pthread_join(threads[i], NULL);

	printf("# %.0f s: %ld reads of %s, %ld ping-pong round trips\n",
	       secs, atomic_load(&reads), SCHED_DEBUG, atomic_load(&round_trips));
	printf("%sok 1 - sched debug read under load%s\n",
	       ok && atomic_load(&reads) > 0 && atomic_load(&round_trips) > 0 ?
	       "" : "not ", ok ? "" : " # could not start the load");
	return 0;
}
