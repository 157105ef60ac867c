// SPDX-License-Identifier: GPL-2.0
/*
 * Wake/reclaim storm (TAP).  Workers sleep and wake through futexes,
 * pipes, timers, signals, SIGSTOP/SIGCONT, ptrace syscall stops, SIGKILL
 * and a cgroup v2 freezer, and a crowd of SR_STORM_CROWD threads (default
 * 1000) is woken all at once every CROWD_EVERY seconds, while reclaim runs
 * all the time (min_sleep_ms=0, a 10 ms periodic scan, the switch hook,
 * explicit passes) and the reserve is resized between 0 (every wakeup of a
 * reclaimed task deferred) and its maximum.  CPU 1 goes offline and
 * online (parking and unparking its per-CPU kthreads) and the system
 * freezer freezes and thaws every task (pm_test=freezer) when the kernel
 * has them.  Every worker counts its progress: a worker that makes none
 * for STALL_SECS is a lost wakeup and fails the run.
 *
 * Futex and pipe workers go deep now and then (debugfs use_stack), and
 * re-aging is on (reage_ms cycles through 1, 0 and 50), so that pages with
 * A set are taken too and wakeups race with the re-aging TLB flush;
 * tlb_flush is on for one step in four.
 *
 *   SR_STORM_SECS      duration (default 20)
 *   SR_STORM_NO_REAGE  leave re-aging, tlb_flush and use_stack out
 *   SR_STORM_NO_CGFREEZE, SR_STORM_NO_FREEZE, SR_STORM_NO_HOTPLUG
 *                      leave the cgroup freezer, the system freezer or
 *                      CPU hotplug out
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sr_util.h"

#define SYSFS "/sys/kernel/mm/stack_reclaim/"
#define CPU1 "/sys/devices/system/cpu/cpu1/online"
#define PAIRS 16
#define STALL_SECS 15

/* Threads of this process up to SIGNAL; processes of their own from STOPCONT. */
enum kind { FUTEX, PIPE, TIMER, SIGNAL, STOPCONT, PTRACE, KILL, CGFREEZE, KINDS };
static const char *const kind_name[] = {
	"futex", "pipe", "timer", "signal", "stop/cont", "ptrace", "sigkill",
	"cgroup-freeze",
};

/* The cgroup v2 the CGFREEZE workers live in, frozen and thawed by churn(). */
#define CG "/sys/fs/cgroup/sr_storm_freeze/"

struct worker {
	enum kind kind;
	atomic_long progress;
	long seen;
	time_t last_change;
	int fd[2][2];
	atomic_int word;
	pthread_t th[2];
	pid_t tid[2];		/* for the report of a thread that will not exit */
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

/* A futex ping-pong word holds the side whose turn it is, or this. */
#define FUTEX_WORD_STOP 2

/*
 * One turn of a two-thread futex ping-pong: side @s waits for *@word == s,
 * then hands the word over.  No timeout: a lost wakeup must show as a
 * stall.  False if main() stopped the game instead.
 */
static bool futex_turn(atomic_int *word, int s)
{
	int v;

	while ((v = atomic_load(word)) != s) {
		if (v == FUTEX_WORD_STOP)
			return false;
		syscall(SYS_futex, word, FUTEX_WAIT_PRIVATE, v, NULL, NULL, 0);
	}
	atomic_store(word, !s);
	syscall(SYS_futex, word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
	return true;
}

static void *futex_side(void *arg)
{
	struct worker *wk = (struct worker *)((long)arg & ~1L);
	int s = (long)arg & 1;

	wk->tid[s] = gettid();
	while (!atomic_load(&stop) && futex_turn(&wk->word, s))
		maybe_go_deep(atomic_fetch_add(&wk->progress, 1));
	return NULL;
}

static void *pipe_side(void *arg)
{
	struct worker *wk = (struct worker *)((long)arg & ~1L);
	int s = (long)arg & 1;
	char c = 'x';

	wk->tid[s] = gettid();
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

	wk->tid[0] = gettid();
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

	wk->tid[s] = gettid();
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

/*
 * A forked child holds no copy of the pipes' write ends: a pipe reader
 * whose partner has gone must see end of file.
 */
static void close_inherited_fds(void)
{
	for (int fd = 3; fd < 1024; fd++)
		close(fd);
}

/*
 * The ptrace and SIGKILL workers are processes of their own, forked before
 * any thread exists: their own forks then copy a small mm, not one with
 * thousands of thread stacks, which under TCG starves everything else of
 * the mmap lock.  Progress goes to *wk->shared, as for stop/cont.
 */

/*
 * fork() for a child that must die with its parent, even if the parent is
 * killed before the child gets going, and that holds no copy of the
 * harness's output pipe, which would keep the run open.
 */
static pid_t fork_dependent(void)
{
	pid_t parent = getpid(), child = fork();

	if (!child) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(0);
		for (int fd = 0; fd < 3; fd++)
			close(fd);
	}
	return child;
}

/*
 * A tracer process and its tracee, which sleeps 1 ms at a time and stops
 * at every syscall entry and exit (TASK_TRACED) while the tracer sleeps in
 * waitpid().
 */
static void ptrace_worker(struct worker *wk)
{
	struct timespec ts = { 0, 1000 * 1000 };
	int st, sig = 0;
	pid_t child;

	child = fork_dependent();
	if (!child) {
		ptrace(PTRACE_TRACEME, 0, NULL, NULL);
		raise(SIGSTOP);
		for (;;)
			nanosleep(&ts, NULL);
	}
	if (child < 0 || waitpid(child, &st, 0) != child)
		_exit(1);
	ptrace(PTRACE_SETOPTIONS, child, NULL,
	       (void *)(PTRACE_O_TRACESYSGOOD | PTRACE_O_EXITKILL));
	for (;;) {
		if (ptrace(PTRACE_SYSCALL, child, NULL, (void *)(long)sig) ||
		    waitpid(child, &st, 0) != child || !WIFSTOPPED(st))
			_exit(1);
		/* Pass on signals (the freezer's, say); syscall stops carry none. */
		sig = WSTOPSIG(st) == (SIGTRAP | 0x80) ? 0 : WSTOPSIG(st);
		(*(volatile long *)wk->shared)++;
	}
}

/* Fork a child that sleeps in pause(), let it sleep a little, kill it. */
static void kill_worker(struct worker *wk)
{
	struct timespec ts = { 0, 2 * 1000 * 1000 };
	pid_t child;

	for (;;) {
		child = fork_dependent();
		if (!child) {
			for (;;)
				pause();
		}
		if (child < 0)
			_exit(1);
		nanosleep(&ts, NULL);
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
		(*(volatile long *)wk->shared)++;
	}
}

/*
 * A process in the frozen and thawed cgroup: two threads hand a futex word
 * back and forth.  A frozen task sits in do_freezer_trap() (its stack is
 * reclaimed there like any sleeper's) until the thaw wakes it.
 */
static atomic_int cg_word;
static long *cg_counter;

static void *cg_pingpong(void *arg)
{
	for (;;) {
		futex_turn(&cg_word, (int)(long)arg);
		(*(volatile long *)cg_counter)++;
	}
	return NULL;
}

static void cgfreeze_worker(struct worker *wk)
{
	char pid[16];
	pthread_t th;

	snprintf(pid, sizeof(pid), "%d", getpid());
	put(CG "cgroup.procs", pid);	/* without the cgroup: never frozen */
	cg_counter = wk->shared;
	pthread_create(&th, NULL, cg_pingpong, (void *)1L);
	cg_pingpong((void *)0L);
}

/* Count 1 ms sleeps; main stops and continues us with SIGSTOP/SIGCONT. */
static void stopcont_worker(struct worker *wk)
{
	struct timespec ts = { 0, 1000 * 1000 };

	for (;;) {
		nanosleep(&ts, NULL);
		(*(volatile long *)wk->shared)++;
	}
}

/*
 * The crowd: many threads asleep on one futex word, all woken each time
 * main bumps it (every CROWD_EVERY seconds).  Each records the last
 * generation it saw.  With the reserve at 0, every one of those wakeups
 * goes through stack_reclaimd.
 */
#define CROWD_EVERY 3
struct member {
	pthread_t th;
	pid_t tid;
	atomic_int seen;
};

static struct member *crowd;
static int crowd_size;
static atomic_int crowd_gen = 1;

static void *crowd_member(void *arg)
{
	struct member *m = arg;

	m->tid = gettid();
	while (!atomic_load(&stop)) {
		int g = atomic_load(&crowd_gen);

		if (g == atomic_load(&m->seen))
			syscall(SYS_futex, &crowd_gen, FUTEX_WAIT_PRIVATE, g, NULL, NULL, 0);
		else
			atomic_store(&m->seen, g);
	}
	return NULL;
}

static void crowd_wake(void)
{
	atomic_fetch_add(&crowd_gen, 1);
	syscall(SYS_futex, &crowd_gen, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
}

static void start_crowd(void)
{
	pthread_attr_t attr;

	crowd_size = getenv("SR_STORM_CROWD") ? atoi(getenv("SR_STORM_CROWD")) : 1000;
	crowd = calloc(crowd_size, sizeof(*crowd));
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 64 * 1024);
	for (int i = 0; crowd && i < crowd_size; i++)
		if (pthread_create(&crowd[i].th, &attr, crowd_member, &crowd[i])) {
			crowd_size = i;
			break;
		}
	pthread_attr_destroy(&attr);
}

/* Members that saw none of the last STALL_SECS wakeups of the crowd. */
static int crowd_stalled(void)
{
	int g = atomic_load(&crowd_gen), n = 0;

	for (int i = 0; i < crowd_size; i++)
		if (g - atomic_load(&crowd[i].seen) > STALL_SECS / CROWD_EVERY) {
			if (!n)
				printf("# crowd member %d (tid %d) saw none of the last %d wakeups\n",
				       i, crowd[i].tid, g - atomic_load(&crowd[i].seen) - 1);
			n++;
		}
	if (n)
		printf("# %d of %d crowd members stalled\n", n, crowd_size);
	return n;
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
	case PTRACE:
	case KILL:
	case CGFREEZE:
		wk->child = fork();
		if (!wk->child) {
			close_inherited_fds();
			if (k == PTRACE)
				ptrace_worker(wk);
			if (k == KILL)
				kill_worker(wk);
			if (k == CGFREEZE)
				cgfreeze_worker(wk);
			stopcont_worker(wk);
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
static atomic_int churn_stop, hotplug_steps, freeze_steps, freeze_failures;
static atomic_long churn_step;
static const char *volatile churn_what = "";
static int can_hotplug, can_freeze, can_cgfreeze;
static int cg_freezes, cg_freeze_timeouts;
/* The slowest step of each kind that waits for other tasks to run. */
static double slowest_offline, slowest_online, slowest_freeze, slowest_cgfreeze;

/* Begin a churn step: main() names it if it does not end. */
static double step_begin(const char *what)
{
	churn_what = what;
	return now_s();
}

static void step_end(double t0, double *slowest)
{
	double took = now_s() - t0;

	if (slowest && took > *slowest)
		*slowest = took;
	atomic_fetch_add(&churn_step, 1);
}

/*
 * pm_test=freezer: a write of "freeze" to /sys/power/state freezes every
 * user task and the freezable kthreads, as for suspend, and thaws them at
 * once.  Sleepers with holes are woken to freeze (fake signal) and woken
 * again from TASK_FROZEN at thaw.
 */
static int setup_freezer(void)
{
	if (getenv("SR_STORM_NO_FREEZE") || put(POWER "pm_test", "freezer"))
		return 0;
	put_or_warn(PM_TEST_DELAY, "0");
	return 1;
}

/* A cgroup v2 for the CGFREEZE workers; 0 if there is none. */
static int setup_cgfreeze(void)
{
	if (getenv("SR_STORM_NO_CGFREEZE"))
		return 0;
	mount_cgroup2();
	mkdir(CG, 0755);
	return access(CG "cgroup.freeze", W_OK) == 0;
}

/*
 * Freeze the cgroup and wait until cgroup.events says every task in it is
 * frozen -- each must be woken, run, and trap -- then thaw it.
 */
static void cgroup_freeze_and_thaw(void)
{
	double t0 = now_s();

	put_or_warn(CG "cgroup.freeze", "1");
	while (field_of(CG "cgroup.events", "frozen", ' ') != 1) {
		if (now_s() - t0 > 10) {
			fprintf(stderr, "cgroup freeze: not frozen after 10 s\n");
			cg_freeze_timeouts++;
			break;
		}
		usleep(10 * 1000);
	}
	put_or_warn(CG "cgroup.freeze", "0");
	cg_freezes++;
}

static void *churn(void *arg)
{
	static const char *const reserves[] = { "0", "4", "256", "32" };
	static const char *const reage[] = { "1", "0", "1", "50" };
	static const char *const flush[] = { "0", "0", "1", "0" };
	struct timespec ts = { 1, 0 };
	double t0;
	int t;

	(void)arg;
	/*
	 * The administrator's steps run in this thread, the explicit reclaim
	 * pass included, and it shares two CPUs with a herd of a thousand.
	 * At nice 0 it gets a thousandth of them and the storm sees one
	 * hotplug step in 20 s on a debug kernel; at -20 it gets its steps in.
	 */
	if (setpriority(PRIO_PROCESS, syscall(SYS_gettid), -20))
		perror("setpriority");
	for (t = 0; !atomic_load(&churn_stop); t++) {
		nanosleep(&ts, NULL);
		t0 = step_begin("reserve_pages");
		put_or_warn(SYSFS "reserve_pages", reserves[t % 4]);
		step_end(t0, NULL);
		if (use_stack_fd >= 0) {
			t0 = step_begin("reage_ms");
			put_or_warn(SYSFS "reage_ms", reage[t % 4]);
			step_end(t0, NULL);
			t0 = step_begin("tlb_flush");
			put_or_warn(SYSFS "tlb_flush", flush[(t / 4) % 4]);
			step_end(t0, NULL);
		}
		t0 = step_begin("reclaim");
		put_or_warn(SYSFS "reclaim", "1");
		step_end(t0, NULL);
		if (can_cgfreeze && t % 3 == 0) {
			t0 = step_begin("cgroup freeze and thaw");
			cgroup_freeze_and_thaw();
			step_end(t0, &slowest_cgfreeze);
		}
		if (can_freeze && t % 3 == 1) {
			t0 = step_begin("freeze and thaw");
			int ret = put(POWER "state", "freeze");

			if (ret) {
				fprintf(stderr, "freeze: %s\n", strerror(-ret));
				atomic_fetch_add(&freeze_failures, 1);
			}
			atomic_fetch_add(&freeze_steps, 1);
			step_end(t0, &slowest_freeze);
		}
		if (can_hotplug && t % 3 == 2) {
			int up = atomic_load(&hotplug_steps) & 1;

			t0 = step_begin(up ? "cpu1 online" : "cpu1 offline");
			put_or_warn(CPU1, up ? "1" : "0");
			atomic_fetch_add(&hotplug_steps, 1);
			step_end(t0, up ? &slowest_online : &slowest_offline);
		}
	}
	if (can_hotplug && atomic_load(&hotplug_steps) & 1)
		put_or_warn(CPU1, "1");
	return NULL;
}

/* pthread_join() that gives up after STALL_SECS; 0 if the thread exited. */
static int join_within_stall(pthread_t th)
{
	struct timespec deadline;

	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += STALL_SECS;
	return pthread_timedjoin_np(th, NULL, &deadline);
}

/*
 * Join one thread of a stopped worker.  One that does not exit within
 * STALL_SECS is reported with where it sleeps; a pipe reader asleep with
 * bytes queued for it missed its wakeup.
 */
static int join_or_report(struct worker *wk, int i, int s)
{
	char path[64], wchan[64] = "?", state = '?';
	int queued = -1;
	FILE *f;

	if (!join_within_stall(wk->th[s]))
		return 0;
	snprintf(path, sizeof(path), "/proc/self/task/%d/wchan", wk->tid[s]);
	f = fopen(path, "r");
	if (f) {
		if (!fgets(wchan, sizeof(wchan), f))
			strcpy(wchan, "?");
		fclose(f);
	}
	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", wk->tid[s]);
	f = fopen(path, "r");
	if (f) {
		if (fscanf(f, "%*d (%*[^)]) %c", &state) != 1)
			state = '?';
		fclose(f);
	}
	if (wk->kind == PIPE && ioctl(wk->fd[s][0], FIONREAD, &queued))
		queued = -1;
	printf("# %s worker %d thread %d (tid %d) did not exit: state %c in %s, %d bytes queued%s\n",
	       kind_name[wk->kind], i, s, wk->tid[s], state, wchan, queued,
	       queued > 0 && state == 'S' ? " (LOST WAKEUP)" : "");
	fflush(stdout);
	return 1;
}

/*
 * After a stall: the kernel threads, for a deferred wakeup stuck on the way
 * (a kworker or a parking per-CPU thread asleep, stack_reclaimd busy or
 * idle), with the kernel stack of those a CPU-hotplug step waits for.
 */
static void dump_kthreads(void)
{
	char path[64], comm[64], line[256], state;
	int pid, ppid;
	FILE *f;

	printf("# deferred wakeups queued %ld, reserve pages %ld\n",
	       stat_of("deferred_wakes_now"), stat_of("reserve_pages_now"));
	for (pid = 2; pid < 4096; pid++) {
		snprintf(path, sizeof(path), "/proc/%d/stat", pid);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fscanf(f, "%*d (%63[^)]) %c %d", comm, &state, &ppid) != 3)
			ppid = -1;
		fclose(f);
		if (pid != 2 && ppid != 2)
			continue;
		printf("# kthread %d %s state %c\n", pid, comm, state);
		if (state != 'D' && state != 'R' && !strstr(comm, "kworker/") &&
		    !strstr(comm, "cpuhp/") && strcmp(comm, "stack_reclaimd"))
			continue;
		snprintf(path, sizeof(path), "/proc/%d/stack", pid);
		f = fopen(path, "r");
		while (f && fgets(line, sizeof(line), f))
			printf("#   %s", line);
		if (f)
			fclose(f);
	}
	fflush(stdout);
}

int main(void)
{
	int secs = getenv("SR_STORM_SECS") ? atoi(getenv("SR_STORM_SECS")) : 20;
	long r0 = stat_of("pages_reclaimed"), p0 = stat_of("pages_repopulated");
	long d0 = stat_of("deferred_wakes"), a0 = stat_of("pages_reaged");
	long f0 = stat_of("full_passes"), w0 = stat_of("deferred_wait_total_us");
	int nw = KINDS * PAIRS, i, t, stalled = 0, stuck = 0, hotplug;
	long step, churn_seen = -1, dw;
	time_t churn_change = time(NULL);
	pthread_t churner;
	long total = 0, by_kind[KINDS] = { 0 }, crowd_wakeups = 0, *shared;
	sigset_t set;

	if (access(SYSFS, F_OK)) {
		printf("1..1\nok 1 - storm # SKIP stack reclaim absent\n");
		return 0;
	}
	printf("TAP version 13\n1..6\n");
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
	can_freeze = setup_freezer();
	can_cgfreeze = setup_cgfreeze();

	/*
	 * Processes first, while the mm they copy is small; then the crowd,
	 * before busy workers compete with its creation; then the threads.
	 */
	for (i = 0; i < nw; i++) {
		w[i].shared = &shared[i];
		if (i / PAIRS >= STOPCONT)
			start(&w[i], i / PAIRS);
	}
	start_crowd();
	for (i = 0; i < nw; i++)
		if (i / PAIRS < STOPCONT)
			start(&w[i], i / PAIRS);

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
		if (t % CROWD_EVERY == 0) {
			crowd_wake();
			stalled += crowd_stalled();
		}
		now = time(NULL);
		for (i = 0; i < nw; i++) {
			long p = w[i].kind >= STOPCONT ? shared[i] : atomic_load(&w[i].progress);

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
		dump_kthreads();
		printf("# pages reclaimed %ld, repopulated %ld, deferred wakes %ld, now %ld\n",
		       stat_of("pages_reclaimed") - r0, stat_of("pages_repopulated") - p0,
		       stat_of("deferred_wakes") - d0, stat_of("pages_reclaimed_now"));
		printf("# full reclaim passes: last %ld ms, longest %ld ms\n",
		       stat_of("full_pass_last_ms"), stat_of("full_pass_max_ms"));
		printf("not ok 1 - no worker stalled for %d s (%d stalled)\n", STALL_SECS, stalled);
		printf("ok 2 - reclaim and repopulation ran # SKIP after a stall\n");
		printf("ok 3 - deferred wakeups # SKIP after a stall\n");
		printf("ok 4 - re-aging # SKIP after a stall\n");
		printf("ok 5 - freezer # SKIP after a stall\n");
		printf("ok 6 - cgroup freezer # SKIP after a stall\n");
		fflush(stdout);
		/* Our processes hold the harness's output pipe: take them along. */
		for (i = 0; i < nw; i++)
			if (w[i].kind >= STOPCONT)
				kill(w[i].child, SIGKILL);
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
		atomic_store(&w[i].word, FUTEX_WORD_STOP);
		syscall(SYS_futex, &w[i].word, FUTEX_WAKE_PRIVATE, 2, NULL, NULL, 0);
	}
	crowd_wake();
	for (i = 0; i < crowd_size; i++) {
		if (join_within_stall(crowd[i].th)) {
			printf("# crowd member %d (tid %d) did not exit\n", i, crowd[i].tid);
			stuck++;
		}
		crowd_wakeups += atomic_load(&crowd[i].seen);
	}
	if (can_cgfreeze)
		put_or_warn(CG "cgroup.freeze", "0");
	for (i = 0; i < nw; i++) {
		switch (w[i].kind) {
		case STOPCONT:
		case PTRACE:
		case KILL:
		case CGFREEZE:
			kill(w[i].child, SIGKILL);
			waitpid(w[i].child, NULL, 0);
			by_kind[w[i].kind] += shared[i];
			break;
		case PIPE:
			close(w[i].fd[0][1]);
			close(w[i].fd[1][1]);
			/* fall through */
		default:
			stuck += join_or_report(&w[i], i, 0);
			if (w[i].kind != TIMER)
				stuck += join_or_report(&w[i], i, 1);
			by_kind[w[i].kind] += atomic_load(&w[i].progress);
		}
	}
	for (i = 0; i < KINDS; i++)
		total += by_kind[i];
	put_or_warn(SYSFS "min_sleep_ms", "1000");
	if (can_freeze)
		put_or_warn(POWER "pm_test", "none");
	if (stuck)
		put_or_warn("/proc/sysrq-trigger", "w");

	printf("# %d s, %d workers, %ld steps done, %d CPU hotplug steps, %d freeze/thaw cycles (%d failed)\n",
	       t, nw, total, hotplug, atomic_load(&freeze_steps), atomic_load(&freeze_failures));
	printf("#");
	for (i = 0; i < KINDS; i++)
		printf(" %s %ld,", kind_name[i], by_kind[i]);
	printf(" crowd of %d: %ld wakeups\n", crowd_size, crowd_wakeups);
	printf("# slowest steps: cpu1 offline %.2f s, online %.2f s, freeze/thaw %.2f s, cgroup freeze/thaw %.2f s\n",
	       slowest_offline, slowest_online, slowest_freeze, slowest_cgfreeze);
	dw = stat_of("deferred_wakes") - d0;
	printf("# pages reclaimed %ld (re-aged %ld), repopulated %ld, deferred wakes %ld\n",
	       stat_of("pages_reclaimed") - r0, stat_of("pages_reaged") - a0,
	       stat_of("pages_repopulated") - p0, dw);
	printf("# %ld full reclaim passes, the longest %ld ms\n",
	       stat_of("full_passes") - f0, stat_of("full_pass_max_ms"));
	printf("# deferred wakeups waited %ld us per deferral, the longest since boot %.1f ms\n",
	       dw > 0 ? (stat_of("deferred_wait_total_us") - w0) / dw : 0,
	       stat_of("deferred_wait_max_us") / 1000.0);
	printf("%sok 1 - no worker stalled for %d s, all exited (%d stalled, %d stuck at exit)\n",
	       stalled || stuck ? "not " : "", STALL_SECS, stalled, stuck);
	printf("%sok 2 - reclaim and repopulation ran during the storm\n",
	       stat_of("pages_reclaimed") > r0 && stat_of("pages_repopulated") > p0 ? "" : "not ");
	printf("%sok 3 - deferred wakeups happened and completed\n",
	       stat_of("deferred_wakes") > d0 ? "" : "not ");
	if (use_stack_fd < 0)
		printf("ok 4 - re-aging took pages # SKIP no debugfs use_stack\n");
	else
		printf("%sok 4 - re-aging took pages\n",
		       stat_of("pages_reaged") > a0 ? "" : "not ");
	if (!can_freeze)
		printf("ok 5 - freezer cycles # SKIP no pm_test (CONFIG_PM_SLEEP_DEBUG)\n");
	else
		printf("%sok 5 - every freeze/thaw cycle succeeded (%d)\n",
		       atomic_load(&freeze_failures) || !atomic_load(&freeze_steps) ? "not " : "",
		       atomic_load(&freeze_steps));
	if (!can_cgfreeze)
		printf("ok 6 - cgroup freezer # SKIP no cgroup v2 freezer\n");
	else
		printf("%sok 6 - every cgroup freeze completed within 10 s (%d cycles)\n",
		       cg_freeze_timeouts || !cg_freezes ? "not " : "", cg_freezes);
	rmdir(CG);
	return 0;
}
