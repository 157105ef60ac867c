/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internals of mm/stack_reclaim.c shared with its KUnit suite.
 */
#ifndef MM_STACK_RECLAIM_H
#define MM_STACK_RECLAIM_H

#include <kunit/visibility.h>

struct task_struct;

enum stack_reclaim_counter {
	SR_TASKS_SCANNED,
	SR_SKIP_RUNNING,	/* running, runnable, waking, new or dead */
	SR_SKIP_RECENT,		/* slept less than min_sleep_ms */
	SR_SKIP_EXCLUDED,	/* idle, kswapd, exiting, untracked stack... */
	SR_SKIP_DEFERRED,	/* a deferred wakeup is in flight */
	SR_PAGES_RECLAIMED,
	SR_PAGES_RECLAIMED_SWITCH,
	SR_PAGES_REPOPULATED,
	SR_RESERVE_HITS,
	SR_RESERVE_MISSES,
	SR_DEFERRED_WAKES,
	SR_CMPXCHG_RACES,
	SR_TLB_FLUSHES,
	SR_REFILL_FAILURES,
	SR_PAGES_REAGED,	/* accessed pages below a sleeper's SP */
	SR_REAGE_FLUSHES,	/* TLB flushes before freeing re-aged pages */
	SR_REAGE_WAITS,		/* wakeups deferred until that flush */
	SR_FULL_PASSES,		/* passes over every task */
	SR_REAGE_SKIP_PINNED,	/* a walker held the stack: not re-aged */
	SR_DEFERRED_SLOW,	/* deferred wakeups left to stack_reclaimd */
	SR_DEFERRED_NOMEM,	/* stack_reclaimd rounds that found no memory */
	SR_COUNTER_COUNT,
};

#if IS_ENABLED(CONFIG_KUNIT)
unsigned int stack_reclaim_task(struct task_struct *p, bool check_age);
long stack_reclaim_counter(enum stack_reclaim_counter c);
void stack_reclaim_set_reserve(unsigned int pages);
unsigned int stack_reclaim_reserve_target(void);
void stack_reclaim_trim_reserves(void);
unsigned long stack_reclaim_pool_target(void);
void stack_reclaim_set_switch_hook(bool on);
void stack_reclaim_set_min_sleep_ms(unsigned int ms);
void stack_reclaim_set_reage_ms(unsigned int ms);
void stack_reclaim_set_tlb_flush(bool on);
void stack_reclaim_fail_allocs(bool fail);
#endif

#endif /* MM_STACK_RECLAIM_H */
