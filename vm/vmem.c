/*
 * vmem.c -- a vmem-style resource allocator over an integer range (see
 * vm/vmem.h for the design: boundary tags, power-of-two freelists,
 * instant fit, quantum caches).
 *
 * Layout of one arena:
 *
 *	vm_seg0 <-> tag <-> tag <-> ... <-> tag <-> vm_seg0
 *		(address order, circular through the sentinel vm_seg0)
 *
 * A tag is VMEM_FREE (on vm_freelist[log2(size)], doubly linked through
 * vs_knext/vs_kprev), VMEM_ALLOC (in the hash through vs_knext) or
 * VMEM_SLAB (in the hash, and owning the struct vmem_slab it points to).
 * Unused tags wait in a small pool (vm_tag_pool, through vs_knext).
 *
 * Invariants (vmem_verify checks all of them):
 *	- the tags cover [vm_base, vm_base + vm_size) in order, each
 *	  non-empty and quantum aligned; no two free tags are adjacent;
 *	- a free tag of size s is on list floor(log2(s)); bit k of
 *	  vm_freemap is set iff list k is non-empty;
 *	- every ALLOC and SLAB tag, and nothing else, is in the hash, in the
 *	  bucket of its start;
 *	- a slab's free bitmap has sl_nfree bits set, none at or past
 *	  sl_nobjs, none in words below sl_hint; a slab with some but not
 *	  all objects free is on its cache's partial list; an empty slab is
 *	  its cache's spare (at most one); a full slab is on no list;
 *	- vm_inuse, vm_nalloc, vm_free, vm_nfree_spans and vm_slab_bytes
 *	  match the tags and slabs.
 *
 * Costs: allocation of a cached size is O(1) (a bitmap word scan bounded
 * by slab_size / quantum / 64); any other allocation is O(1) when a span
 * of the next size class up is free, else a scan of one or more size
 * classes (first fit), so an allocation fails with ENOMEM only when no
 * free span can hold it.  Free is O(1) plus a hash chain.
 */
#include "config.h"

#include <assert.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "vm/vm_alloc.h"
#include "vm/vmem.h"

#define	VMEM_NLISTS		(sizeof (size_t) * 8)	/* size classes */
#define	VMEM_HASH_INITIAL	16	/* buckets in vm_hash0 */
#define	VMEM_TAG_POOL_MAX	32	/* unused tags kept */
#define	VMEM_TAGS_PER_ALLOC	2	/* a carve splits off front and back */

enum vmem_seg_type {
	VMEM_SENTINEL,
	VMEM_FREE,
	VMEM_ALLOC,
	VMEM_SLAB
};

/* A boundary tag: one span of the range. */
struct vmem_seg {
	uintptr_t		vs_start;	/* first integer */
	uintptr_t		vs_end;		/* one past the last */
	struct vmem_seg		*vs_anext;	/* address order */
	struct vmem_seg		*vs_aprev;
	struct vmem_seg		*vs_knext;	/* freelist, hash or pool */
	struct vmem_seg		*vs_kprev;	/* freelist only */
	struct vmem_slab	*vs_slab;	/* VMEM_SLAB only */
	enum vmem_seg_type	vs_type;
};

/* A slab of a quantum cache: sl_nobjs objects of the cache's size. */
struct vmem_slab {
	struct vmem_slab	*sl_next;	/* qc_partial */
	struct vmem_slab	*sl_prev;
	struct vmem_qcache	*sl_cache;
	struct vmem_seg		*sl_seg;	/* its span in the arena */
	uint32_t		sl_nobjs;
	uint32_t		sl_nfree;
	uint32_t		sl_hint;	/* no free bit in words below */
	uint64_t		sl_freemap[];	/* bit set: object free */
};

struct vmem_qcache {
	size_t			qc_size;	/* object size */
	struct vmem_slab	*qc_partial;	/* slabs with some free */
	struct vmem_slab	*qc_spare;	/* one empty slab, or NULL */
	size_t			qc_nslabs;	/* spare included */
	size_t			qc_inuse;	/* objects allocated */
};

struct vmem {
	uintptr_t		vm_base;
	size_t			vm_size;
	size_t			vm_quantum;
	unsigned		vm_qshift;	/* log2(vm_quantum) */
	size_t			vm_qcache_max;
	size_t			vm_slab_size;
	unsigned		vm_nqcache;
	struct vmem_seg		vm_seg0;	/* address-list sentinel */
	struct vmem_seg		*vm_freelist[VMEM_NLISTS];
	size_t			vm_freemap;	/* bit k: list k non-empty */
	struct vmem_seg		**vm_hash;	/* vm_hash0 or allocated */
	size_t			vm_hash_mask;	/* buckets - 1 */
	size_t			vm_hash_count;
	struct vmem_seg		*vm_hash0[VMEM_HASH_INITIAL];
	struct vmem_seg		*vm_tag_pool;
	size_t			vm_tag_pool_count;
	size_t			vm_inuse;	/* bytes allocated (rounded) */
	size_t			vm_nalloc;	/* allocations outstanding */
	size_t			vm_free;	/* bytes in free tags */
	size_t			vm_nfree_spans;
	size_t			vm_slab_bytes;
	vmem_release_fn		vm_release;
	void			*vm_release_arg;
	struct vmem_qcache	vm_qcache[VMEM_NQCACHE_MAX];
};

/* floor(log2(x)), x > 0. */
static inline unsigned
vmem_log2(size_t x)
{
	assert(x != 0);
	return ((unsigned)(sizeof (unsigned long long) * 8 - 1) -
	    (unsigned)__builtin_clzll((unsigned long long)x));
}

/* ceil(log2(x)), x > 0: VMEM_NLISTS when x is above the top class. */
static inline unsigned
vmem_log2_ceil(size_t x)
{
	unsigned k = vmem_log2(x);

	return ((x & (x - 1)) == 0 ? k : k + 1);
}

static inline bool
vmem_ispow2(size_t x)
{
	return (x != 0 && (x & (x - 1)) == 0);
}

/* x rounded up to align (a power of two); 0 when that wraps. */
static inline uintptr_t
vmem_roundup(uintptr_t x, size_t align)
{
	return ((x + (align - 1)) & ~(uintptr_t)(align - 1));
}

static inline uintptr_t
vmem_rounddown(uintptr_t x, size_t align)
{
	return (x & ~(uintptr_t)(align - 1));
}

static inline size_t
vmem_seg_size(const struct vmem_seg *vsp)
{
	return ((size_t)(vsp->vs_end - vsp->vs_start));
}

/* Tag pool. */

/* Make sure n tags are in the pool: 0 or ENOMEM (nothing else changes). */
static int
vmem_tags_reserve(struct vmem *vmp, size_t n)
{
	struct vmem_seg *vsp;

	while (vmp->vm_tag_pool_count < n) {
		if ((vsp = vm_zalloc(sizeof (*vsp))) == NULL)
			return (ENOMEM);
		vsp->vs_knext = vmp->vm_tag_pool;
		vmp->vm_tag_pool = vsp;
		vmp->vm_tag_pool_count++;
	}
	return (0);
}

/* A cleared tag from the pool; the caller reserved it. */
static struct vmem_seg *
vmem_tag_get(struct vmem *vmp)
{
	struct vmem_seg *vsp = vmp->vm_tag_pool;

	assert(vsp != NULL);
	vmp->vm_tag_pool = vsp->vs_knext;
	vmp->vm_tag_pool_count--;
	memset(vsp, 0, sizeof (*vsp));
	return (vsp);
}

static void
vmem_tag_put(struct vmem *vmp, struct vmem_seg *vsp)
{
	if (vmp->vm_tag_pool_count >= VMEM_TAG_POOL_MAX) {
		vm_free(vsp);
		return;
	}
	memset(vsp, 0, sizeof (*vsp));
	vsp->vs_knext = vmp->vm_tag_pool;
	vmp->vm_tag_pool = vsp;
	vmp->vm_tag_pool_count++;
}

/* Address list. */

static void
vmem_seg_link_after(struct vmem_seg *prev, struct vmem_seg *vsp)
{
	vsp->vs_aprev = prev;
	vsp->vs_anext = prev->vs_anext;
	prev->vs_anext->vs_aprev = vsp;
	prev->vs_anext = vsp;
}

static void
vmem_seg_unlink(struct vmem_seg *vsp)
{
	vsp->vs_aprev->vs_anext = vsp->vs_anext;
	vsp->vs_anext->vs_aprev = vsp->vs_aprev;
	vsp->vs_anext = vsp->vs_aprev = NULL;
}

/* Freelists. */

static void
vmem_freelist_insert(struct vmem *vmp, struct vmem_seg *vsp)
{
	unsigned k = vmem_log2(vmem_seg_size(vsp));

	assert(vsp->vs_type == VMEM_FREE);
	vsp->vs_kprev = NULL;
	vsp->vs_knext = vmp->vm_freelist[k];
	if (vsp->vs_knext != NULL)
		vsp->vs_knext->vs_kprev = vsp;
	vmp->vm_freelist[k] = vsp;
	vmp->vm_freemap |= (size_t)1 << k;
	vmp->vm_free += vmem_seg_size(vsp);
	vmp->vm_nfree_spans++;
}

static void
vmem_freelist_remove(struct vmem *vmp, struct vmem_seg *vsp)
{
	unsigned k = vmem_log2(vmem_seg_size(vsp));

	assert(vsp->vs_type == VMEM_FREE);
	if (vsp->vs_kprev != NULL)
		vsp->vs_kprev->vs_knext = vsp->vs_knext;
	else
		vmp->vm_freelist[k] = vsp->vs_knext;
	if (vsp->vs_knext != NULL)
		vsp->vs_knext->vs_kprev = vsp->vs_kprev;
	if (vmp->vm_freelist[k] == NULL)
		vmp->vm_freemap &= ~((size_t)1 << k);
	vsp->vs_knext = vsp->vs_kprev = NULL;
	vmp->vm_free -= vmem_seg_size(vsp);
	vmp->vm_nfree_spans--;
}

/* Hash of allocated tags by start. */

static size_t
vmem_hash_index(const struct vmem *vmp, uintptr_t addr)
{
	uint64_t h = (uint64_t)(addr >> vmp->vm_qshift) *
	    0x9E3779B97F4A7C15ULL;

	return ((size_t)(h >> 29) & vmp->vm_hash_mask);
}

/* Grow the table fourfold; on failure keep the old one (best effort). */
static void
vmem_hash_grow(struct vmem *vmp)
{
	size_t nbuckets = (vmp->vm_hash_mask + 1) * 4, i;
	struct vmem_seg **old = vmp->vm_hash, **table, *vsp, *next;
	size_t oldmask = vmp->vm_hash_mask;

	if (nbuckets > SIZE_MAX / 4 / sizeof (*table))
		return;
	if ((table = vm_zalloc_array(nbuckets, sizeof (*table))) == NULL)
		return;
	vmp->vm_hash = table;
	vmp->vm_hash_mask = nbuckets - 1;
	for (i = 0; i <= oldmask; i++) {
		for (vsp = old[i]; vsp != NULL; vsp = next) {
			size_t b = vmem_hash_index(vmp, vsp->vs_start);

			next = vsp->vs_knext;
			vsp->vs_knext = table[b];
			table[b] = vsp;
		}
	}
	if (old != vmp->vm_hash0)
		vm_free(old);
}

static void
vmem_hash_insert(struct vmem *vmp, struct vmem_seg *vsp)
{
	size_t b = vmem_hash_index(vmp, vsp->vs_start);

	vsp->vs_knext = vmp->vm_hash[b];
	vsp->vs_kprev = NULL;
	vmp->vm_hash[b] = vsp;
	if (++vmp->vm_hash_count > 2 * (vmp->vm_hash_mask + 1))
		vmem_hash_grow(vmp);
}

static struct vmem_seg *
vmem_hash_lookup(const struct vmem *vmp, uintptr_t addr)
{
	struct vmem_seg *vsp;

	for (vsp = vmp->vm_hash[vmem_hash_index(vmp, addr)]; vsp != NULL;
	    vsp = vsp->vs_knext) {
		if (vsp->vs_start == addr)
			return (vsp);
	}
	return (NULL);
}

static void
vmem_hash_remove(struct vmem *vmp, struct vmem_seg *vsp)
{
	struct vmem_seg **pp = &vmp->vm_hash[vmem_hash_index(vmp,
	    vsp->vs_start)];

	while (*pp != vsp) {
		assert(*pp != NULL);
		pp = &(*pp)->vs_knext;
	}
	*pp = vsp->vs_knext;
	vsp->vs_knext = NULL;
	vmp->vm_hash_count--;
}

/* The arena layer. */

/*
 * A free tag that can hold size bytes aligned to align, with the aligned
 * start in *addrp; NULL when none can.  Instant fit first: any span of
 * at least size + align - quantum bytes fits, so the head of the first
 * non-empty list of that class or above will do.  Otherwise first fit
 * over the classes that may still hold a fitting span.
 */
static struct vmem_seg *
vmem_find_fit(const struct vmem *vmp, size_t size, size_t align,
    uintptr_t *addrp)
{
	size_t slack = align > vmp->vm_quantum ? align - vmp->vm_quantum : 0;
	size_t need = size > SIZE_MAX - slack ? SIZE_MAX : size + slack;
	unsigned k = vmem_log2_ceil(need), i;
	struct vmem_seg *vsp;

	if (k < VMEM_NLISTS) {
		size_t mask = vmp->vm_freemap & ~(((size_t)1 << k) - 1);

		if (mask != 0) {
			vsp = vmp->vm_freelist[__builtin_ctzll(
			    (unsigned long long)mask)];
			*addrp = vmem_roundup(vsp->vs_start, align);
			return (vsp);
		}
	}
	for (i = vmem_log2(size); i < k && i < VMEM_NLISTS; i++) {
		for (vsp = vmp->vm_freelist[i]; vsp != NULL;
		    vsp = vsp->vs_knext) {
			uintptr_t a = vmem_roundup(vsp->vs_start, align);

			if (a >= vsp->vs_start && a < vsp->vs_end &&
			    vsp->vs_end - a >= size) {
				*addrp = a;
				return (vsp);
			}
		}
	}
	return (NULL);
}

/*
 * Turn [addr, addr + size) of the free tag vsp into a tag of type type,
 * splitting off what is left before and after as free tags.  The caller
 * reserved VMEM_TAGS_PER_ALLOC tags.  Returns the new tag (vsp).
 */
static struct vmem_seg *
vmem_seg_carve(struct vmem *vmp, struct vmem_seg *vsp, uintptr_t addr,
    size_t size, enum vmem_seg_type type)
{
	struct vmem_seg *rest;

	assert(addr >= vsp->vs_start && addr + size <= vsp->vs_end);
	vmem_freelist_remove(vmp, vsp);
	if (addr > vsp->vs_start) {
		rest = vmem_tag_get(vmp);
		rest->vs_start = vsp->vs_start;
		rest->vs_end = addr;
		rest->vs_type = VMEM_FREE;
		vmem_seg_link_after(vsp->vs_aprev, rest);
		vmem_freelist_insert(vmp, rest);
		vsp->vs_start = addr;
	}
	if (addr + size < vsp->vs_end) {
		rest = vmem_tag_get(vmp);
		rest->vs_start = addr + size;
		rest->vs_end = vsp->vs_end;
		rest->vs_type = VMEM_FREE;
		vmem_seg_link_after(vsp, rest);
		vmem_freelist_insert(vmp, rest);
		vsp->vs_end = addr + size;
	}
	vsp->vs_type = type;
	vmem_hash_insert(vmp, vsp);
	return (vsp);
}

static void vmem_slab_destroy(struct vmem *, struct vmem_slab *);

/* Give every cache's spare slab back; returns how many went. */
static size_t
vmem_reap_spares(struct vmem *vmp)
{
	size_t i, n = 0;

	for (i = 0; i < vmp->vm_nqcache; i++) {
		struct vmem_qcache *qc = &vmp->vm_qcache[i];
		struct vmem_slab *sl = qc->qc_spare;

		if (sl != NULL) {
			qc->qc_spare = NULL;
			vmem_slab_destroy(vmp, sl);
			n++;
		}
	}
	return (n);
}

/*
 * Allocate a span of size bytes (a quantum multiple) aligned to align, as
 * a tag of type type.  When nothing fits, the caches' spare slabs are
 * reaped and the search tried once more.  Returns 0 with *vspp set, or
 * ENOMEM; a failed tag reservation changes nothing.
 */
static int
vmem_arena_alloc(struct vmem *vmp, size_t size, size_t align,
    enum vmem_seg_type type, struct vmem_seg **vspp)
{
	struct vmem_seg *vsp;
	uintptr_t addr;
	int err;

	if ((err = vmem_tags_reserve(vmp, VMEM_TAGS_PER_ALLOC)) != 0)
		return (err);
	vsp = vmem_find_fit(vmp, size, align, &addr);
	if (vsp == NULL && vmem_reap_spares(vmp) != 0)
		vsp = vmem_find_fit(vmp, size, align, &addr);
	if (vsp == NULL)
		return (ENOMEM);
	*vspp = vmem_seg_carve(vmp, vsp, addr, size, type);
	return (0);
}

/*
 * Make the allocated tag vsp (already out of the hash) free, merge it with
 * free neighbours and tell the release hook which whole slab_size units
 * the freed span touched are now free.
 */
static void
vmem_span_free(struct vmem *vmp, struct vmem_seg *vsp)
{
	uintptr_t start = vsp->vs_start, end = vsp->vs_end, lo, hi, top;
	struct vmem_seg *next = vsp->vs_anext, *prev = vsp->vs_aprev;
	size_t unit = vmp->vm_slab_size;

	vsp->vs_type = VMEM_FREE;
	vsp->vs_slab = NULL;
	if (next->vs_type == VMEM_FREE) {
		vmem_freelist_remove(vmp, next);
		vsp->vs_end = next->vs_end;
		vmem_seg_unlink(next);
		vmem_tag_put(vmp, next);
	}
	if (prev->vs_type == VMEM_FREE) {
		vmem_freelist_remove(vmp, prev);
		prev->vs_end = vsp->vs_end;
		vmem_seg_unlink(vsp);
		vmem_tag_put(vmp, vsp);
		vsp = prev;
	}
	vmem_freelist_insert(vmp, vsp);

	if (vmp->vm_release == NULL)
		return;
	/* Units wholly inside the merged free span that the freed span
	 * touched: the others were whole and free before, or are not now. */
	lo = vmem_roundup(vsp->vs_start, unit);
	if (lo < vsp->vs_start)
		return;		/* wrapped: no whole unit */
	if (vmem_rounddown(start, unit) > lo)
		lo = vmem_rounddown(start, unit);
	hi = vmem_rounddown(vsp->vs_end, unit);
	top = vmem_roundup(end, unit);
	if (top >= end && top < hi)
		hi = top;
	if (lo < hi)
		vmp->vm_release(vmp->vm_release_arg, lo, (size_t)(hi - lo));
}

/* The quantum caches. */

static void
vmem_partial_insert(struct vmem_qcache *qc, struct vmem_slab *sl)
{
	sl->sl_prev = NULL;
	sl->sl_next = qc->qc_partial;
	if (sl->sl_next != NULL)
		sl->sl_next->sl_prev = sl;
	qc->qc_partial = sl;
}

static void
vmem_partial_remove(struct vmem_qcache *qc, struct vmem_slab *sl)
{
	if (sl->sl_prev != NULL)
		sl->sl_prev->sl_next = sl->sl_next;
	else
		qc->qc_partial = sl->sl_next;
	if (sl->sl_next != NULL)
		sl->sl_next->sl_prev = sl->sl_prev;
	sl->sl_next = sl->sl_prev = NULL;
}

static size_t
vmem_slab_words(size_t nobjs)
{
	return ((nobjs + 63) / 64);
}

/*
 * A new empty slab for qc, imported from the arena (slab_size bytes,
 * slab_size aligned).  Returns 0 with *slp set, or ENOMEM with nothing
 * changed.
 */
static int
vmem_slab_create(struct vmem *vmp, struct vmem_qcache *qc,
    struct vmem_slab **slp)
{
	size_t nobjs = vmp->vm_slab_size / qc->qc_size, i;
	size_t words = vmem_slab_words(nobjs);
	struct vmem_slab *sl;
	struct vmem_seg *vsp;
	int err;

	sl = vm_zalloc(offsetof(struct vmem_slab, sl_freemap) +
	    words * sizeof (uint64_t));
	if (sl == NULL)
		return (ENOMEM);
	err = vmem_arena_alloc(vmp, vmp->vm_slab_size, vmp->vm_slab_size,
	    VMEM_SLAB, &vsp);
	if (err != 0) {
		vm_free(sl);
		return (err);
	}
	vsp->vs_slab = sl;
	sl->sl_seg = vsp;
	sl->sl_cache = qc;
	sl->sl_nobjs = (uint32_t)nobjs;
	sl->sl_nfree = (uint32_t)nobjs;
	for (i = 0; i < nobjs / 64; i++)
		sl->sl_freemap[i] = UINT64_MAX;
	if (nobjs % 64 != 0)
		sl->sl_freemap[i] = ((uint64_t)1 << (nobjs % 64)) - 1;
	qc->qc_nslabs++;
	vmp->vm_slab_bytes += vmp->vm_slab_size;
	*slp = sl;
	return (0);
}

/* Give an empty slab, on no list, back to the arena. */
static void
vmem_slab_destroy(struct vmem *vmp, struct vmem_slab *sl)
{
	struct vmem_seg *vsp = sl->sl_seg;

	assert(sl->sl_nfree == sl->sl_nobjs);
	sl->sl_cache->qc_nslabs--;
	vmp->vm_slab_bytes -= vmp->vm_slab_size;
	vmem_hash_remove(vmp, vsp);
	vmem_span_free(vmp, vsp);
	vm_free(sl);
}

/* One object from qc: 0 with *addrp set, or ENOMEM. */
static int
vmem_qcache_alloc(struct vmem *vmp, struct vmem_qcache *qc,
    uintptr_t *addrp)
{
	struct vmem_slab *sl = qc->qc_partial;
	uint32_t w;
	unsigned bit;
	int err;

	if (sl == NULL) {
		if (qc->qc_spare != NULL) {
			sl = qc->qc_spare;
			qc->qc_spare = NULL;
		} else if ((err = vmem_slab_create(vmp, qc, &sl)) != 0) {
			return (err);
		}
		vmem_partial_insert(qc, sl);
	}
	for (w = sl->sl_hint; sl->sl_freemap[w] == 0; w++)
		continue;
	bit = (unsigned)__builtin_ctzll(sl->sl_freemap[w]);
	sl->sl_freemap[w] &= ~((uint64_t)1 << bit);
	sl->sl_hint = w;
	if (--sl->sl_nfree == 0)
		vmem_partial_remove(qc, sl);
	qc->qc_inuse++;
	vmp->vm_inuse += qc->qc_size;
	vmp->vm_nalloc++;
	*addrp = sl->sl_seg->vs_start + ((size_t)w * 64 + bit) * qc->qc_size;
	return (0);
}

/* Free object idx of slab sl (checked allocated by the caller). */
static void
vmem_qcache_free(struct vmem *vmp, struct vmem_slab *sl, size_t idx)
{
	struct vmem_qcache *qc = sl->sl_cache;
	bool was_full = (sl->sl_nfree == 0);
	uint32_t w = (uint32_t)(idx / 64);

	sl->sl_freemap[w] |= (uint64_t)1 << (idx % 64);
	if (w < sl->sl_hint)
		sl->sl_hint = w;
	sl->sl_nfree++;
	qc->qc_inuse--;
	vmp->vm_inuse -= qc->qc_size;
	vmp->vm_nalloc--;
	if (sl->sl_nfree == sl->sl_nobjs) {
		if (!was_full)
			vmem_partial_remove(qc, sl);
		if (qc->qc_spare == NULL)
			qc->qc_spare = sl;
		else
			vmem_slab_destroy(vmp, sl);
	} else if (was_full) {
		vmem_partial_insert(qc, sl);
	}
}

/* Public calls. */

int
vmem_create(uintptr_t base, size_t size, size_t quantum, size_t qcache_max,
    size_t slab_size, struct vmem **vmpp)
{
	struct vmem *vmp;
	struct vmem_seg *vsp;
	size_t i;

	if (!vmem_ispow2(quantum) || size == 0 || size % quantum != 0 ||
	    base % quantum != 0 || size - 1 > UINTPTR_MAX - base ||
	    base + (size - 1) == UINTPTR_MAX ||
	    qcache_max % quantum != 0 ||
	    qcache_max / quantum > VMEM_NQCACHE_MAX ||
	    !vmem_ispow2(slab_size) || slab_size < quantum ||
	    slab_size < qcache_max)
		return (EINVAL);
	if ((vmp = vm_zalloc(sizeof (*vmp))) == NULL)
		return (ENOMEM);
	if ((vsp = vm_zalloc(sizeof (*vsp))) == NULL) {
		vm_free(vmp);
		return (ENOMEM);
	}
	vmp->vm_base = base;
	vmp->vm_size = size;
	vmp->vm_quantum = quantum;
	vmp->vm_qshift = vmem_log2(quantum);
	vmp->vm_qcache_max = qcache_max;
	vmp->vm_slab_size = slab_size;
	vmp->vm_nqcache = (unsigned)(qcache_max / quantum);
	for (i = 0; i < vmp->vm_nqcache; i++)
		vmp->vm_qcache[i].qc_size = (i + 1) * quantum;
	vmp->vm_hash = vmp->vm_hash0;
	vmp->vm_hash_mask = VMEM_HASH_INITIAL - 1;
	vmp->vm_seg0.vs_type = VMEM_SENTINEL;
	vmp->vm_seg0.vs_anext = vmp->vm_seg0.vs_aprev = &vmp->vm_seg0;

	vsp->vs_start = base;
	vsp->vs_end = base + size;
	vsp->vs_type = VMEM_FREE;
	vmem_seg_link_after(&vmp->vm_seg0, vsp);
	vmem_freelist_insert(vmp, vsp);
	*vmpp = vmp;
	return (0);
}

void
vmem_set_release(struct vmem *vmp, vmem_release_fn fn, void *arg)
{
	vmp->vm_release = fn;
	vmp->vm_release_arg = arg;
}

void
vmem_destroy(struct vmem *vmp)
{
	struct vmem_seg *vsp, *next;

	if (vmp == NULL)
		return;
	for (vsp = vmp->vm_seg0.vs_anext; vsp != &vmp->vm_seg0; vsp = next) {
		next = vsp->vs_anext;
		if (vsp->vs_type == VMEM_SLAB)
			vm_free(vsp->vs_slab);
		vm_free(vsp);
	}
	for (vsp = vmp->vm_tag_pool; vsp != NULL; vsp = next) {
		next = vsp->vs_knext;
		vm_free(vsp);
	}
	if (vmp->vm_hash != vmp->vm_hash0)
		vm_free(vmp->vm_hash);
	vm_free(vmp);
}

/*
 * size bytes aligned to align (a power of two, at least the quantum):
 * from a quantum cache when one serves the size and the alignment is the
 * quantum's, else from the arena.  0 or an errno.
 */
static int
vmem_take(struct vmem *vmp, size_t size, size_t align, uintptr_t *addrp)
{
	struct vmem_seg *vsp;
	size_t rsize;
	int err;

	if (size > vmp->vm_size)
		return (ENOMEM);
	rsize = (size_t)vmem_roundup(size, vmp->vm_quantum);
	if (align == vmp->vm_quantum && rsize <= vmp->vm_qcache_max)
		return (vmem_qcache_alloc(vmp,
		    &vmp->vm_qcache[(rsize >> vmp->vm_qshift) - 1], addrp));
	err = vmem_arena_alloc(vmp, rsize, align, VMEM_ALLOC, &vsp);
	if (err != 0)
		return (err);
	vmp->vm_inuse += rsize;
	vmp->vm_nalloc++;
	*addrp = vsp->vs_start;
	return (0);
}

int
vmem_alloc(struct vmem *vmp, size_t size, uintptr_t *addrp)
{
	if (size == 0)
		return (EINVAL);
	return (vmem_take(vmp, size, vmp->vm_quantum, addrp));
}

int
vmem_xalloc(struct vmem *vmp, size_t size, size_t align, uintptr_t *addrp)
{
	if (size == 0 || !vmem_ispow2(align))
		return (EINVAL);
	return (vmem_take(vmp, size, align > vmp->vm_quantum ? align :
	    vmp->vm_quantum, addrp));
}

int
vmem_free(struct vmem *vmp, uintptr_t addr, size_t size)
{
	struct vmem_seg *vsp;
	size_t rsize;

	if (size == 0 || size > vmp->vm_size)
		return (EINVAL);
	rsize = (size_t)vmem_roundup(size, vmp->vm_quantum);
	if (rsize <= vmp->vm_qcache_max) {
		/* A cached object: its slab starts at the slab boundary. */
		vsp = vmem_hash_lookup(vmp, vmem_rounddown(addr,
		    vmp->vm_slab_size));
		if (vsp != NULL && vsp->vs_type == VMEM_SLAB) {
			struct vmem_slab *sl = vsp->vs_slab;
			size_t off = (size_t)(addr - vsp->vs_start), idx;

			if (sl->sl_cache->qc_size != rsize ||
			    off % rsize != 0 || (idx = off / rsize) >=
			    sl->sl_nobjs ||
			    (sl->sl_freemap[idx / 64] >> (idx % 64)) & 1)
				return (EINVAL);
			vmem_qcache_free(vmp, sl, idx);
			return (0);
		}
	}
	vsp = vmem_hash_lookup(vmp, addr);
	if (vsp == NULL || vsp->vs_type != VMEM_ALLOC ||
	    vmem_seg_size(vsp) != rsize)
		return (EINVAL);
	vmem_hash_remove(vmp, vsp);
	vmp->vm_inuse -= rsize;
	vmp->vm_nalloc--;
	vmem_span_free(vmp, vsp);
	return (0);
}

void
vmem_reap(struct vmem *vmp)
{
	(void) vmem_reap_spares(vmp);
}

void
vmem_stats(struct vmem *vmp, struct vmem_stats *st)
{
	struct vmem_seg *vsp;
	size_t i, largest = 0;

	memset(st, 0, sizeof (*st));
	st->vs_total = vmp->vm_size;
	st->vs_inuse = vmp->vm_inuse;
	st->vs_free = vmp->vm_free;
	st->vs_cached = vmp->vm_slab_bytes;
	st->vs_nalloc = vmp->vm_nalloc;
	st->vs_nfree_spans = vmp->vm_nfree_spans;
	for (i = 0; i < vmp->vm_nqcache; i++) {
		st->vs_cached -= vmp->vm_qcache[i].qc_inuse *
		    vmp->vm_qcache[i].qc_size;
		st->vs_nslabs += vmp->vm_qcache[i].qc_nslabs;
	}
	if (vmp->vm_freemap != 0) {
		for (vsp = vmp->vm_freelist[vmem_log2(vmp->vm_freemap)];
		    vsp != NULL; vsp = vsp->vs_knext) {
			if (vmem_seg_size(vsp) > largest)
				largest = vmem_seg_size(vsp);
		}
	}
	st->vs_largest_free = largest;
}

uintptr_t
vmem_base(const struct vmem *vmp)
{
	return (vmp->vm_base);
}

size_t
vmem_size(const struct vmem *vmp)
{
	return (vmp->vm_size);
}

size_t
vmem_quantum(const struct vmem *vmp)
{
	return (vmp->vm_quantum);
}

/* The verifier. */

static int
vmem_fail(char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;

	if (why != NULL && whylen > 0) {
		va_start(ap, fmt);
		(void) vsnprintf(why, whylen, fmt, ap);
		va_end(ap);
	}
	return (EINVAL);
}

static int
vmem_verify_slab(const struct vmem *vmp, const struct vmem_seg *vsp,
    char *why, size_t whylen)
{
	const struct vmem_slab *sl = vsp->vs_slab;
	const struct vmem_qcache *qc;
	size_t w, words, nfree = 0;

	if (sl == NULL || sl->sl_seg != vsp)
		return (vmem_fail(why, whylen, "slab tag %#jx: bad slab link",
		    (uintmax_t)vsp->vs_start));
	qc = sl->sl_cache;
	if (qc < vmp->vm_qcache || qc >= vmp->vm_qcache + vmp->vm_nqcache)
		return (vmem_fail(why, whylen, "slab %#jx: bad cache",
		    (uintmax_t)vsp->vs_start));
	if (vmem_seg_size(vsp) != vmp->vm_slab_size ||
	    vsp->vs_start % vmp->vm_slab_size != 0 ||
	    sl->sl_nobjs != vmp->vm_slab_size / qc->qc_size)
		return (vmem_fail(why, whylen, "slab %#jx: bad size or "
		    "alignment", (uintmax_t)vsp->vs_start));
	words = vmem_slab_words(sl->sl_nobjs);
	for (w = 0; w < words; w++) {
		uint64_t m = sl->sl_freemap[w];

		if (w < sl->sl_hint && m != 0)
			return (vmem_fail(why, whylen, "slab %#jx: free object "
			    "below the hint", (uintmax_t)vsp->vs_start));
		if (w == words - 1 && sl->sl_nobjs % 64 != 0 &&
		    (m >> (sl->sl_nobjs % 64)) != 0)
			return (vmem_fail(why, whylen, "slab %#jx: free bit "
			    "past the last object", (uintmax_t)vsp->vs_start));
		nfree += (size_t)__builtin_popcountll(m);
	}
	if (nfree != sl->sl_nfree || sl->sl_hint > words)
		return (vmem_fail(why, whylen, "slab %#jx: %zu free bits, "
		    "count %u", (uintmax_t)vsp->vs_start, nfree,
		    (unsigned)sl->sl_nfree));
	return (0);
}

int
vmem_verify(struct vmem *vmp, char *why, size_t whylen)
{
	const struct vmem_seg *vsp, *prev;
	size_t nalloc_tags = 0, alloc_bytes = 0, nslab_tags = 0;
	size_t nfree_tags = 0, free_bytes = 0, ntags = 0, nlisted = 0;
	size_t listed_bytes = 0, nhashed = 0, n, i, limit;
	size_t cache_slabs[VMEM_NQCACHE_MAX] = { 0 };
	size_t cache_partial[VMEM_NQCACHE_MAX] = { 0 };
	size_t cache_empty[VMEM_NQCACHE_MAX] = { 0 };
	size_t cache_inuse[VMEM_NQCACHE_MAX] = { 0 };
	size_t obj_bytes = 0, obj_count = 0;
	uintptr_t expect = vmp->vm_base;
	int err;

	/* The address list. */
	limit = vmp->vm_size / vmp->vm_quantum + 1;
	prev = &vmp->vm_seg0;
	for (vsp = vmp->vm_seg0.vs_anext; vsp != &vmp->vm_seg0;
	    prev = vsp, vsp = vsp->vs_anext) {
		if (++ntags > limit)
			return (vmem_fail(why, whylen, "address list loops"));
		if (vsp->vs_aprev != prev)
			return (vmem_fail(why, whylen, "tag %#jx: bad back "
			    "link", (uintmax_t)vsp->vs_start));
		if (vsp->vs_start != expect)
			return (vmem_fail(why, whylen, "tag %#jx: expected "
			    "start %#jx (gap or overlap)",
			    (uintmax_t)vsp->vs_start, (uintmax_t)expect));
		if (vsp->vs_end <= vsp->vs_start ||
		    vsp->vs_end - vmp->vm_base > vmp->vm_size ||
		    vsp->vs_end % vmp->vm_quantum != 0)
			return (vmem_fail(why, whylen, "tag %#jx: bad end %#jx",
			    (uintmax_t)vsp->vs_start,
			    (uintmax_t)vsp->vs_end));
		switch (vsp->vs_type) {
		case VMEM_FREE:
			if (prev->vs_type == VMEM_FREE)
				return (vmem_fail(why, whylen, "free tags %#jx "
				    "and %#jx not merged",
				    (uintmax_t)prev->vs_start,
				    (uintmax_t)vsp->vs_start));
			nfree_tags++;
			free_bytes += vmem_seg_size(vsp);
			break;
		case VMEM_ALLOC:
		case VMEM_SLAB:
			if (vmem_hash_lookup(vmp, vsp->vs_start) != vsp)
				return (vmem_fail(why, whylen, "tag %#jx: not "
				    "in the hash", (uintmax_t)vsp->vs_start));
			if (vsp->vs_type == VMEM_ALLOC) {
				nalloc_tags++;
				alloc_bytes += vmem_seg_size(vsp);
				break;
			}
			if ((err = vmem_verify_slab(vmp, vsp, why,
			    whylen)) != 0)
				return (err);
			nslab_tags++;
			i = (size_t)(vsp->vs_slab->sl_cache - vmp->vm_qcache);
			cache_slabs[i]++;
			if (vsp->vs_slab->sl_nfree == vsp->vs_slab->sl_nobjs)
				cache_empty[i]++;
			else if (vsp->vs_slab->sl_nfree != 0)
				cache_partial[i]++;
			cache_inuse[i] += vsp->vs_slab->sl_nobjs -
			    vsp->vs_slab->sl_nfree;
			break;
		default:
			return (vmem_fail(why, whylen, "tag %#jx: bad type %d",
			    (uintmax_t)vsp->vs_start, (int)vsp->vs_type));
		}
		expect = vsp->vs_end;
	}
	if (vmp->vm_seg0.vs_aprev != prev)
		return (vmem_fail(why, whylen, "sentinel: bad back link"));
	if (expect != vmp->vm_base + vmp->vm_size)
		return (vmem_fail(why, whylen, "tags end at %#jx, not %#jx",
		    (uintmax_t)expect,
		    (uintmax_t)(vmp->vm_base + vmp->vm_size)));

	/* Freelists and their bitmap. */
	for (i = 0; i < VMEM_NLISTS; i++) {
		bool bit = (vmp->vm_freemap >> i) & 1;

		if (bit != (vmp->vm_freelist[i] != NULL))
			return (vmem_fail(why, whylen, "freemap bit %zu is %d",
			    i, (int)bit));
		prev = NULL;
		for (vsp = vmp->vm_freelist[i]; vsp != NULL;
		    prev = vsp, vsp = vsp->vs_knext) {
			if (++nlisted > nfree_tags)
				return (vmem_fail(why, whylen, "freelists hold "
				    "more than the %zu free tags",
				    nfree_tags));
			if (vsp->vs_type != VMEM_FREE ||
			    vmem_log2(vmem_seg_size(vsp)) != i ||
			    vsp->vs_kprev != prev)
				return (vmem_fail(why, whylen, "freelist %zu: "
				    "bad tag %#jx", i,
				    (uintmax_t)vsp->vs_start));
			listed_bytes += vmem_seg_size(vsp);
		}
	}
	if (nlisted != nfree_tags || listed_bytes != free_bytes)
		return (vmem_fail(why, whylen, "freelists hold %zu tags, "
		    "%zu free tags", nlisted, nfree_tags));

	/* The hash. */
	for (i = 0; i <= vmp->vm_hash_mask; i++) {
		for (vsp = vmp->vm_hash[i]; vsp != NULL; vsp = vsp->vs_knext) {
			if (++nhashed > nalloc_tags + nslab_tags)
				return (vmem_fail(why, whylen, "hash holds too "
				    "many tags"));
			if ((vsp->vs_type != VMEM_ALLOC &&
			    vsp->vs_type != VMEM_SLAB) ||
			    vmem_hash_index(vmp, vsp->vs_start) != i)
				return (vmem_fail(why, whylen, "hash bucket "
				    "%zu: bad tag %#jx", i,
				    (uintmax_t)vsp->vs_start));
		}
	}
	if (nhashed != nalloc_tags + nslab_tags ||
	    nhashed != vmp->vm_hash_count)
		return (vmem_fail(why, whylen, "hash holds %zu tags, count "
		    "%zu, %zu allocated", nhashed, vmp->vm_hash_count,
		    nalloc_tags + nslab_tags));

	/* The caches. */
	for (i = 0; i < vmp->vm_nqcache; i++) {
		const struct vmem_qcache *qc = &vmp->vm_qcache[i];
		const struct vmem_slab *sl, *sprev = NULL;

		n = 0;
		for (sl = qc->qc_partial; sl != NULL;
		    sprev = sl, sl = sl->sl_next) {
			if (++n > cache_partial[i] || sl->sl_prev != sprev ||
			    sl->sl_cache != qc || sl->sl_nfree == 0 ||
			    sl->sl_nfree == sl->sl_nobjs)
				return (vmem_fail(why, whylen, "cache %zu: bad "
				    "partial list", qc->qc_size));
		}
		if (n != cache_partial[i])
			return (vmem_fail(why, whylen, "cache %zu: %zu partial "
			    "slabs listed, %zu exist", qc->qc_size, n,
			    cache_partial[i]));
		if (cache_empty[i] != (qc->qc_spare != NULL ? 1u : 0u) ||
		    (qc->qc_spare != NULL && (qc->qc_spare->sl_cache != qc ||
		    qc->qc_spare->sl_nfree != qc->qc_spare->sl_nobjs)))
			return (vmem_fail(why, whylen, "cache %zu: %zu empty "
			    "slabs, spare %p", qc->qc_size, cache_empty[i],
			    (void *)qc->qc_spare));
		if (cache_slabs[i] != qc->qc_nslabs ||
		    cache_inuse[i] != qc->qc_inuse)
			return (vmem_fail(why, whylen, "cache %zu: counts %zu "
			    "slabs %zu objects, found %zu and %zu",
			    qc->qc_size, qc->qc_nslabs, qc->qc_inuse,
			    cache_slabs[i], cache_inuse[i]));
		obj_bytes += qc->qc_inuse * qc->qc_size;
		obj_count += qc->qc_inuse;
	}

	/* Counters. */
	if (vmp->vm_free != free_bytes || vmp->vm_nfree_spans != nfree_tags)
		return (vmem_fail(why, whylen, "free counters %zu/%zu, found "
		    "%zu/%zu", vmp->vm_free, vmp->vm_nfree_spans, free_bytes,
		    nfree_tags));
	if (vmp->vm_inuse != alloc_bytes + obj_bytes ||
	    vmp->vm_nalloc != nalloc_tags + obj_count)
		return (vmem_fail(why, whylen, "in-use counters %zu/%zu, found "
		    "%zu/%zu", vmp->vm_inuse, vmp->vm_nalloc,
		    alloc_bytes + obj_bytes, nalloc_tags + obj_count));
	if (vmp->vm_slab_bytes != nslab_tags * vmp->vm_slab_size)
		return (vmem_fail(why, whylen, "slab bytes %zu, %zu slabs",
		    vmp->vm_slab_bytes, nslab_tags));
	if (alloc_bytes + free_bytes + vmp->vm_slab_bytes != vmp->vm_size)
		return (vmem_fail(why, whylen, "spans add up to %zu, not %zu",
		    alloc_bytes + free_bytes + vmp->vm_slab_bytes,
		    vmp->vm_size));

	/* The tag pool. */
	n = 0;
	for (vsp = vmp->vm_tag_pool; vsp != NULL; vsp = vsp->vs_knext) {
		if (++n > VMEM_TAG_POOL_MAX)
			return (vmem_fail(why, whylen, "tag pool too long"));
	}
	if (n != vmp->vm_tag_pool_count)
		return (vmem_fail(why, whylen, "tag pool holds %zu, count %zu",
		    n, vmp->vm_tag_pool_count));
	return (0);
}
