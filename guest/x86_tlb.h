/*
 * guest/x86_tlb.h -- the translation cache: (page-table root, virtual
 * page) -> (physical page, flags), invalidated by a generation counter.
 *
 * Direct mapped.  A translation is cached under its own page size: a
 * 4 KiB page under its 4 KiB virtual page, a 2 MiB, 4 MiB or 1 GiB page
 * once for the whole page, so a large page costs one walk however much of
 * it is read.  A lookup probes the 4 KiB slot first, then the large-page
 * slots the mode has; each probe is a few loads.  Only successful
 * translations are cached: a fault is walked again every time.
 *
 * Invalidation: the cache has a generation; an entry counts only while
 * its generation is the cache's.  x86_tlb_flush bumps it (O(1)): call it
 * when the guest may have changed its page tables -- on pause, on resume,
 * when the caller asks.  A running guest can change its tables at any
 * time; between flushes the cache answers as a CPU's TLB would, with what
 * it walked last.  The key holds the root and the paging options (mode,
 * NXE, PSE), not the CPU features: use one cache per guest.
 *
 * Concurrency contract: lookups, fills and flushes may run in any number
 * of threads at once, without locks.  Each entry is a sequence lock: a
 * fill claims it by making the sequence odd (a fill that finds it claimed
 * gives up: this is a cache), a lookup retries nothing and counts a torn
 * read as a miss.  A fill records the generation it read before its walk,
 * so a walk that raced a flush is never cached as new.  A lookup that
 * starts after x86_tlb_flush returned never sees an entry from before.
 *
 * Non-goals: per-entry invalidation (INVLPG) -- flush everything instead;
 * caching faults; hit counters (they would cost an atomic on the hit
 * path; callers that want a hit rate count lookups themselves).
 */
#ifndef PORTHOLE_GUEST_X86_TLB_H
#define PORTHOLE_GUEST_X86_TLB_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define	X86_TLB_DEFAULT_ENTRIES	4096
#define	X86_TLB_MAX_ENTRIES	((size_t)1 << 24)

/* Page-size classes, part of the key. */
enum x86_tlb_class {
	X86_TLB_4K = 0,
	X86_TLB_2M,
	X86_TLB_4M,
	X86_TLB_1G
};

/*
 * te_seq is odd while a fill writes the entry.  te_val is the page's
 * physical base address with the X86_XLATE_* flags in the low bits.
 */
struct x86_tlb_entry {
	_Atomic uint64_t te_seq;
	_Atomic uint64_t te_gen;
	_Atomic uint64_t te_tag;	/* root | paging options */
	_Atomic uint64_t te_vkey;	/* virtual page number << 2 | class */
	_Atomic uint64_t te_val;
};

/*
 * What the hit path reads shares no cache line with the statistics the
 * miss path writes.
 */
struct x86_tlb {
	_Alignas(64) _Atomic uint64_t tlb_gen;	/* current, from 1 */
	size_t		tlb_mask;	/* entries - 1 */
	unsigned	tlb_bits;	/* log2(entries) */
	struct x86_tlb_entry *tlb_entries;
	_Alignas(64) _Atomic uint64_t tlb_fills; /* statistics; see below */
	_Atomic uint64_t tlb_fill_races;
	_Atomic uint64_t tlb_flushes;
};

/*
 * Fills and fill races are counted without locked instructions: exact
 * in one thread, approximate (low) when threads fill at once.
 */
struct x86_tlb_stats {
	size_t		ts_entries;
	uint64_t	ts_generation;
	uint64_t	ts_fills;
	uint64_t	ts_fill_races;	/* fills given up: entry busy */
	uint64_t	ts_flushes;
};

/*
 * A cache of nentries entries (rounded up to a power of two; 0: the
 * default).  NULL with errno: EINVAL (more than X86_TLB_MAX_ENTRIES),
 * ENOMEM.
 */
struct x86_tlb	*x86_tlb_create(size_t nentries);
void		x86_tlb_destroy(struct x86_tlb *tlb);

/* Forget every translation (bump the generation). */
void		x86_tlb_flush(struct x86_tlb *tlb);
void		x86_tlb_stats(const struct x86_tlb *tlb,
		    struct x86_tlb_stats *st);

/* The generation a fill must capture before it walks. */
static inline uint64_t
x86_tlb_generation(struct x86_tlb *tlb)
{
	return (atomic_load_explicit(&tlb->tlb_gen, memory_order_acquire));
}

static inline uint64_t
x86_tlb_vkey(uint64_t va, unsigned shift, enum x86_tlb_class cls)
{
	return ((va >> shift) << 2 | (uint64_t)cls);
}

/*
 * The slot of a key.  Within one cache-sized stretch of virtual pages
 * (a "row": entries pages, aligned) consecutive pages of one root and
 * class take consecutive slots, so a contiguous working set of that
 * stretch never collides with itself; the root and class pick the
 * offset.  Each row is also scattered by a hash of its number: without
 * it, pages a power-of-two stride apart (slab pages, per-CPU areas, a
 * strided walk over a PV guest's 4 KiB direct map) would share a few
 * slots and evict each other on every access.  A contiguous set that
 * straddles two rows may collide across them, by chance.
 */
static inline struct x86_tlb_entry *
x86_tlb_slot(struct x86_tlb *tlb, uint64_t tag, uint64_t vkey)
{
	uint64_t v = vkey >> 2;
	uint64_t mix = ((tag ^ (vkey & 3)) * 0x9E3779B97F4A7C15ULL) >> 32;
	uint64_t row = ((v >> tlb->tlb_bits) * 0x9E3779B97F4A7C15ULL) >> 32;

	return (&tlb->tlb_entries[(v ^ mix ^ row) & tlb->tlb_mask]);
}

/*
 * One probe: the entry for (tag, vkey) of generation gen, or false.  On a
 * hit *valp gets the page's base | flags.
 */
static inline bool
x86_tlb_probe(struct x86_tlb *tlb, uint64_t gen, uint64_t tag, uint64_t vkey,
    uint64_t *valp)
{
	struct x86_tlb_entry *te = x86_tlb_slot(tlb, tag, vkey);
	uint64_t s1, s2, etag, evkey, egen, val;

	s1 = atomic_load_explicit(&te->te_seq, memory_order_acquire);
	etag = atomic_load_explicit(&te->te_tag, memory_order_relaxed);
	evkey = atomic_load_explicit(&te->te_vkey, memory_order_relaxed);
	egen = atomic_load_explicit(&te->te_gen, memory_order_relaxed);
	val = atomic_load_explicit(&te->te_val, memory_order_relaxed);
	atomic_thread_fence(memory_order_acquire);
	s2 = atomic_load_explicit(&te->te_seq, memory_order_relaxed);
	if (s1 != s2 || (s1 & 1) != 0 || etag != tag || evkey != vkey ||
	    egen != gen)
		return (false);
	*valp = val;
	return (true);
}

/*
 * Cache (tag, vkey) -> val, as walked in generation gen (captured with
 * x86_tlb_generation before the walk).  Gives up quietly when another
 * fill holds the entry.
 */
void	x86_tlb_fill(struct x86_tlb *tlb, uint64_t gen, uint64_t tag,
	    uint64_t vkey, uint64_t val);

#endif /* PORTHOLE_GUEST_X86_TLB_H */
