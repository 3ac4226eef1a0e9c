/*
 * vmem.h -- a small vmem-style resource allocator over an integer range
 * (private to the portable core).
 *
 * After Bonwick and Adams, "Magazines and Vmem" (USENIX 2001), and the
 * illumos vmem: an arena hands out ranges of [base, base + size) in
 * multiples of its quantum.  It knows nothing about what the integers
 * stand for; seg_kmem uses one per segment, over the segment's addresses.
 *
 * Structure:
 *	boundary tags	one per span of the range, free or allocated, on a
 *			list in address order; adjacent free spans are
 *			always merged, so a fully freed arena is one span.
 *	freelists	free spans by size class: list k holds the spans of
 *			[2^k, 2^(k+1)) bytes, and a bitmap says which lists
 *			are non-empty, so an allocation takes the head of the
 *			first list whose every span fits (instant fit).
 *	hash		allocated spans by start, so a free finds its tag.
 *	quantum caches	for sizes up to qcache_max: one cache per multiple
 *			of the quantum, carving objects out of slabs (one
 *			slab_size-aligned span each, imported from the
 *			arena), so small allocations are a bitmap step.  A
 *			cache keeps at most one empty slab (no thrash at a
 *			slab boundary); vmem_reap gives it back, and an
 *			allocation that finds the arena full reaps first.
 *
 * Where the metadata lives: boundary tags, slab headers and the hash table
 * come from vm_zalloc (outside the arena), never from the arena they
 * describe -- so describing the arena can never recurse into it, and an
 * arena may stand for integers that are not memory at all.  An operation
 * that may need tags reserves them before it changes anything, so every
 * failure (ENOMEM from vm_zalloc or from a full arena) leaves the arena as
 * it was.  Growing the hash table is best effort: on failure the old table
 * stays (longer chains, never an error).
 *
 * Release hook: when a free leaves whole slab_size-aligned units of the
 * range free that the freed span touched, the arena calls the hook on
 * them (seg_kmem gives those pages back to the host).  The hook cannot
 * fail the free.
 *
 * Sizes are rounded up to the quantum; that rounded size is what the
 * arena counts as in use and what vmem_free checks the given size against
 * (sized free, as kmem_free: the caller says how much it frees).
 *
 * Locking: none.  The owner serialises every call (seg_kmem: s_lock).
 *
 * Non-goals: importing spans from a source arena, phase/nocross/minaddr
 * constraints, magazine layers and per-CPU caches, best-fit and next-fit
 * policies.
 *
 * Errors: 0 or a positive errno (EINVAL for bad arguments or a free of
 * something not allocated, ENOMEM when the arena or vm_zalloc is out).
 */
#ifndef PORTHOLE_VM_VMEM_H
#define PORTHOLE_VM_VMEM_H

#include <stddef.h>
#include <stdint.h>

struct vmem;

/* Counters of an arena.  total == inuse + free + cached, always. */
struct vmem_stats {
	size_t		vs_total;	/* size of the range */
	size_t		vs_inuse;	/* allocated to callers (rounded) */
	size_t		vs_free;	/* in free spans of the arena */
	size_t		vs_cached;	/* in slabs, not allocated */
	size_t		vs_largest_free; /* largest free span */
	size_t		vs_nalloc;	/* allocations outstanding */
	size_t		vs_nfree_spans;	/* free spans (1 when all free) */
	size_t		vs_nslabs;	/* slabs of the quantum caches */
};

/* The most quantum caches an arena may have (qcache_max / quantum). */
#define	VMEM_NQCACHE_MAX	16

/* Called with whole slab_size units that a free left free. */
typedef void (*vmem_release_fn)(void *arg, uintptr_t start, size_t len);

/*
 * Create an arena over [base, base + size).  quantum is a power of two;
 * base and size are multiples of it; size > 0 and the range does not wrap.
 * qcache_max (a multiple of quantum, at most VMEM_NQCACHE_MAX quanta; 0
 * for none) is the largest size served by the quantum caches; slab_size
 * (a power of two, at least qcache_max and quantum) is the size and
 * alignment of their slabs and the unit the release hook works in.
 * Returns 0 with *vmpp set, EINVAL or ENOMEM.
 */
int	vmem_create(uintptr_t base, size_t size, size_t quantum,
	    size_t qcache_max, size_t slab_size, struct vmem **vmpp);

/* Set (or clear, with NULL) the release hook. */
void	vmem_set_release(struct vmem *vmp, vmem_release_fn fn, void *arg);

/*
 * Free the arena and all its metadata, whatever is still allocated.  The
 * release hook is not called.  NULL is allowed.
 */
void	vmem_destroy(struct vmem *vmp);

/*
 * Allocate size bytes (rounded up to the quantum), aligned to the quantum.
 * Returns 0 with *addrp set, EINVAL (size 0) or ENOMEM.
 */
int	vmem_alloc(struct vmem *vmp, size_t size, uintptr_t *addrp);

/*
 * Allocate size bytes aligned to align (a power of two; below the quantum
 * it means the quantum).  Returns 0 with *addrp set, EINVAL (size 0, align
 * not a power of two) or ENOMEM.  Free with vmem_free and the same size.
 */
int	vmem_xalloc(struct vmem *vmp, size_t size, size_t align,
	    uintptr_t *addrp);

/*
 * Free [addr, addr + size) allocated by vmem_alloc or vmem_xalloc with the
 * same size.  Returns 0, or EINVAL (and changes nothing) when addr is not
 * the start of an allocation of that size -- a double free included.
 */
int	vmem_free(struct vmem *vmp, uintptr_t addr, size_t size);

/* Give the quantum caches' empty slabs back to the arena. */
void	vmem_reap(struct vmem *vmp);

void	vmem_stats(struct vmem *vmp, struct vmem_stats *st);

/* The range and quantum the arena was created with. */
uintptr_t vmem_base(const struct vmem *vmp);
size_t	vmem_size(const struct vmem *vmp);
size_t	vmem_quantum(const struct vmem *vmp);

/*
 * Check every invariant: tags sorted, non-overlapping, covering the range,
 * aligned to the quantum, no two free tags adjacent; every free tag on the
 * freelist of its size class and nothing else there; the freelist bitmap;
 * every allocated tag in the hash and nothing else there; slabs (bitmaps,
 * counts, partial lists, spares); and the counters against all of it.
 * Returns 0, or EINVAL with a reason in why.  O(tags + slab objects).
 */
int	vmem_verify(struct vmem *vmp, char *why, size_t whylen);

#endif /* PORTHOLE_VM_VMEM_H */
