/*
 * x86_tlb.c -- the translation cache's slow paths: create, destroy,
 * flush, fill (the lookup is inline in x86_tlb.h, where its concurrency
 * contract is written).
 *
 * Non-goals: resizing a live cache, eviction policy beyond direct
 * mapping.
 */
#include "config.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdint.h>

#include "guest/x86_tlb.h"
#include "vm/vm_alloc.h"

struct x86_tlb *
x86_tlb_create(size_t nentries)
{
	struct x86_tlb *tlb;
	size_t n = 1;

	if (nentries == 0)
		nentries = X86_TLB_DEFAULT_ENTRIES;
	if (nentries > X86_TLB_MAX_ENTRIES) {
		errno = EINVAL;
		return (NULL);
	}
	while (n < nentries)
		n <<= 1;
	/* Cache-line aligned, as the struct's layout asks. */
	if ((tlb = vm_zalloc_table(sizeof (*tlb))) == NULL)
		return (NULL);
	tlb->tlb_entries = vm_zalloc_table(n * sizeof (struct x86_tlb_entry));
	if (tlb->tlb_entries == NULL) {
		vm_free_table(tlb, sizeof (*tlb));
		errno = ENOMEM;
		return (NULL);
	}
	/* Entries start at generation 0, which is never current. */
	tlb->tlb_mask = n - 1;
	tlb->tlb_bits = (unsigned)__builtin_ctzll((unsigned long long)n);
	atomic_init(&tlb->tlb_gen, 1);
	return (tlb);
}

void
x86_tlb_destroy(struct x86_tlb *tlb)
{
	if (tlb == NULL)
		return;
	vm_free_table(tlb->tlb_entries,
	    (tlb->tlb_mask + 1) * sizeof (struct x86_tlb_entry));
	vm_free_table(tlb, sizeof (*tlb));
}

void
x86_tlb_flush(struct x86_tlb *tlb)
{
	(void) atomic_fetch_add_explicit(&tlb->tlb_gen, 1,
	    memory_order_acq_rel);
	(void) atomic_fetch_add_explicit(&tlb->tlb_flushes, 1,
	    memory_order_relaxed);
}

void
x86_tlb_stats(const struct x86_tlb *tlb, struct x86_tlb_stats *st)
{
	st->ts_entries = tlb->tlb_mask + 1;
	st->ts_generation = atomic_load_explicit(&tlb->tlb_gen,
	    memory_order_relaxed);
	st->ts_fills = atomic_load_explicit(&tlb->tlb_fills,
	    memory_order_relaxed);
	st->ts_fill_races = atomic_load_explicit(&tlb->tlb_fill_races,
	    memory_order_relaxed);
	st->ts_flushes = atomic_load_explicit(&tlb->tlb_flushes,
	    memory_order_relaxed);
}

/*
 * Count without a locked instruction: two threads counting at once may
 * lose one, which a statistic can afford and the miss path need not pay.
 */
static inline void
x86_tlb_count(_Atomic uint64_t *counter)
{
	atomic_store_explicit(counter, atomic_load_explicit(counter,
	    memory_order_relaxed) + 1, memory_order_relaxed);
}

/*
 * The writer's half of the sequence lock: claim (odd), release fence,
 * data, release (even).  A reader that saw any of the new data sees the
 * odd sequence after its acquire fence and calls it a miss.
 */
void
x86_tlb_fill(struct x86_tlb *tlb, uint64_t gen, uint64_t tag, uint64_t vkey,
    uint64_t val)
{
	struct x86_tlb_entry *te = x86_tlb_slot(tlb, tag, vkey);
	uint64_t seq;

	seq = atomic_load_explicit(&te->te_seq, memory_order_relaxed);
	if ((seq & 1) != 0 || !atomic_compare_exchange_strong_explicit(
	    &te->te_seq, &seq, seq + 1, memory_order_acquire,
	    memory_order_relaxed)) {
		x86_tlb_count(&tlb->tlb_fill_races);
		return;
	}
	atomic_thread_fence(memory_order_release);
	atomic_store_explicit(&te->te_tag, tag, memory_order_relaxed);
	atomic_store_explicit(&te->te_vkey, vkey, memory_order_relaxed);
	atomic_store_explicit(&te->te_gen, gen, memory_order_relaxed);
	atomic_store_explicit(&te->te_val, val, memory_order_relaxed);
	atomic_store_explicit(&te->te_seq, seq + 2, memory_order_release);
	x86_tlb_count(&tlb->tlb_fills);
}
