// SPDX-License-Identifier: GPL-2.0
/*
 * Wake/reclaim storm (TAP).  Workers sleep and wake through futexes,
 * pipes, timers, signals and SIGSTOP/SIGCONT while reclaim runs all the
 * time (min_sleep_ms=0, a 10 ms periodic scan, the switch hook, explicit
 * passes) and the reserve is resized between 0 (every wakeup of a
 * reclaimed task deferred) and its maximum; CPU 1 goes offline and online
 * when it can.  Every worker counts its progress: a worker that makes none
 * for STALL_SECS is a lost wakeup and fails the run.
 *
 * Futex and pipe workers go deep now and then (debugfs use_stack), and
 * re-aging is on (reage_ms cycles through 1, 0 and 50), so that pages with
 * A set are taken too and wakeups race with the re-aging TLB flush;
 * tlb_flush is on for one step in four.
 *
 *   SR_STORM_SECS      duration (default 20)
 *   SR_STORM_NO_REAGE  leave re-aging, tlb_flush and use_stack out
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sr_util.h"

#define SYSFS "/sys/kernel/mm/stack_reclaim/"
#define CPU1 "/sys/devices/system/cpu/cpu1/online"
#define PAIRS 16
#define STALL_SECS 15

enum kind { FUTEX, PIPE, TIMER, SIGNAL, STOPCONT, KINDS };
static const char *const kind_name[] = { "futex", "pipe", "timer", "signal", "stop/cont" };

struct worker {
	enum kind kind;
	atomic_long progress;
	long seen;
	time_t last_change;
	int fd[2][2];
	atomic_int word;
	pthread_t th[2];
	pid_t child;
	long *shared;		/* stop/cont child's counter */
};

static struct worker w[KINDS * PAIRS];
static atomic_int stop;
static int use_stack_fd = -1;

/* Every 64th step, use 8K of kernel stack once: pages for re-aging. */
static void maybe_go_deep(long progress)
{
	if (use_stack_fd >= 0 && !(progress & 63) &&
	    pwrite(use_stack_fd, "8192", 4, 0) != 4)
		fprintf(stderr, "use_stack: %s\n", strerror(errno));
}

/* The storm writes on regardless; a refusal other than -EINVAL is worth a word. */
static void put_or_warn(const char *path, const char *v)
{
	int ret = put(path, v);

	if (ret && ret != -EINVAL && ret != -ENOENT)
		fprintf(stderr, "%s <- %s: %s\n", path, v, strerror(-ret));
}

static void futex_wake_word(atomic_int *a)
{
	syscall(SYS_futex, a, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

/* Futex ping-pong: side s waits for word == s, then hands it over. */
static void *futex_side(void *arg)
{
	struct worker *wk = (struct worker *)((long)arg & ~1L);
	int s = (long)arg & 1;

	while (!atomic_load(&stop)) {
		int v = atomic_load(&wk->word);

		/* No timeout: a lost wakeup must show as a stall. */
		if (v != s) {
			syscall(SYS_futex, &wk->word, FUTEX_WAIT_PRIVATE, v, NULL, NULL, 0);
			continue;
		}
		atomic_store(&wk->word, !s);
		futex_wake_word(&wk->word);
		maybe_go_deep(atomic_fetch_add(&wk->progress, 1));
	}
	return NULL;
}

static void *pipe_side(void *arg)
{
	struct worker *wk = (struct worker *)((long)arg & ~1L);
	int s = (long)arg & 1;
	char c = 'x';

	if (s && write(wk->fd[0][1], &c, 1) != 1)
		return NULL;
	while (!atomic_load(&stop)) {
		if (read(wk->fd[s][0], &c, 1) != 1)
			break;
		if (write(wk->fd[!s][1], &c, 1) != 1)
			break;
		maybe_go_deep(atomic_fetch_add(&wk->progress, 1));
	}
	return NULL;
}

static void *timer_side(void *arg)
{
	struct worker *wk = arg;
	struct timespec ts = { 0, 2 * 1000 * 1000 };

	while (!atomic_load(&stop)) {
		nanosleep(&ts, NULL);
		atomic_fetch_add(&wk->progress, 1);
	}
	return NULL;
}

/* Signal: side 0 waits in sigwait(), side 1 sends and then waits a bit. */
static void *signal_side(void *arg)
{
	struct worker *wk = (struct worker *)((long)arg & ~1L);
	int s = (long)arg & 1, sig;
	struct timespec ts = { 0, 1000 * 1000 };
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	while (!atomic_load(&stop)) {
		if (!s) {
			if (!sigwait(&set, &sig))
				atomic_fetch_add(&wk->progress, 1);
		} else {
			pthread_kill(wk->th[0], SIGUSR1);
			nanosleep(&ts, NULL);
		}
	}
	if (s)
		pthread_kill(wk->th[0], SIGUSR1);
	return NULL;
}

static void start(struct worker *wk, enum kind k)
{
	wk->kind = k;
	wk->last_change = time(NULL);
	switch (k) {
	case FUTEX:
	case PIPE:
	case SIGNAL:
		if (k == PIPE && (pipe(wk->fd[0]) || pipe(wk->fd[1])))
			exit(1);
		for (long s = 0; s < 2; s++)
			pthread_create(&wk->th[s], NULL,
				       k == FUTEX ? futex_side : k == PIPE ? pipe_side : signal_side,
				       (void *)((long)wk | s));
		break;
	case TIMER:
		pthread_create(&wk->th[0], NULL, timer_side, wk);
		break;
	case STOPCONT:
		wk->child = fork();
		if (!wk->child) {
			struct timespec ts = { 0, 1000 * 1000 };

			for (;;) {
				nanosleep(&ts, NULL);
				(*(volatile long *)wk->shared)++;
			}
		}
		break;
	default:
		break;
	}
}

/*
 * Resizes the reserve, runs reclaim passes and takes CPU 1 down and up,
 * once a second; each step is counted so that main() sees one that hangs.
 */
static atomic_int churn_stop, hotplug_steps;
static atomic_long churn_step;
static const char *volatile churn_what = "";
static int can_hotplug;

static void *churn(void *arg)
{
	static const char *const reserves[] = { "0", "4", "256", "32" };
	static const char *const reage[] = { "1", "0", "1", "50" };
	static const char *const flush[] = { "0", "0", "1", "0" };
	struct timespec ts = { 1, 0 };
	int t;

	(void)arg;
	for (t = 0; !atomic_load(&churn_stop); t++) {
		nanosleep(&ts, NULL);
		churn_what = "reserve_pages";
		put_or_warn(SYSFS "reserve_pages", reserves[t % 4]);
		atomic_fetch_add(&churn_step, 1);
		if (use_stack_fd >= 0) {
			churn_what = "reage_ms";
			put_or_warn(SYSFS "reage_ms", reage[t % 4]);
			atomic_fetch_add(&churn_step, 1);
			churn_what = "tlb_flush";
			put_or_warn(SYSFS "tlb_flush", flush[(t / 4) % 4]);
			atomic_fetch_add(&churn_step, 1);
		}
		churn_what = "reclaim";
		put_or_warn(SYSFS "reclaim", "1");
		atomic_fetch_add(&churn_step, 1);
		if (can_hotplug && t % 3 == 2) {
			churn_what = atomic_load(&hotplug_steps) & 1 ? "cpu1 online" : "cpu1 offline";
			put_or_warn(CPU1, atomic_load(&hotplug_steps) & 1 ? "1" : "0");
			atomic_fetch_add(&hotplug_steps, 1);
			atomic_fetch_add(&churn_step, 1);
		}
	}
	if (can_hotplug && atomic_load(&hotplug_steps) & 1)
		put_or_warn(CPU1, "1");
	return NULL;
}

int main(void)
{
	int secs = getenv("SR_STORM_SECS") ? atoi(getenv("SR_STORM_SECS")) : 20;
	long r0 = stat_of("pages_reclaimed"), p0 = stat_of("pages_repopulated");
	long d0 = stat_of("deferred_wakes"), a0 = stat_of("pages_reaged");
	int nw = KINDS * PAIRS, i, t, stalled = 0, hotplug;
	long step, churn_seen = -1;
	time_t churn_change = time(NULL);
	pthread_t churner;
	long total = 0, *shared;
	sigset_t set;

	if (access(SYSFS, F_OK)) {
		printf("1..1\nok 1 - storm # SKIP stack reclaim absent\n");
		return 0;
	}
	printf("TAP version 13\n1..4\n");
	/* Signals for the sigwait() workers stay blocked in every thread. */
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &set, NULL);

	/* Counters the stop/cont children write and we read. */
	shared = mmap(NULL, sizeof(long) * KINDS * PAIRS, PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shared == MAP_FAILED)
		return 1;
	put_or_warn(SYSFS "min_sleep_ms", "0");
	put_or_warn(SYSFS "switch_hook", "1");
	put_or_warn(SYSFS "scan_interval_ms", "10");
	if (!getenv("SR_STORM_NO_REAGE")) {
		put_or_warn(SYSFS "reage_ms", "1");
		use_stack_fd = open("/sys/kernel/debug/stack_reclaim/use_stack", O_WRONLY);
	}
	can_hotplug = access(CPU1, W_OK) == 0 && !getenv("SR_STORM_NO_HOTPLUG");

	for (i = 0; i < nw; i++) {
		w[i].shared = &shared[i];
		start(&w[i], i / PAIRS);
	}

	pthread_create(&churner, NULL, churn, NULL);
	for (t = 0; t < secs && !stalled; t++) {
		struct timespec ts = { 0, 250 * 1000 * 1000 };
		time_t now;

		for (i = 0; i < 4; i++) {
			nanosleep(&ts, NULL);
			for (int j = 0; j < nw; j++)
				if (w[j].kind == STOPCONT)
					kill(w[j].child, (t * 4 + i) & 1 ? SIGCONT : SIGSTOP);
		}
		now = time(NULL);
		for (i = 0; i < nw; i++) {
			long p = w[i].kind == STOPCONT ? shared[i] : atomic_load(&w[i].progress);

			if (p != w[i].seen) {
				w[i].seen = p;
				w[i].last_change = now;
			} else if (now - w[i].last_change >= STALL_SECS) {
				printf("# %s worker %d made no progress for %ld s\n",
				       kind_name[w[i].kind], i, (long)(now - w[i].last_change));
				stalled++;
			}
		}
		step = atomic_load(&churn_step);
		if (step != churn_seen) {
			churn_seen = step;
			churn_change = now;
		} else if (now - churn_change >= STALL_SECS) {
			printf("# churn step %ld (%s) stuck for %ld s\n", step,
			       churn_what, (long)(now - churn_change));
			stalled++;
		}
	}
	if (stalled) {
		/* Leave the evidence on the console, then give up: tasks are stuck. */
		put_or_warn("/proc/sysrq-trigger", "w");
		printf("# pages reclaimed %ld, repopulated %ld, deferred wakes %ld, now %ld\n",
		       stat_of("pages_reclaimed") - r0, stat_of("pages_repopulated") - p0,
		       stat_of("deferred_wakes") - d0, stat_of("pages_reclaimed_now"));
		printf("not ok 1 - no worker stalled for %d s (%d stalled)\n", STALL_SECS, stalled);
		printf("ok 2 - reclaim and repopulation ran # SKIP after a stall\n");
		printf("ok 3 - deferred wakeups # SKIP after a stall\n");
		printf("ok 4 - re-aging # SKIP after a stall\n");
		fflush(stdout);
		_exit(1);
	}
	atomic_store(&churn_stop, 1);
	pthread_join(churner, NULL);
	hotplug = atomic_load(&hotplug_steps);

	put_or_warn(SYSFS "scan_interval_ms", "0");
	put_or_warn(SYSFS "switch_hook", "0");
	put_or_warn(SYSFS "reserve_pages", "32");
	put_or_warn(SYSFS "reage_ms", "0");
	put_or_warn(SYSFS "tlb_flush", "0");
	atomic_store(&stop, 1);
	for (i = 0; i < nw; i++) {
		if (w[i].kind != FUTEX)
			continue;
		atomic_store(&w[i].word, 2);
		syscall(SYS_futex, &w[i].word, FUTEX_WAKE_PRIVATE, 2, NULL, NULL, 0);
	}
	for (i = 0; i < nw; i++) {
		switch (w[i].kind) {
		case STOPCONT:
			kill(w[i].child, SIGKILL);
			waitpid(w[i].child, NULL, 0);
			total += shared[i];
			break;
		case PIPE:
			close(w[i].fd[0][1]);
			close(w[i].fd[1][1]);
			/* fall through */
		default:
			pthread_join(w[i].th[0], NULL);
			if (w[i].kind != TIMER)
				pthread_join(w[i].th[1], NULL);
			total += atomic_load(&w[i].progress);
		}
	}
	put_or_warn(SYSFS "min_sleep_ms", "1000");

	printf("# %d s, %d workers, %ld wakeups done, %d CPU hotplug steps\n",
	       t, nw, total, hotplug);
	printf("# pages reclaimed %ld (re-aged %ld), repopulated %ld, deferred wakes %ld\n",
	       stat_of("pages_reclaimed") - r0, stat_of("pages_reaged") - a0,
	       stat_of("pages_repopulated") - p0, stat_of("deferred_wakes") - d0);
	printf("%sok 1 - no worker stalled for %d s (%d stalled)\n", stalled ? "not " : "",
	       STALL_SECS, stalled);
	printf("%sok 2 - reclaim and repopulation ran during the storm\n",
	       stat_of("pages_reclaimed") > r0 && stat_of("pages_repopulated") > p0 ? "" : "not ");
	printf("%sok 3 - deferred wakeups happened and completed\n",
	       stat_of("deferred_wakes") > d0 ? "" : "not ");
	if (use_stack_fd < 0)
		printf("ok 4 - re-aging took pages # SKIP no debugfs use_stack\n");
	else
		printf("%sok 4 - re-aging took pages\n",
		       stat_of("pages_reaged") > a0 ? "" : "not ");
	return 0;
}
