/*
 * porthole/seg_kmem.h -- seg_kmem: the toolkit's own arena.
 *
 * A kmem segment is read/write anonymous memory inside the address
 * space's window, carved up by a vmem-style allocator, so that metadata
 * and caches the tool allocates are visible in the segtree (and in
 * as_walk / seg_describe) like everything else it maps.
 *
 *	as_map(as, addr, len, segkmem_create, &(struct segkmem_crargs){
 *	    .name = "caches" });
 *	as_enter(as, AS_READER);
 *	seg = as_segat(as, addr);
 *	p = segkmem_alloc(seg, 100);
 *	...
 *	segkmem_free(seg, p, 100);
 *	as_exit(as);
 *
 * Allocations are aligned to 16 bytes (SEGKMEM_QUANTUM) and are not
 * zeroed.  Frees are sized, as kmem_free: pass the size the allocation
 * was made with.  Pages that a free leaves wholly unused go back to the
 * host (they read as zeros when next used).
 *
 * Threads: segkmem_alloc, segkmem_free and segkmem_stats serialise on the
 * segment; the caller holds the address-space lock (as_enter, either
 * mode) so that the segment stays mapped.  Memory stays valid until it is
 * freed or the segment is unmapped: a whole unmap (and as_free) frees
 * every allocation still outstanding.  Only whole unmaps are allowed
 * (ENOTSUP otherwise), and not while as_read/as_write or an F_SOFTLOCK
 * holds pages of it (EBUSY).
 */
#ifndef PORTHOLE_SEG_KMEM_H
#define PORTHOLE_SEG_KMEM_H

#include <stddef.h>
#include <stdint.h>

#include <porthole/as.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Every allocation is a multiple of this and aligned to it. */
#define	SEGKMEM_QUANTUM		16

/* segkmem_create arguments. */
struct segkmem_crargs {
	const char	*name;		/* for the dump; copied; NULL: "kmem" */
};

struct segkmem_stats {
	size_t		ks_total;	/* bytes in the arena (the segment) */
	size_t		ks_inuse;	/* allocated, rounded to the quantum */
	size_t		ks_free;	/* in free spans */
	size_t		ks_cached;	/* held by small-object slabs, unused */
	size_t		ks_largest_free; /* largest free span */
	size_t		ks_allocs;	/* allocations outstanding */
	uint64_t	ks_bad_frees;	/* segkmem_free calls refused */
};

/*
 * Create function for as_map.  Errors: EINVAL (create_args NULL), ENOMEM,
 * or the host's error loading the pages.
 */
PH_EXPORT int segkmem_create(struct seg *seg, void *create_args);

/*
 * size bytes from the arena, 16-byte aligned.  NULL with errno EINVAL
 * (seg not a kmem segment, size 0) or ENOMEM (no room, or no memory for
 * the arena's bookkeeping).
 */
PH_EXPORT void *segkmem_alloc(struct seg *seg, size_t size);

/*
 * size bytes aligned to align, a power of two (at most 16 is the same as
 * segkmem_alloc).  NULL with errno EINVAL (also for align not a power of
 * two) or ENOMEM.
 */
PH_EXPORT void *segkmem_alloc_aligned(struct seg *seg, size_t size,
    size_t align);

/*
 * Free ptr, allocated from seg with size bytes.  NULL is ignored.  A free
 * of anything else (a pointer not allocated, a wrong size, a double free)
 * changes nothing: it is counted in ks_bad_frees and errno is set to
 * EINVAL.
 */
PH_EXPORT void segkmem_free(struct seg *seg, void *ptr, size_t size);

/* Counters of a kmem segment; -1/EINVAL when seg is not one. */
PH_EXPORT int segkmem_stats(struct seg *seg, struct segkmem_stats *st);

/*
 * Check the arena's invariants (boundary tags, freelists, caches,
 * counters), as as_verify does for the address space.  0 when sound;
 * otherwise -1/EINVAL with a reason in why.
 */
PH_EXPORT int segkmem_verify(struct seg *seg, char *why, size_t whylen);

#ifdef __cplusplus
}
#endif

#endif /* PORTHOLE_SEG_KMEM_H */
