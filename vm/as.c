/*
 * as.c -- the address space (see <porthole/as.h> for the calls and
 * vm/as.h for the layout, invariants and lock table).
 *
 * Each call that spans a range walks the segments of the range in address
 * order with as_range_next(), so that "a hole in the range" is found the
 * same way everywhere.  Lookups try the last hit, then the Eytzinger index
 * (as_index.c) when one is current, then the segtree.
 *
 * Non-goals: sharing segments between address spaces, or growing the
 * window after as_alloc.
 */
#include "config.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "vm/as.h"
#include "vm/hat.h"
#include "vm/seg.h"
#include "vm/vm_alloc.h"

/* Lookups made on a stale index before it is rebuilt: n / 2^shift + min. */
#define	AS_INDEX_REBUILD_SHIFT	4
#define	AS_INDEX_REBUILD_MIN	32

/* as_read/as_write pin and copy at most this much at a time. */
#define	AS_COPY_CHUNK		((uintptr_t)1 << 20)

static int
as_seg_compar(const void *a, const void *b)
{
	const struct seg *sa = a, *sb = b;

	if (sa->s_base < sb->s_base)
		return (-1);
	return (sa->s_base > sb->s_base);
}

static inline bool
seg_contains(const struct seg *seg, uintptr_t addr)
{
	return (addr - (uintptr_t)seg->s_base < seg->s_size);
}

/* True when [addr, addr + len) lies inside the window (no overflow). */
static bool
as_in_window(const struct as *as, uintptr_t addr, size_t len)
{
	uintptr_t base = (uintptr_t)as->a_base;

	return (addr >= base && addr - base <= as->a_size &&
	    len <= as->a_size - (addr - base));
}

#ifdef PH_DEBUG
#define	AS_DEBUG_VERIFY(as)	as_verify_or_abort(as)
#else
#define	AS_DEBUG_VERIFY(as)	((void)0)
#endif

/*
 * Writers (map, unmap) must not starve behind a stream of copies: prefer
 * them where the host lets us say so.  No path takes a_lock as reader
 * twice, which writer preference would turn into a deadlock.
 */
static void
as_lock_init(pthread_rwlock_t *lock)
{
	pthread_rwlockattr_t attr;

	(void) pthread_rwlockattr_init(&attr);
#ifdef __GLIBC__	/* an enum there, not a macro */
	(void) pthread_rwlockattr_setkind_np(&attr,
	    PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
#endif
	(void) pthread_rwlock_init(lock, &attr);
	(void) pthread_rwlockattr_destroy(&attr);
}

struct as *
as_alloc(size_t window_size)
{
	struct as *as;
	void *base;
	int err;

	if (window_size == 0)
		window_size = AS_DEFAULT_WINDOW;
	if (window_size > SIZE_MAX - PAGESIZE) {
		errno = EINVAL;
		return (NULL);
	}
	window_size = P2ROUNDUP(window_size, PAGESIZE);

	as = vm_zalloc(sizeof (*as));
	if (as == NULL)
		return (NULL);
	err = hat_reserve(window_size, &base);
	if (err != 0) {
		vm_free(as);
		errno = err;
		return (NULL);
	}
	as_lock_init(&as->a_lock);
	(void) pthread_mutex_init(&as->a_index_lock, NULL);
	avl_create(&as->a_segtree, as_seg_compar, sizeof (struct seg),
	    offsetof(struct seg, s_tree));
	as->a_base = base;
	as->a_size = window_size;
	return (as);
}

void
as_free(struct as *as)
{
	void *cookie = NULL;
	struct seg *seg;
	int saved_errno = errno;

	if (as == NULL)
		return;
	(void) pthread_rwlock_wrlock(&as->a_lock);
	/* Segments go in address order so drivers see a sane tree. */
	while ((seg = avl_first(&as->a_segtree)) != NULL)
		seg_free(seg);
	(void) avl_destroy_nodes(&as->a_segtree, &cookie);
	avl_destroy(&as->a_segtree);
	as_index_free(atomic_load(&as->a_index));
	(void) pthread_rwlock_unlock(&as->a_lock);
	hat_release(as->a_base, as->a_size);
	(void) pthread_rwlock_destroy(&as->a_lock);
	(void) pthread_mutex_destroy(&as->a_index_lock);
	vm_free(as);
	errno = saved_errno;
}

void *
as_window_base(const struct as *as)
{
	return (as->a_base);
}

size_t
as_window_size(const struct as *as)
{
	return (as->a_size);
}

size_t
as_nsegs(struct as *as)
{
	size_t n;

	(void) pthread_rwlock_rdlock(&as->a_lock);
	n = avl_numnodes(&as->a_segtree);
	(void) pthread_rwlock_unlock(&as->a_lock);
	return (n);
}

void
as_enter(struct as *as, int mode)
{
	if (mode == AS_WRITER)
		(void) pthread_rwlock_wrlock(&as->a_lock);
	else
		(void) pthread_rwlock_rdlock(&as->a_lock);
}

void
as_exit(struct as *as)
{
	(void) pthread_rwlock_unlock(&as->a_lock);
}

void
as_segtree_changed(struct as *as)
{
	/* Writer: no reader can be using the index, so drop it now. */
	as->a_gen++;
	as_index_free(atomic_exchange(&as->a_index, NULL));
	atomic_store_explicit(&as->a_stale_lookups, 0, memory_order_relaxed);
}

/* Segtree lookup: the authority. */
static struct seg *
as_findseg_tree(struct as *as, uintptr_t addr, int tail)
{
	struct seg key, *seg;
	avl_index_t where;

	key.s_base = (caddr_t)addr;
	seg = avl_find(&as->a_segtree, &key, &where);
	if (seg != NULL)
		return (seg);
	seg = avl_nearest(&as->a_segtree, where, AVL_BEFORE);
	if (seg != NULL && seg_contains(seg, addr))
		return (seg);
	return (tail ? avl_nearest(&as->a_segtree, where, AVL_AFTER) : NULL);
}

/*
 * The lookup index when one is current; otherwise count this lookup and
 * rebuild the index once enough lookups have been made since the tree
 * last changed.  Caller holds a_lock.  A failed build leaves lookups on
 * the tree.
 */
static const struct as_index *
as_index_current(struct as *as)
{
	struct as_index *ai;
	size_t made, n;

	ai = atomic_load_explicit(&as->a_index, memory_order_acquire);
	if (ai != NULL)
		return (ai);
	made = atomic_fetch_add_explicit(&as->a_stale_lookups, 1,
	    memory_order_relaxed);
	n = avl_numnodes(&as->a_segtree);
	if (made < (n >> AS_INDEX_REBUILD_SHIFT) + AS_INDEX_REBUILD_MIN)
		return (NULL);

	(void) pthread_mutex_lock(&as->a_index_lock);
	ai = atomic_load_explicit(&as->a_index, memory_order_acquire);
	if (ai == NULL) {
		int saved_errno = errno;

		ai = as_index_build(&as->a_segtree, as->a_gen);
		if (ai != NULL)
			atomic_store_explicit(&as->a_index, ai,
			    memory_order_release);
		else
			atomic_store_explicit(&as->a_stale_lookups, 0,
			    memory_order_relaxed);
		errno = saved_errno;
	}
	(void) pthread_mutex_unlock(&as->a_index_lock);
	return (ai);
}

struct seg *
as_findseg(struct as *as, const void *vaddr, int tail)
{
	uintptr_t addr = (uintptr_t)vaddr;
	const struct as_index *ai;
	struct seg *seg;
	size_t slot;

	ai = as_index_current(as);
	if (ai != NULL) {
		/* Index mode: the hint is a slot of the index. */
		slot = atomic_load_explicit(&as->a_hint_slot,
		    memory_order_relaxed);
		if ((seg = as_index_hint(ai, slot, addr)) != NULL)
			return (seg);
		/* The index says whether addr was contained: checking the
		 * segment itself would cost a cache miss per lookup. */
		slot = 0;
		seg = as_index_lookup(ai, addr, tail, &slot);
		if (slot != 0)
			atomic_store_explicit(&as->a_hint_slot, slot,
			    memory_order_relaxed);
		return (seg);
	}
	/* Tree mode: the hint is the last segment found. */
	seg = atomic_load_explicit(&as->a_seglast, memory_order_relaxed);
	if (seg != NULL && seg_contains(seg, addr))
		return (seg);
	seg = as_findseg_tree(as, addr, tail);
	if (seg != NULL && seg_contains(seg, addr))
		atomic_store_explicit(&as->a_seglast, seg,
		    memory_order_relaxed);
	return (seg);
}

struct seg *
as_segat(struct as *as, const void *addr)
{
	return (as_findseg(as, addr, 0));
}

/*
 * Range walking.  A cursor steps through [start, end) one segment piece at
 * a time; a piece with r_seg == NULL is a hole (no segment).
 */
struct as_range {
	uintptr_t	r_addr;		/* next address to visit */
	uintptr_t	r_end;
	struct seg	*r_seg;		/* segment of the current piece */
	uintptr_t	r_piece;	/* current piece: start */
	size_t		r_len;		/* and length */
};

static void
as_range_init(struct as_range *r, uintptr_t start, uintptr_t end)
{
	r->r_addr = start;
	r->r_end = end;
}

/* Step to the next piece; false at the end of the range. */
static bool
as_range_next(struct as *as, struct as_range *r)
{
	struct seg *seg;
	uintptr_t stop;

	if (r->r_addr >= r->r_end)
		return (false);
	seg = as_findseg(as, (void *)r->r_addr, 1);
	r->r_piece = r->r_addr;
	if (seg != NULL && seg_contains(seg, r->r_addr)) {
		stop = (uintptr_t)seg->s_base + seg->s_size;
		r->r_seg = seg;
	} else {
		stop = seg != NULL ? (uintptr_t)seg->s_base : r->r_end;
		r->r_seg = NULL;
	}
	if (stop > r->r_end)
		stop = r->r_end;
	r->r_len = stop - r->r_addr;
	r->r_addr = stop;
	return (true);
}

/* Validate a page-aligned range of the window: 0 or EINVAL. */
static int
as_check_aligned_range(const struct as *as, const void *addr, size_t len)
{
	if (len == 0 || !IS_P2ALIGNED(addr, PAGESIZE) ||
	    !IS_P2ALIGNED(len, PAGESIZE))
		return (EINVAL);
	if (!as_in_window(as, (uintptr_t)addr, len))
		return (ENOMEM);
	return (0);
}

int
as_map(struct as *as, void *addr, size_t len, seg_create_fn create_fn,
    void *create_args)
{
	struct seg *seg;
	int err;

	if (create_fn == NULL) {
		errno = EINVAL;
		return (-1);
	}
	if ((err = as_check_aligned_range(as, addr, len)) != 0) {
		errno = err;
		return (-1);
	}
	(void) pthread_rwlock_wrlock(&as->a_lock);
	/* The tree, not the index: after a change the index is gone, and
	 * a run of maps must not pay for rebuilding it. */
	seg = as_findseg_tree(as, (uintptr_t)addr, 1);
	if (seg != NULL && (uintptr_t)seg->s_base < (uintptr_t)addr + len) {
		err = EEXIST;
		goto out;
	}
	seg = seg_alloc(as, addr, len);
	if (seg == NULL) {
		err = ENOMEM;
		goto out;
	}
	err = create_fn(seg, create_args);
	if (err != 0) {
		/* The driver left nothing behind; drop the bare segment. */
		seg_discard(seg);
		goto out;
	}
	assert(seg->s_ops != NULL && seg->s_ops->registered);
	AS_DEBUG_VERIFY(as);
out:
	(void) pthread_rwlock_unlock(&as->a_lock);
	if (err != 0) {
		errno = err;
		return (-1);
	}
	return (0);
}

int
as_unmap(struct as *as, void *addr, size_t len)
{
	uintptr_t start = (uintptr_t)addr, end = start + len;
	struct as_range r;
	struct seg *seg, *next;
	int err = 0;

	if (len == 0 || !IS_P2ALIGNED(addr, PAGESIZE) ||
	    !IS_P2ALIGNED(len, PAGESIZE) || !as_in_window(as, start, len)) {
		errno = EINVAL;
		return (-1);
	}
	(void) pthread_rwlock_wrlock(&as->a_lock);

	/* First pass: refuse before changing anything if a segment cannot
	 * be unmapped at all, or straddles an end of the range and cannot
	 * be trimmed or split. */
	as_range_init(&r, start, end);
	while (as_range_next(as, &r)) {
		seg = r.r_seg;
		if (seg == NULL)
			continue;
		if (!seg_ops_can_unmap(seg->s_ops)) {
			err = ENOTSUP;
			goto out;
		}
		if (r.r_len == seg->s_size)
			continue;
		if (!segop_capable(seg, S_CAPABILITY_PARTIAL_UNMAP)) {
			err = ENOTSUP;
			goto out;
		}
	}

	seg = as_findseg(as, addr, 1);
	while (seg != NULL && (uintptr_t)seg->s_base < end) {
		uintptr_t lo = (uintptr_t)seg->s_base, hi = lo + seg->s_size;

		/* A split inserts its tail above end, so next is safe. */
		next = avl_next(&as->a_segtree, seg);
		if (lo < start)
			lo = start;
		if (hi > end)
			hi = end;
		err = segop_unmap(seg, (caddr_t)lo, hi - lo);
		if (err != 0)
			break;
		seg = next;
	}
	AS_DEBUG_VERIFY(as);
out:
	(void) pthread_rwlock_unlock(&as->a_lock);
	if (err != 0) {
		errno = err;
		return (-1);
	}
	return (0);
}

/* First-fit candidate in the gap [lo, hi), or 0 when none fits. */
static uintptr_t
as_gap_low(uintptr_t lo, uintptr_t hi, size_t len, size_t align)
{
	uintptr_t cand = P2ROUNDUP(lo, align);

	if (cand < lo || cand >= hi || hi - cand < len)
		return (0);
	return (cand);
}

/* Last-fit candidate in the gap [lo, hi), or 0 when none fits. */
static uintptr_t
as_gap_high(uintptr_t lo, uintptr_t hi, size_t len, size_t align)
{
	uintptr_t cand;

	if (hi - lo < len)
		return (0);
	cand = P2ALIGN(hi - len, align);
	if (cand < lo)
		return (0);
	return (cand);
}

int
as_gap(struct as *as, size_t len, size_t align, int flags, void **addrp)
{
	uintptr_t wlo = (uintptr_t)as->a_base, whi = wlo + as->a_size;
	uintptr_t lo, hi, found = 0;
	struct seg *seg;
	bool high = (flags & AS_GAP_HIGH) != 0;

	if (align == 0)
		align = PAGESIZE;
	if (len == 0 || !IS_P2ALIGNED(len, PAGESIZE) ||
	    (align & (align - 1)) != 0 || align < PAGESIZE ||
	    (flags & ~AS_GAP_HIGH) != 0 || addrp == NULL) {
		errno = EINVAL;
		return (-1);
	}
	(void) pthread_rwlock_rdlock(&as->a_lock);
	if (!high) {
		lo = wlo;
		for (seg = avl_first(&as->a_segtree); found == 0;
		    seg = avl_next(&as->a_segtree, seg)) {
			hi = seg != NULL ? (uintptr_t)seg->s_base : whi;
			found = as_gap_low(lo, hi, len, align);
			if (seg == NULL)
				break;
			lo = (uintptr_t)seg->s_base + seg->s_size;
		}
	} else {
		hi = whi;
		for (seg = avl_last(&as->a_segtree); found == 0;
		    seg = avl_prev(&as->a_segtree, seg)) {
			lo = seg != NULL ?
			    (uintptr_t)seg->s_base + seg->s_size : wlo;
			found = as_gap_high(lo, hi, len, align);
			if (seg == NULL)
				break;
			hi = (uintptr_t)seg->s_base;
		}
	}
	(void) pthread_rwlock_unlock(&as->a_lock);
	if (found == 0) {
		errno = ENOMEM;
		return (-1);
	}
	*addrp = (void *)found;
	return (0);
}

/*
 * Fault [start, end) piece by piece.  Returns 0, or the fault code of the
 * first piece that failed with *stopp set to where it starts (a hole is
 * FC_NOMAP).  Caller holds a_lock as reader.
 */
static faultcode_t
as_fault_range(struct as *as, uintptr_t start, uintptr_t end,
    enum fault_type type, enum seg_rw rw, uintptr_t *stopp)
{
	struct as_range r;
	faultcode_t fc;

	as_range_init(&r, start, end);
	while (as_range_next(as, &r)) {
		if (r.r_seg == NULL)
			fc = FC_NOMAP;
		else
			fc = segop_fault(r.r_seg, (caddr_t)r.r_piece, r.r_len,
			    type, rw);
		if (fc != 0) {
			*stopp = r.r_piece;
			return (fc);
		}
	}
	return (0);
}

/*
 * as_fault with the lock held as reader: returns 0 or an errno.  A failed
 * F_SOFTLOCK is undone from the same start it began at.
 */
static int
as_fault_locked(struct as *as, uintptr_t start, uintptr_t end,
    enum fault_type type, enum seg_rw rw)
{
	uintptr_t stop = start, unused;
	faultcode_t fc;

	fc = as_fault_range(as, start, end, type, rw, &stop);
	if (fc != 0 && type == F_SOFTLOCK && stop > start) {
		faultcode_t undo = as_fault_range(as, start, stop,
		    F_SOFTUNLOCK, rw, &unused);

		assert(undo == 0);
		(void) undo;
	}
	return (fc_to_errno(fc));
}

/* Round [addr, addr + len) out to pages; EFAULT when outside the window. */
static int
as_page_range(const struct as *as, const void *addr, size_t len,
    uintptr_t *startp, uintptr_t *endp)
{
	uintptr_t a = (uintptr_t)addr;

	if (len == 0 || a + len < a || !as_in_window(as, a, len))
		return (EFAULT);
	*startp = P2ALIGN(a, PAGESIZE);
	*endp = P2ROUNDUP(a + len, PAGESIZE);
	return (0);
}

int
as_fault(struct as *as, void *addr, size_t len, enum fault_type type,
    enum seg_rw rw)
{
	uintptr_t start, end;
	int err;

	if (type != F_INVAL && type != F_SOFTLOCK && type != F_SOFTUNLOCK) {
		errno = EINVAL;
		return (-1);
	}
	if ((err = as_page_range(as, addr, len, &start, &end)) != 0) {
		errno = err;
		return (-1);
	}
	(void) pthread_rwlock_rdlock(&as->a_lock);
	err = as_fault_locked(as, start, end, type, rw);
	(void) pthread_rwlock_unlock(&as->a_lock);
	if (err != 0) {
		errno = err;
		return (-1);
	}
	return (0);
}

/* The operations that apply one driver op to every piece of a range. */
enum as_range_op {
	AS_OP_SETPROT,
	AS_OP_CHECKPROT,
	AS_OP_SYNC,
	AS_OP_LOCK,
	AS_OP_UNLOCK,
	AS_OP_ADVISE,
	AS_OP_INCORE
};

static int
as_range_apply_piece(struct seg *seg, uintptr_t piece, size_t len,
    enum as_range_op op, int arg, unsigned char *vec)
{
	caddr_t a = (caddr_t)piece;

	switch (op) {
	case AS_OP_SETPROT:
		return (segop_setprot(seg, a, len, (unsigned)arg));
	case AS_OP_CHECKPROT:
		return (segop_checkprot(seg, a, len, (unsigned)arg));
	case AS_OP_SYNC:
		return (segop_sync(seg, a, len, arg));
	case AS_OP_LOCK:
		return (segop_lockop(seg, a, len, MC_LOCK));
	case AS_OP_UNLOCK:
		return (segop_lockop(seg, a, len, MC_UNLOCK));
	case AS_OP_ADVISE:
		return (segop_advise(seg, a, len, arg));
	case AS_OP_INCORE:
		return (segop_incore(seg, a, len, vec));
	}
	return (EINVAL);
}

/*
 * Apply op to every segment piece of a page-aligned range that must have
 * no holes (ENOMEM when it does, before anything is done).
 */
static int
as_range_apply(struct as *as, void *addr, size_t len, enum as_range_op op,
    int arg, unsigned char *vec)
{
	uintptr_t start = (uintptr_t)addr, end = start + len;
	struct as_range r;
	int err = 0;
	bool writer = (op == AS_OP_SETPROT);

	if ((err = as_check_aligned_range(as, addr, len)) != 0) {
		errno = err;
		return (-1);
	}
	if (writer)
		(void) pthread_rwlock_wrlock(&as->a_lock);
	else
		(void) pthread_rwlock_rdlock(&as->a_lock);

	as_range_init(&r, start, end);
	while (as_range_next(as, &r)) {
		if (r.r_seg == NULL) {
			err = ENOMEM;
			goto out;
		}
	}
	as_range_init(&r, start, end);
	while (err == 0 && as_range_next(as, &r)) {
		err = as_range_apply_piece(r.r_seg, r.r_piece, r.r_len, op,
		    arg, vec != NULL ? vec + btop(r.r_piece - start) : NULL);
	}
	if (writer)
		AS_DEBUG_VERIFY(as);
out:
	(void) pthread_rwlock_unlock(&as->a_lock);
	if (err != 0) {
		errno = err;
		return (-1);
	}
	return (0);
}

int
as_setprot(struct as *as, void *addr, size_t len, unsigned prot)
{
	if ((prot & ~PROT_ALL) != 0) {
		errno = EINVAL;
		return (-1);
	}
	return (as_range_apply(as, addr, len, AS_OP_SETPROT, (int)prot,
	    NULL));
}

int
as_checkprot(struct as *as, void *addr, size_t len, unsigned prot)
{
	if ((prot & ~PROT_ALL) != 0) {
		errno = EINVAL;
		return (-1);
	}
	return (as_range_apply(as, addr, len, AS_OP_CHECKPROT, (int)prot,
	    NULL));
}

int
as_ctl(struct as *as, void *addr, size_t len, enum as_ctl_op op, int arg)
{
	switch (op) {
	case AS_CTL_SYNC:
		return (as_range_apply(as, addr, len, AS_OP_SYNC, arg, NULL));
	case AS_CTL_LOCK:
		return (as_range_apply(as, addr, len, AS_OP_LOCK, 0, NULL));
	case AS_CTL_UNLOCK:
		return (as_range_apply(as, addr, len, AS_OP_UNLOCK, 0, NULL));
	case AS_CTL_ADVISE:
		return (as_range_apply(as, addr, len, AS_OP_ADVISE, arg,
		    NULL));
	}
	errno = EINVAL;
	return (-1);
}

int
as_incore(struct as *as, void *addr, size_t len, unsigned char *vec)
{
	if (vec == NULL) {
		errno = EINVAL;
		return (-1);
	}
	return (as_range_apply(as, addr, len, AS_OP_INCORE, 0, vec));
}

/*
 * Copy between the window and a buffer: pin each segment piece with
 * F_SOFTLOCK (so no driver can evict or unmap it mid-copy), copy, unpin.
 * When a piece fails, retry it page by page to copy up to the first bad
 * page exactly.
 */
static size_t
as_copy(struct as *as, uintptr_t addr, unsigned char *buf, size_t len,
    enum seg_rw rw, int *errp)
{
	uintptr_t start, end, done = 0, wend;
	struct as_range r;
	int err, beyond = 0;

	/* Copy what lies inside the window; the rest is a bad page. */
	wend = (uintptr_t)as->a_base + as->a_size;
	if (addr >= (uintptr_t)as->a_base && addr < wend &&
	    (addr + len < addr || addr + len > wend)) {
		len = wend - addr;
		beyond = EFAULT;
	}
	if ((err = as_page_range(as, (void *)addr, len, &start, &end)) != 0)
		goto out;
	(void) pthread_rwlock_rdlock(&as->a_lock);
	as_range_init(&r, start, end);
	while (err == 0 && as_range_next(as, &r)) {
		uintptr_t piece = r.r_piece, piece_end = r.r_piece + r.r_len;
		bool by_page = false;

		while (piece < piece_end) {
			uintptr_t lo, hi, chunk_end;
			size_t step;

			/* Pin a chunk at a time: a driver with a cap on what
			 * it maps (seg_kpm) can always hold one chunk. */
			chunk_end = P2ALIGN(piece + AS_COPY_CHUNK,
			    AS_COPY_CHUNK);
			if (chunk_end > piece_end || chunk_end <= piece)
				chunk_end = piece_end;
			step = by_page ? PAGESIZE : chunk_end - piece;
			err = as_fault_locked(as, piece, piece + step,
			    F_SOFTLOCK, rw);
			if (err != 0 && step > PAGESIZE) {
				by_page = true;	/* find the bad page */
				err = 0;
				continue;
			}
			if (err != 0)
				break;
			lo = piece > addr ? piece : addr;
			hi = piece + step < addr + len ? piece + step :
			    addr + len;
			if (rw == S_WRITE)
				memcpy((void *)lo, buf + (lo - addr), hi - lo);
			else
				memcpy(buf + (lo - addr), (void *)lo, hi - lo);
			(void) as_fault_locked(as, piece, piece + step,
			    F_SOFTUNLOCK, rw);
			done = hi - addr;
			piece += step;
		}
	}
	(void) pthread_rwlock_unlock(&as->a_lock);
	if (err == 0)
		err = beyond;
out:
	if (errp != NULL)
		*errp = err;
	return (done);
}

size_t
as_read(struct as *as, const void *addr, void *buf, size_t len, int *errp)
{
	if (len == 0) {
		if (errp != NULL)
			*errp = 0;
		return (0);
	}
	return (as_copy(as, (uintptr_t)addr, buf, len, S_READ, errp));
}

size_t
as_write(struct as *as, void *addr, const void *buf, size_t len, int *errp)
{
	if (len == 0) {
		if (errp != NULL)
			*errp = 0;
		return (0);
	}
	return (as_copy(as, (uintptr_t)addr, (unsigned char *)(uintptr_t)buf,
	    len, S_WRITE, errp));
}

struct as *
as_dup(struct as *as)
{
	struct as *nas;
	struct seg *seg, *nseg;
	int err = 0;

	if ((nas = as_alloc(as->a_size)) == NULL)
		return (NULL);
	(void) pthread_rwlock_rdlock(&as->a_lock);
	(void) pthread_rwlock_wrlock(&nas->a_lock);
	for (seg = avl_first(&as->a_segtree); seg != NULL && err == 0;
	    seg = avl_next(&as->a_segtree, seg)) {
		nseg = seg_alloc(nas, nas->a_base + (seg->s_base - as->a_base),
		    seg->s_size);
		if (nseg == NULL) {
			err = ENOMEM;
			break;
		}
		if ((err = segop_dup(seg, nseg)) != 0)
			seg_discard(nseg);
	}
	(void) pthread_rwlock_unlock(&nas->a_lock);
	(void) pthread_rwlock_unlock(&as->a_lock);
	if (err != 0) {
		as_free(nas);
		errno = err;
		return (NULL);
	}
	return (nas);
}

int
as_walk(struct as *as, int (*cb)(struct seg *, void *), void *arg)
{
	struct seg *seg;
	int rv = 0;

	(void) pthread_rwlock_rdlock(&as->a_lock);
	for (seg = avl_first(&as->a_segtree); seg != NULL && rv == 0;
	    seg = avl_next(&as->a_segtree, seg))
		rv = cb(seg, arg);
	(void) pthread_rwlock_unlock(&as->a_lock);
	return (rv);
}
