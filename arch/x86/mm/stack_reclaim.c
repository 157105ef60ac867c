// SPDX-License-Identifier: GPL-2.0
/*
 * x86 part of fault-free kernel stack reclaim (mm/stack_reclaim.c).
 *
 * The whole scheme rests on one architectural rule, Intel SDM Vol. 3A
 * §4.10.2.3 ("Details of TLB Use"): the processor does not cache a
 * translation unless the Accessed flag is 1 in every paging-structure entry
 * used, and it sets those flags before caching one; prefetches and
 * speculative walks may cache translations, but then they set A too.  Not
 * present entries are never cached (§4.10.2.3 again).  So:
 *
 *  - a stack PTE is installed present with A == 0 and is never changed
 *    from A == 1 back to 0 in place (which would leave a TLB entry behind,
 *    §4.8; compare ptep_clear_flush_young());
 *  - if an atomic compare-and-exchange finds A still 0 and replaces the PTE
 *    with 0, no CPU has or can get a translation for the page: it is safe
 *    to free it without a TLB flush.  The hardware walker sets A with a
 *    locked read-modify-write, so the cmpxchg either sees A set and fails,
 *    or wins and the walker then sees a not-present entry;
 *  - filling a hole (not present -> present) needs no flush either;
 *  - re-aging (mm/stack_reclaim.c) is the one place that unmaps a page with
 *    A set: it flushes every TLB before the page is freed and before the
 *    task may run again.
 *
 * Hypervisors that emulate A/D lazily could break the first rule; the
 * tlb_flush tunable adds a batched flush before freeing for them.
 */
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/stack_reclaim.h>
#include <asm/pgtable.h>

/* PAGE_KERNEL without _PAGE_ACCESSED: D stays set, nothing gains from it. */
pgprot_t arch_stack_reclaim_pgprot(void)
{
	return __pgprot(pgprot_val(PAGE_KERNEL) & ~_PAGE_ACCESSED);
}

/*
 * Page tables under a live vmalloc area are never freed, so the pointer
 * stays valid for the life of the stack whether or not the PTE is present.
 */
pte_t *arch_stack_reclaim_lookup(unsigned long addr)
{
	unsigned int level;
	pte_t *ptep = lookup_address(addr, &level);

	if (WARN_ON_ONCE(!ptep || level != PG_LEVEL_4K))
		return NULL;
	return ptep;
}

bool arch_stack_reclaim_accessed(pte_t *ptep)
{
	pte_t pte = ptep_get(ptep);

	return pte_present(pte) && pte_young(pte);
}

/*
 * pte_none() ignores the A/D bits that erratum KNL4 lets a racing walker
 * set in an entry already cleared, so that is the test for a hole.
 */
bool arch_stack_reclaim_is_hole(pte_t *ptep)
{
	return pte_none(ptep_get(ptep));
}

/* Unmap the page only if it was never accessed: see the rule above. */
bool arch_stack_reclaim_unmap_unaccessed(pte_t *ptep)
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
bool arch_stack_reclaim_unmap(pte_t *ptep)
{
	return pte_present(ptep_get_and_clear(&init_mm, 0, ptep));
}

/*
 * The stack pointer a blocked task was switched out with: __switch_to_asm()
 * pushed its callee-saved registers there, and nothing below it is live.
 */
unsigned long arch_stack_reclaim_saved_sp(struct task_struct *p)
{
	return READ_ONCE(p->thread.sp);
}

/* Fill a hole: not-present entries are never cached, so no flush. */
void arch_stack_reclaim_map(pte_t *ptep, struct page *page)
{
	set_pte(ptep, mk_pte(page, arch_stack_reclaim_pgprot()));
}
