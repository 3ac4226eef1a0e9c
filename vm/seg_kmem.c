/*
 * seg_kmem.c -- the toolkit's own arena (see <porthole/seg_kmem.h>).
 *
 * Purpose: memory the tool allocates for itself (metadata, caches) comes
 * out of the window like everything else, so the segtree shows it, its
 * size is bounded by the segment, and tearing the address space down
 * frees it all.
 *
 * A kmem segment is anonymous private read/write memory, loaded through
 * the hat over the whole segment at create: the host demand-pages it, so
 * untouched pages cost nothing and incore (hat_incore) is the truth.  A
 * vmem arena (vm/vmem.c) over [s_base, s_base + s_size) carves it: 16-byte
 * quantum, quantum caches for 16..128 bytes on page-sized slabs.  When a
 * free leaves whole pages unused, the arena's release hook hands them
 * back to the host (MADV_DONTNEED through hat_advise; advice only, so its
 * failure is ignored): they read as zeros when next allocated.  The
 * arena's bookkeeping (boundary tags, slab headers, hash) is allocated
 * with vm_zalloc outside the segment, never from the arena itself.
 *
 * State: km_arena is guarded by s_lock (segkmem_alloc, segkmem_free,
 * segkmem_stats and the dump take it); km_softlockcnt is atomic (faults
 * take no lock); km_name is constant.
 *
 * Unmap: whole segments only -- the arena is one resource, a trim would
 * cut allocations in half -- so capable(PARTIAL_UNMAP) says no.  A whole
 * unmap is refused with EBUSY while F_SOFTLOCK pins are held (a copy is
 * running), and otherwise always allowed, outstanding allocations and
 * all: they are freed with the segment, since as_free must always be able
 * to tear down.  Pointers into it are dangling from then on.
 *
 * Faults check the range and the access (read and write; never exec),
 * prefault on F_INVAL and count pins on F_SOFTLOCK.  They do not check
 * that the bytes are allocated: as_read of a free span reads whatever is
 * there.
 *
 * Ops that return ENOTSUP, and why:
 *	setprot	the arena is read/write by definition; a read-only page would
 *		fault the owner of whatever allocation sits on it.
 *	dup	contents hold pointers into this window; a copy at the same
 *		offset of another window would hold pointers into this one.
 *	sync	anonymous memory: nothing to write back.
 *	lockop	freed pages are given back to the host, which a lock would
 *		fight; pin with F_SOFTLOCK instead.
 *	pagelock  as lockop.
 *	advise	except MADV_WILLNEED, NORMAL, RANDOM and SEQUENTIAL:
 *		MADV_DONTNEED and friends would zero live allocations.
 *
 * Non-goals: growing the arena (map a larger segment), zeroed
 * allocations, per-thread caches, returning memory of partly used pages.
 */
#include "config.h"

#include <assert.h>
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include <porthole/seg_kmem.h>
#include "vm/hat.h"
#include "vm/seg.h"
#include "vm/vm_alloc.h"
#include "vm/vmem.h"

#define	SEGKMEM_PROT		(PROT_READ | PROT_WRITE)
#define	SEGKMEM_QCACHE_MAX	(8 * SEGKMEM_QUANTUM)	/* 128 bytes */

struct segkmem_data {
	struct vmem	*km_arena;	/* s_lock */
	char		*km_name;
	atomic_size_t	km_softlockcnt;	/* pages pinned by F_SOFTLOCK */
	uint64_t	km_bad_frees;	/* s_lock */
};

static struct seg_ops segkmem_ops;

static inline struct segkmem_data *
segkmem_data(const struct seg *seg)
{
	return (seg->s_data);
}

/* The arena's release hook: whole pages nobody uses any more. */
static void
segkmem_release(void *arg, uintptr_t start, size_t len)
{
	(void) arg;
	(void) hat_advise((void *)start, len, MADV_DONTNEED);
}

static void
segkmem_data_free(struct segkmem_data *km)
{
	if (km == NULL)
		return;
	vmem_destroy(km->km_arena);
	vm_free(km->km_name);
	vm_free(km);
}

int
segkmem_create(struct seg *seg, void *create_args)
{
	const struct segkmem_crargs *a = create_args;
	struct segkmem_data *km;
	int err;

	seg_ops_register(&segkmem_ops);
	if (a == NULL)
		return (EINVAL);
	if ((km = vm_zalloc(sizeof (*km))) == NULL)
		return (ENOMEM);
	if ((km->km_name = vm_strdup(a->name != NULL ? a->name :
	    "kmem")) == NULL) {
		err = ENOMEM;
		goto fail;
	}
	if ((err = vmem_create((uintptr_t)seg->s_base, seg->s_size,
	    SEGKMEM_QUANTUM, SEGKMEM_QCACHE_MAX, PAGESIZE,
	    &km->km_arena)) != 0)
		goto fail;
	vmem_set_release(km->km_arena, segkmem_release, NULL);
	if ((err = hat_load_anon(seg->s_base, seg->s_size, SEGKMEM_PROT,
	    MAP_PRIVATE)) != 0)
		goto fail;
	seg_attach(seg, &segkmem_ops, km);
	return (0);
fail:
	segkmem_data_free(km);
	return (err);
}

/* seg's data when seg is a kmem segment, else NULL. */
static struct segkmem_data *
segkmem_lookup(struct seg *seg)
{
	if (seg == NULL || seg->s_ops != &segkmem_ops)
		return (NULL);
	return (segkmem_data(seg));
}

void *
segkmem_alloc_aligned(struct seg *seg, size_t size, size_t align)
{
	struct segkmem_data *km = segkmem_lookup(seg);
	uintptr_t addr;
	int err;

	if (km == NULL) {
		errno = EINVAL;
		return (NULL);
	}
	(void) pthread_mutex_lock(&seg->s_lock);
	err = vmem_xalloc(km->km_arena, size, align, &addr);
	(void) pthread_mutex_unlock(&seg->s_lock);
	if (err != 0) {
		errno = err;
		return (NULL);
	}
	return ((void *)addr);
}

void *
segkmem_alloc(struct seg *seg, size_t size)
{
	return (segkmem_alloc_aligned(seg, size, SEGKMEM_QUANTUM));
}

void
segkmem_free(struct seg *seg, void *ptr, size_t size)
{
	struct segkmem_data *km = segkmem_lookup(seg);
	int err;

	if (ptr == NULL)
		return;
	if (km == NULL) {
		errno = EINVAL;
		return;
	}
	(void) pthread_mutex_lock(&seg->s_lock);
	err = vmem_free(km->km_arena, (uintptr_t)ptr, size);
	if (err != 0)
		km->km_bad_frees++;
	(void) pthread_mutex_unlock(&seg->s_lock);
	if (err != 0)
		errno = err;
}

/* Stats with s_lock held. */
static void
segkmem_stats_locked(struct seg *seg, struct segkmem_stats *st)
{
	struct segkmem_data *km = segkmem_data(seg);
	struct vmem_stats vs;

	vmem_stats(km->km_arena, &vs);
	memset(st, 0, sizeof (*st));
	st->ks_total = vs.vs_total;
	st->ks_inuse = vs.vs_inuse;
	st->ks_free = vs.vs_free;
	st->ks_cached = vs.vs_cached;
	st->ks_largest_free = vs.vs_largest_free;
	st->ks_allocs = vs.vs_nalloc;
	st->ks_bad_frees = km->km_bad_frees;
}

int
segkmem_stats(struct seg *seg, struct segkmem_stats *st)
{
	if (segkmem_lookup(seg) == NULL || st == NULL) {
		errno = EINVAL;
		return (-1);
	}
	(void) pthread_mutex_lock(&seg->s_lock);
	segkmem_stats_locked(seg, st);
	(void) pthread_mutex_unlock(&seg->s_lock);
	return (0);
}

int
segkmem_verify(struct seg *seg, char *why, size_t whylen)
{
	struct segkmem_data *km = segkmem_lookup(seg);
	int err;

	if (km == NULL) {
		if (why != NULL && whylen > 0)
			(void) snprintf(why, whylen, "not a kmem segment");
		errno = EINVAL;
		return (-1);
	}
	(void) pthread_mutex_lock(&seg->s_lock);
	if (vmem_base(km->km_arena) != (uintptr_t)seg->s_base ||
	    vmem_size(km->km_arena) != seg->s_size) {
		if (why != NULL && whylen > 0)
			(void) snprintf(why, whylen, "arena does not cover "
			    "the segment");
		err = EINVAL;
	} else {
		err = vmem_verify(km->km_arena, why, whylen);
	}
	(void) pthread_mutex_unlock(&seg->s_lock);
	if (err != 0) {
		errno = err;
		return (-1);
	}
	return (0);
}

static void
segkmem_free_op(struct seg *seg)
{
	segkmem_data_free(segkmem_data(seg));
	seg->s_data = NULL;
}

/* Whole segments only; every outstanding allocation goes with it. */
static int
segkmem_unmap(struct seg *seg, caddr_t addr, size_t len)
{
	int err;

	assert(addr >= seg->s_base &&
	    addr + len <= seg->s_base + seg->s_size && len > 0);
	if (addr != seg->s_base || len != seg->s_size)
		return (ENOTSUP);
	if (atomic_load(&segkmem_data(seg)->km_softlockcnt) != 0)
		return (EBUSY);
	if ((err = hat_unload(addr, len)) != 0)
		return (err);
	seg_free(seg);
	return (0);
}

static faultcode_t
segkmem_fault(struct seg *seg, caddr_t addr, size_t len, enum fault_type type,
    enum seg_rw rw)
{
	struct segkmem_data *km = segkmem_data(seg);
	size_t npages = btop(len);
	int err;

	if (addr < seg->s_base || len > seg->s_size ||
	    (size_t)(addr - seg->s_base) > seg->s_size - len)
		return (FC_NOMAP);
	if (type == F_SOFTUNLOCK) {
		size_t old = atomic_fetch_sub(&km->km_softlockcnt, npages);

		assert(old >= npages);
		(void) old;
		return (0);
	}
	if (rw == S_EXEC)
		return (FC_PROT);
	if (type == F_INVAL) {
		if (rw == S_OTHER)
			return (0);
		err = hat_prefault(addr, len, rw == S_WRITE);
		return (err != 0 ? FC_MAKE_ERR(err) : 0);
	}
	/* F_SOFTLOCK: the pages are loaded; pin them against unmap. */
	(void) atomic_fetch_add(&km->km_softlockcnt, npages);
	return (0);
}

static faultcode_t
segkmem_faulta(struct seg *seg, caddr_t addr)
{
	int err = hat_advise((void *)P2ALIGN(addr, PAGESIZE), PAGESIZE,
	    MADV_WILLNEED);

	(void) seg;
	return (err != 0 ? FC_MAKE_ERR(err) : 0);
}

static int
segkmem_checkprot(struct seg *seg, caddr_t addr, size_t len, unsigned prot)
{
	(void) seg, (void) addr, (void) len;
	return ((prot & ~(unsigned)SEGKMEM_PROT) == 0 ? 0 : EACCES);
}

static int
segkmem_getprot(struct seg *seg, caddr_t addr, size_t len, unsigned *protv)
{
	size_t i;

	(void) seg, (void) addr;
	for (i = 0; i < btop(len); i++)
		protv[i] = SEGKMEM_PROT;
	return (0);
}

/* Any two pages of the segment can share a fault batch. */
static int
segkmem_kluster(struct seg *seg, caddr_t addr, ssize_t delta)
{
	caddr_t target = addr + delta;

	return (target >= seg->s_base && target < seg->s_base + seg->s_size ?
	    0 : -1);
}

static uint64_t
segkmem_getoffset(struct seg *seg, caddr_t addr)
{
	return ((uint64_t)(addr - seg->s_base));
}

static int
segkmem_gettype(struct seg *seg, caddr_t addr)
{
	(void) seg, (void) addr;
	return (MAP_PRIVATE);
}

static int
segkmem_advise(struct seg *seg, caddr_t addr, size_t len, int behav)
{
	(void) seg;
	if (behav != MADV_WILLNEED && behav != MADV_NORMAL &&
	    behav != MADV_RANDOM && behav != MADV_SEQUENTIAL)
		return (ENOTSUP);
	return (hat_advise(addr, len, behav));
}

static void
segkmem_dump(struct seg *seg, char *buf, size_t len)
{
	struct segkmem_stats st;

	(void) pthread_mutex_lock(&seg->s_lock);
	segkmem_stats_locked(seg, &st);
	(void) pthread_mutex_unlock(&seg->s_lock);
	(void) snprintf(buf, len, "arena %s: %zu KiB in use of %zu KiB, "
	    "%zu allocations, largest free %zu KiB",
	    segkmem_data(seg)->km_name, st.ks_inuse >> 10, st.ks_total >> 10,
	    st.ks_allocs, st.ks_largest_free >> 10);
}

static int
segkmem_capable(struct seg *seg, segcapability_t cap)
{
	(void) seg, (void) cap;
	return (0);	/* no partial unmap: the arena is one resource */
}

static struct seg_ops segkmem_ops = {
	.name = "segkmem_ops",
	.unmap = segkmem_unmap,
	.free = segkmem_free_op,
	.fault = segkmem_fault,
	.faulta = segkmem_faulta,
	.checkprot = segkmem_checkprot,
	.kluster = segkmem_kluster,
	.incore = seg_hat_incore,
	.getprot = segkmem_getprot,
	.getoffset = segkmem_getoffset,
	.gettype = segkmem_gettype,
	.advise = segkmem_advise,
	.dump = segkmem_dump,
	.capable = segkmem_capable,
};
