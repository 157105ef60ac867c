// SPDX-License-Identifier: GPL-2.0
/*
 * Fault-free reclaim of never-touched kernel stack pages.
 *
 * Most tasks never use more than the top page or two of their THREAD_SIZE
 * stack, yet every one of them pins all of it.  Earlier "dynamic kernel
 * stack" series mapped stacks lazily and grew them from the page fault
 * handler, which means taking a #PF (or #DF) on the stack itself.  This
 * takes the other road, suggested in those reviews:
 *
 *  - Stacks stay fully mapped, but their PTEs are installed with the
 *    Accessed bit clear (kernel/fork.c, arch_stack_reclaim_pgprot()).
 *
 *  - While a task is blocked and off its CPU, a page whose PTE still has
 *    A == 0 has never been used; no TLB can hold it (the architecture's
 *    guarantee, see <linux/stack_reclaim.h>).  It is unmapped with an atomic
 *    compare-and-exchange against the hardware walker and freed.  A page
 *    once accessed is never taken: A is never cleared in place.
 *
 *  - The only way a blocked task runs again is try_to_wake_up(), which
 *    holds p->pi_lock while it decides.  Reclaim runs under the same lock
 *    (task_call_func()) and only on tasks that are blocked, dequeued and off
 *    their CPU.  Before ttwu sets TASK_WAKING it calls stack_reclaim_wake(),
 *    which fills the holes with zeroed pages from a per-CPU reserve.  No
 *    page allocator call happens under pi_lock or a runqueue lock.
 *
 *  - If the reserve cannot cover the holes, the wakeup is deferred
 *    (Windows NT's "Transition" state): the task stays asleep, and an
 *    irq_work on the waker's CPU allocates atomically, fills the holes and
 *    delivers the wakeup as soon as the waker re-enables interrupts.  Only
 *    without atomic memory does the stack_reclaimd thread take over, at
 *    least at the priority of the tasks it serves (see "Deferred
 *    wakeups").  Memory shortage delays a wakeup; it never loses one and
 *    never lets a task run with a hole.
 *
 * Reclaim is driven by a shrinker, an optional periodic scan, a sysfs
 * trigger, and an optional context-switch hook that looks at the task just
 * switched out (see __stack_reclaim_switch_out() for why that is safe).
 *
 * Re-aging (reage_ms, off by default) undoes the one-way latch of "a page
 * once accessed is kept": a task that went deep once and has slept for
 * reage_ms also loses the pages that lie wholly below its saved stack
 * pointer, which hold nothing live while it sleeps.  Those pages have A set
 * and may be cached in a TLB, so they are unmapped, then one TLB flush per
 * batch runs with no spinlock held, and only then are they zeroed and
 * freed.  Until that flush is done a wakeup of such a task goes to
 * stack_reclaimd, which flushes first (see reage_unflushed()).
 *
 * Locking (outermost first):
 *
 *   tunables_mutex	every sysfs write of a tunable
 *     switch_key_mutex	flipping the switch hook's static key
 *     scan_mutex	scanners: the shrinker (trylock only), the periodic
 *			scan, sysfs "reclaim"; turning the feature on or off
 *       p->pi_lock	a task's stack state: ->holes, ->deferred,
 *			->wake_state, ->memcg_data, its stack PTEs and
 *			vm->pages[]; raised ->readers and re-aging's check of
 *			it.  Taken by try_to_wake_up() and task_call_func();
 *			the switch hook, under the rq lock, only trylocks it
 *         rq->__lock	(task_call_func() may hold it too)
 *         deferred_lock	the deferred lists (raw; also taken without
 *			pi_lock, from the completer and stack_reclaimd)
 *         pool.lock	the pool (raw, interrupts off; also taken without
 *			pi_lock, by the refill work, the completer, the
 *			scanners and pool_shrink()); nothing nests in it
 *
 * A per-CPU reserve's pages are touched only on its own CPU with interrupts
 * off, as is stack_reclaim_completing; its ->nr (statistics) and
 * ->refill_failed (a hint) are also read elsewhere, with READ_ONCE().
 * No page is allocated or freed under pi_lock, a runqueue lock,
 * deferred_lock or pool.lock: pages taken go on a list that is released
 * after the locks are dropped, and the pages that fill holes come from the
 * reserve (or the pool) or are allocated before pi_lock is taken.  The completer allocates in
 * hard interrupt context, atomically, with no lock held.
 */
#define pr_fmt(fmt) "stack_reclaim: " fmt

#include <linux/cpu.h>
#include <linux/cpuhotplug.h>
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/fault-inject.h>
#include <linux/init.h>
#include <linux/irq_work.h>
#include <linux/kobject.h>
#include <linux/kmemleak.h>
#include <linux/kthread.h>
#include <linux/magic.h>
#include <linux/math64.h>
#include <linux/memcontrol.h>
#include <linux/mm.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/sched/clock.h>
#include <linux/sched/mm.h>
#include <linux/sched/rt.h>
#include <linux/sched/stat.h>
#include <linux/sched/task.h>
#include <linux/sched/task_stack.h>
#include <uapi/linux/sched/types.h>
#include <linux/seq_file.h>
#include <linux/shrinker.h>
#include <linux/stack_reclaim.h>
#include <linux/sysfs.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <linux/workqueue.h>
#include <kunit/visibility.h>
#include <asm/tlbflush.h>

#include "internal.h"
#include "stack_reclaim.h"

#define CREATE_TRACE_POINTS
#include <trace/events/stack_reclaim.h>

/* The top page holds pt_regs and every kernel entry frame: always kept. */
#define TOP_PAGE		(STACK_RECLAIM_PAGES - 1)
#define RESERVE_MAX		256		/* for the reserve_pages tunable */
#define RESERVE_HIGH_MAX	1024		/* what demand may grow it to */
#define MAX_INTERVAL_MS		3600000U
#define MIN_SCAN_INTERVAL_MS	10U

DEFINE_STATIC_KEY_FALSE(stack_reclaim_key);

/*
 * Tunables, /sys/kernel/mm/stack_reclaim/: written under tunables_mutex
 * (and by the KUnit suite), read locklessly with READ_ONCE().
 */
static bool boot_enabled = true;
static bool reclaim_enabled;
static unsigned int min_sleep_ms = 1000;
static unsigned int scan_interval_ms;
static bool switch_hook;
static unsigned int reserve_pages = 32;
static bool tlb_flush;
static unsigned int reage_ms;
static DEFINE_MUTEX(tunables_mutex);

/* Serialises scanners: the cursor, and enabling/disabling. */
static DEFINE_MUTEX(scan_mutex);
static pid_t scan_cursor;

/*
 * Statistics, per CPU so that wakeups on many CPUs do not share a cache
 * line: a reader sums them over the possible CPUs (an offline one keeps
 * its share).  ->reclaimed_now, pages taken less pages given back, is
 * exact only in that sum.
 */
struct stack_reclaim_stats {
	unsigned long		counters[SR_COUNTER_COUNT];
	long			reclaimed_now;
};

static DEFINE_PER_CPU(struct stack_reclaim_stats, sr_stats);

static const char *const counter_names[] = {
	[SR_TASKS_SCANNED]		= "tasks_scanned",
	[SR_SKIP_RUNNING]		= "tasks_skipped_running",
	[SR_SKIP_RECENT]		= "tasks_skipped_recent",
	[SR_SKIP_EXCLUDED]		= "tasks_skipped_excluded",
	[SR_SKIP_DEFERRED]		= "tasks_skipped_deferred",
	[SR_PAGES_RECLAIMED]		= "pages_reclaimed",
	[SR_PAGES_RECLAIMED_SWITCH]	= "pages_reclaimed_at_switch",
	[SR_PAGES_REPOPULATED]		= "pages_repopulated",
	[SR_RESERVE_HITS]		= "reserve_hits",
	[SR_RESERVE_MISSES]		= "reserve_misses",
	[SR_DEFERRED_WAKES]		= "deferred_wakes",
	[SR_CMPXCHG_RACES]		= "cmpxchg_races",
	[SR_TLB_FLUSHES]		= "tlb_flushes",
	[SR_REFILL_FAILURES]		= "reserve_refill_failures",
	[SR_PAGES_REAGED]		= "pages_reaged",
	[SR_REAGE_FLUSHES]		= "reage_tlb_flushes",
	[SR_REAGE_WAITS]		= "reage_deferred_wakes",
	[SR_FULL_PASSES]		= "full_passes",
	[SR_REAGE_SKIP_PINNED]		= "reage_skipped_pinned",
	[SR_DEFERRED_SLOW]		= "deferred_wakes_slow",
	[SR_DEFERRED_NOMEM]		= "deferred_nomem_rounds",
};

static_assert(ARRAY_SIZE(counter_names) == SR_COUNTER_COUNT);

/* Stack pages ever touched, per task, as of the last full pass. */
static atomic_long_t touched_hist[STACK_RECLAIM_PAGES + 1];
/* Wall time of the last and of the longest full pass; scan_mutex held. */
static unsigned long full_pass_last_ms, full_pass_max_ms;

/*
 * The counters a fleet watches also go to /proc/vmstat, which is ABI and
 * always there; debugfs is neither.  Inlined: where @c is a constant, as
 * it is on every path that counts pages or wakeups, the switch folds away.
 */
static __always_inline void count_event(int c, long n)
{
	this_cpu_add(sr_stats.counters[c], n);
	switch (c) {
	case SR_PAGES_RECLAIMED:
		count_vm_events(KSTACK_PAGES_RECLAIMED, n);
		break;
	case SR_PAGES_REPOPULATED:
		count_vm_events(KSTACK_PAGES_REPOPULATED, n);
		break;
	case SR_DEFERRED_WAKES:
		count_vm_events(KSTACK_WAKEUPS_DEFERRED, n);
		break;
	}
}

VISIBLE_IF_KUNIT long stack_reclaim_counter(enum stack_reclaim_counter c)
{
	unsigned long sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += per_cpu(sr_stats.counters[c], cpu);
	return sum;
}
EXPORT_SYMBOL_IF_KUNIT(stack_reclaim_counter);

static long pages_reclaimed_now(void)
{
	long sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += per_cpu(sr_stats.reclaimed_now, cpu);
	return sum;
}

/*
 * Per-CPU reserve of pages for filling holes at wakeup, zeroed except for
 * the canary of a former page 0 (see page_has_canary()).  Only touched
 * with interrupts off on its own CPU: ttwu runs under pi_lock with
 * IRQs off, the switch hook under the rq lock, the completer in hard
 * interrupt context, the refill work disables them around the update.
 * @spill holds pages the switch hook took beyond what the reserve can
 * hold, for the refill work to free: the allocator is not called under the
 * rq lock.
 *
 * Its size follows demand, the way the per-CPU page lists tune their high
 * mark: @high starts at reserve_pages, doubles (up to RESERVE_HIGH_MAX)
 * each time a wakeup finds the reserve short, decays by an eighth a second
 * once the misses stop, and drops back to reserve_pages at once when the
 * shrinker runs.  A herd of wakeups thus costs a few deferrals while the
 * reserve grows, not one per task.
 */
struct stack_reserve {
	unsigned int		nr;
	unsigned int		high;		/* size wanted now */
	unsigned long		last_miss;	/* jiffies */
	unsigned int		trimmed_at;	/* reserve_pressure_gen seen */
	bool			offline;	/* handed back, CPU going down */
	bool			refill_failed;	/* no memory at the last refill */
	struct list_head	pages;
	struct list_head	spill;
	struct work_struct	refill_work;
	struct irq_work		refill_irq_work;
};

static DEFINE_PER_CPU(struct stack_reserve, stack_reserve);

/*
 * Wakeups the reserve could not serve, completed in order of deferral,
 * kernel threads' before user tasks': the system waits on kthreads with
 * locks held (CPU hotplug holds cpu_hotplug_lock while per-CPU threads
 * park; RCU grace periods and workqueues wait for their kthreads), and a
 * herd of a thousand user threads woken at once must not stand in front
 * of them.  See "Deferred wakeups" below.
 */
static LIST_HEAD(deferred_kthreads);
static LIST_HEAD(deferred_list);
static DEFINE_RAW_SPINLOCK(deferred_lock);
static struct task_struct *stack_reclaimd;

struct reclaim_ctx {
	struct list_head	pages;
	unsigned int		nr;
	bool			check_age;
	bool			reage;
	unsigned long		reage_after;	/* jiffies asleep */
	bool			flush;		/* the tlb_flush tunable */
	/* pages to free only after a TLB flush: re-aged, or tlb_flush */
	struct list_head	unflushed;
	unsigned int		nr_unflushed;
	unsigned int		nr_reaged;
};

/*
 * Re-aged pages and the TLB.  Unmapping a page with A set leaves possible
 * TLB entries behind, so every re-aged unmap takes a generation number
 * (after the PTE is cleared) and a flush publishes, once done, the highest
 * generation it covers.  A task whose stack had pages re-aged after the
 * last published flush must not run: another CPU may still translate its
 * stack addresses to the old pages.  With the tlb_flush tunable, never
 * accessed pages are treated the same way.
 */
static atomic_long_t reage_unmap_gen;
static atomic_long_t reage_flushed_gen;

static bool reage_unflushed(struct task_stack_reclaim *sr)
{
	return sr->reage_gen &&
	       sr->reage_gen > atomic_long_read_acquire(&reage_flushed_gen);
}

/* Publish @gen as flushed, once the flush is done; never move backwards. */
static void reage_publish(long gen)
{
	long done = atomic_long_read(&reage_flushed_gen);

	while (done < gen &&
	       !atomic_long_try_cmpxchg_release(&reage_flushed_gen, &done, gen))
		;
}

/*
 * The stacks a scanner unmapped pages of since the last flush, for a
 * flush of just those pages.  A full flush empties every CPU's TLB, and
 * each task then pays for refilling it: in a guest (tlb_flush), a task
 * woken right after a pass that took pages of its stack ran 1.4-1.7 times
 * later than one woken after a pass that took none; 1.1-1.3 times with
 * the ranges.  Each range flush is an IPI to every CPU, so only a few
 * stacks are flushed this way; more, and everything is.
 * Every unmap that takes a generation happens under scan_mutex, and every
 * scanner flushes before it drops it, so these are all the unmaps not
 * flushed yet, and their flush may publish the current generation.
 */
#define FLUSH_STACKS_MAX	4

static struct {
	unsigned long	start[FLUSH_STACKS_MAX];
	unsigned long	end[FLUSH_STACKS_MAX];
	unsigned int	nr;		/* may exceed FLUSH_STACKS_MAX */
} unflushed_stacks;			/* scan_mutex */

/*
 * Pages @taken (a mask) of the stack at @base went unflushed, with
 * generation @gen.  A generation before it that no flush has covered was
 * not noted here (a scanner that did not flush): flush everything then.
 */
static void note_unflushed(unsigned long base, unsigned long taken, long gen)
{
	unsigned int n = unflushed_stacks.nr++;

	lockdep_assert_held(&scan_mutex);
	if (!n && WARN_ON_ONCE(gen - 1 > atomic_long_read(&reage_flushed_gen)))
		n = FLUSH_STACKS_MAX;
	if (n >= FLUSH_STACKS_MAX || WARN_ON_ONCE(!taken)) {
		unflushed_stacks.nr = FLUSH_STACKS_MAX + 1;
		return;
	}
	unflushed_stacks.start[n] = base + __ffs(taken) * PAGE_SIZE;
	unflushed_stacks.end[n] = base + (__fls(taken) + 1) * PAGE_SIZE;
}

/*
 * Flush every TLB of every re-aged translation unmapped so far: the first
 * @nr ranges of unflushed_stacks if they are all there is (1 to
 * FLUSH_STACKS_MAX), else everything.  Process context, no spinlock held.
 * A full flush covers unmaps by whoever made them, and the ranges are every
 * unmap not flushed yet (see unflushed_stacks), so the generation either
 * publishes is true for all tasks.
 */
static bool __reage_flush(unsigned int nr)
{
	long gen = atomic_long_read(&reage_unmap_gen);
	unsigned int i;

	/* The ranges are a scanner's, and only its flush may publish them. */
	if (nr)
		lockdep_assert_held(&scan_mutex);
	if (gen <= atomic_long_read(&reage_flushed_gen))
		return false;
	/* The PTE clears of every generation up to @gen are visible. */
	smp_mb();
	if (nr && nr <= FLUSH_STACKS_MAX) {
		for (i = 0; i < nr; i++)
			flush_tlb_kernel_range(unflushed_stacks.start[i],
					       unflushed_stacks.end[i]);
	} else {
		flush_tlb_all();
	}
	reage_publish(gen);
	return true;
}

static bool reage_flush(void)
{
	return __reage_flush(0);
}

/* reage_flush() for a scanner: the pages of a few stacks, or everything. */
static bool reage_flush_scanned(void)
{
	unsigned int nr = unflushed_stacks.nr;

	lockdep_assert_held(&scan_mutex);
	unflushed_stacks.nr = 0;
	return __reage_flush(nr);
}

static unsigned long task_stack_base(struct task_struct *p)
{
	return (unsigned long)task_stack_page(p);
}

/* PTEs of @p's stack, lowest page first, looked up when it got the stack. */
static pte_t *stack_ptes(struct task_struct *p)
{
	return p->stack_reclaim.ptes;
}

/* Whether @p's stack PTEs were looked up (feature on) when it got it. */
static bool stack_reclaimable(struct task_struct *p)
{
	return p->stack_reclaim.ptes;
}

/* ---- the reserve ------------------------------------------------------ */

/*
 * The pages the reserves and the pool hold are zero, but a page 0 that
 * reclaim took keeps the end-of-stack canary: written through the direct
 * map, it is the one word of an untouched stack that is not zero.  Left
 * there, and marked in page->private, it spares the write to a cold page
 * when the page fills a hole 0 again; fill_holes_locked() writes the word
 * only when a page changes between page 0 and another slot.
 */
static bool page_has_canary(struct page *page)
{
	return page_private(page) == STACK_END_MAGIC;
}

/* Is @page, taken from a stack, as the reserve wants it? */
static bool stack_page_clean(struct page *page)
{
	unsigned long *p = page_address(page);

	return p[0] == (page_has_canary(page) ? STACK_END_MAGIC : 0) &&
	       !memchr_inv(p + 1, 0, PAGE_SIZE - sizeof(*p));
}

/*
 * Not from a CPU going down, whose irq_work may never run again (see
 * kick_completer()): the refill is dropped.  The reserve is handed back
 * on the way down and refilled when the CPU comes up.
 */
static void queue_refill(struct stack_reserve *r)
{
	if (likely(cpu_active(smp_processor_id())))
		irq_work_queue(&r->refill_irq_work);
}

/*
 * Memory pressure (the shrinker ran): every reserve drops back to
 * reserve_pages at its next refill.
 */
static atomic_t reserve_pressure_gen;

/*
 * Pages @r should hold now: none if the reserve is off (reserve_pages=0),
 * or the feature is (turning it off empties the reserves).
 */
static unsigned int reserve_target(struct stack_reserve *r)
{
	unsigned int floor = READ_ONCE(reclaim_enabled) ?
			     READ_ONCE(reserve_pages) : 0;

	return floor ? max(READ_ONCE(r->high), floor) : 0;
}

/*
 * The shrinker trimmed (reserve_trim_all()) since this reserve last
 * looked: a grown reserve drops back to the floor now, before it grows or
 * decays further, or a miss that beats the refill work would undo the
 * trim.  Returns true if it dropped.
 */
static bool reserve_apply_trim(struct stack_reserve *r)
{
	unsigned int gen = atomic_read(&reserve_pressure_gen);

	if (r->trimmed_at == gen)
		return false;
	r->trimmed_at = gen;
	if (!r->high)
		return false;
	WRITE_ONCE(r->high, 0);
	return true;
}

/*
 * The pool: the pages that reclaim took, kept for a herd.
 *
 * Sleepers woken at once (a futex broadcast, a thread pool, a barrier)
 * need all but one page of their stacks back, far more than a per-CPU
 * reserve holds.  Allocated afresh during the herd those pages must be
 * zeroed there, which costs more than the wakeups themselves.  The pages
 * a pass takes were never written (re-aged ones are zeroed first), so the
 * pool keeps them instead of freeing them, up to @high.  @high is 0 until
 * a wakeup finds both its reserve and the pool short; each such miss
 * doubles it, as does a reserve that empties the pool before it has what
 * it wanted, up to 1/POOL_MAX_FRACTION of memory.  Once the pool has not
 * been drawn on for POOL_HOLD it decays by an eighth a second, and the
 * shrinker drops it to 0 at once.  So threads that sleep and are not woken
 * together keep their saving: the pool holds pages only after a herd
 * needed them.
 *
 * One pool for all CPUs, behind a raw spinlock taken with interrupts off:
 * the pass that takes the pages runs on one CPU (kswapd, the periodic
 * work, a sysfs writer), the herd's wakeups on others.  A reserve that
 * runs short, or low, takes up to POOL_BATCH pages from it at a time.
 */
#define POOL_MAX_FRACTION	32
#define POOL_HOLD		(10 * HZ)
#define POOL_BATCH		64
#define POOL_FREE_BATCH		256

static struct {
	raw_spinlock_t		lock;
	struct list_head	pages;
	unsigned long		nr;		/* READ_ONCE() outside the lock */
	unsigned long		high;
	unsigned long		last_use;	/* jiffies */
	unsigned long		decayed_at;	/* jiffies */
} pool = {
	.lock	= __RAW_SPIN_LOCK_UNLOCKED(pool.lock),
	.pages	= LIST_HEAD_INIT(pool.pages),
};

/* Pages the pool may hold now: none while the feature or the reserve is off. */
static unsigned long pool_target(void)
{
	if (!READ_ONCE(reclaim_enabled) || !READ_ONCE(reserve_pages))
		return 0;
	return READ_ONCE(pool.high);
}

/*
 * A wakeup found its reserve and the pool short.  Interrupts off.  The
 * pool, empty now, has served at most @high pages of this herd, and the
 * herd needs at most the pages still missing from stacks: a pool larger
 * than the two could not be used.
 */
static void pool_grow(void)
{
	unsigned long high, missing;

	if (!READ_ONCE(reclaim_enabled) || !READ_ONCE(reserve_pages))
		return;
	missing = max(pages_reclaimed_now(), 0L);
	raw_spin_lock(&pool.lock);
	high = max(pool.high + min(pool.high, missing), (unsigned long)POOL_BATCH);
	WRITE_ONCE(pool.high, min(high, totalram_pages() / POOL_MAX_FRACTION));
	pool.last_use = jiffies;
	raw_spin_unlock(&pool.lock);
}

/*
 * A run of pages counted in one statistic of their node (and memcg): one
 * update per run, not one per page.  A run ends where the node changes,
 * not the memcg: all its pages must have the first one's memcg_data.  The
 * pages of a stack share one (see take_page_locked()); pages in the pool
 * have none, as NR_KERNEL_MISC_RECLAIMABLE is no memcg statistic.
 * Interrupts off.
 */
struct page_run {
	struct page		*page;	/* the first page of the run */
	enum node_stat_item	item;
	int			nr;	/* in the unit of @item */
};

static void page_run_flush(struct page_run *run)
{
	if (run->nr)
		__lruvec_stat_mod_folio(page_folio(run->page), run->item,
					run->nr);
	run->nr = 0;
}

static void page_run_add(struct page_run *run, struct page *page, int nr)
{
#ifdef CONFIG_MEMCG
	VM_WARN_ON_ONCE_PAGE(run->nr &&
			     page->memcg_data != run->page->memcg_data, page);
#endif
	if (run->nr && page_pgdat(page) != page_pgdat(run->page))
		page_run_flush(run);
	if (!run->nr)
		run->page = page;
	run->nr += nr;
}

/* Move up to @want pages from the pool into @r.  Own CPU, interrupts off. */
static unsigned int pool_to_reserve(struct stack_reserve *r,
				    unsigned int want)
{
	struct page_run run = { .item = NR_KERNEL_MISC_RECLAIMABLE };
	unsigned int n = 0;

	lockdep_assert_irqs_disabled();
	if (!READ_ONCE(pool.nr) || r->offline || !reserve_target(r))
		return 0;
	raw_spin_lock(&pool.lock);
	for (; n < want && pool.nr; n++) {
		struct page *page = list_first_entry(&pool.pages, struct page, lru);

		list_move(&page->lru, &r->pages);
		page_run_add(&run, page, -1);
		WRITE_ONCE(pool.nr, pool.nr - 1);
	}
	page_run_flush(&run);
	if (n)
		pool.last_use = jiffies;
	raw_spin_unlock(&pool.lock);
	WRITE_ONCE(r->nr, r->nr + n);
	/*
	 * Drained before @r had what it wanted: the pool is smaller than the
	 * herd drawing on it.  Grow it as a miss would.  Otherwise the refill
	 * work allocates and zeroes the rest of every such herd afresh, while
	 * the next pass frees as many clean pages the pool has no room for.
	 */
	if (n < want)
		pool_grow();
	return n;
}

/*
 * Keep what of @pages the pool has room for, a batch per hold of the lock;
 * the rest stay on @pages.
 */
static void pool_put_list(struct list_head *pages)
{
	struct page_run run = { .item = NR_KERNEL_MISC_RECLAIMABLE };
	unsigned long flags;
	unsigned int n;

	while (!list_empty(pages) && READ_ONCE(pool.nr) < pool_target()) {
		raw_spin_lock_irqsave(&pool.lock, flags);
		for (n = 0; n < POOL_FREE_BATCH && !list_empty(pages); n++) {
			struct page *page = list_first_entry(pages, struct page, lru);

			if (pool.nr >= pool_target())
				break;
			list_move(&page->lru, &pool.pages);
			page_run_add(&run, page, 1);
			WRITE_ONCE(pool.nr, pool.nr + 1);
		}
		page_run_flush(&run);
		raw_spin_unlock_irqrestore(&pool.lock, flags);
	}
}

/* A wakeup found @r short by @n pages: grow it, up to RESERVE_HIGH_MAX. */
static void reserve_grow(struct stack_reserve *r, unsigned int n)
{
	unsigned int target;

	if (reserve_apply_trim(r))
		return;
	target = reserve_target(r);
	/* A CPU going down keeps no reserve (stack_reclaim_cpu_offline()). */
	if (!target || r->offline)
		return;
	WRITE_ONCE(r->high, min(max(2 * target, r->nr + n), RESERVE_HIGH_MAX));
	r->last_miss = jiffies;
}

static struct page *reserve_pop(struct stack_reserve *r)
{
	struct page *page = list_first_entry(&r->pages, struct page, lru);

	list_del(&page->lru);
	WRITE_ONCE(r->nr, r->nr - 1);
	return page;
}

static bool reserve_take(struct stack_reserve *r, struct page **pages,
			 unsigned int n)
{
	unsigned int i, target = reserve_target(r);
	unsigned int low = n + target / 2 + 1;

	lockdep_assert_irqs_disabled();
	/*
	 * Short, or to be left below half: top up from the pool here, one
	 * bounded batch, rather than raise the refill work for it.  In a
	 * herd that work would be raised every few wakeups, each time a
	 * self-IPI and a kworker wakeup on the CPU doing them all, only to
	 * move pages from the pool.  It is for when the pool is dry.
	 */
	if (r->nr < low)
		pool_to_reserve(r, min(target + n - r->nr, POOL_BATCH));
	if (r->nr < n) {
		reserve_grow(r, n);
		pool_grow();
		/* A refill that failed for memory is not retried by itself. */
		queue_refill(r);
		return false;
	}
	for (i = 0; i < n; i++)
		pages[i] = reserve_pop(r);
	if (r->nr < target / 2 + 1)
		queue_refill(r);
	return true;
}

static bool reserve_put(struct stack_reserve *r, struct page *page)
{
	lockdep_assert_irqs_disabled();
	if (r->nr >= reserve_target(r))
		return false;
	list_add(&page->lru, &r->pages);
	WRITE_ONCE(r->nr, r->nr + 1);
	return true;
}

/*
 * Fault injection for the allocations that give pages back (the reserve's
 * refill, deferred wakeups, turning the feature off): debugfs
 * fail_stack_reclaim/, as for failslab.  With it, every wakeup of a
 * reclaimed task goes through stack_reclaimd and waits there until memory
 * comes back, and turning the feature off waits too.
 */
static DECLARE_FAULT_ATTR(fail_stack_reclaim);

static bool kunit_fail_allocs;

#if IS_ENABLED(CONFIG_KUNIT)
/* For the KUnit suite: fail those allocations, without fault injection. */
void stack_reclaim_fail_allocs(bool fail)
{
	WRITE_ONCE(kunit_fail_allocs, fail);
}
EXPORT_SYMBOL_IF_KUNIT(stack_reclaim_fail_allocs);
#endif

static bool stack_alloc_should_fail(void)
{
	return should_fail(&fail_stack_reclaim, PAGE_SIZE) ||
	       (IS_ENABLED(CONFIG_KUNIT) && READ_ONCE(kunit_fail_allocs));
}

/*
 * A page that a deferred wakeup, or turning the feature off, waits for.
 * Never with direct reclaim: that may wait for a lock owned by a task
 * whose wakeup is held.
 */
static struct page *alloc_stack_page(gfp_t gfp)
{
	VM_WARN_ON_ONCE(gfp & __GFP_DIRECT_RECLAIM);
	if (stack_alloc_should_fail())
		return NULL;
	return alloc_page(gfp);
}

/* Up to @n zeroed pages onto @list, in one pass; returns how many. */
static unsigned int alloc_stack_pages(gfp_t gfp, unsigned int n,
				      struct list_head *list)
{
	if (stack_alloc_should_fail())
		return 0;
	return alloc_pages_bulk_list(gfp | __GFP_ZERO | __GFP_NOWARN, n, list);
}

static void free_page_list(struct list_head *pages)
{
	struct page *page, *next;

	list_for_each_entry_safe(page, next, pages, lru)
		__free_page(page);
	INIT_LIST_HEAD(pages);
}

/*
 * Decay the pool's high mark once it has gone unused for POOL_HOLD, or
 * drop it to 0 (@trim: the shrinker), and free what is above its target,
 * a batch per hold of the lock.  Process context.  Returns the pages freed.
 */
static unsigned long pool_shrink(bool trim)
{
	unsigned long now = jiffies, freed = 0;
	struct page_run run = { .item = NR_KERNEL_MISC_RECLAIMABLE };
	LIST_HEAD(pages);
	bool more;

	might_sleep();
	raw_spin_lock_irq(&pool.lock);
	if (trim) {
		WRITE_ONCE(pool.high, 0);
	} else if (pool.high && time_after(now, pool.last_use + POOL_HOLD) &&
		   time_after_eq(now, pool.decayed_at + HZ)) {
		WRITE_ONCE(pool.high, pool.high - max(pool.high / 8, 1UL));
		pool.decayed_at = now;
	}
	do {
		unsigned int n;

		for (n = 0; n < POOL_FREE_BATCH && pool.nr > pool_target(); n++) {
			struct page *page = list_first_entry(&pool.pages,
							     struct page, lru);

			list_move(&page->lru, &pages);
			page_run_add(&run, page, -1);
			WRITE_ONCE(pool.nr, pool.nr - 1);
		}
		page_run_flush(&run);
		more = pool.nr > pool_target();
		raw_spin_unlock_irq(&pool.lock);
		freed += n;
		free_page_list(&pages);
		if (more) {
			cond_resched();
			raw_spin_lock_irq(&pool.lock);
		}
	} while (more);
	return freed;
}

/* Move pages from @pages into @r while it has room; the rest stay. */
static void reserve_put_list(struct stack_reserve *r, struct list_head *pages)
{
	struct page *page, *next;

	list_for_each_entry_safe(page, next, pages, lru) {
		list_del(&page->lru);
		if (!reserve_put(r, page)) {
			list_add(&page->lru, pages);
			return;
		}
	}
}

/*
 * Pages allocated per step of a refill, and per run of the completer,
 * which zeroes them with interrupts off.
 */
#define REFILL_BATCH		64
#define TOP_UP_BATCH		32

static void reserve_decay_fn(struct work_struct *work);
static DECLARE_DELAYED_WORK(reserve_decay_work, reserve_decay_fn);

/*
 * Shrink @r's high mark once misses have stopped: by an eighth a second,
 * or back to reserve_pages at once under memory pressure.  Own CPU,
 * interrupts off.
 */
static void reserve_decay(struct stack_reserve *r)
{
	unsigned int high;

	if (reserve_apply_trim(r))
		return;
	high = r->high;
	if (high && time_after(jiffies, r->last_miss + HZ)) {
		high -= max(high / 8, 1U);
		r->last_miss = jiffies;
	}
	if (high <= READ_ONCE(reserve_pages))
		high = 0;
	WRITE_ONCE(r->high, high);
}

/* Refill (or trim) this CPU's reserve; process context. */
static void reserve_refill_fn(struct work_struct *work)
{
	struct stack_reserve *r = container_of(work, struct stack_reserve,
					       refill_work);
	LIST_HEAD(pages);
	unsigned int n, target, drawn;

	for (;;) {
		local_irq_disable();
		/*
		 * The work may have been moved off a CPU going down, or run on
		 * it after stack_reclaim_cpu_offline() handed its reserve back.
		 */
		if (r != this_cpu_ptr(&stack_reserve) || r->offline) {
			local_irq_enable();
			break;
		}
		reserve_put_list(r, &pages);
		drawn = 0;
		if (list_empty(&pages)) {
			reserve_decay(r);
			list_splice_init(&r->spill, &pages);
			/* Read once: a sysfs write may lower it meanwhile. */
			target = reserve_target(r);
			while (r->nr > target)
				list_add(&reserve_pop(r)->lru, &pages);
			n = target - r->nr;
			/* Pages a pass took need no zeroing: those first. */
			if (n)
				drawn = pool_to_reserve(r, min(n, POOL_BATCH));
		} else {
			n = 0;		/* full, and some left over */
		}
		local_irq_enable();
		pool_put_list(&pages);
		free_page_list(&pages);
		if (drawn) {
			cond_resched();
			continue;
		}
		if (!n) {
			WRITE_ONCE(r->refill_failed, false);
			break;
		}
		if (!alloc_stack_pages(GFP_KERNEL, min(n, REFILL_BATCH), &pages)) {
			/* Retried at the next miss, or once memory is back. */
			WRITE_ONCE(r->refill_failed, true);
			count_event(SR_REFILL_FAILURES, 1);
			break;
		}
		cond_resched();
	}
	free_page_list(&pages);
	/* Grown by a herd: come back to shrink it once the misses stop. */
	if (READ_ONCE(r->high) || READ_ONCE(pool.high))
		schedule_delayed_work(&reserve_decay_work, HZ);
}

/*
 * Queue the refill work of every online CPU whose reserve @pick chooses,
 * or of every one if @pick is NULL.  No cpus_read_lock() here: a sysfs
 * writer may not hold up CPU hotplug.  A work queued for a CPU that then
 * goes down runs elsewhere, which reserve_refill_fn() checks for.
 */
static void refill_reserves(bool (*pick)(struct stack_reserve *r))
{
	int cpu;

	for_each_online_cpu(cpu) {
		struct stack_reserve *r = per_cpu_ptr(&stack_reserve, cpu);

		if (!pick || pick(r))
			schedule_work_on(cpu, &r->refill_work);
	}
}

static bool reserve_grown(struct stack_reserve *r)
{
	return READ_ONCE(r->high);
}

static void reserve_decay_fn(struct work_struct *work)
{
	refill_reserves(reserve_grown);
	pool_shrink(false);
	if (READ_ONCE(pool.high))
		schedule_delayed_work(&reserve_decay_work, HZ);
}

/*
 * The shrinker: drop every grown reserve back to reserve_pages, and empty
 * the pool.  Returns the pages freed now (the reserves' go in their works).
 */
static unsigned long reserve_trim_all(void)
{
	atomic_inc(&reserve_pressure_gen);
	refill_reserves(reserve_grown);
	return pool_shrink(true);
}

/*
 * In the completer, after a miss: grow this CPU's reserve by up to a
 * batch, atomically but without the emergency reserves (GFP_NOWAIT): only
 * the pages a deferred task needs now may use those.  Returns true if the
 * batch came whole and the reserve is still short, so that another run
 * may follow; a short batch (the per-CPU lists were busy, or the zone is
 * low) leaves the rest to the refill work, in process context.
 */
static bool reserve_top_up(struct stack_reserve *r)
{
	unsigned int want, got, target = reserve_target(r);
	LIST_HEAD(pages);

	if (r->offline || r->nr >= target)
		return false;
	want = min(target - r->nr, TOP_UP_BATCH);
	want -= pool_to_reserve(r, want);
	if (!want)
		return r->nr < target;
	got = alloc_stack_pages(GFP_NOWAIT, want, &pages);
	reserve_put_list(r, &pages);
	free_page_list(&pages);
	if (got == want && r->nr < target)
		return true;
	if (r->nr < target)
		queue_refill(r);
	return false;
}

/* Kicked from under pi_lock / rq lock, where queueing work could wake. */
static void reserve_refill_irq_work(struct irq_work *work)
{
	struct stack_reserve *r = container_of(work, struct stack_reserve,
					       refill_irq_work);

	schedule_work_on(smp_processor_id(), &r->refill_work);
}

static void reserve_refill_all(void)
{
	refill_reserves(NULL);
}

static bool last_refill_failed(struct stack_reserve *r)
{
	return READ_ONCE(r->refill_failed);
}

/*
 * Memory is back (stack_reclaimd has just allocated): refill the reserves
 * whose last refill failed.  Without this, a reserve that ran dry while
 * memory was short stays empty until its CPU next misses, so the first
 * wakeups after the shortage are deferred for no reason.
 */
static void retry_failed_refills(void)
{
	refill_reserves(last_refill_failed);
}

static void drain_local_reserve(void *unused)
{
	struct stack_reserve *r = this_cpu_ptr(&stack_reserve);

	WRITE_ONCE(r->high, 0);
	while (r->nr)
		__free_page(reserve_pop(r));
}

/* Resize the reserves; 0 empties them now (tests, fault injection). */
VISIBLE_IF_KUNIT void stack_reclaim_set_reserve(unsigned int pages)
{
	WRITE_ONCE(reserve_pages, pages);
	if (!pages) {
		/* As the reserves' high marks, the pool's goes back to 0. */
		on_each_cpu(drain_local_reserve, NULL, 1);
		pool_shrink(true);
	} else {
		reserve_refill_all();
	}
}
EXPORT_SYMBOL_IF_KUNIT(stack_reclaim_set_reserve);

#if IS_ENABLED(CONFIG_KUNIT)
/* Pages the online CPUs' reserves aim to hold now. */
unsigned int stack_reclaim_reserve_target(void)
{
	unsigned int sum = 0;
	int cpu;

	cpus_read_lock();
	for_each_online_cpu(cpu)
		sum += reserve_target(per_cpu_ptr(&stack_reserve, cpu));
	cpus_read_unlock();
	return sum;
}
EXPORT_SYMBOL_IF_KUNIT(stack_reclaim_reserve_target);

/* Pages the pool may hold now. */
unsigned long stack_reclaim_pool_target(void)
{
	return pool_target();
}
EXPORT_SYMBOL_IF_KUNIT(stack_reclaim_pool_target);

/* What the shrinker does to grown reserves, and wait until it is done. */
void stack_reclaim_trim_reserves(void)
{
	int cpu;

	cpus_read_lock();
	reserve_trim_all();
	for_each_online_cpu(cpu)
		flush_work(&per_cpu_ptr(&stack_reserve, cpu)->refill_work);
	cpus_read_unlock();
}
EXPORT_SYMBOL_IF_KUNIT(stack_reclaim_trim_reserves);
#endif

/*
 * The call to the hook from finish_task_switch(), on while the tunable is:
 * a switch with the hook off only notes when its task blocked.  The hook
 * checks the tunable itself, so the two need not change at one instant;
 * switch_key_mutex makes the key end as the last write left the tunable
 * (the KUnit suite sets it without tunables_mutex).
 */
DEFINE_STATIC_KEY_FALSE(stack_reclaim_switch_key);
static DEFINE_MUTEX(switch_key_mutex);

VISIBLE_IF_KUNIT void stack_reclaim_set_switch_hook(bool on)
{
	WRITE_ONCE(switch_hook, on);
	mutex_lock(&switch_key_mutex);
	if (READ_ONCE(switch_hook))
		static_branch_enable(&stack_reclaim_switch_key);
	else
		static_branch_disable(&stack_reclaim_switch_key);
	mutex_unlock(&switch_key_mutex);
}
EXPORT_SYMBOL_IF_KUNIT(stack_reclaim_set_switch_hook);

VISIBLE_IF_KUNIT void stack_reclaim_set_min_sleep_ms(unsigned int ms)
{
	WRITE_ONCE(min_sleep_ms, ms);
}
EXPORT_SYMBOL_IF_KUNIT(stack_reclaim_set_min_sleep_ms);

VISIBLE_IF_KUNIT void stack_reclaim_set_reage_ms(unsigned int ms)
{
	WRITE_ONCE(reage_ms, ms);
}
EXPORT_SYMBOL_IF_KUNIT(stack_reclaim_set_reage_ms);

VISIBLE_IF_KUNIT void stack_reclaim_set_tlb_flush(bool on)
{
	WRITE_ONCE(tlb_flush, on);
}
EXPORT_SYMBOL_IF_KUNIT(stack_reclaim_set_tlb_flush);

/* Give pages back: to this CPU's reserve, then to the pool, else freed. */
static void give_back_pages(struct list_head *pages)
{
	struct stack_reserve *r;
	unsigned long flags;

	local_irq_save(flags);
	/* Not into the reserve of a CPU going down: see cpu_offline. */
	r = this_cpu_ptr(&stack_reserve);
	if (!r->offline)
		reserve_put_list(r, pages);
	local_irq_restore(flags);
	pool_put_list(pages);
	free_page_list(pages);
}

/* ---- taking pages ----------------------------------------------------- */

/* Why @p may not be reclaimed now, or -1 if it may.  p->pi_lock held. */
static int reclaim_skip_reason(struct task_struct *p, bool check_age)
{
	unsigned int state = READ_ONCE(p->__state);

	/*
	 * Real-time and deadline tasks are left alone, by effective priority
	 * (p->prio: their policy, or an RT waiter's boost of an rt_mutex owner):
	 * their wakeup must not even wait for an allocation.  Among them are
	 * the stopper threads, which stop_machine() waits for with a CPU
	 * spinning in multi_cpu_stop().  A task boosted or made RT after its
	 * pages were taken still has its wakeup completed at once, on the
	 * waker's CPU, as long as atomic memory lasts.
	 */
	if (!stack_reclaimable(p) || is_idle_task(p) ||
	    (p->flags & (PF_EXITING | PF_KSWAPD | PF_MEMALLOC)) ||
	    rt_or_dl_task(p) || p == stack_reclaimd)
		return SR_SKIP_EXCLUDED;
	/*
	 * Blocked means: a sleeping state and dequeued.  TASK_NEW is excluded
	 * because wake_up_new_task() does not go through ttwu; sched_delayed
	 * tasks keep on_rq and are excluded with the runnable ones.
	 */
	if (state == TASK_RUNNING || (state & (TASK_WAKING | TASK_NEW | TASK_DEAD)) ||
	    READ_ONCE(p->on_rq))
		return SR_SKIP_RUNNING;
	if (p->stack_reclaim.deferred)
		return SR_SKIP_DEFERRED;
	if (check_age && time_before(jiffies, p->stack_reclaim.slept_at +
				     msecs_to_jiffies(READ_ONCE(min_sleep_ms))))
		return SR_SKIP_RECENT;
	return -1;
}

/*
 * Account page @i of @p's stack as gone, its PTE already cleared, and
 * queue it on @list.  p->pi_lock held.
 */
static void take_page_locked(struct task_struct *p, unsigned int i,
			     struct page *page, struct list_head *list)
{
	struct task_stack_reclaim *sr = &p->stack_reclaim;

	lockdep_assert_held(&p->pi_lock);
	vm_area_set_page(task_stack_vm_area(p), i, NULL);
	mod_lruvec_page_state(page, NR_KERNEL_STACK_KB, -(int)(PAGE_SIZE / 1024));
#ifdef CONFIG_MEMCG
	/*
	 * Keep the memcg charge with the stack: the page that fills this hole
	 * takes it over.  A wakeup cannot be refused for a memcg limit, so the
	 * charge a 16K stack always had stays reserved; memory.stat's
	 * kernel_stack still follows the pages actually present.
	 */
	sr->memcg_data = page->memcg_data;
	page->memcg_data = 0;
#endif
	sr->holes |= BIT(i);
	list_add(&page->lru, list);
}

/* May page @i be taken without splitting the stack's memcg charge? */
static bool same_charge(struct task_struct *p, struct page *page)
{
#ifdef CONFIG_MEMCG
	/* All holes of a stack share one memcg charge; see take_page_locked(). */
	if (p->stack_reclaim.holes &&
	    page->memcg_data != p->stack_reclaim.memcg_data)
		return false;
#endif
	return true;
}

/*
 * Take the never-accessed pages of a blocked task's stack.  Called with
 * p->pi_lock held and @p blocked, dequeued and not using its stack, so no
 * wakeup can pass stack_reclaim_wake() until we are done.  The pages go on
 * @rc->pages, to be released once the locks are dropped.
 */
static void reclaim_pages_locked(struct task_struct *p, struct reclaim_ctx *rc)
{
	struct task_stack_reclaim *sr = &p->stack_reclaim;
	struct vm_struct *vm = task_stack_vm_area(p);
	pte_t *ptes = stack_ptes(p);
	unsigned int i;

	lockdep_assert_held(&p->pi_lock);
	if (!ptes)
		return;
	for (i = 0; i < TOP_PAGE; i++) {
		pte_t *ptep = ptes + i;
		struct page *page;

		if ((sr->holes & BIT(i)) || arch_stack_reclaim_accessed(ptep))
			continue;
		page = vm->pages[i];
		if (!same_charge(p, page))
			continue;
		if (!arch_stack_reclaim_unmap_unaccessed(ptep)) {
			/* A walker set A under us: the page is in use, keep it. */
			count_event(SR_CMPXCHG_RACES, 1);
			continue;
		}
		/* Page 0 keeps its canary for the next hole 0 it fills. */
		if (i == 0)
			set_page_private(page, STACK_END_MAGIC);
		/* Never accessed through the stack mapping, so still zero. */
		if (IS_ENABLED(CONFIG_DEBUG_STACK_RECLAIM) &&
		    WARN_ON_ONCE(!stack_page_clean(page))) {
			clear_page(page_address(page));
			set_page_private(page, 0);
		}
		take_page_locked(p, i, page, &rc->pages);
		rc->nr++;
	}
}

/*
 * Is anyone but @p itself holding @p's stack?  Stack walkers
 * (sched_show_task(), stack_trace_save_tsk() and so /proc/PID/stack, BPF
 * and perf, __get_wchan()) pin it with try_get_task_stack(), read the
 * saved SP once and walk up from there, and may be preempted for as long
 * as the scheduler likes in between.  The SP they read can be deeper than
 * today's: @p may have woken, returned and slept again since.  So nothing
 * below today's SP is dead to them, and re-aging waits until they are gone.
 *
 * Ordering: the walker's refcount_inc_not_zero() is a full barrier (an
 * architecture's guarantee, see <linux/stack_reclaim.h>) before it loads
 * the saved SP.  Here @p's last switch-out, its store of thread.sp, is
 * ordered before the barrier by the acquire of p->on_cpu in
 * reclaim_task_locked(), and the count is loaded after it.  Either the
 * walker's increment is seen here, or the walker reads the SP that
 * re-aging goes by, and only ever reads above it: a walker that pins after
 * this check finds @p still blocked, as pi_lock is held.
 */
static bool stack_pinned_by_others(struct task_struct *p)
{
	/* Pairs with the full barrier of the walker's pin: see above. */
	smp_mb();
	return refcount_read(&p->stack_refcount) > 1;
}

/*
 * Re-aging: take the accessed pages that lie wholly below @p's saved stack
 * pointer.  While @p is blocked and off its CPU nothing there is live for
 * @p (the architecture's guarantee: no red zone, and no interrupt runs on
 * a sleeping task's stack).  Nobody else may be reading there: walkers pin
 * the stack (stack_pinned_by_others()), readers of whole stacks
 * (stack_not_used(), kmemleak) also hold sr->readers, and we leave their
 * task alone.  p->pi_lock held, as for reclaim_pages_locked().  The pages
 * go on @rc->unflushed: they may still be cached in some TLB.
 */
static void reage_pages_locked(struct task_struct *p, struct reclaim_ctx *rc)
{
	struct task_stack_reclaim *sr = &p->stack_reclaim;
	struct vm_struct *vm = task_stack_vm_area(p);
	unsigned long base = task_stack_base(p);
	unsigned int i, nr = 0;
	unsigned long sp;
	pte_t *ptes;

	lockdep_assert_held(&p->pi_lock);
	if (time_before(jiffies, sr->slept_at + rc->reage_after) ||
	    atomic_read(&sr->readers))
		return;
	if (stack_pinned_by_others(p)) {
		count_event(SR_REAGE_SKIP_PINNED, 1);
		return;
	}
	sp = arch_stack_reclaim_saved_sp(p);
	ptes = stack_ptes(p);
	if (!ptes || WARN_ON_ONCE(sp <= base || sp > base + THREAD_SIZE))
		return;
	for (i = 0; i < TOP_PAGE && base + (i + 1) * PAGE_SIZE <= sp; i++) {
		pte_t *ptep = ptes + i;
		struct page *page;

		if (!arch_stack_reclaim_accessed(ptep))
			continue;
		page = vm->pages[i];
		if (!same_charge(p, page) || !arch_stack_reclaim_unmap(ptep))
			continue;
		take_page_locked(p, i, page, &rc->unflushed);
		nr++;
	}
	if (!nr)
		return;
	rc->nr_unflushed += nr;
	rc->nr_reaged += nr;
	trace_stack_reclaim_reage(p, nr, sr->holes);
}

static int reclaim_task_locked(struct task_struct *p, void *arg)
{
	struct reclaim_ctx *rc = arg;
	int reason = reclaim_skip_reason(p, rc->check_age);
	unsigned int nr = rc->nr, nr_unflushed = rc->nr_unflushed;
	unsigned long holes = p->stack_reclaim.holes;

	lockdep_assert_held(&p->pi_lock);
#ifdef CONFIG_SMP
	/*
	 * Dequeued is not yet off its CPU: between block_task() and the
	 * switch, __schedule() may drop the rq lock (newidle balancing).
	 * task_call_func() has waited for ->on_cpu to clear on a blocked
	 * task already (__task_needs_rq_lock()); it is checked again here,
	 * where reclaim and re-aging rely on it.  The acquire pairs
	 * with finish_task(): after it, every store @p made on its CPU (its
	 * stack, thread.sp) is visible here.  One CPU needs no barrier.
	 */
	if (reason < 0 && smp_load_acquire(&p->on_cpu))
		reason = SR_SKIP_RUNNING;
#endif
	if (reason >= 0) {
		count_event(reason, 1);
		return 0;
	}
	reclaim_pages_locked(p, rc);
	if (rc->nr > nr) {
		trace_stack_reclaim_reclaim(p, rc->nr - nr, p->stack_reclaim.holes,
					    false);
		/* Belt and braces for hypervisors that emulate A lazily. */
		if (rc->flush) {
			list_splice_init(&rc->pages, &rc->unflushed);
			rc->nr_unflushed += rc->nr - nr;
		}
	}
	if (rc->reage)
		reage_pages_locked(p, rc);
	/* After the PTE clears: __reage_flush() reads the generation first. */
	if (rc->nr_unflushed > nr_unflushed) {
		p->stack_reclaim.reage_gen =
			atomic_long_inc_return(&reage_unmap_gen);
		note_unflushed(task_stack_base(p),
			       p->stack_reclaim.holes & ~holes,
			       p->stack_reclaim.reage_gen);
	}
	return 0;
}

/* Pages batched before one TLB flush frees them all. */
#define REAGE_BATCH		512

static void reclaim_ctx_init(struct reclaim_ctx *rc, bool check_age)
{
	unsigned int ms = READ_ONCE(reage_ms);

	INIT_LIST_HEAD(&rc->pages);
	INIT_LIST_HEAD(&rc->unflushed);
	rc->nr = 0;
	rc->nr_unflushed = 0;
	rc->nr_reaged = 0;
	rc->check_age = check_age;
	rc->reage = ms != 0;
	rc->reage_after = check_age ? msecs_to_jiffies(ms) : 0;
	rc->flush = READ_ONCE(tlb_flush);
}

/* Free a batch of unflushed pages: TLBs flushed first, then zeroed. */
static void reage_release(struct reclaim_ctx *rc)
{
	struct page *page;

	if (!rc->nr_unflushed)
		return;
	/* stack_reclaimd's flush may have covered this batch already. */
	if (reage_flush_scanned()) {
		count_event(SR_TLB_FLUSHES, 1);
		if (rc->nr_reaged)
			count_event(SR_REAGE_FLUSHES, 1);
	}
	/* Re-aged pages held the dead frames of their task: no data may leak. */
	list_for_each_entry(page, &rc->unflushed, lru) {
		clear_page(page_address(page));
		if (page_has_canary(page))
			*(unsigned long *)page_address(page) = STACK_END_MAGIC;
	}
	give_back_pages(&rc->unflushed);
	rc->nr_unflushed = 0;
	rc->nr_reaged = 0;
}

/*
 * Reclaim what can be reclaimed from one task; process context.  Never
 * accessed pages are released at once; re-aged ones wait on @rc->unflushed for
 * reage_release().  Returns the number of pages taken.
 */
static unsigned int reclaim_one(struct task_struct *p, struct reclaim_ctx *rc)
{
	unsigned int nr = rc->nr_reaged;

	if (!READ_ONCE(reclaim_enabled))
		return 0;
	count_event(SR_TASKS_SCANNED, 1);
	if (!stack_reclaimable(p)) {
		count_event(SR_SKIP_EXCLUDED, 1);
		return 0;
	}
	/* Cheap filter before taking locks; rechecked under pi_lock. */
	if (READ_ONCE(p->__state) == TASK_RUNNING) {
		count_event(SR_SKIP_RUNNING, 1);
		return 0;
	}
	rc->nr = 0;
	task_call_func(p, reclaim_task_locked, rc);
	nr = rc->nr_reaged - nr;		/* re-aged from @p */
	if (nr)
		count_event(SR_PAGES_REAGED, nr);
	nr += rc->nr;
	if (!nr)
		return 0;

	this_cpu_add(sr_stats.reclaimed_now, nr);
	count_event(SR_PAGES_RECLAIMED, nr);
	give_back_pages(&rc->pages);
	if (rc->nr_unflushed >= REAGE_BATCH)
		reage_release(rc);
	return nr;
}

#if IS_ENABLED(CONFIG_KUNIT)
/* Reclaim from one task, re-aged pages included, all freed on return. */
VISIBLE_IF_KUNIT unsigned int stack_reclaim_task(struct task_struct *p,
						 bool check_age)
{
	struct reclaim_ctx rc;
	unsigned int nr;

	mutex_lock(&scan_mutex);
	reclaim_ctx_init(&rc, check_age);
	nr = reclaim_one(p, &rc);
	reage_release(&rc);
	mutex_unlock(&scan_mutex);
	return nr;
}
EXPORT_SYMBOL_IF_KUNIT(stack_reclaim_task);
#endif

/* Next task at or after *cursor in pid order, with a reference; or NULL. */
static struct task_struct *next_task_by_pid(pid_t *cursor)
{
	struct task_struct *p = NULL;
	struct pid *pid;

	rcu_read_lock();
	while ((pid = find_ge_pid(*cursor, &init_pid_ns))) {
		*cursor = pid_nr(pid) + 1;
		p = pid_task(pid, PIDTYPE_PID);
		if (p) {
			get_task_struct(p);
			break;
		}
	}
	rcu_read_unlock();
	return p;
}

static unsigned int touched_pages(struct task_struct *p)
{
	unsigned int i, n = 0;

	for (i = 0; i < STACK_RECLAIM_PAGES; i++)
		n += stack_reclaim_page_used(p, i);
	return n;
}

/* One pass over every task; process context, scan_mutex held. */
static unsigned long reclaim_all(void)
{
	long hist[STACK_RECLAIM_PAGES + 1] = { };
	unsigned long freed = 0, start;
	struct reclaim_ctx rc;
	struct task_struct *p;
	pid_t cursor = 0;
	unsigned int i;

	lockdep_assert_held(&scan_mutex);
	start = jiffies;
	reclaim_ctx_init(&rc, true);
	while ((p = next_task_by_pid(&cursor))) {
		freed += reclaim_one(p, &rc);
		if (stack_reclaimable(p) && try_get_task_stack(p)) {
			hist[touched_pages(p)]++;
			put_task_stack(p);
		}
		put_task_struct(p);
		cond_resched();
	}
	reage_release(&rc);
	for (i = 0; i <= STACK_RECLAIM_PAGES; i++)
		atomic_long_set(&touched_hist[i], hist[i]);
	/*
	 * Wall time, not CPU time: the pass may yield between tasks, and how
	 * long it holds scan_mutex is what the shrinker and the periodic scan
	 * see.
	 */
	WRITE_ONCE(full_pass_last_ms, jiffies_to_msecs(jiffies - start));
	if (full_pass_last_ms > full_pass_max_ms)
		WRITE_ONCE(full_pass_max_ms, full_pass_last_ms);
	count_event(SR_FULL_PASSES, 1);
	return freed;
}

/* ---- shrinker, periodic scan ------------------------------------------ */

static unsigned long stack_reclaim_count(struct shrinker *s,
					 struct shrink_control *sc)
{
	unsigned int floor = READ_ONCE(reserve_pages);
	long est, grown = 0;
	int cpu;

	/* Reserves grown beyond their floor, and the pool, can always shrink. */
	for_each_online_cpu(cpu) {
		unsigned int nr = READ_ONCE(per_cpu_ptr(&stack_reserve, cpu)->nr);

		if (nr > floor)
			grown += nr - floor;
	}
	grown += READ_ONCE(pool.nr);
	if (!READ_ONCE(reclaim_enabled))
		return grown ? grown : SHRINK_EMPTY;
	/*
	 * A cheap upper bound: every non-top page of every thread, less what
	 * is reclaimed already and what the last full pass saw touched.
	 */
	est = (long)nr_threads * TOP_PAGE - pages_reclaimed_now();
	for (int i = 2; i <= STACK_RECLAIM_PAGES; i++)
		est -= (i - 1) * atomic_long_read(&touched_hist[i]);
	est = max(est, 0L) + grown;
	return est ? est : SHRINK_EMPTY;
}

static unsigned long stack_reclaim_scan(struct shrinker *s,
					struct shrink_control *sc)
{
	unsigned long freed = 0, visited = 0, trimmed;
	struct reclaim_ctx rc;
	struct task_struct *p;

	/* Grown reserves and the pool first: that needs no scanner. */
	trimmed = reserve_trim_all();
	if (!READ_ONCE(reclaim_enabled))
		return trimmed ? trimmed : SHRINK_STOP;
	/* Never make reclaim wait on another scanner. */
	if (!mutex_trylock(&scan_mutex))
		return trimmed ? trimmed : SHRINK_STOP;
	reclaim_ctx_init(&rc, true);
	/* Each task visited stands for its TOP_PAGE pages, as counted. */
	while (freed < sc->nr_to_scan && visited * TOP_PAGE < sc->nr_to_scan) {
		p = next_task_by_pid(&scan_cursor);
		if (!p) {		/* wrapped */
			scan_cursor = 0;
			if (!freed)
				break;
			continue;
		}
		freed += reclaim_one(p, &rc);
		put_task_struct(p);
		visited++;
		cond_resched();
	}
	reage_release(&rc);
	mutex_unlock(&scan_mutex);
	sc->nr_scanned = visited * TOP_PAGE;
	freed += trimmed;
	return freed ? freed : SHRINK_STOP;
}

static struct shrinker *stack_shrinker;

static void periodic_scan_fn(struct work_struct *work);
static DECLARE_DELAYED_WORK(periodic_scan_work, periodic_scan_fn);

static void periodic_scan_fn(struct work_struct *work)
{
	unsigned int interval;

	if (!READ_ONCE(scan_interval_ms))
		return;
	mutex_lock(&scan_mutex);
	if (READ_ONCE(reclaim_enabled))
		reclaim_all();
	mutex_unlock(&scan_mutex);
	/* Read again: a write during the pass may have changed it, or to 0. */
	interval = READ_ONCE(scan_interval_ms);
	if (interval)
		queue_delayed_work(system_unbound_wq, &periodic_scan_work,
				   msecs_to_jiffies(interval));
}

/* ---- giving pages back ------------------------------------------------ */

/*
 * Fill every hole of @p from @pages, which this may reorder.  p->pi_lock
 * held, @p not running.
 */
static void fill_holes_locked(struct task_struct *p, struct page **pages)
{
	struct task_stack_reclaim *sr = &p->stack_reclaim;
	struct vm_struct *vm = task_stack_vm_area(p);
	unsigned long holes = sr->holes;
	struct page_run run = { .item = NR_KERNEL_STACK_KB };
	unsigned int i, k = 0, n = hweight_long(holes);
	pte_t *ptes = stack_ptes(p);

	lockdep_assert_held(&p->pi_lock);
	/* A hole 0 takes a page that has the canary already, if one came. */
	if ((holes & 1) && !page_has_canary(pages[0]))
		for (i = 1; i < n; i++)
			if (page_has_canary(pages[i])) {
				swap(pages[0], pages[i]);
				break;
			}
	for_each_set_bit(i, &holes, STACK_RECLAIM_PAGES) {
		struct page *page = pages[k++];

		/* schedule_debug() checks the canary on page 0. */
		if (page_has_canary(page) != !i)
			*(unsigned long *)page_address(page) = i ? 0 : STACK_END_MAGIC;
		set_page_private(page, 0);
#ifdef CONFIG_MEMCG
		page->memcg_data = sr->memcg_data;
#endif
		page_run_add(&run, page, PAGE_SIZE / 1024);
		vm_area_set_page(vm, i, page);
		arch_stack_reclaim_map(ptes + i, page);
	}
	page_run_flush(&run);
	sr->holes = 0;
	this_cpu_sub(sr_stats.reclaimed_now, k);
	count_event(SR_PAGES_REPOPULATED, k);
}

/*
 * Deferred wakeups.
 *
 * A wakeup that finds holes the reserve cannot fill is deferred: @p stays
 * asleep with ->deferred set and goes on deferred_list, and the waker's CPU
 * raises its completer irq_work.  That runs in hard interrupt context as
 * soon as the waker has its interrupts back on, allocates the pages with
 * GFP_ATOMIC (no direct reclaim, no sleeping lock) and delivers the wakeup.
 * So a deferred wakeup needs no CPU time from the scheduler beyond the
 * waker's own, and waits for nobody the woken task would not have waited
 * for: not for a thread of any priority, nor for direct reclaim, which may
 * want a lock that a task whose wakeup is held owns.
 *
 * Only when atomic memory is gone, or a re-aged stack still waits for its
 * TLB flush (which needs interrupts on), does the task go to
 * stack_reclaimd.  That thread takes the most important task first, never
 * enters direct reclaim (it allocates atomically and otherwise waits for
 * kswapd), tries every task it holds in turn rather than spin on one, and
 * runs at nice -20, or at the FIFO level of the most important real-time
 * task it holds (stack_reclaimd_set_prio()).
 *
 * Once deferred, a wakeup is delivered by its completer only.  To any
 * other wakeup the task is as good as TASK_WAKING, as on stock for a task
 * already being woken: that wakeup returns 0 and is neither traced nor
 * counted, and the completion is not traced or counted a second time
 * (stack_reclaim_wake_in_flight()).  ->deferred is cleared only in the
 * completer's own try_to_wake_up(), under p->pi_lock, which the completer
 * marks with stack_reclaim_completing on its CPU.  So the wakeup lands on
 * the sleep it was meant for and on no later one, and ->wake_state still
 * matches that sleep: only a wakeup changes the state of a blocked task,
 * and the freezer leaves one whose wakeup is deferred alone.
 */
static DEFINE_PER_CPU(struct irq_work, deferred_completer);
static DEFINE_PER_CPU(struct task_struct *, stack_reclaim_completing);
static LIST_HEAD(slow_list);		/* for stack_reclaimd; deferred_lock */
static atomic_t nr_deferred;		/* tasks with ->deferred set */
static atomic64_t deferred_wait_total_ns;
static atomic64_t deferred_wait_max_ns;

/* Deferred tasks completed per run of the irq_work before it requeues. */
#define COMPLETER_BATCH		16

/*
 * irq_work on a CPU that is going down: once it has passed
 * CPUHP_AP_SMP_CFD_DYING its queue is never run again, and a work left
 * there stays claimed for good, so that queueing it anywhere fails
 * quietly.  Wakeups do still happen there (the stopper completing
 * stop_machine() wakes its caller), so the completer of a wakeup given
 * on a CPU that is no longer active runs on one that is.  Interrupts are
 * off here, so no active CPU can go down under us.
 */
static void kick_completer(void)
{
	unsigned int cpu = smp_processor_id();

	if (unlikely(!cpu_active(cpu))) {
		unsigned int other = cpumask_any_but(cpu_active_mask, cpu);

		/* The last CPU never goes down, but do not index past the end. */
		if (!WARN_ON_ONCE(other >= nr_cpu_ids))
			cpu = other;
	}
	irq_work_queue_on(per_cpu_ptr(&deferred_completer, cpu), cpu);
}

/* Queue @p, whose wakeup is deferred, for a completer. */
static void queue_deferred_locked(struct task_struct *p)
{
	lockdep_assert_held(&p->pi_lock);
	get_task_struct(p);
	raw_spin_lock(&deferred_lock);
	list_add_tail(&p->stack_reclaim.deferred_node, p->flags & PF_KTHREAD ?
		      &deferred_kthreads : &deferred_list);
	raw_spin_unlock(&deferred_lock);
	kick_completer();
}

static void defer_wake_locked(struct task_struct *p, unsigned int state)
{
	struct task_stack_reclaim *sr = &p->stack_reclaim;

	lockdep_assert_held(&p->pi_lock);
	/* Other wakers stop at stack_reclaim_wake_in_flight(). */
	if (WARN_ON_ONCE(sr->deferred))
		return;
	sr->wake_state = state;
	sr->deferred = true;
	atomic_inc(&nr_deferred);
	sr->deferred_at = local_clock();
	count_event(SR_DEFERRED_WAKES, 1);
	trace_stack_reclaim_defer(p, sr->holes);
	queue_deferred_locked(p);
}

/* Is this CPU's completer delivering @p's deferred wakeup? */
bool __stack_reclaim_completing(struct task_struct *p)
{
	lockdep_assert_held(&p->pi_lock);
	return __this_cpu_read(stack_reclaim_completing) == p;
}

bool __stack_reclaim_wake(struct task_struct *p, unsigned int state)
{
	struct task_stack_reclaim *sr = &p->stack_reclaim;
	struct page *pages[STACK_RECLAIM_PAGES];
	unsigned int n = hweight_long(sr->holes);

	lockdep_assert_held(&p->pi_lock);
	if (sr->deferred) {
		/* try_to_wake_up() lets only the completion through. */
		if (WARN_ON_ONCE(!__stack_reclaim_completing(p)))
			return false;
		/*
		 * The completer filled them, and reclaim skips @p since.  Were
		 * it otherwise, this completion fails, and @p is queued again
		 * rather than left with no completer.
		 */
		if (WARN_ON_ONCE(n)) {
			queue_deferred_locked(p);
			return false;
		}
	}
	if (n) {
		/* Another CPU may still map its stack to re-aged pages. */
		if (reage_unflushed(sr)) {
			count_event(SR_REAGE_WAITS, 1);
			defer_wake_locked(p, state);
			return false;
		}
		if (!reserve_take(this_cpu_ptr(&stack_reserve), pages, n)) {
			count_event(SR_RESERVE_MISSES, 1);
			defer_wake_locked(p, state);
			return false;
		}
		count_event(SR_RESERVE_HITS, 1);
		fill_holes_locked(p, pages);
		trace_stack_reclaim_repopulate(p, n, false);
	}
	if (sr->deferred) {
		sr->deferred = false;
		atomic_dec(&nr_deferred);
	}
	sr->wake_state = 0;
	return true;
}

struct deferred_fill {
	struct page	*pages[STACK_RECLAIM_PAGES];
	unsigned int	nr;
	bool		need_more;
	bool		need_flush;
};

static int fill_locked(struct task_struct *p, void *arg)
{
	struct task_stack_reclaim *sr = &p->stack_reclaim;
	struct deferred_fill *df = arg;
	unsigned int n = hweight_long(sr->holes);

	lockdep_assert_held(&p->pi_lock);
	if (n && reage_unflushed(sr)) {
		df->need_flush = true;
		return 0;
	}
	if (n > df->nr) {
		df->need_more = true;
		return 0;
	}
	if (n) {
		df->nr -= n;
		fill_holes_locked(p, df->pages + df->nr);
		trace_stack_reclaim_repopulate(p, n, true);
	}
	/* ->deferred stays set until the completer's own wakeup. */
	return sr->deferred ? sr->wake_state : 0;
}

/*
 * Fill @p's holes with pages from @alloc; then, if @p has a deferred
 * wakeup and we own it (@p was taken off a deferred list), deliver it.
 * Returns false, @p untouched, if memory or a TLB flush was missing.
 */
static bool fill_and_wake(struct task_struct *p, struct page *(*alloc)(void),
			  bool may_flush, bool owner)
{
	struct deferred_fill df = { };
	unsigned int state = 0;
	unsigned long flags;
	bool done = false;
	LIST_HEAD(spare);

	/* A re-aging flush needs interrupts on: no allocation for nothing. */
	if (!may_flush && reage_unflushed(&p->stack_reclaim))
		return false;
	for (;;) {
		unsigned int want = hweight_long(READ_ONCE(p->stack_reclaim.holes));

		while (df.nr < want) {
			struct page *page = alloc();

			if (!page)
				goto out;
			df.pages[df.nr++] = page;
		}
		if (df.need_flush) {
			if (!may_flush)
				goto out;
			reage_flush();
		}
		df.need_more = false;
		df.need_flush = false;
		state = task_call_func(p, fill_locked, &df);
		if (!df.need_more && !df.need_flush)
			break;
	}
	done = true;
	if (owner && state) {
		u64 waited = local_clock() - READ_ONCE(p->stack_reclaim.deferred_at);
		s64 max = atomic64_read(&deferred_wait_max_ns);
		bool woken;

		local_irq_save(flags);
		__this_cpu_write(stack_reclaim_completing, p);
		woken = wake_up_state(p, state);
		__this_cpu_write(stack_reclaim_completing, NULL);
		local_irq_restore(flags);
		/* Only the completer clears ->deferred, so @p was ours to wake. */
		WARN_ON_ONCE(!woken);
		/* CPUs' clocks may differ a little: a statistic, kept >= 0. */
		if ((s64)waited < 0)
			waited = 0;
		atomic64_add(waited, &deferred_wait_total_ns);
		while ((s64)waited > max &&
		       !atomic64_try_cmpxchg(&deferred_wait_max_ns, &max, waited))
			;
	}
out:
	while (df.nr)
		list_add(&df.pages[--df.nr]->lru, &spare);
	if (!list_empty(&spare))
		give_back_pages(&spare);
	return done;
}

static struct page *alloc_atomic_page(void)
{
	return alloc_stack_page(GFP_ATOMIC | __GFP_ZERO | __GFP_NOWARN);
}

/* For the completer: this CPU's reserve first, which it has just topped up. */
static struct page *alloc_completer_page(void)
{
	struct stack_reserve *r = this_cpu_ptr(&stack_reserve);

	if (r->nr && !r->offline)
		return reserve_pop(r);
	return alloc_atomic_page();
}

static struct task_struct *pop_deferred(void)
{
	struct task_struct *p;
	unsigned long flags;

	raw_spin_lock_irqsave(&deferred_lock, flags);
	p = list_first_entry_or_null(&deferred_kthreads, struct task_struct,
				     stack_reclaim.deferred_node);
	if (!p)
		p = list_first_entry_or_null(&deferred_list, struct task_struct,
					     stack_reclaim.deferred_node);
	if (p)
		list_del_init(&p->stack_reclaim.deferred_node);
	raw_spin_unlock_irqrestore(&deferred_lock, flags);
	return p;
}

/*
 * Hard interrupt context, on the CPU of (one of) the wakers.  A deferral
 * means the reserve was short, and has just been told to grow: top it up
 * by a batch first, so that the wakeups after this one find their pages
 * there instead of being deferred too.
 */
static void deferred_completer_fn(struct irq_work *work)
{
	struct stack_reserve *r = this_cpu_ptr(&stack_reserve);
	bool slow = false, more;
	struct task_struct *p;
	unsigned int n;

	more = reserve_top_up(r);
	for (n = 0; n < COMPLETER_BATCH; n++) {
		p = pop_deferred();
		if (!p)
			break;
		if (fill_and_wake(p, alloc_completer_page, false, true)) {
			put_task_struct(p);
			/* Atomic memory is there: retry a refill that failed. */
			if (READ_ONCE(this_cpu_ptr(&stack_reserve)->refill_failed))
				queue_refill(this_cpu_ptr(&stack_reserve));
			continue;
		}
		raw_spin_lock(&deferred_lock);
		list_add_tail(&p->stack_reclaim.deferred_node, &slow_list);
		raw_spin_unlock(&deferred_lock);
		count_event(SR_DEFERRED_SLOW, 1);
		slow = true;
	}
	if (slow)
		wake_up_process(stack_reclaimd);
	/* More than one batch: let interrupts in, then go on. */
	if (n == COMPLETER_BATCH || more)
		kick_completer();
}

/*
 * Take the most important task off slow_list.  *@prio becomes the highest
 * effective priority among all the tasks stack_reclaimd holds, those
 * @waiting for memory included, or MAX_PRIO if it holds none.
 */
static struct task_struct *slow_first(struct list_head *waiting, int *prio)
{
	struct task_struct *p, *best = NULL;
	int top = MAX_PRIO;

	raw_spin_lock_irq(&deferred_lock);
	list_for_each_entry(p, &slow_list, stack_reclaim.deferred_node) {
		int prio = READ_ONCE(p->prio);

		/*
		 * Kernel threads first among tasks of equal priority: the
		 * system waits on them (see deferred_kthreads).
		 */
		if (!best || prio < top ||
		    (prio == top && (p->flags & PF_KTHREAD) &&
		     !(best->flags & PF_KTHREAD))) {
			best = p;
			top = prio;
		}
	}
	if (best)
		list_del_init(&best->stack_reclaim.deferred_node);
	raw_spin_unlock_irq(&deferred_lock);
	list_for_each_entry(p, waiting, stack_reclaim.deferred_node)
		top = min(top, READ_ONCE(p->prio));
	*prio = top;
	return best;
}

/* The fair-class level stack_reclaimd keeps between real-time spells. */
#define STACK_RECLAIMD_FAIR_PRIO	NICE_TO_PRIO(MIN_NICE)

static int stack_reclaimd_prio = DEFAULT_PRIO;

/*
 * Run at least as high as the most important task held, @prio being its
 * effective priority (p->prio), or MAX_PRIO if none is held.
 *
 * For a real-time or deadline task that is its FIFO level.  For fair
 * tasks it is always nice -20, the top of the fair class: a nice-19 task
 * may be served a little early, but the work is a few page allocations,
 * and the thread never changes its weight, so the scheduler never has to
 * reweight an entity that runs, sleeps and wakes every few milliseconds.
 * A task boosted after it was queued is seen at the next task or, while
 * memory is short, at the next retry (20 ms).
 */
static void stack_reclaimd_set_prio(int prio)
{
	struct sched_attr attr = {
		.sched_policy	= SCHED_NORMAL,
		.sched_nice	= MIN_NICE,
	};

	if (prio >= MAX_RT_PRIO)
		prio = STACK_RECLAIMD_FAIR_PRIO;
	if (prio == stack_reclaimd_prio)
		return;
	stack_reclaimd_prio = prio;
	if (prio < MAX_RT_PRIO) {
		/* Deadline tasks (prio -1) get the highest FIFO priority. */
		attr.sched_policy = SCHED_FIFO;
		attr.sched_nice = 0;
		attr.sched_priority = MAX_RT_PRIO - 1 - max(prio, 0);
	}
	WARN_ON_ONCE(sched_setattr_nocheck(current, &attr));
}

static int stack_reclaimd_fn(void *unused)
{
	LIST_HEAD(waiting);	/* tried this round, no memory */
	bool filled = false;

	for (;;) {
		struct task_struct *p;
		int prio;

		p = slow_first(&waiting, &prio);
		stack_reclaimd_set_prio(prio);
		if (p) {
			if (fill_and_wake(p, alloc_atomic_page, true, true)) {
				put_task_struct(p);
				filled = true;
			} else {
				list_add_tail(&p->stack_reclaim.deferred_node, &waiting);
			}
			cond_resched();
			continue;
		}
		/* Every task it held was filled: memory is back. */
		if (filled && list_empty(&waiting)) {
			retry_failed_refills();
			filled = false;
		}
		if (!list_empty(&waiting)) {
			/* A round without memory: give kswapd time, then retry. */
			raw_spin_lock_irq(&deferred_lock);
			list_splice_init(&waiting, &slow_list);
			raw_spin_unlock_irq(&deferred_lock);
			count_event(SR_DEFERRED_NOMEM, 1);
			schedule_timeout_idle(HZ / 50);
			continue;
		}
		raw_spin_lock_irq(&deferred_lock);
		if (list_empty(&slow_list))
			set_current_state(TASK_IDLE);
		raw_spin_unlock_irq(&deferred_lock);
		schedule();
	}
	return 0;
}

/*
 * Memory that the disable path may wait for.  No direct reclaim here
 * either: it could wait for a lock that a task whose wakeup is deferred
 * owns.  Nor the emergency reserves, which a sysfs write has no claim on:
 * kswapd, woken by each failed attempt, makes the memory.  NULL if the
 * caller was killed meanwhile.
 */
static struct page *alloc_page_wait_kswapd(void)
{
	struct page *page;

	while (!(page = alloc_stack_page(GFP_NOWAIT | __GFP_ZERO | __GFP_NOWARN))) {
		if (fatal_signal_pending(current))
			return NULL;
		schedule_timeout_idle(HZ / 50);
	}
	return page;
}

/*
 * Give every reclaimed page back and deliver every deferred wakeup; for
 * turning the feature off.  Nothing is reclaimed any more, so once the
 * holes are filled no wakeup is deferred again.  -EINTR if the caller was
 * killed while it waited for memory: what is not given back yet stays out,
 * filled as its tasks wake, and turning the feature off again finishes.
 */
static int fill_all(void)
{
	struct task_struct *p;
	pid_t cursor = 0;

	while ((p = next_task_by_pid(&cursor))) {
		int err = 0;

		if (READ_ONCE(p->stack_reclaim.holes) &&
		    !fill_and_wake(p, alloc_page_wait_kswapd, true, false))
			err = -EINTR;
		put_task_struct(p);
		if (err)
			return err;
		cond_resched();
	}
	/*
	 * Their holes are filled now; their owners deliver them, or are
	 * between popping and waking them: wait.
	 */
	while (atomic_read(&nr_deferred)) {
		if (fatal_signal_pending(current))
			return -EINTR;
		schedule_timeout_idle(1);
	}
	return 0;
}

/* ---- hooks ------------------------------------------------------------ */

pgprot_t stack_reclaim_stack_pgprot(void)
{
	return stack_reclaim_active() ? arch_stack_reclaim_pgprot() : PAGE_KERNEL;
}

/*
 * Zero a recycled stack through the direct map: a memset through the
 * stack mapping would set A on every page and make none reclaimable.
 * Pages never accessed through the stack mapping are zero already (every
 * stack page starts zeroed, and only the canary is written through the
 * direct map), so only the pages the last owner used are cleared: for
 * most stacks one page instead of THREAD_SIZE, with memset() as fork.c
 * used for the whole stack.
 */
void stack_reclaim_clear_stack(struct vm_struct *vm)
{
	pte_t *ptes = arch_stack_reclaim_ptes((unsigned long)vm->addr);
	unsigned int i;

	for (i = 0; i < STACK_RECLAIM_PAGES; i++) {
		void *page = page_address(vm->pages[i]);

		if (ptes && !arch_stack_reclaim_accessed(ptes + i)) {
			if (i == 0)
				*(unsigned long *)page = 0;	/* the canary */
			if (!IS_ENABLED(CONFIG_DEBUG_STACK_RECLAIM) ||
			    !WARN_ON_ONCE(memchr_inv(page, 0, PAGE_SIZE)))
				continue;
		}
		memset(page, 0, PAGE_SIZE);
	}
}

void stack_reclaim_init_task(struct task_struct *tsk, struct vm_struct *vm)
{
	struct task_stack_reclaim *sr = &tsk->stack_reclaim;

	memset(sr, 0, sizeof(*sr));
	INIT_LIST_HEAD(&sr->deferred_node);
	/*
	 * The PTEs stay where they are while the task has the stack: vmalloc
	 * frees a page table only to map a huge page over an empty range.
	 */
	if (stack_reclaim_active())
		sr->ptes = arch_stack_reclaim_ptes((unsigned long)vm->addr);
	/* Never blocked: no short sleep to hold against the first one. */
	sr->slept_at = jiffies - MAX_JIFFY_OFFSET;
	/*
	 * kmemleak would scan the vmalloc object holes and all; its task
	 * stack scan covers the stack instead (stack_reclaim_page_used()).
	 */
	if (sr->ptes)
		kmemleak_no_scan(vm->addr);
}

/* Write the canary through the direct map, keeping page 0 untouched. */
bool stack_reclaim_set_end_magic(struct task_struct *tsk)
{
	if (!stack_reclaimable(tsk))
		return false;
	*(unsigned long *)page_address(task_stack_vm_area(tsk)->pages[0]) =
		STACK_END_MAGIC;
	return true;
}

/*
 * The canary of a running task (schedule_debug(), oopses): a running task's
 * stack is whole, so page 0 is there.
 */
unsigned long *stack_reclaim_end_of_stack(struct task_struct *task)
{
	if (!stack_reclaimable(task))
		return end_of_stack(task);
	return page_address(task_stack_vm_area(task)->pages[0]);
}

/**
 * stack_reclaim_page_used - may page @i of @p's stack be read?
 * @p:	a task whose stack is pinned (try_get_task_stack())
 * @i:	page index, 0 being the lowest
 *
 * A page that was never accessed through the stack mapping holds nothing
 * (it is zero) and may be gone; reading it would also make it
 * unreclaimable.  A page with A set is never reclaimed.  Readers that scan
 * a sleeping task's whole stack (DEBUG_STACK_USAGE, kmemleak) read only
 * the pages this says are used.
 *
 * Return: true if the page has been used and stays present.
 */
bool stack_reclaim_page_used(struct task_struct *p, unsigned int i)
{
	pte_t *ptep;

	if (!stack_reclaimable(p))
		return true;
	ptep = stack_ptes(p);
	return arch_stack_reclaim_accessed(ptep + i);
}

/**
 * stack_reclaim_read_begin - keep re-aging off a stack while it is read
 * @p:	a task whose stack is pinned (try_get_task_stack())
 *
 * Re-aging takes pages that were accessed, so stack_reclaim_page_used()
 * alone does not keep a page there while a reader scans it.  Between
 * stack_reclaim_read_begin() and stack_reclaim_read_end(), a page it
 * reports used stays.  The count is raised under p->pi_lock, which
 * re-aging holds while it checks it and unmaps.  Process context.
 */
void stack_reclaim_read_begin(struct task_struct *p)
{
	unsigned long flags;

	if (!stack_reclaimable(p))
		return;
	raw_spin_lock_irqsave(&p->pi_lock, flags);
	atomic_inc(&p->stack_reclaim.readers);
	raw_spin_unlock_irqrestore(&p->pi_lock, flags);
}

/**
 * stack_reclaim_read_end - end of a read begun by stack_reclaim_read_begin()
 * @p:	the task passed to stack_reclaim_read_begin()
 */
void stack_reclaim_read_end(struct task_struct *p)
{
	if (stack_reclaimable(p))
		atomic_dec(&p->stack_reclaim.readers);
}

/**
 * stack_reclaim_stack_not_used - DEBUG_STACK_USAGE for a stack with holes
 * @p:		a task whose stack is pinned
 * @unused:	where to store the number of bytes never used
 *
 * Return: false if @p's stack is not under stack reclaim (the caller scans
 * it itself), true if *@unused was set.
 */
bool stack_reclaim_stack_not_used(struct task_struct *p, unsigned long *unused)
{
	unsigned long base = task_stack_base(p), flags;
	unsigned int i, first = 0;
	bool reading = false;

	if (!stack_reclaimable(p))
		return false;
	*unused = THREAD_SIZE;
	/*
	 * sched_show_task() may come from any context, even one that holds
	 * p->pi_lock.  Without the lock only the top page, which is never
	 * taken, is read (current's own stack cannot change under it).
	 */
	if (raw_spin_trylock_irqsave(&p->pi_lock, flags)) {
		atomic_inc(&p->stack_reclaim.readers);
		raw_spin_unlock_irqrestore(&p->pi_lock, flags);
		reading = true;
	} else if (p != current) {
		first = TOP_PAGE;
	}
	for (i = first; i < STACK_RECLAIM_PAGES; i++) {
		unsigned long *n = (unsigned long *)(base + i * PAGE_SIZE);
		unsigned long *end = n + PAGE_SIZE / sizeof(*n);

		if (!stack_reclaim_page_used(p, i))
			continue;
		if (i == 0)
			n++;		/* the canary */
		for (; n < end; n++) {
			if (*n) {
				*unused = (unsigned long)n - base;
				goto out;
			}
		}
	}
out:
	if (reading)
		stack_reclaim_read_end(p);
	return true;
}

/*
 * Context-switch hook, from finish_task_switch() on next's stack with the
 * rq lock held, before finish_task() lets @prev run elsewhere, for a @prev
 * that has blocked (stack_reclaim_switch_out() checked).
 *
 * Why this cannot race with a wakeup: a wakeup of @prev decides under
 * prev->pi_lock, and runs stack_reclaim_wake() before it sets TASK_WAKING.
 * We only trylock pi_lock (the lock order is pi_lock -> rq lock).  Holding
 * it, if @prev is still in a sleeping state and dequeued, no ttwu has got
 * past stack_reclaim_wake() yet, and any ttwu after we unlock sees the
 * holes and fills them.  @prev's stack is idle: we are past switch_to().
 * The pages go into this CPU's reserve, and what it cannot hold to a list
 * the refill work frees: the allocator is not called under the rq lock.
 */
void __stack_reclaim_switch_out(struct task_struct *prev)
{
	struct stack_reserve *r = this_cpu_ptr(&stack_reserve);
	struct reclaim_ctx rc = { .pages = LIST_HEAD_INIT(rc.pages) };
	struct page *page, *next;
	unsigned long now = jiffies, last;
	bool spilled = false;

	last = prev->stack_reclaim.slept_at;
	prev->stack_reclaim.slept_at = now;
	/* Not on a CPU going down: its reserve has been handed back. */
	if (!READ_ONCE(switch_hook) || !READ_ONCE(reclaim_enabled) ||
	    READ_ONCE(tlb_flush) || !cpu_active(smp_processor_id()))
		return;
	/*
	 * A task that blocked less than min_sleep_ms ago sleeps in short
	 * bursts (a pipe or futex ping-pong, a lock handoff): its next wakeup
	 * would only refill what this switch takes, a page zeroed for every
	 * switch.  The shrinker still takes it once it has slept min_sleep_ms.
	 */
	if (time_before(now, last + msecs_to_jiffies(READ_ONCE(min_sleep_ms))))
		return;
	if (!raw_spin_trylock(&prev->pi_lock))
		return;
	if (reclaim_skip_reason(prev, false) < 0) {
		reclaim_pages_locked(prev, &rc);
		if (rc.nr)
			trace_stack_reclaim_reclaim(prev, rc.nr,
						    prev->stack_reclaim.holes, true);
	}
	raw_spin_unlock(&prev->pi_lock);
	if (!rc.nr)
		return;
	list_for_each_entry_safe(page, next, &rc.pages, lru) {
		list_del(&page->lru);
		if (reserve_put(r, page))
			continue;
		list_add(&page->lru, &r->spill);
		spilled = true;
	}
	if (spilled)
		queue_refill(r);
	this_cpu_add(sr_stats.reclaimed_now, rc.nr);
	count_event(SR_PAGES_RECLAIMED, rc.nr);
	count_event(SR_PAGES_RECLAIMED_SWITCH, rc.nr);
}

/* DEBUG_STACK_RECLAIM: say so in words, rather than a double fault. */
void __stack_reclaim_check_next(struct task_struct *next)
{
	unsigned long holes = READ_ONCE(next->stack_reclaim.holes);

	if (unlikely(holes))
		panic("stack_reclaim: %s/%d about to run with stack pages missing (holes %#lx)\n",
		      next->comm, next->pid, holes);
}

/* From the arch #PF oops and #DF paths: name a touched hole. */
void stack_reclaim_report_fault(unsigned long address)
{
	struct task_struct *p = current;
	unsigned long base = task_stack_base(p);
	pte_t *ptep;

	if (!stack_reclaim_active() || !stack_reclaimable(p) ||
	    address < base || address >= base + THREAD_SIZE)
		return;
	ptep = stack_ptes(p);
	if (arch_stack_reclaim_is_hole(ptep + ((address - base) >> PAGE_SHIFT)))
		pr_emerg("%s/%d touched its own reclaimed stack page %lu at %#lx (stack hole)\n",
			 p->comm, p->pid, (address - base) >> PAGE_SHIFT, address);
}

/* ---- sysfs ------------------------------------------------------------ */

/* Longer than any number a tunable takes, with a sign and a newline. */
#define MAX_WRITE_LEN		16

/*
 * A decimal number from @min to @max, nothing else.  kstrtouint() stops at
 * a NUL and kernfs cuts writes at PAGE_SIZE, so "1\0junk" and an overlong
 * run of digits would pass it: both are refused here.
 */
static int parse_uint(const char *buf, size_t count, unsigned int min,
		      unsigned int max, unsigned int *val)
{
	unsigned int v;

	if (count > MAX_WRITE_LEN || memchr(buf, 0, count) ||
	    kstrtouint(buf, 10, &v) || v < min || v > max)
		return -EINVAL;
	*val = v;
	return 0;
}

static int set_enabled(bool on)
{
	int err = 0;

	lockdep_assert_held(&tunables_mutex);
	/* A disable that was killed left the static key on: finish it. */
	if (on == READ_ONCE(reclaim_enabled) &&
	    on == static_key_enabled(&stack_reclaim_key))
		return 0;
	if (mutex_lock_killable(&scan_mutex))
		return -EINTR;
	if (on) {
		static_branch_enable(&stack_reclaim_key);
		WRITE_ONCE(reclaim_enabled, true);
		reserve_refill_all();
	} else {
		/*
		 * Stop the scanners, and the switch hook: it runs with
		 * preemption off, so after synchronize_rcu() none is in it.
		 * Then give all back.
		 */
		WRITE_ONCE(reclaim_enabled, false);
		synchronize_rcu();
		/* Its target is 0 now; nothing can add to it. */
		pool_shrink(false);
		err = fill_all();
		if (err) {
			pr_warn("turning off interrupted: reclaim is stopped; write 0 to enabled again to finish\n");
			goto out;
		}
		WARN_ON_ONCE(pages_reclaimed_now());
		static_branch_disable(&stack_reclaim_key);
		/* Their target is 0 now: the refill works empty them. */
		reserve_refill_all();
	}
out:
	mutex_unlock(&scan_mutex);
	return err;
}

#define SR_ATTR_RW(_name) \
	static struct kobj_attribute _name##_attr = __ATTR_RW(_name)

/*
 * show() and store() of a tunable that takes a number from 0 to @_max and
 * needs nothing more on a write than @_set(value).
 */
#define SR_ATTR_UINT(_name, _max, _set)					\
static ssize_t _name##_show(struct kobject *kobj,			\
			    struct kobj_attribute *attr, char *buf)	\
{									\
	return sysfs_emit(buf, "%u\n", READ_ONCE(_name));		\
}									\
static ssize_t _name##_store(struct kobject *kobj,			\
			     struct kobj_attribute *attr,		\
			     const char *buf, size_t count)		\
{									\
	unsigned int v;							\
									\
	if (parse_uint(buf, count, 0, _max, &v))			\
		return -EINVAL;						\
	/* enabled=0 may hold it while it waits for memory */	\
	if (mutex_lock_interruptible(&tunables_mutex))			\
		return -EINTR;						\
	_set(v);							\
	mutex_unlock(&tunables_mutex);					\
	return count;							\
}

static ssize_t enabled_show(struct kobject *kobj, struct kobj_attribute *attr,
			    char *buf)
{
	return sysfs_emit(buf, "%u\n", READ_ONCE(reclaim_enabled));
}

static ssize_t enabled_store(struct kobject *kobj, struct kobj_attribute *attr,
			     const char *buf, size_t count)
{
	unsigned int v;
	int err;

	if (parse_uint(buf, count, 0, 1, &v))
		return -EINVAL;
	if (mutex_lock_interruptible(&tunables_mutex))
		return -EINTR;
	err = set_enabled(v);
	mutex_unlock(&tunables_mutex);
	return err ?: count;
}
SR_ATTR_RW(enabled);

SR_ATTR_UINT(min_sleep_ms, MAX_INTERVAL_MS, stack_reclaim_set_min_sleep_ms)
SR_ATTR_RW(min_sleep_ms);

static ssize_t scan_interval_ms_show(struct kobject *kobj,
				     struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", READ_ONCE(scan_interval_ms));
}

static ssize_t scan_interval_ms_store(struct kobject *kobj,
				      struct kobj_attribute *attr,
				      const char *buf, size_t count)
{
	unsigned int v;

	if (parse_uint(buf, count, 0, MAX_INTERVAL_MS, &v) ||
	    (v && v < MIN_SCAN_INTERVAL_MS))
		return -EINVAL;
	if (mutex_lock_interruptible(&tunables_mutex))
		return -EINTR;
	WRITE_ONCE(scan_interval_ms, v);
	if (v)
		mod_delayed_work(system_unbound_wq, &periodic_scan_work,
				 msecs_to_jiffies(v));
	else
		cancel_delayed_work(&periodic_scan_work);
	mutex_unlock(&tunables_mutex);
	return count;
}
SR_ATTR_RW(scan_interval_ms);

SR_ATTR_UINT(switch_hook, 1, stack_reclaim_set_switch_hook)
SR_ATTR_RW(switch_hook);

SR_ATTR_UINT(reserve_pages, RESERVE_MAX, stack_reclaim_set_reserve)
SR_ATTR_RW(reserve_pages);

SR_ATTR_UINT(tlb_flush, 1, stack_reclaim_set_tlb_flush)
SR_ATTR_RW(tlb_flush);

SR_ATTR_UINT(reage_ms, MAX_INTERVAL_MS, stack_reclaim_set_reage_ms)
SR_ATTR_RW(reage_ms);

static ssize_t reclaim_store(struct kobject *kobj, struct kobj_attribute *attr,
			     const char *buf, size_t count)
{
	unsigned int v;

	if (parse_uint(buf, count, 1, 1, &v))
		return -EINVAL;
	/* enabled=0 may hold it while it waits for memory */
	if (mutex_lock_interruptible(&scan_mutex))
		return -EINTR;
	/* Off: no pass, and the statistics of the last one stay. */
	if (!READ_ONCE(reclaim_enabled)) {
		mutex_unlock(&scan_mutex);
		return -EBUSY;
	}
	reclaim_all();
	mutex_unlock(&scan_mutex);
	return count;
}

static struct kobj_attribute reclaim_attr = __ATTR_WO(reclaim);

static struct attribute *stack_reclaim_attrs[] = {
	&enabled_attr.attr,
	&min_sleep_ms_attr.attr,
	&scan_interval_ms_attr.attr,
	&switch_hook_attr.attr,
	&reserve_pages_attr.attr,
	&tlb_flush_attr.attr,
	&reage_ms_attr.attr,
	&reclaim_attr.attr,
	NULL,
};

static const struct attribute_group stack_reclaim_attr_group = {
	.attrs = stack_reclaim_attrs,
	.name = "stack_reclaim",
};

/* ---- debugfs ---------------------------------------------------------- */

static int stats_show(struct seq_file *seq, void *v)
{
	unsigned int i, reserve = 0, high = 0;
	int cpu;

	for (i = 0; i < SR_COUNTER_COUNT; i++)
		seq_printf(seq, "%-28s %ld\n", counter_names[i],
			   stack_reclaim_counter(i));
	seq_printf(seq, "%-28s %ld\n", "pages_reclaimed_now",
		   pages_reclaimed_now());
	/* Possible CPUs: a page stranded on an offline one must show. */
	for_each_possible_cpu(cpu) {
		struct stack_reserve *r = per_cpu_ptr(&stack_reserve, cpu);

		reserve += READ_ONCE(r->nr);
		if (cpu_online(cpu))
			high += reserve_target(r);
	}
	seq_printf(seq, "%-28s %u\n", "reserve_pages_now", reserve);
	seq_printf(seq, "%-28s %u\n", "reserve_target_now", high);
	seq_printf(seq, "%-28s %lu\n", "pool_pages_now", READ_ONCE(pool.nr));
	seq_printf(seq, "%-28s %lu\n", "pool_target_now", pool_target());
	seq_printf(seq, "%-28s %d\n", "deferred_wakes_now",
		   atomic_read(&nr_deferred));
	seq_printf(seq, "%-28s %llu\n", "deferred_wait_total_us",
		   div_u64(atomic64_read(&deferred_wait_total_ns), NSEC_PER_USEC));
	seq_printf(seq, "%-28s %llu\n", "deferred_wait_max_us",
		   div_u64(atomic64_read(&deferred_wait_max_ns), NSEC_PER_USEC));
	seq_printf(seq, "%-28s %lu\n", "full_pass_last_ms",
		   READ_ONCE(full_pass_last_ms));
	seq_printf(seq, "%-28s %lu\n", "full_pass_max_ms",
		   READ_ONCE(full_pass_max_ms));
	seq_puts(seq, "# tasks by stack pages ever touched, last full pass\n");
	for (i = 0; i <= STACK_RECLAIM_PAGES; i++)
		seq_printf(seq, "touched_pages_%-14u %ld\n", i,
			   atomic_long_read(&touched_hist[i]));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(stats);

#ifdef CONFIG_DEBUG_STACK_RECLAIM
/*
 * debugfs "use_stack": writing N makes the writer use N bytes of its own
 * stack and return, leaving those pages accessed.  Benchmarks and tests
 * use it for a task that went deep once and then sleeps (the "one-way
 * latch"): in a small kernel hardly any syscall gets past the top page.
 * "N MS" also sleeps MS milliseconds (at most 1000) at the deepest point,
 * so that stack walkers find the task blocked deep in its stack.  A test
 * driver: only with CONFIG_DEBUG_STACK_RECLAIM.
 */
#define USE_STACK_FRAME		256
#define USE_STACK_MAX		(THREAD_SIZE / 2)
#define USE_STACK_MAX_SLEEP_MS	1000

static noinline unsigned long use_stack(unsigned long bytes,
					unsigned int sleep_ms)
{
	u8 frame[USE_STACK_FRAME];
	unsigned long sum = 0;

	memset(frame, 0x5a, sizeof(frame));
	barrier_data(frame);
	if (bytes > sizeof(frame))
		sum = use_stack(bytes - sizeof(frame), sleep_ms);
	else if (sleep_ms)
		msleep(sleep_ms);
	/* Keeps the frame live across the call: no tail call. */
	barrier_data(frame);
	return sum + frame[bytes % sizeof(frame)];
}

static ssize_t use_stack_write(struct file *file, const char __user *ubuf,
			       size_t count, loff_t *ppos)
{
	unsigned int sleep_ms = 0;
	unsigned long bytes;
	char buf[32], *ms;

	if (count >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[count] = '\0';
	ms = strchr(buf, ' ');
	if (ms) {
		*ms++ = '\0';
		if (kstrtouint(ms, 0, &sleep_ms) ||
		    sleep_ms > USE_STACK_MAX_SLEEP_MS)
			return -EINVAL;
	}
	if (kstrtoul(buf, 0, &bytes) || !bytes || bytes > USE_STACK_MAX)
		return -EINVAL;
	use_stack(bytes, sleep_ms);
	return count;
}

static const struct file_operations use_stack_fops = {
	.write	= use_stack_write,
	.llseek	= noop_llseek,
};
#endif

static int __init stack_reclaim_debugfs_init(void)
{
	struct dentry *dir;

	if (!boot_enabled)
		return 0;
	dir = debugfs_create_dir("stack_reclaim", NULL);
	debugfs_create_file("stats", 0444, dir, NULL, &stats_fops);
#ifdef CONFIG_DEBUG_STACK_RECLAIM
	debugfs_create_file("use_stack", 0200, dir, NULL, &use_stack_fops);
#endif
	fault_create_debugfs_attr("fail_stack_reclaim", NULL, &fail_stack_reclaim);
	return 0;
}
late_initcall(stack_reclaim_debugfs_init);

/* ---- init ------------------------------------------------------------- */

static int __init stack_reclaim_param(char *buf)
{
	if (!buf)
		return -EINVAL;
	if (!strcmp(buf, "on"))
		boot_enabled = true;
	else if (!strcmp(buf, "off"))
		boot_enabled = false;
	else
		return -EINVAL;
	return 0;
}
early_param("stack_reclaim", stack_reclaim_param);

static int stack_reclaim_cpu_online(unsigned int cpu)
{
	WRITE_ONCE(per_cpu_ptr(&stack_reserve, cpu)->offline, false);
	schedule_work_on(cpu, &per_cpu_ptr(&stack_reserve, cpu)->refill_work);
	return 0;
}

/* Runs on the CPU going down: hand its reserve back. */
static int stack_reclaim_cpu_offline(unsigned int cpu)
{
	struct stack_reserve *r = per_cpu_ptr(&stack_reserve, cpu);
	struct page *page, *next;
	LIST_HEAD(pages);

	/*
	 * From here on nothing stores into this reserve (reserve_refill_fn(),
	 * give_back_pages() check ->offline; the switch hook and queue_refill()
	 * check cpu_active()), and a refill already running is waited for.
	 * What is left is handed back, and the reserve stays empty while the
	 * CPU is offline.
	 */
	WRITE_ONCE(r->offline, true);
	cancel_work_sync(&r->refill_work);
	local_irq_disable();
	WRITE_ONCE(r->high, 0);
	list_splice_init(&r->pages, &pages);
	WRITE_ONCE(r->nr, 0);
	list_splice_init(&r->spill, &pages);
	local_irq_enable();
	list_for_each_entry_safe(page, next, &pages, lru)
		__free_page(page);
	return 0;
}

/*
 * Stacks allocated from here on are mapped without A.  Early, so that the
 * per-CPU kthreads get reclaimable stacks too; nothing is reclaimed (so
 * nothing needs filling) until stack_reclaim_init() has run.
 */
static int __init stack_reclaim_early_init(void)
{
	if (!boot_enabled) {
		pr_info("disabled on the command line\n");
	} else if (!arch_stack_reclaim_supported()) {
		pr_info("not supported on this platform\n");
		boot_enabled = false;
	}
	if (boot_enabled)
		static_branch_enable(&stack_reclaim_key);
	return 0;
}
early_initcall(stack_reclaim_early_init);

static int __init stack_reclaim_init(void)
{
	int cpu, ret;

	if (!boot_enabled)
		return 0;
	tlb_flush = arch_stack_reclaim_tlb_flush_default();
	for_each_possible_cpu(cpu) {
		struct stack_reserve *r = per_cpu_ptr(&stack_reserve, cpu);

		INIT_LIST_HEAD(&r->pages);
		INIT_LIST_HEAD(&r->spill);
		INIT_WORK(&r->refill_work, reserve_refill_fn);
		init_irq_work(&r->refill_irq_work, reserve_refill_irq_work);
		init_irq_work(per_cpu_ptr(&deferred_completer, cpu),
			      deferred_completer_fn);
	}

	stack_reclaimd = kthread_run(stack_reclaimd_fn, NULL, "stack_reclaimd");
	if (IS_ERR(stack_reclaimd))
		goto fail;
	ret = cpuhp_setup_state(CPUHP_AP_ONLINE_DYN, "mm/stack_reclaim:online",
				stack_reclaim_cpu_online, stack_reclaim_cpu_offline);
	if (ret < 0)
		goto fail;

	stack_shrinker = shrinker_alloc(0, "stack_reclaim");
	if (!stack_shrinker)
		goto fail;
	stack_shrinker->count_objects = stack_reclaim_count;
	stack_shrinker->scan_objects = stack_reclaim_scan;
	stack_shrinker->seeks = DEFAULT_SEEKS;
	shrinker_register(stack_shrinker);

	if (sysfs_create_group(mm_kobj, &stack_reclaim_attr_group))
		pr_warn("cannot create /sys/kernel/mm/stack_reclaim\n");

	WRITE_ONCE(reclaim_enabled, true);
	pr_info("enabled: %lu pages per stack, reserve %u pages per CPU, tlb_flush %d\n",
		STACK_RECLAIM_PAGES, reserve_pages, tlb_flush);
	return 0;
fail:
	/* Nothing was reclaimed, so stacks without A are merely unused. */
	pr_err("cannot start; stacks will not be reclaimed\n");
	return 0;
}
subsys_initcall(stack_reclaim_init);
