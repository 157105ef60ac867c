/* SPDX-License-Identifier: GPL-2.0 */
/*
 * x86-64 part of kernel stack reclaim; the contract these implement is in
 * <linux/stack_reclaim.h>.
 *
 * It rests on one architectural rule, Intel SDM Vol. 3A §4.10.2.3
 * ("Details of TLB Use"; §4.10.1.3 in older editions): the processor does
 * not cache a translation unless the Accessed flag is 1 in every
 * paging-structure entry used, and it sets any that is 0 before caching
 * one.  Prefetches and speculative accesses may cache translations, but
 * only through the same walk, so they set A too (a page kept that was not
 * needed, never the reverse).  Entries with P == 0 are never cached.  AMD's
 * APM Vol. 2 §5.4.2 defines A the same way (set by the processor on the
 * first access through the entry, never cleared by it) without spelling
 * out the caching rule; a platform that might cache a translation without
 * setting A (a hypervisor emulating A lazily) is what the tlb_flush
 * tunable is for (arch_stack_reclaim_tlb_flush_default()).  So:
 *
 *  - a stack PTE is installed present with A == 0 and A is never cleared
 *    in place: that would leave TLB entries behind (SDM §4.8; compare
 *    ptep_clear_flush_young(), which is only good enough for LRU ageing);
 *  - if a compare-and-exchange finds A still 0 and replaces the PTE with
 *    0, no CPU has or can get a translation for the page, so it may be
 *    freed without a flush.  The walker sets A with a locked
 *    read-modify-write: either the cmpxchg sees A set and fails, or it
 *    wins and the walker then finds the entry not present;
 *  - filling a hole (not present -> present) needs no flush either;
 *  - re-aging unmaps pages with A set: the core flushes every TLB before
 *    such a page is freed or its task runs again.
 */
#ifndef _ASM_X86_STACK_RECLAIM_H
#define _ASM_X86_STACK_RECLAIM_H

#include <linux/bug.h>
#include <linux/mm.h>
#include <linux/sched.h>

/*
 * Xen PV: the guest's page tables are Xen's to validate, every write to a
 * stack PTE would trap to be emulated, and it has not been tried there.
 */
static inline bool arch_stack_reclaim_supported(void)
{
	return !cpu_feature_enabled(X86_FEATURE_XENPV);
}

/*
 * On bare metal the rule above is the processor's, and no flush is needed.
 * A guest cannot tell whether its hypervisor walks the guest's page tables
 * in hardware (EPT, NPT: the rule holds) or in software, where it holds
 * only if the shadow MMU sets A before it maps a guest entry, as KVM's
 * does (FNAME(update_accessed_dirty_bits) and FNAME(prefetch_invalid_gpte)
 * in arch/x86/kvm/mmu/paging_tmpl.h).  The hypervisor's name does not say
 * which (VirtualBox offers KVM's interface; Hyper-V used shadow paging on
 * processors without SLAT), so a guest flushes unless told otherwise.
 */
static inline bool arch_stack_reclaim_tlb_flush_default(void)
{
	return boot_cpu_has(X86_FEATURE_HYPERVISOR);
}

/* PAGE_KERNEL without _PAGE_ACCESSED: D stays set, nothing gains from it. */
static inline pgprot_t arch_stack_reclaim_pgprot(void)
{
	return __pgprot(pgprot_val(PAGE_KERNEL) & ~_PAGE_ACCESSED);
}

/*
 * The PTE of the lowest page of the stack at @base.  A THREAD_SIZE-aligned
 * vmalloc stack is mapped with 4K pages (VMAP_STACK never uses huge
 * mappings) and lies within one PMD, so the PTEs of its other pages follow
 * this one in the same page table.  Page tables under a live vmalloc area
 * are never freed, so the pointer is good for the life of the stack.
 */
static inline pte_t *arch_stack_reclaim_ptes(unsigned long base)
{
	unsigned int level;
	pte_t *ptep = lookup_address(base, &level);

	if (WARN_ON_ONCE(!ptep || level != PG_LEVEL_4K))
		return NULL;
	return ptep;
}

static inline bool arch_stack_reclaim_accessed(pte_t *ptep)
{
	pte_t pte = ptep_get(ptep);

	return pte_present(pte) && pte_young(pte);
}

/*
 * A hole is pte_none(): it ignores the A/D bits that Xeon Phi erratum KNL4
 * lets a racing walker set in an entry already cleared.
 */
static inline bool arch_stack_reclaim_is_hole(pte_t *ptep)
{
	return pte_none(ptep_get(ptep));
}

/* Unmap the page only if it was never accessed: see the rule above. */
static inline bool arch_stack_reclaim_unmap_unaccessed(pte_t *ptep)
{
	pte_t old = ptep_get(ptep);

	if (!pte_present(old) || pte_young(old))
		return false;
	return try_cmpxchg(&ptep->pte, &old.pte, 0);
}

/*
 * Re-aging: unmap a page whatever its A bit.  It may be cached in a TLB,
 * so the caller flushes before the page is freed or the task runs again.
 */
static inline bool arch_stack_reclaim_unmap(pte_t *ptep)
{
	return pte_present(ptep_get_and_clear(&init_mm, 0, ptep));
}

/* Fill a hole: not-present entries are never cached, so no flush. */
static inline void arch_stack_reclaim_map(pte_t *ptep, struct page *page)
{
	set_pte(ptep, mk_pte(page, arch_stack_reclaim_pgprot()));
}

/*
 * The stack pointer a blocked task was switched out with:
 * __switch_to_asm() pushed its callee-saved registers there.  Nothing below
 * it is live: x86-64 kernel code is built with -mno-red-zone, and
 * interrupts and exceptions never run on another task's stack (they use
 * the current task's stack or the IRQ and IST stacks).
 */
static inline unsigned long arch_stack_reclaim_saved_sp(struct task_struct *p)
{
	return READ_ONCE(p->thread.sp);
}

#endif /* _ASM_X86_STACK_RECLAIM_H */
