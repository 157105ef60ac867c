/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Fault-free reclaim of never-touched kernel stack pages.
 *
 * Every task's THREAD_SIZE vmalloc stack stays mapped, but its PTEs are
 * installed with the Accessed bit clear.  While a task sleeps, a page whose
 * PTE still has A == 0 has never been touched through the stack mapping, so
 * no CPU can hold a TLB entry for it; it is unmapped with an atomic
 * compare-and-exchange and freed.  Before the task can run again,
 * try_to_wake_up() fills the holes with zeroed pages from a per-CPU
 * reserve, or defers the wakeup until pages are allocated for it.  No
 * page fault is ever taken on a kernel stack.
 *
 * See Documentation/admin-guide/mm/stack_reclaim.rst.
 */
#ifndef _LINUX_STACK_RECLAIM_H
#define _LINUX_STACK_RECLAIM_H

#include <linux/jiffies.h>
#include <linux/jump_label.h>
#include <linux/sched.h>
#include <linux/types.h>

struct task_struct;
struct vm_struct;
struct page;

/* Pages in one kernel stack: 4 for 16K stacks, 8 for 32K, 16 for 64K. */
#define STACK_RECLAIM_PAGES	(THREAD_SIZE / PAGE_SIZE)

/* struct task_stack_reclaim (per-task state) is in <linux/mm_types_task.h>. */

#ifdef CONFIG_STACK_RECLAIM

/*
 * The architecture's part.  An architecture that selects
 * HAVE_ARCH_STACK_RECLAIM provides in <asm/stack_reclaim.h>:
 *
 *   pgprot_t arch_stack_reclaim_pgprot(void);
 *	Stack PTE protections: PAGE_KERNEL with the accessed bit clear.
 *   pte_t *arch_stack_reclaim_ptes(unsigned long base);
 *	The PTE of the lowest page of the stack at @base; the PTEs of the
 *	other pages follow it.  NULL, with a warning, if not mapped so.
 *   bool arch_stack_reclaim_accessed(pte_t *ptep);
 *	Present with the accessed bit set.
 *   bool arch_stack_reclaim_is_hole(pte_t *ptep);
 *	Cleared by one of the unmaps below.
 *   bool arch_stack_reclaim_unmap_unaccessed(pte_t *ptep);
 *	Atomically clear a present entry whose accessed bit is clear;
 *	false, entry unchanged, if it is set or gets set meanwhile.
 *   bool arch_stack_reclaim_unmap(pte_t *ptep);
 *	Clear a present entry whatever its accessed bit (re-aging).
 *   void arch_stack_reclaim_map(pte_t *ptep, struct page *page);
 *	Fill a hole with @page, accessed bit clear.
 *   unsigned long arch_stack_reclaim_saved_sp(struct task_struct *p);
 *	The stack pointer a blocked task was switched out with.
 *   bool arch_stack_reclaim_supported(void);
 *	False where the platform cannot run it: it then stays off.
 *   bool arch_stack_reclaim_tlb_flush_default(void);
 *	The default of the tlb_flush tunable: true where guarantee 1 may
 *	not hold, such as in a guest whose hypervisor may walk its page
 *	tables in software.
 *
 * and guarantees:
 *
 *  1. The hardware sets a PTE's accessed bit, with an atomic update that
 *     a concurrent compare-and-exchange on the entry cannot lose, before
 *     any TLB caches a translation through it: for speculative and
 *     prefetching walks too.  So a page found with the bit clear and
 *     unmapped by arch_stack_reclaim_unmap_unaccessed() has no TLB entry
 *     anywhere and is freed without a flush.  An architecture that sets
 *     the bit from a fault handler, or caches translations of entries
 *     with the bit clear, does not qualify (arm64 would have to show it
 *     for hardware Access flag management, FEAT_HAFDBS).
 *  2. Not-present entries are never cached: filling a hole needs no flush.
 *  3. A stack is THREAD_SIZE-aligned and mapped with base pages within one
 *     last-level page table, whose pages are not freed while the stack
 *     lives: arch_stack_reclaim_ptes() is looked up once per stack.
 *  4. Nothing below the saved stack pointer of a task that is blocked and
 *     off its CPU is live: kernel code has no red zone, and interrupts and
 *     exceptions never run on another task's stack.  Re-aging takes the
 *     pages below it.
 *  5. Taking a stack reference (try_get_task_stack()) is a full barrier,
 *     as refcount_inc_not_zero() is on x86: stack walkers take one before
 *     they read the saved stack pointer, and re-aging relies on the order.
 */
#include <asm/stack_reclaim.h>

DECLARE_STATIC_KEY_FALSE(stack_reclaim_key);
DECLARE_STATIC_KEY_FALSE(stack_reclaim_switch_key);

static inline bool stack_reclaim_active(void)
{
	return static_branch_unlikely(&stack_reclaim_key);
}

/* kernel/fork.c */
pgprot_t stack_reclaim_stack_pgprot(void);
void stack_reclaim_clear_stack(struct vm_struct *vm);
void stack_reclaim_init_task(struct task_struct *tsk, struct vm_struct *vm);
bool stack_reclaim_set_end_magic(struct task_struct *tsk);

/* readers of whole stacks: kernel/exit.c (DEBUG_STACK_USAGE), kmemleak */
bool stack_reclaim_page_used(struct task_struct *p, unsigned int i);
bool stack_reclaim_stack_not_used(struct task_struct *p, unsigned long *unused);
void stack_reclaim_read_begin(struct task_struct *p);
void stack_reclaim_read_end(struct task_struct *p);

/* kernel/sched/core.c */
bool __stack_reclaim_wake(struct task_struct *p, unsigned int state);
bool __stack_reclaim_completing(struct task_struct *p);
void __stack_reclaim_switch_out(struct task_struct *prev);
void __stack_reclaim_check_next(struct task_struct *next);

/* arch fault diagnostics */
void stack_reclaim_report_fault(unsigned long address);

/**
 * stack_reclaim_wake - make a task's stack whole before it is woken
 * @p:		the task being woken, blocked and off its CPU
 * @state:	the state mask try_to_wake_up() was called with
 *
 * Called by try_to_wake_up() with @p->pi_lock held, after it has seen
 * @p->on_rq == 0 and before it sets TASK_WAKING.
 *
 * Return: true if @p may be woken now; false if the wakeup was deferred:
 * its completer delivers it once the holes are filled (mm/stack_reclaim.c).
 */
static __always_inline bool stack_reclaim_wake(struct task_struct *p,
					       unsigned int state)
{
	if (stack_reclaim_active() &&
	    unlikely(p->stack_reclaim.holes || p->stack_reclaim.deferred))
		return __stack_reclaim_wake(p, state);
	return true;
}

/**
 * stack_reclaim_wake_pending - is a deferred wakeup of @p in flight?
 * @p:	a task, with @p->pi_lock held
 *
 * The freezer leaves such a task for its next pass, as it does a running
 * one: the wakeup was given before the freeze, and freezing @p now would
 * make the completer's wakeup find TASK_FROZEN instead of the sleep it
 * was meant for.
 */
static inline bool stack_reclaim_wake_pending(struct task_struct *p)
{
	lockdep_assert_held(&p->pi_lock);
	return stack_reclaim_active() && p->stack_reclaim.deferred;
}

/**
 * stack_reclaim_wake_in_flight - has this wakeup of @p been given already?
 * @p:		the task being woken, with @p->pi_lock held
 * @completion:	set if this is the completion of @p's deferred wakeup
 *
 * Once its wakeup is deferred, @p is as good as TASK_WAKING: it will run,
 * and a later wakeup finds nothing to do, as on a task already waking.
 * The completion of the deferred wakeup, its completer's own
 * try_to_wake_up(), delivers it; the waker has traced and counted it.
 *
 * Return: true if try_to_wake_up() has nothing to do.
 */
static __always_inline bool stack_reclaim_wake_in_flight(struct task_struct *p,
							 bool *completion)
{
	if (unlikely(stack_reclaim_wake_pending(p))) {
		*completion = __stack_reclaim_completing(p);
		return !*completion;
	}
	return false;
}

/*
 * From finish_task_switch(), rq lock held, @prev off its stack: note when a
 * blocking task switched out, for min_sleep_ms, and with the switch_hook
 * tunable, take its untouched pages.  Inline, as it runs at every switch:
 * a test, and a store when @prev blocked; the call only while the hook is
 * on.
 */
static __always_inline void stack_reclaim_switch_out(struct task_struct *prev,
						     unsigned int prev_state)
{
	/*
	 * Preempted, still runnable; a task preempted between
	 * set_current_state() and schedule() has a sleeping state but is
	 * still queued, and has not blocked either.
	 */
	if (!stack_reclaim_active() || prev_state == TASK_RUNNING ||
	    task_is_runnable(prev))
		return;
	if (static_branch_unlikely(&stack_reclaim_switch_key))
		__stack_reclaim_switch_out(prev);	/* notes it too */
	else
		prev->stack_reclaim.slept_at = jiffies;
}

static __always_inline void stack_reclaim_check_next(struct task_struct *next)
{
	/* A load and a test per switch; the call only to panic. */
	if (IS_ENABLED(CONFIG_DEBUG_STACK_RECLAIM) && stack_reclaim_active() &&
	    unlikely(READ_ONCE(next->stack_reclaim.holes)))
		__stack_reclaim_check_next(next);
}

#else /* !CONFIG_STACK_RECLAIM */

#include <linux/pgtable.h>

static inline bool stack_reclaim_active(void) { return false; }

static inline pgprot_t stack_reclaim_stack_pgprot(void) { return PAGE_KERNEL; }

static inline void stack_reclaim_clear_stack(struct vm_struct *vm) { }

static inline void stack_reclaim_init_task(struct task_struct *tsk,
					   struct vm_struct *vm) { }

static inline bool stack_reclaim_set_end_magic(struct task_struct *tsk)
{
	return false;
}

static inline bool stack_reclaim_page_used(struct task_struct *p, unsigned int i)
{
	return true;
}

static inline bool stack_reclaim_stack_not_used(struct task_struct *p,
						unsigned long *unused)
{
	return false;
}

static inline void stack_reclaim_read_begin(struct task_struct *p) { }

static inline void stack_reclaim_read_end(struct task_struct *p) { }

static inline bool stack_reclaim_wake(struct task_struct *p, unsigned int state)
{
	return true;
}

static inline bool stack_reclaim_wake_in_flight(struct task_struct *p,
						bool *completion)
{
	return false;
}

static inline bool stack_reclaim_wake_pending(struct task_struct *p)
{
	return false;
}

static inline void stack_reclaim_switch_out(struct task_struct *prev,
					    unsigned int prev_state) { }

static inline void stack_reclaim_check_next(struct task_struct *next) { }

static inline void stack_reclaim_report_fault(unsigned long address) { }

#endif /* CONFIG_STACK_RECLAIM */
#endif /* _LINUX_STACK_RECLAIM_H */
