// SPDX-License-Identifier: GPL-2.0
/*
 * The guest half of "make bench": one boot runs every benchmark once and
 * prints "bench: NAME VALUE UNIT" lines for scripts/bench.sh to collect.
 * The same program runs on the stock kernel, on the patched kernel booted
 * with stack_reclaim=off, and on the patched kernel with the feature on
 * (BENCH_MODE=on) or on with the switch hook (BENCH_MODE=hook).
 *
 *   BENCH_MODE     stock | off | on | hook | 32k  (only labels the run; the
 *                  guest detects the feature itself; 32k is the patched
 *                  kernel built with CONFIG_STACK_RECLAIM_32K)
 *   BENCH_THREADS  idle-thread counts for the memory benchmark ("1000 10000")
 *   BENCH_DEEP     threads for the deep-then-idle benchmark (1000)
 *   BENCH_AB       rounds of the in-boot A/B (feature on only; none if unset)
 *   BENCH_ONLY     "wake" or "ab": only that benchmark (quick runs by hand)
 *   BENCH_TLB_FLUSH  0 or 1: the tlb_flush tunable for the run (default: the
 *                  kernel's, on in a guest)
 *
 * Threads of the memory benchmark are bare clone()s with 16K user stacks
 * carved from one mapping, so that 100,000 of them fit without a VMA each.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sr_util.h"

#define SYSFS "/sys/kernel/mm/stack_reclaim/"
#define USTACK (16 * 1024)

static int have;		/* the feature is present and on */

/* ---- helpers ------------------------------------------------------------ */

static double now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e9 + t.tv_nsec;
}

/* While the in-boot A/B runs, results are kept here instead of printed. */
#define AB_MAX 16
static struct { const char *name; double v; } ab_got[AB_MAX];
static int ab_quiet, ab_n;

static void report(const char *name, double v, const char *unit)
{
	if (ab_quiet) {
		if (ab_n < AB_MAX)
			ab_got[ab_n++] = (typeof(ab_got[0])){ name, v };
		return;
	}
	printf("bench: %s %.3f %s\n", name, v, unit);
	fflush(stdout);
}

static void tune(const char *file, const char *v)
{
	char path[128];

	snprintf(path, sizeof(path), SYSFS "%s", file);
	if (have && put(path, v))
		fprintf(stderr, "%s <- %s failed\n", path, v);
}

/*
 * Read tunable @file into @buf, which keeps its default if nothing could
 * be read; -1 if the file is not there (the feature is absent).
 */
static int get_tunable(const char *file, char *buf, size_t size)
{
	char path[128], v[32];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), SYSFS "%s", file);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	n = read(fd, v, sizeof(v) - 1);
	close(fd);
	if (n > 0) {
		v[n] = '\0';
		snprintf(buf, size, "%s", v);
	}
	return 0;
}

static void pin(int cpu)
{
	cpu_set_t s;

	CPU_ZERO(&s);
	CPU_SET(cpu, &s);
	sched_setaffinity(0, sizeof(s), &s);
}

static void quiesce(void)
{
	sync();
	usleep(200000);
}

/* ---- a timer-driven task, for scheduling latency during scans ----------- */

static atomic_int lat_stop;
static atomic_long lat_max_ns;

static void *latency_probe(void *arg)
{
	struct timespec next;
	double late;

	(void)arg;
	clock_gettime(CLOCK_MONOTONIC, &next);
	while (!atomic_load(&lat_stop)) {
		next.tv_nsec += 1000000;
		if (next.tv_nsec >= 1000000000) {
			next.tv_nsec -= 1000000000;
			next.tv_sec++;
		}
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
		late = now_ns() - (next.tv_sec * 1e9 + next.tv_nsec);
		if (late > atomic_load(&lat_max_ns))
			atomic_store(&lat_max_ns, (long)late);
	}
	return NULL;
}

static pthread_t lat_thread;

static void latency_start(void)
{
	atomic_store(&lat_stop, 0);
	atomic_store(&lat_max_ns, 0);
	pthread_create(&lat_thread, NULL, latency_probe, NULL);
	usleep(20000);
}

static double latency_stop_us(void)
{
	atomic_store(&lat_stop, 1);
	pthread_join(lat_thread, NULL);
	return atomic_load(&lat_max_ns) / 1e3;
}

/* ---- idle threads --------------------------------------------------------- */

static atomic_int idle_ready;
static int idle_go;
static void (*idle_op)(void);

static int idle_thread(void *arg)
{
	(void)arg;
	if (idle_op)
		idle_op();
	atomic_fetch_add(&idle_ready, 1);
	while (!__atomic_load_n(&idle_go, __ATOMIC_ACQUIRE))
		futex_wait(&idle_go, 0);
	return 0;
}

struct idle_set {
	int n;
	char *stacks;
	pid_t *tids;		/* cleared by the kernel when a thread is gone */
};

static int idle_start(struct idle_set *s, int n, void (*op)(void))
{
	int i;

	idle_op = op;
	atomic_store(&idle_ready, 0);
	idle_go = 0;
	s->stacks = mmap(NULL, (size_t)n * USTACK, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	s->tids = calloc(n, sizeof(*s->tids));
	if (s->stacks == MAP_FAILED || !s->tids)
		return -1;
	for (s->n = 0; s->n < n; s->n++) {
		i = s->n;
		if (clone(idle_thread, s->stacks + (size_t)(i + 1) * USTACK,
			  CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND |
			  CLONE_THREAD | CLONE_SYSVSEM | CLONE_CHILD_CLEARTID |
			  CLONE_PARENT_SETTID, NULL, &s->tids[i], NULL,
			  &s->tids[i]) < 0)
			break;
	}
	while (atomic_load(&idle_ready) < s->n)
		usleep(10000);
	usleep(300000);		/* let the last ones reach futex_wait() */
	return s->n == n ? 0 : -1;
}

static void idle_stop(struct idle_set *s)
{
	pid_t tid;
	int i;

	__atomic_store_n(&idle_go, 1, __ATOMIC_RELEASE);
	futex_wake(&idle_go, INT32_MAX);
	/* CLONE_CHILD_CLEARTID wakes with a shared (not private) futex. */
	for (i = 0; i < s->n; i++)
		while ((tid = __atomic_load_n(&s->tids[i], __ATOMIC_ACQUIRE)))
			syscall(SYS_futex, &s->tids[i], FUTEX_WAIT, tid, NULL, NULL, 0);
	munmap(s->stacks, (size_t)s->n * USTACK);
	free(s->tids);
}

/* A full reclaim pass; returns its wall time in ms. */
static double reclaim_pass_ms(void)
{
	double t = now_ns();

	tune("reclaim", "1");
	return (now_ns() - t) / 1e6;
}

/* report() for a benchmark whose name carries the thread count. */
static void report_n(const char *what, int n, double v, const char *unit)
{
	char name[64];

	snprintf(name, sizeof(name), "%s_%d", what, n);
	report(name, v, unit);
}

/* A reclaim pass over @n threads: its wall time and the timer's lateness. */
static double timed_pass(int n, const char *what, const char *lateness)
{
	double ms;

	latency_start();
	ms = reclaim_pass_ms();
	report_n(lateness, n, latency_stop_us(), "us");
	report_n(what, n, ms, "ms");
	return ms;
}

/*
 * The yardstick for a scan's lateness: the same 1 ms timer task on the
 * same CPU while a user-space busy loop runs for @ms (at least 50 ms).
 * A scan is one CPU-bound SCHED_OTHER task with cond_resched(); it should
 * delay others no more than any such task does.
 */
static void hog_pass(int n, double ms)
{
	double end;

	latency_start();
	end = now_ns() + (ms > 50 ? ms : 50) * 1e6;
	while (now_ns() < end)
		;
	report_n("hog_latency_max", n, latency_stop_us(), "us");
}

/*
 * 1 and 7: KernelStack per idle thread before and after a reclaim pass,
 * and what the pass cost: its wall time, a second pass with nothing left
 * to take, and the worst lateness of a 1 ms timer task meanwhile.
 */
static void bench_memory(int n)
{
	struct idle_set s;
	long k0, k1, k2, a0, a2;
	double t0;

	quiesce();
	k0 = meminfo_kb("KernelStack");
	a0 = meminfo_kb("MemAvailable");
	if (idle_start(&s, n, NULL)) {
		fprintf(stderr, "memory: started %d of %d threads\n", s.n, n);
		idle_stop(&s);
		return;
	}
	k1 = meminfo_kb("KernelStack");
	tune("min_sleep_ms", "0");
	if (have) {
		hog_pass(n, timed_pass(n, "scan_reclaim", "scan_latency_max"));
		timed_pass(n, "scan_again", "scan_again_latency_max");
	} else {
		latency_start();
		usleep(500000);
		report_n("scan_latency_max", n, latency_stop_us(), "us");
		hog_pass(n, 0);
	}
	tune("min_sleep_ms", "1000");
	k2 = meminfo_kb("KernelStack");
	a2 = meminfo_kb("MemAvailable");
	report_n("kstack_sleeping", n, (double)(k1 - k0) / n, "kB/thread");
	report_n("kstack_idle", n, (double)(k2 - k0) / n, "kB/thread");
	report_n("memavail_used", n, (double)(a0 - a2) / n, "kB/thread");
	t0 = now_ns();
	idle_stop(&s);
	report_n("wake_all_exit", n, (now_ns() - t0) / 1e6, "ms");
}

/*
 * 2: threads that once went deep, then sleep.  No syscall path of this
 * small kernel gets past the top stack page (tests/guest/sr_depth.c shows
 * it), so the depth comes from the feature's debugfs use_stack file: the
 * writer uses that many bytes of its own stack.  Only the patched kernel
 * has it; the stock kernel keeps every page anyway.
 */
#define USE_STACK "/sys/kernel/debug/stack_reclaim/use_stack"

static void deep_op(void)
{
	put(USE_STACK, "8192");
}

static void bench_deep(int n)
{
	struct idle_set s;
	long k0, k2;

	if (access(USE_STACK, W_OK))
		return;
	quiesce();
	k0 = meminfo_kb("KernelStack");
	if (idle_start(&s, n, deep_op)) {
		idle_stop(&s);
		return;
	}
	tune("min_sleep_ms", "0");
	reclaim_pass_ms();
	tune("min_sleep_ms", "1000");
	k2 = meminfo_kb("KernelStack");
	report("kstack_deep_then_idle", (double)(k2 - k0) / n, "kB/thread");
	/*
	 * Re-aging: the same threads after 10 s more of idle, with pages
	 * below the saved SP of a 5 s sleeper given back.
	 */
	if (have && !access(SYSFS "reage_ms", W_OK)) {
		tune("reage_ms", "5000");
		sleep(10);
		reclaim_pass_ms();
		tune("reage_ms", "0");
		k2 = meminfo_kb("KernelStack");
		report("kstack_deep_idle_reaged", (double)(k2 - k0) / n, "kB/thread");
	}
	idle_stop(&s);
}

/* ---- 3: context switch -------------------------------------------------- */

#define TRIPS 20000

static int ab[2], ba[2];

static void *pipe_echo(void *arg)
{
	char c;

	pin((long)arg);
	while (read(ab[0], &c, 1) == 1 && c != 'q')
		if (write(ba[1], &c, 1) != 1)
			break;
	return NULL;
}

static void bench_pipe(const char *name, int cpu_a, int cpu_b)
{
	pthread_t t;
	char c = 'x';
	double t0;
	int i;

	if (pipe(ab) || pipe(ba))
		return;
	pin(cpu_a);
	pthread_create(&t, NULL, pipe_echo, (void *)(long)cpu_b);
	for (i = 0; i < 100; i++)	/* warm up */
		if (write(ab[1], &c, 1) != 1 || read(ba[0], &c, 1) != 1)
			return;
	t0 = now_ns();
	for (i = 0; i < TRIPS; i++)
		if (write(ab[1], &c, 1) != 1 || read(ba[0], &c, 1) != 1)
			return;
	report(name, (now_ns() - t0) / TRIPS, "ns");
	c = 'q';
	if (write(ab[1], &c, 1) != 1)
		return;
	pthread_join(t, NULL);
	close(ab[0]); close(ab[1]); close(ba[0]); close(ba[1]);
}

static int ping, pong;

static void *futex_echo(void *arg)
{
	int i;

	pin((long)arg);
	for (i = 0; i < TRIPS + 100; i++) {
		while (__atomic_load_n(&ping, __ATOMIC_ACQUIRE) == 0)
			futex_wait(&ping, 0);
		__atomic_store_n(&ping, 0, __ATOMIC_RELAXED);
		__atomic_store_n(&pong, 1, __ATOMIC_RELEASE);
		futex_wake(&pong, 1);
	}
	return NULL;
}

static void bench_futex(void)
{
	pthread_t t;
	double t0 = 0;
	int i;

	pin(0);
	pthread_create(&t, NULL, futex_echo, (void *)0L);
	for (i = 0; i < TRIPS + 100; i++) {
		if (i == 100)
			t0 = now_ns();
		__atomic_store_n(&ping, 1, __ATOMIC_RELEASE);
		futex_wake(&ping, 1);
		while (__atomic_load_n(&pong, __ATOMIC_ACQUIRE) == 0)
			futex_wait(&pong, 0);
		__atomic_store_n(&pong, 0, __ATOMIC_RELAXED);
	}
	report("futex_pingpong", (now_ns() - t0) / TRIPS, "ns");
	pthread_join(t, NULL);
}

static atomic_int yield_go;

static void *yielder(void *arg)
{
	int i;

	(void)arg;
	pin(0);
	while (!atomic_load(&yield_go))
		sched_yield();
	for (i = 0; i < TRIPS; i++)
		sched_yield();
	return NULL;
}

static void bench_yield(void)
{
	pthread_t t;
	double t0;
	int i;

	pin(0);
	atomic_store(&yield_go, 0);
	pthread_create(&t, NULL, yielder, NULL);
	t0 = now_ns();
	atomic_store(&yield_go, 1);
	for (i = 0; i < TRIPS; i++)
		sched_yield();
	pthread_join(t, NULL);
	report("sched_yield_pair", (now_ns() - t0) / (2.0 * TRIPS), "ns");
}

/* ---- 4: churn ----------------------------------------------------------- */

static void *nothing(void *arg)
{
	return arg;
}

static void bench_churn(void)
{
	double t0, el;
	pthread_t t;
	long n;
	pid_t pid;

	pin(0);
	t0 = now_ns();
	for (n = 0; (el = now_ns() - t0) < 1e9; n++)
		if (!pthread_create(&t, NULL, nothing, NULL))
			pthread_join(t, NULL);
	report("pthread_create_join", n / (el / 1e9), "ops/s");
	t0 = now_ns();
	for (n = 0; (el = now_ns() - t0) < 1e9; n++) {
		pid = fork();
		if (pid == 0)
			_exit(0);
		if (pid > 0)
			waitpid(pid, NULL, 0);
	}
	report("fork_exit_wait", n / (el / 1e9), "ops/s");
}

/* ---- 5: wake latency of a reclaimed task -------------------------------- */

static int wl_word, wl_asleep, wl_seq;
static atomic_int wl_quit;
static double wl_woke, wl_syscall;	/* when it ran; the waker's FUTEX_WAKE */

static void *wl_sleeper(void *arg)
{
	(void)arg;
	pin(1);
	while (!atomic_load(&wl_quit)) {
		__atomic_store_n(&wl_asleep, 1, __ATOMIC_RELEASE);
		while (__atomic_load_n(&wl_word, __ATOMIC_ACQUIRE) == 0)
			futex_wait(&wl_word, 0);
		wl_woke = now_ns();
		__atomic_store_n(&wl_word, 0, __ATOMIC_RELAXED);
		__atomic_store_n(&wl_asleep, 0, __ATOMIC_RELAXED);
		__atomic_add_fetch(&wl_seq, 1, __ATOMIC_RELEASE);
		futex_wake(&wl_seq, 1);
	}
	return NULL;
}

/*
 * The decoy: a second sleeper, whose pages the pass before a resident wake
 * takes instead of the sleeper's, so that both cases pay the same TLB
 * flush (tlb_flush, on in a guest, flushes after a pass that took pages).
 * Without it the pass before a resident wake would flush nothing, and the
 * reserve case would pay for the pass's flush as if it were the wakeup's.
 */
static int dc_word, dc_seq;

static void *wl_decoy(void *arg)
{
	(void)arg;
	pin(1);
	while (!atomic_load(&wl_quit)) {
		while (__atomic_load_n(&dc_word, __ATOMIC_ACQUIRE) == 0)
			futex_wait(&dc_word, 0);
		__atomic_store_n(&dc_word, 0, __ATOMIC_RELAXED);
		__atomic_add_fetch(&dc_seq, 1, __ATOMIC_RELEASE);
		futex_wake(&dc_seq, 1);
	}
	return NULL;
}

/* Wake the decoy, which gets back what the last pass took, and let it run. */
static void decoy_cycle(void)
{
	int seq = __atomic_load_n(&dc_seq, __ATOMIC_ACQUIRE);

	__atomic_store_n(&dc_word, 1, __ATOMIC_RELEASE);
	futex_wake(&dc_word, 1);
	while (__atomic_load_n(&dc_seq, __ATOMIC_ACQUIRE) == seq)
		futex_wait(&dc_seq, seq);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

#define WAKES 150

static long pass_pages[2], passes[2];	/* per case: pages the passes took */

/* Wake the sleeper, after a reclaim pass if @pass: its wake-to-run in ns. */
static double wake_sleeper(int pass)
{
	double t0;
	int seq;

	while (!__atomic_load_n(&wl_asleep, __ATOMIC_ACQUIRE))
		usleep(100);
	seq = __atomic_load_n(&wl_seq, __ATOMIC_ACQUIRE);
	usleep(3000);	/* into futex_wait() and off its CPU */
	if (pass)
		reclaim_pass_ms();
	t0 = now_ns();
	__atomic_store_n(&wl_word, 1, __ATOMIC_RELEASE);
	futex_wake(&wl_word, 1);
	wl_syscall = now_ns() - t0;
	while (__atomic_load_n(&wl_seq, __ATOMIC_ACQUIRE) == seq)
		futex_wait(&wl_seq, seq);
	return wl_woke - t0;
}

/*
 * One wake-to-run, in ns.  With the feature on, every wake runs the same
 * reclaim pass first, with min_sleep_ms 15 (set by the caller), after one
 * of two sleepers has slept 3 ms and the other 23: the pass takes the
 * pages of the older one, the sleeper if @take, else the decoy.  So every
 * pass takes three pages and flushes the TLB alike (tlb_flush, on in a
 * guest), and the two cases differ only in whether the task woken is the
 * one with holes.
 */
static double wake_once(int take)
{
	long rec;
	double ns;

	if (!have)
		return wake_sleeper(0);
	if (take) {
		wake_sleeper(0);
		usleep(20000);
		decoy_cycle();
	} else {
		decoy_cycle();
		usleep(20000);
		wake_sleeper(0);
	}
	rec = stat_of("pages_reclaimed");
	ns = wake_sleeper(1);
	pass_pages[take] += stat_of("pages_reclaimed") - rec;
	passes[take]++;
	return ns;
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(v[0]), cmp_double);
	return v[n / 2];
}

/*
 * Median wake-to-run of a resident sleeper, and with the feature on, of
 * one whose pages were taken (served by the reserve), interleaved in
 * rotating order with a second resident series: again/resident is the
 * noise left within the boot.  Then, with an empty reserve, deferred.
 */
static void bench_wake_latency(void)
{
	double res[WAKES], rsv[WAKES], again[WAKES], def[WAKES];
	double sys_res[WAKES], sys_rsv[WAKES];
	long rep0, def0;
	char reserve[32] = "32";
	char hook[32] = "0";
	pthread_t t, d;
	int i;

	pin(0);
	/*
	 * The hook would take the sleeper's pages as it blocks, before a
	 * resident wake too (BENCH_MODE=hook with tlb_flush=0).
	 */
	get_tunable("switch_hook", hook, sizeof(hook));
	tune("switch_hook", "0");
	atomic_store(&wl_quit, 0);
	pthread_create(&t, NULL, wl_sleeper, NULL);
	pthread_create(&d, NULL, wl_decoy, NULL);
	tune("min_sleep_ms", "15");	/* for wake_once() */
	rep0 = stat_of("pages_repopulated");
	def0 = stat_of("deferred_wakes");
	for (i = 0; i < WAKES; i++) {
		switch (i % 3) {
		case 0:
			res[i] = wake_once(0);
			sys_res[i] = wl_syscall;
			rsv[i] = have ? wake_once(1) : 0;
			sys_rsv[i] = wl_syscall;
			again[i] = wake_once(0);
			break;
		case 1:
			rsv[i] = have ? wake_once(1) : 0;
			sys_rsv[i] = wl_syscall;
			again[i] = wake_once(0);
			res[i] = wake_once(0);
			sys_res[i] = wl_syscall;
			break;
		default:
			again[i] = wake_once(0);
			res[i] = wake_once(0);
			sys_res[i] = wl_syscall;
			rsv[i] = have ? wake_once(1) : 0;
			sys_rsv[i] = wl_syscall;
		}
	}
	report("wake_latency_resident", median(res, WAKES) / 1e3, "us");
	/* The waker's part of it: FUTEX_WAKE, which fills the holes. */
	report("wake_syscall_resident", median(sys_res, WAKES) / 1e3, "us");
	if (have) {
		double r = median(res, WAKES);

		report("wake_latency_reserve", median(rsv, WAKES) / 1e3, "us");
		report("wake_syscall_reserve", median(sys_rsv, WAKES) / 1e3, "us");
		report("wake_latency_reserve_ratio", median(rsv, WAKES) / r, "ratio");
		report("wake_latency_again_ratio", median(again, WAKES) / r, "ratio");
		fprintf(stderr, "wake_latency: %ld pages repopulated, %ld deferred wakes\n",
			stat_of("pages_repopulated") - rep0, stat_of("deferred_wakes") - def0);
		/* Three each: the decoy's, or the sleeper's. */
		fprintf(stderr, "wake_latency: a pass took %.2f pages before a resident wake, %.2f before a reserve one\n",
			(double)pass_pages[0] / (passes[0] ?: 1),
			(double)pass_pages[1] / (passes[1] ?: 1));
		get_tunable("reserve_pages", reserve, sizeof(reserve));
		tune("reserve_pages", "0");
		def0 = stat_of("deferred_wakes");
		for (i = 0; i < WAKES; i++)
			def[i] = wake_once(1);
		report("wake_latency_deferred", median(def, WAKES) / 1e3, "us");
		fprintf(stderr, "wake_latency_deferred: %ld deferred wakes\n",
			stat_of("deferred_wakes") - def0);
		tune("reserve_pages", reserve);
		tune("min_sleep_ms", "1000");
	}
	tune("switch_hook", hook);
	atomic_store(&wl_quit, 1);
	__atomic_store_n(&wl_word, 1, __ATOMIC_RELEASE);
	futex_wake(&wl_word, 1);
	pthread_join(t, NULL);
	__atomic_store_n(&dc_word, 1, __ATOMIC_RELEASE);
	futex_wake(&dc_word, 1);
	pthread_join(d, NULL);
}

/* ---- 6: kernel page faults on user memory ------------------------------- */

#define FAULT_BYTES (8 << 20)

static void bench_faults(void)
{
	double t_copy = 0, t_touch = 0, t0;
	int fd = open("/dev/zero", O_RDONLY), r;
	long pages = 0;
	char *p;
	size_t i;

	if (fd < 0)
		return;
	pin(0);
	for (r = 0; r < 8; r++) {
		p = mmap(NULL, FAULT_BYTES, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		t0 = now_ns();
		if (read(fd, p, FAULT_BYTES) != FAULT_BYTES)	/* copy_to_user faults */
			break;
		t_copy += now_ns() - t0;
		munmap(p, FAULT_BYTES);
		p = mmap(NULL, FAULT_BYTES, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		t0 = now_ns();
		for (i = 0; i < FAULT_BYTES; i += 4096)
			p[i] = 1;
		t_touch += now_ns() - t0;
		munmap(p, FAULT_BYTES);
		pages += FAULT_BYTES / 4096;
	}
	close(fd);
	report("fault_copy_to_user", t_copy / pages, "ns/page");
	report("fault_user_touch", t_touch / pages, "ns/page");
}

/* ---- 8: in-boot A/B ---------------------------------------------------- */

/* The cost benchmarks, 3, 4 and 6 above. */
static void bench_costs(void)
{
	bench_pipe("pipe_pingpong_same_cpu", 0, 0);
	bench_pipe("pipe_pingpong_cross_cpu", 0, 1);
	bench_futex();
	bench_yield();
	bench_churn();
	bench_faults();
}

/*
 * Boots of one kernel spread 10-30% under TCG, too much to read a 1-2%
 * target across boots.  Within one boot the feature switches off and on
 * through sysfs "enabled" (the static key, as with stack_reclaim=off), so
 * the cost benchmarks run in rounds of off, on, on with the switch hook
 * and off again, the order rotating, and each round gives on/off,
 * hook/off and, for the noise within a boot, again/off.
 */
static void ab_run(const char *mode, double *v)
{
	int i;

	tune("enabled", strcmp(mode, "off") && strcmp(mode, "again") ? "1" : "0");
	tune("switch_hook", strcmp(mode, "hook") ? "0" : "1");
	quiesce();
	ab_quiet = 1;
	ab_n = 0;
	bench_costs();
	ab_quiet = 0;
	for (i = 0; i < ab_n; i++)
		v[i] = ab_got[i].v;
}

static void bench_ab(int rounds)
{
	static const char * const modes[] = { "off", "on", "hook", "again" };
	double v[4][AB_MAX];
	char name[64];
	int r, k, m, i;

	for (r = 0; r < rounds; r++) {
		for (k = 0; k < 4; k++) {
			m = (r + k) % 4;
			ab_run(modes[m], v[m]);
		}
		for (m = 1; m < 4; m++)
			for (i = 0; i < ab_n; i++) {
				snprintf(name, sizeof(name), "ab_%s_%s",
					 modes[m], ab_got[i].name);
				report(name, v[m][i] / v[0][i], "ratio");
			}
	}
	tune("enabled", "1");
	tune("switch_hook", "0");
}

/* ------------------------------------------------------------------------- */

int main(void)
{
	const char *threads = getenv("BENCH_THREADS") ?: "1000 10000";
	const char *only = getenv("BENCH_ONLY");
	int deep = getenv("BENCH_DEEP") ? atoi(getenv("BENCH_DEEP")) : 1000;
	char enabled[8] = "0", *list, *tok;
	int present;

	present = !get_tunable("enabled", enabled, sizeof(enabled));
	have = enabled[0] == '1';
	printf("TAP version 13\n1..1\n");
	printf("bench-info: mode=%s feature=%s\n", getenv("BENCH_MODE") ?: "?",
	       have ? "on" : (present ? "off" : "absent"));
	/* Room for 100,000 tasks. */
	put("/proc/sys/kernel/threads-max", "400000");
	put("/proc/sys/kernel/pid_max", "4194304");
	if (getenv("BENCH_MODE") && !strcmp(getenv("BENCH_MODE"), "hook"))
		tune("switch_hook", "1");
	if (getenv("BENCH_TLB_FLUSH"))
		tune("tlb_flush", getenv("BENCH_TLB_FLUSH"));

	if (only && strcmp(only, "wake") && strcmp(only, "ab")) {
		printf("not ok 1 - BENCH_ONLY=%s: not wake or ab\n", only);
		return 1;
	}
	if (!only)
		bench_costs();
	if (!only || !strcmp(only, "wake"))
		bench_wake_latency();
	if (have && getenv("BENCH_AB") && (!only || !strcmp(only, "ab")))
		bench_ab(atoi(getenv("BENCH_AB")));
	if (only) {
		printf("ok 1 - benchmarks ran (%s only)\n", only);
		return 0;
	}
	pin(0);
	list = strdup(threads);
	for (tok = strtok(list, " ,"); tok; tok = strtok(NULL, " ,"))
		bench_memory(atoi(tok));
	if (deep)
		bench_deep(deep);
	printf("ok 1 - benchmarks ran\n");
	return 0;
}
