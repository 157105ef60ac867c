/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Tracepoints of fault-free kernel stack reclaim (mm/stack_reclaim.c).
 * In tracefs under events/stack_reclaim/; perf sees them as
 * stack_reclaim:<name>.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM stack_reclaim

#if !defined(_TRACE_STACK_RECLAIM_H) || defined(TRACE_HEADER_MULTI_READ)
#define _TRACE_STACK_RECLAIM_H

#include <linux/sched.h>
#include <linux/tracepoint.h>

/*
 * Never-accessed pages of a blocked task's stack were unmapped and freed,
 * by a scan (shrinker, periodic scan, trigger) or by the context-switch
 * hook (@at_switch).  @holes is the bitmap of the task's missing pages
 * afterwards, bit 0 being the deepest page.
 */
TRACE_EVENT(stack_reclaim_reclaim,
	    TP_PROTO(struct task_struct *p, unsigned int nr,
		     unsigned long holes, bool at_switch),
	    TP_ARGS(p, nr, holes, at_switch),
	    TP_STRUCT__entry(__array(char, comm, TASK_COMM_LEN)
			     __field(pid_t, pid)
			     __field(unsigned int, nr)
			     __field(unsigned long, holes)
			     __field(bool, at_switch)),
	    TP_fast_assign(memcpy(__entry->comm, p->comm, TASK_COMM_LEN);
			   __entry->pid = p->pid;
			   __entry->nr = nr;
			   __entry->holes = holes;
			   __entry->at_switch = at_switch;),
	    TP_printk("comm=%s pid=%d pages=%u holes=%#lx at_switch=%d",
		      __entry->comm, __entry->pid, __entry->nr, __entry->holes,
		      __entry->at_switch));

/*
 * Re-aging unmapped @nr accessed pages lying wholly below the saved stack
 * pointer of a task that had slept longer than reage_ms.
 */
TRACE_EVENT(stack_reclaim_reage,
	    TP_PROTO(struct task_struct *p, unsigned int nr,
		     unsigned long holes),
	    TP_ARGS(p, nr, holes),
	    TP_STRUCT__entry(__array(char, comm, TASK_COMM_LEN)
			     __field(pid_t, pid)
			     __field(unsigned int, nr)
			     __field(unsigned long, holes)),
	    TP_fast_assign(memcpy(__entry->comm, p->comm, TASK_COMM_LEN);
			   __entry->pid = p->pid;
			   __entry->nr = nr;
			   __entry->holes = holes;),
	    TP_printk("comm=%s pid=%d pages=%u holes=%#lx",
		      __entry->comm, __entry->pid, __entry->nr, __entry->holes));

/*
 * The holes of a task being woken were filled, from the per-CPU reserve in
 * try_to_wake_up(), or by stack_reclaimd (@deferred).
 */
TRACE_EVENT(stack_reclaim_repopulate,
	    TP_PROTO(struct task_struct *p, unsigned int nr, bool deferred),
	    TP_ARGS(p, nr, deferred),
	    TP_STRUCT__entry(__array(char, comm, TASK_COMM_LEN)
			     __field(pid_t, pid)
			     __field(unsigned int, nr)
			     __field(bool, deferred)),
	    TP_fast_assign(memcpy(__entry->comm, p->comm, TASK_COMM_LEN);
			   __entry->pid = p->pid;
			   __entry->nr = nr;
			   __entry->deferred = deferred;),
	    TP_printk("comm=%s pid=%d pages=%u deferred=%d",
		      __entry->comm, __entry->pid, __entry->nr,
		      __entry->deferred));

/*
 * A wakeup could not be served at once (the reserve was short, or a
 * re-aging TLB flush was pending) and was handed to stack_reclaimd.
 */
TRACE_EVENT(stack_reclaim_defer,
	    TP_PROTO(struct task_struct *p, unsigned long holes),
	    TP_ARGS(p, holes),
	    TP_STRUCT__entry(__array(char, comm, TASK_COMM_LEN)
			     __field(pid_t, pid)
			     __field(unsigned long, holes)),
	    TP_fast_assign(memcpy(__entry->comm, p->comm, TASK_COMM_LEN);
			   __entry->pid = p->pid;
			   __entry->holes = holes;),
	    TP_printk("comm=%s pid=%d holes=%#lx",
		      __entry->comm, __entry->pid, __entry->holes));

#endif /* _TRACE_STACK_RECLAIM_H */

/* This part must be outside protection */
#include <trace/define_trace.h>
