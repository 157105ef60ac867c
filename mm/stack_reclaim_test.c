// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for kernel stack reclaim (mm/stack_reclaim.c).
 *
 * Each test drives real kthreads through sleep, reclaim and wakeup on the
 * booted kernel: the stack pages, PTEs and scheduler paths are the real
 * ones.  A test thread sleeps in TASK_UNINTERRUPTIBLE until the test asks it
 * to run once more; on each run it may recurse to near the end of its stack
 * writing and checking a pattern, or check that pages given back are zero.
 */
#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/magic.h>
#include <linux/sched/task.h>
#include <linux/sched/task_stack.h>
#include <linux/shrinker.h>
#include <linux/stack_reclaim.h>
#include <linux/string.h>
#include <linux/vmalloc.h>

#include "stack_reclaim.h"

#define WAIT_MS		5000

struct sr_thread {
	struct task_struct	*task;
	atomic_t		asked;		/* runs requested */
	atomic_t		runs;		/* runs done */
	atomic_t		wakes;		/* returns from schedule() */
	bool			deep;		/* recurse on the next run */
	bool			linger;		/* busy 5 ms before blocking */
	struct mutex		*lock;		/* taken on a run, dropped on the next */
	bool			locked;
	unsigned long		check_zero;	/* pages to check on the next run */
	int			result;		/* 0, or -EIO on a bad page */
};

/* Fill a frame per level down to @limit, then check each on the way up. */
static noinline int recurse(unsigned long limit, int depth)
{
	u8 buf[256];
	int i, ret = 0;

	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (u8)(depth * 7 + i);
	barrier_data(buf);	/* the frame must really be written... */
	if (current_stack_pointer > limit)
		ret = recurse(limit, depth + 1);
	barrier_data(buf);	/* ...and really be read back */
	for (i = 0; i < sizeof(buf); i++)
		if (buf[i] != (u8)(depth * 7 + i))
			ret = -EIO;
	return ret;
}

/* Use the stack down to 2K (plus a frame) above its end. */
static int go_deep(void)
{
	return recurse((unsigned long)task_stack_page(current) + 2048, 0);
}

/* Pages that were holes must come back zeroed (page 0 keeps the canary). */
static int check_zero(unsigned long pages)
{
	unsigned long base = (unsigned long)task_stack_page(current);
	unsigned int i;

	for_each_set_bit(i, &pages, STACK_RECLAIM_PAGES) {
		unsigned long *p = (unsigned long *)(base + i * PAGE_SIZE);
		unsigned int skip = 0;

		if (i == 0) {
			if (p[0] != STACK_END_MAGIC)
				return -EIO;
			skip = 1;
		}
		if (memchr_inv(p + skip, 0, PAGE_SIZE - skip * sizeof(*p)))
			return -EIO;
	}
	return 0;
}

static int sr_thread_fn(void *arg)
{
	struct sr_thread *t = arg;

	for (;;) {
		set_current_state(TASK_UNINTERRUPTIBLE);
		if (kthread_should_stop())
			break;
		if (atomic_read(&t->asked) == atomic_read(&t->runs)) {
			schedule();
			atomic_inc(&t->wakes);
			continue;
		}
		__set_current_state(TASK_RUNNING);
		if (READ_ONCE(t->deep) && go_deep())
			t->result = -EIO;
		if (READ_ONCE(t->check_zero) && check_zero(t->check_zero))
			t->result = -EIO;
		WRITE_ONCE(t->deep, false);
		WRITE_ONCE(t->check_zero, 0);
		/*
		 * A run this short may block again while its waker is still in
		 * try_to_wake_up() with our pi_lock held; the switch hook only
		 * trylocks it and would pass over every such block.
		 */
		if (READ_ONCE(t->linger))
			mdelay(5);
		if (READ_ONCE(t->lock)) {
			if (t->locked)
				mutex_unlock(t->lock);
			else
				mutex_lock(t->lock);
			WRITE_ONCE(t->locked, !t->locked);
		}
		atomic_inc(&t->runs);
	}
	__set_current_state(TASK_RUNNING);
	return 0;
}

static struct sr_thread *sr_thread_start(struct kunit *test)
{
	struct sr_thread *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, t);
	t->task = kthread_create(sr_thread_fn, t, "sr_test");
	KUNIT_ASSERT_FALSE(test, IS_ERR(t->task));
	get_task_struct(t->task);
	wake_up_process(t->task);
	return t;
}

static void sr_thread_stop(struct sr_thread *t);

static unsigned int untouched_pages(struct task_struct *p)
{
	pte_t *ptes = arch_stack_reclaim_ptes((unsigned long)task_stack_page(p));
	unsigned int i, n = 0;

	for (i = 0; i < STACK_RECLAIM_PAGES - 1; i++)
		n += !arch_stack_reclaim_accessed(ptes + i);
	return n;
}

/*
 * A thread with pages to reclaim.  A stack recycled through the per-CPU
 * cache keeps the Accessed bits its previous owner set, so a new thread may
 * get one with nothing left to take: keep such threads alive (so the cache
 * cannot hand their stacks out again) until a fresh stack turns up.
 */
static struct sr_thread *sr_thread_start_reclaimable(struct kunit *test)
{
	int i, n = 0, max = 4 * nr_cpu_ids + 4;
	struct sr_thread **spare, *t;

	spare = kunit_kcalloc(test, max, sizeof(*spare), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, spare);
	for (;;) {
		t = sr_thread_start(test);
		if (untouched_pages(t->task) || n == max)
			break;
		spare[n++] = t;
	}
	for (i = 0; i < n; i++)
		sr_thread_stop(spare[i]);
	KUNIT_EXPECT_GT(test, untouched_pages(t->task), 0);
	return t;
}

static void sr_thread_stop(struct sr_thread *t)
{
	kthread_stop(t->task);
	put_task_struct(t->task);
}

/* Ask for one run and wait for it: false means the wakeup got lost. */
static bool sr_thread_run(struct sr_thread *t)
{
	int want = atomic_inc_return(&t->asked);
	int ms;

	wake_up_process(t->task);
	for (ms = 0; ms < WAIT_MS * 10; ms++) {
		if (atomic_read(&t->runs) >= want)
			return true;
		usleep_range(100, 200);
	}
	return false;
}

/* Reclaim @t once it is asleep; returns the pages taken. */
static unsigned int sr_thread_reclaim(struct sr_thread *t)
{
	unsigned int n = 0;
	int ms;

	for (ms = 0; ms < WAIT_MS && !n; ms++) {
		n = stack_reclaim_task(t->task, false);
		if (!n)
			usleep_range(1000, 2000);
	}
	return n;
}

/*
 * Wait until @t has blocked and left its CPU: the switch hook has run on
 * it by then (finish_task_switch() calls it before finish_task()).
 */
static bool sr_thread_wait_off_cpu(struct sr_thread *t)
{
	int ms;

	for (ms = 0; ms < WAIT_MS; ms++) {
#ifdef CONFIG_SMP
		/* Pairs with finish_task()'s release of on_cpu. */
		bool off_cpu = !smp_load_acquire(&t->task->on_cpu);
#else
		bool off_cpu = true;	/* one CPU, and this test is on it */
#endif
		if (READ_ONCE(t->task->__state) == TASK_UNINTERRUPTIBLE && off_cpu)
			return true;
		usleep_range(1000, 2000);
	}
	return false;
}

/* One run of @t, then the pages the switch hook took as it blocked again. */
static unsigned int sr_thread_run_then_holes(struct kunit *test,
					     struct sr_thread *t)
{
	KUNIT_ASSERT_TRUE(test, sr_thread_run(t));
	KUNIT_ASSERT_TRUE(test, sr_thread_wait_off_cpu(t));
	return hweight_long(READ_ONCE(t->task->stack_reclaim.holes));
}

/*
 * The cases test the mechanism, with the TLB flush that a guest gets by
 * default (tlb_flush) off: the switch hook is idle while it is on.
 */
static int sr_test_init(struct kunit *test)
{
	if (!stack_reclaim_active())
		kunit_skip(test, "stack reclaim is off");
	stack_reclaim_set_tlb_flush(false);
	return 0;
}

/* A test stopped by a failed assertion leaves the defaults behind it. */
static void sr_test_exit(struct kunit *test)
{
	stack_reclaim_fail_allocs(false);
	stack_reclaim_set_tlb_flush(arch_stack_reclaim_tlb_flush_default());
	stack_reclaim_set_switch_hook(false);
	stack_reclaim_set_min_sleep_ms(1000);
	stack_reclaim_set_reage_ms(0);
}

static void reclaim_then_deep_run(struct kunit *test)
{
	struct sr_thread *t = sr_thread_start_reclaimable(test);
	struct vm_struct *vm;
	unsigned long holes;
	unsigned int i, n;

	n = sr_thread_reclaim(t);
	KUNIT_EXPECT_GT(test, n, 0);
	holes = READ_ONCE(t->task->stack_reclaim.holes);
	KUNIT_EXPECT_EQ(test, hweight_long(holes), n);
	KUNIT_EXPECT_FALSE(test, holes & BIT(STACK_RECLAIM_PAGES - 1));
	vm = task_stack_vm_area(t->task);
	for_each_set_bit(i, &holes, STACK_RECLAIM_PAGES)
		KUNIT_EXPECT_NULL(test, READ_ONCE(vm->pages[i]));

	t->deep = true;
	KUNIT_ASSERT_TRUE_MSG(test, sr_thread_run(t), "wakeup lost");
	KUNIT_EXPECT_EQ(test, t->result, 0);
	KUNIT_EXPECT_EQ(test, READ_ONCE(t->task->stack_reclaim.holes), 0);
	for (i = 0; i < STACK_RECLAIM_PAGES; i++)
		KUNIT_EXPECT_NOT_NULL(test, READ_ONCE(vm->pages[i]));
	sr_thread_stop(t);
}

/*
 * The switch hook takes a thread's untouched pages as it blocks, unless it
 * last blocked less than min_sleep_ms before: the next wakeup of a thread
 * that sleeps in short bursts would only put them back.  The hook also
 * passes over a thread that EEVDF leaves queued (sched_delayed) as it
 * blocks, which on a busy CPU may be one block in two, so the takes get
 * enough tries that such misses cannot fail the test.
 */
static void switch_hook_skips_short_sleepers(struct kunit *test)
{
	struct sr_thread *t = sr_thread_start_reclaimable(test);
	unsigned int taken = 0, kept = 0;
	int i;

	WRITE_ONCE(t->linger, true);
	stack_reclaim_set_switch_hook(true);
	stack_reclaim_set_min_sleep_ms(0);
	for (i = 0; i < 100 && !taken; i++)
		taken = sr_thread_run_then_holes(test, t);
	KUNIT_EXPECT_GT_MSG(test, taken, 0, "min_sleep_ms=0: the hook took nothing");
	kunit_info(test, "min_sleep_ms=0: taken at block %d\n", i);

	/*
	 * It blocked just now: from here on, each sleep follows a short one.
	 * A minute, not the default second, so a stalled test machine cannot
	 * turn one of them into a long one.
	 */
	stack_reclaim_set_min_sleep_ms(60000);
	for (i = 0; i < 20; i++)
		kept += !sr_thread_run_then_holes(test, t);
	KUNIT_EXPECT_EQ_MSG(test, kept, 20, "the hook took pages of a short sleeper");

	/*
	 * At the default, a thread that blocks a second apart is taken.  Each
	 * try costs a second, and only a failing run uses them all.
	 */
	stack_reclaim_set_min_sleep_ms(1000);
	taken = 0;
	for (i = 0; i < 20 && !taken; i++) {
		msleep(1100);
		taken = sr_thread_run_then_holes(test, t);
	}
	stack_reclaim_set_switch_hook(false);
	KUNIT_EXPECT_GT_MSG(test, taken, 0, "min_sleep_ms=1000: a long sleeper was not taken");
	kunit_info(test, "min_sleep_ms=1000: taken at block %d\n", i);
	KUNIT_EXPECT_EQ(test, t->result, 0);
	sr_thread_stop(t);
}

static void touched_pages_are_kept(struct kunit *test)
{
	struct sr_thread *t = sr_thread_start(test);

	t->deep = true;
	KUNIT_ASSERT_TRUE(test, sr_thread_run(t));
	KUNIT_EXPECT_EQ(test, t->result, 0);
	/* It used every page: nothing may be taken, now or later. */
	msleep(20);
	KUNIT_EXPECT_EQ(test, stack_reclaim_task(t->task, false), 0);
	KUNIT_EXPECT_EQ(test, READ_ONCE(t->task->stack_reclaim.holes), 0);
	t->deep = true;
	KUNIT_ASSERT_TRUE(test, sr_thread_run(t));
	KUNIT_EXPECT_EQ(test, t->result, 0);
	sr_thread_stop(t);
}

static void pages_given_back_are_zero(struct kunit *test)
{
	struct sr_thread *t = sr_thread_start_reclaimable(test);
	unsigned long holes;

	KUNIT_ASSERT_GT(test, sr_thread_reclaim(t), 0);
	holes = READ_ONCE(t->task->stack_reclaim.holes);
	t->check_zero = holes;
	KUNIT_ASSERT_TRUE(test, sr_thread_run(t));
	KUNIT_EXPECT_EQ(test, t->result, 0);
	sr_thread_stop(t);
}

static void empty_reserve_defers_wakeup(struct kunit *test)
{
	long deferred = stack_reclaim_counter(SR_DEFERRED_WAKES);
	long misses = stack_reclaim_counter(SR_RESERVE_MISSES);
	struct sr_thread *t = sr_thread_start_reclaimable(test);

	KUNIT_ASSERT_GT(test, sr_thread_reclaim(t), 0);
	stack_reclaim_set_reserve(0);
	t->deep = true;
	KUNIT_EXPECT_TRUE_MSG(test, sr_thread_run(t), "deferred wakeup lost");
	stack_reclaim_set_reserve(32);
	KUNIT_EXPECT_EQ(test, t->result, 0);
	KUNIT_EXPECT_GT(test, stack_reclaim_counter(SR_DEFERRED_WAKES), deferred);
	KUNIT_EXPECT_GT(test, stack_reclaim_counter(SR_RESERVE_MISSES), misses);
	KUNIT_EXPECT_EQ(test, READ_ONCE(t->task->stack_reclaim.holes), 0);
	sr_thread_stop(t);
}

/*
 * A wakeup that finds the reserve short grows it (and is deferred, this
 * once), and lets the pool keep what the next pass takes; the shrinker
 * brings every grown reserve back to reserve_pages and empties the pool.
 */
static void short_reserve_grows_and_shrinks(struct kunit *test)
{
	unsigned int floor = 1, online = num_online_cpus();
	struct sr_thread *t = sr_thread_start_reclaimable(test);
	unsigned int grown;

	stack_reclaim_set_reserve(floor);
	stack_reclaim_trim_reserves();
	KUNIT_ASSERT_EQ(test, stack_reclaim_reserve_target(), floor * online);
	KUNIT_ASSERT_EQ(test, stack_reclaim_pool_target(), 0);
	/* A reserve of one page: the wakeup needs more. */
	KUNIT_ASSERT_GT(test, sr_thread_reclaim(t), floor);
	KUNIT_ASSERT_TRUE_MSG(test, sr_thread_run(t), "deferred wakeup lost");
	grown = stack_reclaim_reserve_target();
	KUNIT_EXPECT_GT(test, grown, floor * online);
	KUNIT_EXPECT_GT(test, stack_reclaim_pool_target(), 0);
	stack_reclaim_trim_reserves();
	KUNIT_EXPECT_EQ(test, stack_reclaim_reserve_target(), floor * online);
	KUNIT_EXPECT_EQ(test, stack_reclaim_pool_target(), 0);
	stack_reclaim_set_reserve(32);
	KUNIT_EXPECT_EQ(test, t->result, 0);
	sr_thread_stop(t);
}

/*
 * A deferred wakeup is delivered once, by its completer: a wakeup that
 * comes while it is pending finds the thread waking already and returns 0,
 * as on a task being woken, and none lands on the sleep after.
 * Allocations fail meanwhile, so the wakeup stays deferred (with
 * stack_reclaimd retrying) until they succeed.
 */
static void deferred_wakeup_is_exact(struct kunit *test)
{
	struct sr_thread *t = sr_thread_start_reclaimable(test);
	int want, wakes, ms;

	KUNIT_ASSERT_GT(test, sr_thread_reclaim(t), 0);
	stack_reclaim_set_reserve(0);
	stack_reclaim_fail_allocs(true);
	wakes = atomic_read(&t->wakes);
	want = atomic_inc_return(&t->asked);
	KUNIT_EXPECT_TRUE(test, wake_up_process(t->task));
	msleep(50);
	KUNIT_EXPECT_TRUE(test, READ_ONCE(t->task->stack_reclaim.deferred));
	KUNIT_EXPECT_FALSE_MSG(test, wake_up_state(t->task, TASK_UNINTERRUPTIBLE),
			       "a second wakeup of a task already waking returned 1");
	msleep(50);
	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&t->wakes), wakes,
			    "woken while its wakeup was deferred");
	KUNIT_EXPECT_EQ(test, READ_ONCE(t->task->__state), TASK_UNINTERRUPTIBLE);
	stack_reclaim_fail_allocs(false);
	stack_reclaim_set_reserve(32);
	for (ms = 0; ms < WAIT_MS && atomic_read(&t->runs) < want; ms++)
		usleep_range(1000, 2000);
	KUNIT_ASSERT_GE_MSG(test, atomic_read(&t->runs), want, "deferred wakeup lost");
	KUNIT_ASSERT_TRUE(test, sr_thread_wait_off_cpu(t));
	msleep(100);
	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&t->wakes), wakes + 1,
			    "not exactly one wakeup");
	KUNIT_EXPECT_FALSE(test, READ_ONCE(t->task->stack_reclaim.deferred));
	KUNIT_EXPECT_EQ(test, READ_ONCE(t->task->stack_reclaim.holes), 0);
	sr_thread_stop(t);
}

static void exit_with_holes(struct kunit *test)
{
	struct sr_thread *t = sr_thread_start_reclaimable(test);

	KUNIT_ASSERT_GT(test, sr_thread_reclaim(t), 0);
	/* kthread_stop() wakes it: it must run whole and exit cleanly. */
	KUNIT_EXPECT_EQ(test, kthread_stop(t->task), 0);
	put_task_struct(t->task);
}

/* Non-top pages of the stack at @addr whose PTE has A clear. */
static unsigned long untouched_map(unsigned long addr)
{
	pte_t *ptes = arch_stack_reclaim_ptes(addr);
	unsigned long map = 0;
	unsigned int i;

	for (i = 0; i < STACK_RECLAIM_PAGES - 1; i++)
		if (!arch_stack_reclaim_accessed(ptes + i))
			map |= BIT(i);
	return map;
}

/*
 * A stack recycled through the per-CPU cache is cleared through the direct
 * map, so the pages its last owner never touched stay untouched (and
 * reclaimable) for the next one.  Which stack a new thread gets depends on
 * the CPU kthreadd forks on, so start threads until one reuses it.
 */
static void recycled_stack_keeps_untouched_pages(struct kunit *test)
{
	int i, n = 0, max = 2 * nr_cpu_ids + 1;
	struct sr_thread *a, *b = NULL, **spare;
	unsigned long addr, before, after;
	struct vm_struct *old_vm;

	spare = kunit_kcalloc(test, max, sizeof(*spare), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, spare);
	a = sr_thread_start_reclaimable(test);
	KUNIT_ASSERT_GT(test, sr_thread_reclaim(a), 0);
	old_vm = task_stack_vm_area(a->task);
	addr = (unsigned long)task_stack_page(a->task);
	sr_thread_stop(a);
	msleep(20);	/* let the stack reach the per-CPU cache */
	before = untouched_map(addr);

	while (n < max) {
		struct sr_thread *t = sr_thread_start(test);

		if (task_stack_vm_area(t->task) == old_vm) {
			b = t;
			break;
		}
		spare[n++] = t;
	}
	for (i = 0; i < n; i++)
		sr_thread_stop(spare[i]);
	if (!b)
		kunit_skip(test, "no new thread got the recycled stack");

	after = untouched_map(addr);
	kunit_info(test, "recycled stack: untouched pages %#lx at exit, %#lx in use again\n",
		   before, after);
	/* Only the new owner's own (shallow) start may have touched pages. */
	KUNIT_EXPECT_EQ(test, before & ~after, before & ~after & BIT(STACK_RECLAIM_PAGES - 2));
	if (after)
		KUNIT_EXPECT_GT(test, sr_thread_reclaim(b), 0);
	b->deep = true;
	KUNIT_ASSERT_TRUE(test, sr_thread_run(b));
	KUNIT_EXPECT_EQ(test, b->result, 0);
	sr_thread_stop(b);
}

#define RACE_THREADS	4
#define RACE_MS		2000

struct race {
	struct sr_thread	*t[RACE_THREADS];
	bool			stop;
	unsigned long		reclaimed;
};

static int race_reclaimer(void *arg)
{
	struct race *r = arg;
	int i;

	while (!READ_ONCE(r->stop)) {
		for (i = 0; i < RACE_THREADS; i++)
			r->reclaimed += stack_reclaim_task(r->t[i]->task, false);
		cond_resched();
	}
	return 0;
}

/*
 * Wakeups against reclaim on every CPU: a reclaimer hammers the sleepers
 * while the test wakes them one after another, with the switch hook on;
 * the scheduler spreads them over the CPUs.
 * Repopulated pages start unaccessed, so the same pages cycle through
 * reclaim and refill over and over.  No wakeup may be lost, and at the
 * end every thread's stack must be whole.  With @reage, every run goes
 * deep and checks its frames, and the pages it used are re-aged while it
 * sleeps: wakeups then race with the TLB flush too.
 */
static void run_wake_reclaim_race(struct kunit *test, bool reage)
{
	long repop = stack_reclaim_counter(SR_PAGES_REPOPULATED);
	long reaged = stack_reclaim_counter(SR_PAGES_REAGED);
	long waits = stack_reclaim_counter(SR_REAGE_WAITS);
	struct task_struct *reclaimer;
	unsigned long end, rounds = 0;
	struct race *r;
	int i;

	r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, r);
	for (i = 0; i < RACE_THREADS; i++)
		r->t[i] = sr_thread_start_reclaimable(test);
	stack_reclaim_set_switch_hook(true);
	stack_reclaim_set_min_sleep_ms(0);	/* the hook at every block */
	stack_reclaim_set_reage_ms(reage);
	reclaimer = kthread_run(race_reclaimer, r, "sr_test_reclaim");
	KUNIT_ASSERT_FALSE(test, IS_ERR(reclaimer));

	end = jiffies + msecs_to_jiffies(RACE_MS);
	while (time_before(jiffies, end)) {
		for (i = 0; i < RACE_THREADS; i++) {
			WRITE_ONCE(r->t[i]->deep, reage);
			if (!sr_thread_run(r->t[i])) {
				KUNIT_FAIL(test, "wakeup of thread %d lost", i);
				goto out;
			}
		}
		rounds++;
	}
out:
	WRITE_ONCE(r->stop, true);
	kthread_stop(reclaimer);
	stack_reclaim_set_switch_hook(false);
	stack_reclaim_set_min_sleep_ms(1000);
	stack_reclaim_set_reage_ms(0);
	kunit_info(test, "%lu rounds, %lu pages reclaimed (%ld re-aged), %ld repopulated, %ld wakeups waited for a flush\n",
		   rounds, r->reclaimed,
		   stack_reclaim_counter(SR_PAGES_REAGED) - reaged,
		   stack_reclaim_counter(SR_PAGES_REPOPULATED) - repop,
		   stack_reclaim_counter(SR_REAGE_WAITS) - waits);
	KUNIT_EXPECT_GT(test, stack_reclaim_counter(SR_PAGES_REPOPULATED), repop);
	if (reage)
		KUNIT_EXPECT_GT(test, stack_reclaim_counter(SR_PAGES_REAGED), reaged);
	else
		KUNIT_EXPECT_EQ(test, stack_reclaim_counter(SR_PAGES_REAGED), reaged);
	for (i = 0; i < RACE_THREADS; i++) {
		r->t[i]->deep = true;
		KUNIT_EXPECT_TRUE(test, sr_thread_run(r->t[i]));
		KUNIT_EXPECT_EQ(test, r->t[i]->result, 0);
		sr_thread_stop(r->t[i]);
	}
}

/*
 * A shrinker that waits for a lock which a sleeping test thread holds, as
 * a driver's shrinker that does not look at __GFP_FS may wait for one that
 * a task asleep in the driver holds.  It gives up when disarmed, so that
 * a failing test cannot hang the machine.
 */
struct blocking_shrinker {
	struct mutex	lock;		/* held by the sleeping thread */
	bool		armed;
	atomic_t	waited;		/* scans that found the lock held */
	struct shrinker	*shrinker;
};

/* Runs when the test ends, however it ends, before @b is freed. */
static void blocking_shrinker_free(void *arg)
{
	struct blocking_shrinker *b = arg;

	WRITE_ONCE(b->armed, false);
	shrinker_free(b->shrinker);
}

static unsigned long blocking_count(struct shrinker *s,
				    struct shrink_control *sc)
{
	struct blocking_shrinker *b = s->private_data;

	/* Plenty, so that vmscan calls the scan even at its lowest priority. */
	return READ_ONCE(b->armed) ? 1UL << 20 : 0;
}

static unsigned long blocking_scan(struct shrinker *s,
				   struct shrink_control *sc)
{
	struct blocking_shrinker *b = s->private_data;
	bool waited = false;

	while (!mutex_trylock(&b->lock)) {
		if (!READ_ONCE(b->armed))
			return SHRINK_STOP;
		if (!waited)
			atomic_inc(&b->waited);
		waited = true;
		usleep_range(1000, 2000);
	}
	mutex_unlock(&b->lock);
	return SHRINK_STOP;
}

/*
 * Take free memory down to the min watermark: only atomic allocations
 * succeed then, and any allocation that may enter direct reclaim does.
 * Until free_hog(), every direct reclaimer on the machine, kswapd too,
 * waits in blocking_scan(): keep the window short.
 */
static unsigned long hog_memory(struct list_head *hog)
{
	unsigned long pages = 0;
	int order;

	for (order = MAX_PAGE_ORDER; order >= 0; order--) {
		struct page *page;

		while ((page = alloc_pages(GFP_NOWAIT | __GFP_NOWARN, order))) {
			set_page_private(page, order);
			list_add(&page->lru, hog);
			pages += 1UL << order;
		}
	}
	return pages;
}

static void free_hog(struct list_head *hog)
{
	struct page *page, *next;

	list_for_each_entry_safe(page, next, hog, lru) {
		unsigned int order = page_private(page);

		list_del(&page->lru);
		set_page_private(page, 0);
		__free_pages(page, order);
	}
}

/*
 * Wake @t, asleep holding @b's lock with its stack reclaimed and the
 * reserve empty, while memory is at the min watermark and @b waits for
 * that lock.  With @slow, stack reclaim's allocations fail for the first
 * 100 ms or so, so that the completer hands the wakeup to stack_reclaimd.
 * Returns whether @t ran within WAIT_MS.
 */
static bool wake_with_reclaim_blocked(struct kunit *test, struct sr_thread *t,
				      struct blocking_shrinker *b, bool slow)
{
	const char *path = slow ? "stack_reclaimd" : "completer";
	ktime_t start, end;
	unsigned long hogged;
	bool ran = false;
	int want, ms;
	LIST_HEAD(hog);

	if (slow)
		stack_reclaim_fail_allocs(true);
	WRITE_ONCE(b->armed, true);
	hogged = hog_memory(&hog);
	want = atomic_inc_return(&t->asked);
	start = ktime_get();
	end = ktime_add_ms(start, WAIT_MS);
	wake_up_process(t->task);
	while (ktime_before(ktime_get(), end)) {
		/* kswapd may have freed a little meanwhile: take it too. */
		if (slow && ktime_after(ktime_get(), ktime_add_ms(start, 100))) {
			hogged += hog_memory(&hog);
			stack_reclaim_fail_allocs(false);
			slow = false;
		}
		if (atomic_read(&t->runs) >= want) {
			ran = true;
			break;
		}
		usleep_range(1000, 2000);
	}
	stack_reclaim_fail_allocs(false);
	WRITE_ONCE(b->armed, false);
	free_hog(&hog);
	kunit_info(test, "%s: %lu pages taken, woken %s, %d reclaim scans waited for the lock\n",
		   path, hogged,
		   ran ? "in time" : "late or never", atomic_read(&b->waited));
	/* Leave nothing behind: memory is back, so the wakeup may land now. */
	for (ms = 0; !ran && ms < WAIT_MS && atomic_read(&t->runs) < want; ms++)
		usleep_range(1000, 2000);
	return ran;
}

/*
 * Direct reclaim may wait for a lock that a task whose wakeup is deferred
 * holds: neither the completer nor stack_reclaimd may enter it.  A thread
 * sleeps holding the lock a shrinker waits for, its stack reclaimed, the
 * reserve empty and memory at the min watermark; its wakeup must arrive,
 * delivered by the completer and, when atomic memory is short for a
 * while, by stack_reclaimd.
 */
static void deferred_wakeup_skips_direct_reclaim(struct kunit *test)
{
	long deferred = stack_reclaim_counter(SR_DEFERRED_WAKES);
	long slow = stack_reclaim_counter(SR_DEFERRED_SLOW);
	struct blocking_shrinker *b;
	struct shrinker *shrinker;
	struct sr_thread *t;
	int round;

	b = kunit_kzalloc(test, sizeof(*b), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, b);
	mutex_init(&b->lock);
	t = sr_thread_start_reclaimable(test);
	t->lock = &b->lock;
	shrinker = shrinker_alloc(0, "sr-test-blocking");
	KUNIT_ASSERT_NOT_NULL(test, shrinker);
	shrinker->count_objects = blocking_count;
	shrinker->scan_objects = blocking_scan;
	shrinker->private_data = b;
	b->shrinker = shrinker;
	shrinker_register(shrinker);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, blocking_shrinker_free, b), 0);
	for (round = 0; round < 2; round++) {
		/* One run to take the lock, then reclaim and wake it. */
		if (!sr_thread_run(t) || !sr_thread_reclaim(t)) {
			KUNIT_FAIL(test, "round %d: no run or nothing to reclaim", round);
			break;
		}
		KUNIT_EXPECT_TRUE(test, mutex_is_locked(&b->lock));
		stack_reclaim_set_reserve(0);
		KUNIT_EXPECT_TRUE_MSG(test, wake_with_reclaim_blocked(test, t, b, round),
				      "%s: deferred wakeup held behind direct reclaim",
				      round ? "stack_reclaimd" : "completer");
		stack_reclaim_set_reserve(32);
		KUNIT_EXPECT_FALSE(test, mutex_is_locked(&b->lock));
	}
	KUNIT_EXPECT_GE(test, stack_reclaim_counter(SR_DEFERRED_WAKES), deferred + 2);
	KUNIT_EXPECT_GT(test, stack_reclaim_counter(SR_DEFERRED_SLOW), slow);
	/* The last run leaves the lock alone, or drops it if a round failed. */
	if (!READ_ONCE(t->locked))
		WRITE_ONCE(t->lock, NULL);
	t->deep = true;
	KUNIT_EXPECT_TRUE(test, sr_thread_run(t));
	KUNIT_EXPECT_EQ(test, t->result, 0);
	sr_thread_stop(t);
}

static void wake_reclaim_race(struct kunit *test)
{
	run_wake_reclaim_race(test, false);
}

static void wake_reage_race(struct kunit *test)
{
	run_wake_reclaim_race(test, true);
}

/*
 * Re-aging: a thread that went to the bottom of its stack once keeps every
 * page (the latch) until it has slept reage_ms; then the pages below its
 * saved stack pointer go, after a TLB flush, and come back zeroed: the
 * frames the deep run left there must not be seen again.
 */
static void reage_takes_pages_below_sp(struct kunit *test)
{
	long flushes = stack_reclaim_counter(SR_REAGE_FLUSHES);
	struct sr_thread *t = sr_thread_start(test);
	unsigned long base, sp, holes;
	unsigned int n, i;

	t->deep = true;
	KUNIT_ASSERT_TRUE(test, sr_thread_run(t));
	KUNIT_EXPECT_EQ(test, t->result, 0);
	msleep(20);
	KUNIT_EXPECT_EQ(test, stack_reclaim_task(t->task, false), 0);

	stack_reclaim_set_reage_ms(1);
	n = sr_thread_reclaim(t);
	stack_reclaim_set_reage_ms(0);
	holes = READ_ONCE(t->task->stack_reclaim.holes);
	base = (unsigned long)task_stack_page(t->task);
	sp = arch_stack_reclaim_saved_sp(t->task);
	kunit_info(test, "saved SP %lu bytes above the stack end, %u pages re-aged, holes %#lx\n",
		   sp - base, n, holes);
	/* Every page wholly below the saved SP goes, nothing else. */
	for (i = 0; i < STACK_RECLAIM_PAGES; i++)
		KUNIT_EXPECT_EQ(test, !!(holes & BIT(i)),
				base + (i + 1) * PAGE_SIZE <= sp &&
				i < STACK_RECLAIM_PAGES - 1);
	KUNIT_EXPECT_EQ(test, hweight_long(holes), n);
	KUNIT_EXPECT_GT(test, n, 0);
	KUNIT_EXPECT_GT(test, stack_reclaim_counter(SR_REAGE_FLUSHES), flushes);

	t->check_zero = holes;
	KUNIT_ASSERT_TRUE(test, sr_thread_run(t));
	KUNIT_EXPECT_EQ(test, t->result, 0);
	t->deep = true;
	KUNIT_ASSERT_TRUE(test, sr_thread_run(t));
	KUNIT_EXPECT_EQ(test, t->result, 0);
	sr_thread_stop(t);
}

static struct kunit_case stack_reclaim_test_cases[] = {
	KUNIT_CASE(reclaim_then_deep_run),
	KUNIT_CASE(touched_pages_are_kept),
	KUNIT_CASE(pages_given_back_are_zero),
	KUNIT_CASE(empty_reserve_defers_wakeup),
	KUNIT_CASE(short_reserve_grows_and_shrinks),
	KUNIT_CASE(deferred_wakeup_is_exact),
	KUNIT_CASE(exit_with_holes),
	KUNIT_CASE(recycled_stack_keeps_untouched_pages),
	KUNIT_CASE(reage_takes_pages_below_sp),
	KUNIT_CASE_SLOW(switch_hook_skips_short_sleepers),
	KUNIT_CASE_SLOW(wake_reclaim_race),
	KUNIT_CASE_SLOW(wake_reage_race),
	KUNIT_CASE_SLOW(deferred_wakeup_skips_direct_reclaim),
	{}
};

static struct kunit_suite stack_reclaim_test_suite = {
	.name = "stack_reclaim",
	.init = sr_test_init,
	.exit = sr_test_exit,
	.test_cases = stack_reclaim_test_cases,
};

kunit_test_suite(stack_reclaim_test_suite);

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit tests for kernel stack reclaim");
