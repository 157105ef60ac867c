// SPDX-License-Identifier: GPL-2.0
/*
 * Reading the scheduler's debug file under load (TAP).  Not a test of the
 * feature: this shows what stock 6.12.117 does to itself, so that a crash
 * in a test that uses sysrq t can be told apart from one of ours.
 *
 * 6.12.117's print_cfs_rq() (kernel/sched/debug.c), which both
 * /sys/kernel/debug/sched/debug and sysrq t run, calls avg_vruntime()
 * after dropping the runqueue lock, and since the stable backport of
 * mainline's zero_vruntime tracking avg_vruntime() writes: it moves
 * cfs_rq->zero_vruntime and rescales cfs_rq->avg_vruntime.  A tick or an
 * enqueue on that runqueue between its read and its write is undone, the
 * runqueue's average drifts away from its entities, none of them is
 * eligible, pick_eevdf() returns NULL and pick_next_entity() oopses on it.
 * Mainline fixed print_cfs_rq() in merge 2ab99ad7faef; this series' patch 1
 * does the same for 6.12.117.
 *
 * The load: a CPU hog per CPU (its slice expires at ticks, which call
 * avg_vruntime() from update_deadline()), pipe ping-pong pairs (enqueue
 * and dequeue all the time), and readers of the debug file on every CPU.
 * SCHED_DEBUG_RACE_SECS sets the duration (default 60 s of guest time).
 * The console judge catches the oops; the program checks that the readers
 * read.
 */
#define _GNU_SOURCE
#include <fcntl.h>
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
	char buf[4096];
	int fd;

	(void)arg;
	while (!atomic_load(&stop)) {
		fd = open(SCHED_DEBUG, O_RDONLY);
		if (fd < 0)
			break;
		while (read(fd, buf, sizeof(buf)) > 0)
			;
		close(fd);
		atomic_fetch_add(&reads, 1);
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

int main(void)
{
	pthread_t pairs[2 * NR_PAIRS], hogs[NR_HOGS], readers[NR_READERS];
	static int pipes[NR_PAIRS][4];
	const char *env = getenv("SCHED_DEBUG_RACE_SECS");
	double secs = env ? atof(env) : 60, end;
	int i, ends[NR_PAIRS][2][2];

	printf("TAP version 13\n1..1\n");
	if (access(SCHED_DEBUG, R_OK)) {
		printf("ok 1 - sched debug read under load # SKIP %s absent\n",
		       SCHED_DEBUG);
		return 0;
	}
	for (i = 0; i < NR_PAIRS; i++) {
		if (pipe(&pipes[i][0]) || pipe(&pipes[i][2])) {
			printf("not ok 1 - sched debug read under load # pipe\n");
			return 0;
		}
		/* a reads pipe 0 and writes pipe 1; b the other way round. */
		ends[i][0][0] = pipes[i][0];
		ends[i][0][1] = pipes[i][3];
		ends[i][1][0] = pipes[i][2];
		ends[i][1][1] = pipes[i][1];
		pthread_create(&pairs[2 * i], NULL, pong, ends[i][0]);
		pthread_create(&pairs[2 * i + 1], NULL, pong, ends[i][1]);
		if (write(pipes[i][1], "x", 1) != 1)
			break;
	}
	for (i = 0; i < NR_HOGS; i++)
		pthread_create(&hogs[i], NULL, hog, NULL);
	for (i = 0; i < NR_READERS; i++)
		pthread_create(&readers[i], NULL, reader, NULL);

	end = now_s() + secs;
	while (now_s() < end)
		usleep(100000);
	atomic_store(&stop, 1);
	/* Closing the pipes ends the pairs' blocking reads. */
	for (i = 0; i < NR_PAIRS; i++) {
		close(pipes[i][1]);
		close(pipes[i][3]);
	}
	for (i = 0; i < 2 * NR_PAIRS; i++)
		pthread_join(pairs[i], NULL);
	for (i = 0; i < NR_HOGS; i++)
		pthread_join(hogs[i], NULL);
	for (i = 0; i < NR_READERS; i++)
		pthread_join(readers[i], NULL);

	printf("# %.0f s: %ld reads of %s, %ld ping-pong round trips\n",
	       secs, atomic_load(&reads), SCHED_DEBUG, atomic_load(&round_trips));
	printf("%sok 1 - sched debug read under load\n",
	       atomic_load(&reads) > 0 && atomic_load(&round_trips) > 0 ? "" : "not ");
	return 0;
}
