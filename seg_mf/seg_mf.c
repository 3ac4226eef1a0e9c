/*
 * seg_mf.c -- the machine-frame segment driver (see seg_mf/seg_mf.h).
 *
 * State (s_lock guards mf_map, mf_grants, the scratch arrays and the
 * counters; faults of one segment serialise on it, as in seg_kpm; the
 * frame source serialises its own calls, and a grant handle needs no
 * lock for calls on different pages):
 *	mf_map[p]	per page: type, frame or reference, state, errno, pins
 *	mf_prot		protections (vm/seg_prot.c), ceiling pr_maxprot
 *	mf_grants	the grant handle, NULL until segmf_add_grefs opens it;
 *			shared (reference counted) with the pieces split off
 *			the segment, which may run on other threads, so only
 *			its count changes after it is made
 *
 * States of a FRAME or GREF page:
 *	UNLOADED	a PROT_NONE reservation; the next fault maps it
 *	LOADED		the frame (grant) is mapped with the page's protection
 *	ZERO		it failed (m_err); a read-only zero page stands in
 *	BAD		it failed (m_err); a PROT_NONE reservation
 * EMPTY pages are always UNLOADED.  Invariants: a page whose protection is
 * PROT_NONE is never LOADED or ZERO; a pinned page changes only by
 * F_SOFTUNLOCK (unmap, setprot, segmf_add_* and prefault leave it alone or
 * refuse with EBUSY); the host's view of the range is exactly the map's.
 *
 * Unloading a frame or a zero page is hat_unload (a PROT_NONE reservation
 * put over the page): a foreign mapping needs nothing more, as
 * libxenforeignmemory's own unmap is a plain munmap.  A mapped grant goes
 * back through its handle (gs_unmap, which puts the reservation back
 * too), so that the grant source sees every release.  Protection changes
 * unload too (see seg_mf.h), so the driver never changes the protection
 * of a host page it mapped.
 *
 * Units: Linux's privcmd refuses to split a mapping, so the LOADED pages
 * one batch call mapped side by side (a unit: SEGMF_F_UNIT marks its
 * first page, and it runs until the next mark or a page not LOADED) are
 * only ever unloaded together.  Anything that unloads part of a unit
 * (a partial unmap, setprot, segmf_add_*) unloads the whole unit first
 * (segmf_widen); its other pages become UNLOADED and fault in again, and
 * a pin on one of them refuses the change with EBUSY.  Invariant: every
 * host range the driver unloads starts and ends on unit boundaries; a
 * new mapping never lands on a LOADED page.
 *
 * Grant references: segmf_add_grefs marks pages GREF (m_gfn the
 * reference), records their protection (read-only unless
 * SEGMF_GREF_WRITE), opens the grant handle for mf_domid on first use
 * and maps them as a prefault does: segmf_fill cuts runs by page type
 * and maps a GREF run with one gs_map call (per-reference errors into
 * m_err, BAD/ZERO as for frames).  gntdev can unmap any subrange of a
 * call's pages, so every LOADED GREF page starts a unit of its own
 * (SEGMF_F_UNIT): a cut never widens across a grant.  Every place that
 * gives a page back releases a mapped grant with gs_unmap instead of
 * hat_unload: segmf_unload(), segmf_unmap() (before segprot_unmap puts
 * the reservation back) and segmf_free() (as_free frees segments without
 * unmapping them).  The result of mapping a grant depends on the access
 * asked, so setprot forgets the failure of a GREF page whose protection
 * it changes; a frame's failure does not depend on it.
 *
 * Ops that refuse, and why: pagelock (pin with F_SOFTLOCK), lockop
 * (foreign frames are guest memory dom0 never pages out; pins are
 * F_SOFTLOCK), dup of a segment holding a GREF page (a grant mapping
 * belongs to the process that made it: gntdev does not even let fork
 * copy it).  advise takes MADV_WILLNEED only (a fault).
 */
#include "config.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "seg_mf/seg_mf.h"
#include "vm/as.h"
#include "vm/hat.h"
#include "vm/seg.h"
#include "vm/seg_prot.h"
#include "vm/vm_alloc.h"
#include "xen/xen_err.h"

/* Domain ids from here up are special (DOMID_SELF, DOMID_IO, ...). */
#define	SEGMF_DOMID_FIRST_RESERVED	0x7ff0u

/* The page size privcmd maps (x86). */
#define	SEGMF_FRAME_SIZE	4096

enum segmf_type {
	SEGMF_MAP_EMPTY = 0,
	SEGMF_MAP_FRAME,
	SEGMF_MAP_GREF
};

/* segmf_map.m_flags */
#define	SEGMF_F_UNIT	0x80

enum segmf_state {
	SEGMF_UNLOADED = 0,
	SEGMF_LOADED,
	SEGMF_ZERO,
	SEGMF_BAD
};

/*
 * One page of the segment.
 *	m_gfn		FRAME: the guest frame; GREF: the grant reference
 *	m_softlock	F_SOFTLOCK pins
 *	m_err		ZERO, BAD: the errno of the frame or grant
 *	m_flags		SEGMF_F_UNIT: a LOADED page that starts a unit (every
 *			LOADED GREF page does)
 */
struct segmf_map {
	uint64_t	m_gfn;
	uint32_t	m_softlock;
	uint8_t		m_type;
	uint8_t		m_state;
	uint8_t		m_err;
	uint8_t		m_flags;
};

/* A grant handle, shared by a segment and the pieces split off it. */
struct segmf_grants {
	const struct segmf_grant_ops *mg_ops;
	void		*mg_handle;
	atomic_uint	mg_refs;
};

struct segmf_data {
	const struct segmf_source_ops *mf_src_ops;
	void		*mf_src;		/* held */
	const struct segmf_grant_ops *mf_grant_ops;	/* NULL: no grants */
	struct segmf_grants *mf_grants;		/* held; NULL until used */
	uint32_t	mf_domid;
	struct seg_prot	mf_prot;
	size_t		mf_kpages;		/* kluster */
	int		mf_flags;
	struct segmf_map *mf_map;		/* one per page */
	size_t		mf_map_bytes;
	uint64_t	*mf_gfns;		/* batch scratch, mf_kpages */
	uint32_t	*mf_refs;		/* batch scratch, mf_kpages */
	int		*mf_errs;		/* batch scratch, mf_kpages */
	uint64_t	mf_fills, mf_frames, mf_errors;
	uint64_t	mf_gref_maps, mf_gref_mapped, mf_gref_errors;
};

static struct seg_ops segmf_ops;

static inline struct segmf_data *
segmf_data(const struct seg *seg)
{
	return (seg->s_data);
}

static inline size_t
segmf_page(const struct seg *seg, const void *addr)
{
	return (btop((size_t)((caddr_t)addr - seg->s_base)));
}

static struct segmf_grants *
segmf_grants_hold(struct segmf_grants *mg)
{
	if (mg != NULL)
		(void) atomic_fetch_add(&mg->mg_refs, 1);
	return (mg);
}

/* Drop a reference; the last one closes the handle. */
static void
segmf_grants_rele(struct segmf_grants *mg)
{
	if (mg == NULL || atomic_fetch_sub(&mg->mg_refs, 1) != 1)
		return;
	mg->mg_ops->gs_close(mg->mg_handle);
	vm_free(mg);
}

/*
 * The segment's grant handle, opened for mf_domid on first use.  NULL
 * with errno (and err filled): ENOTSUP when the segment has no grant
 * source, ENOMEM, or the source's open error.  Caller holds s_lock.
 */
static struct segmf_grants *
segmf_grants_get(struct segmf_data *mf, struct xen_err *err)
{
	struct segmf_grants *mg;
	int e;

	if (mf->mf_grants != NULL)
		return (mf->mf_grants);
	if (mf->mf_grant_ops == NULL) {
		(void) xen_err_set(err, ENOTSUP, "seg_mf segment over %s "
		    "domain %" PRIu32 " has no grant source: it cannot map "
		    "grant references", mf->mf_src_ops->fs_name,
		    mf->mf_domid);
		return (NULL);
	}
	if ((mg = vm_zalloc(sizeof (*mg))) == NULL) {
		(void) xen_err_set(err, ENOMEM, "out of memory opening a "
		    "grant handle for domain %" PRIu32, mf->mf_domid);
		return (NULL);
	}
	errno = 0;
	if ((mg->mg_handle = mf->mf_grant_ops->gs_open(mf->mf_domid,
	    err)) == NULL) {
		e = errno != 0 ? errno : EIO;
		vm_free(mg);
		errno = e;
		return (NULL);
	}
	mg->mg_ops = mf->mf_grant_ops;
	atomic_init(&mg->mg_refs, 1);
	mf->mf_grants = mg;
	return (mg);
}

static void
segmf_data_free(void *data)
{
	struct segmf_data *mf = data;

	if (mf == NULL)
		return;
	if (mf->mf_src != NULL)
		mf->mf_src_ops->fs_rele(mf->mf_src);
	segmf_grants_rele(mf->mf_grants);
	segprot_fini(&mf->mf_prot);
	vm_free_table(mf->mf_map, mf->mf_map_bytes);
	vm_free(mf->mf_gfns);
	vm_free(mf->mf_refs);
	vm_free(mf->mf_errs);
	vm_free(mf);
}

/* Private data for npages pages, without a source.  NULL/ENOMEM. */
static struct segmf_data *
segmf_data_alloc(size_t npages, size_t kpages)
{
	struct segmf_data *mf;

	if ((mf = vm_zalloc(sizeof (*mf))) == NULL)
		return (NULL);
	mf->mf_kpages = kpages;
	mf->mf_map_bytes = npages * sizeof (struct segmf_map);
	mf->mf_map = vm_zalloc_table(mf->mf_map_bytes);
	mf->mf_gfns = vm_zalloc_array(kpages, sizeof (uint64_t));
	mf->mf_refs = vm_zalloc_array(kpages, sizeof (uint32_t));
	mf->mf_errs = vm_zalloc_array(kpages, sizeof (int));
	if (mf->mf_map == NULL || mf->mf_gfns == NULL ||
	    mf->mf_refs == NULL || mf->mf_errs == NULL) {
		segmf_data_free(mf);
		errno = ENOMEM;
		return (NULL);
	}
	return (mf);
}

/*
 * Bind mf to seg's sources and settings (holding the frame source and
 * the grant handle, if open).
 */
static void
segmf_data_bind(struct segmf_data *mf, const struct segmf_data *from)
{
	mf->mf_src_ops = from->mf_src_ops;
	mf->mf_src = from->mf_src;
	mf->mf_src_ops->fs_hold(mf->mf_src);
	mf->mf_grant_ops = from->mf_grant_ops;
	mf->mf_grants = segmf_grants_hold(from->mf_grants);
	mf->mf_domid = from->mf_domid;
	mf->mf_flags = from->mf_flags;
}

/*
 * A copy of seg's state for a segment of npages pages starting first
 * pages into seg, with its pages mapped as they are (a split keeps the
 * host pages where they are, and shares the grant handle that unmaps its
 * grants).  NULL with errno set.
 */
static void *
segmf_data_clone(const struct seg *seg, size_t first, size_t npages)
{
	const struct segmf_data *mf = segmf_data(seg);
	struct segmf_data *nmf;

	if ((nmf = segmf_data_alloc(npages, mf->mf_kpages)) == NULL)
		return (NULL);
	if (segprot_clone_range(&nmf->mf_prot, &mf->mf_prot, first,
	    npages) != 0) {
		segmf_data_free(nmf);
		errno = ENOMEM;
		return (NULL);
	}
	memcpy(nmf->mf_map, mf->mf_map + first,
	    npages * sizeof (struct segmf_map));
	segmf_data_bind(nmf, mf);
	return (nmf);
}

static const char *
segmf_prot_name(unsigned prot)
{
	if (prot & PROT_WRITE)
		return ("rw-");
	return ((prot & PROT_READ) ? "r--" : "---");
}

/* True when page p is a LOADED page continuing the unit before it. */
static bool
segmf_continues(const struct segmf_data *mf, size_t p)
{
	return (mf->mf_map[p].m_state == SEGMF_LOADED &&
	    !(mf->mf_map[p].m_flags & SEGMF_F_UNIT));
}

/*
 * Widen [*pp, *pp + *np) of a segment of npages pages to unit boundaries:
 * back to the start of a unit it begins inside, on to the end of a unit
 * it ends inside.
 */
static void
segmf_widen(const struct segmf_data *mf, size_t npages, size_t *pp,
    size_t *np)
{
	size_t p = *pp, end = *pp + *np;

	while (p > 0 && segmf_continues(mf, p))
		p--;
	while (end < npages && segmf_continues(mf, end))
		end++;
	*pp = p;
	*np = end - p;
}

/* True when a page of [p, p + n), widened to units, is pinned. */
static bool
segmf_pinned(const struct seg *seg, size_t p, size_t n)
{
	const struct segmf_data *mf = segmf_data(seg);
	size_t i;

	segmf_widen(mf, btop(seg->s_size), &p, &n);
	for (i = p; i < p + n; i++) {
		if (mf->mf_map[i].m_softlock != 0)
			return (true);
	}
	return (false);
}

/* True when page p holds a host page (mapped, or a zero page). */
static bool
segmf_held(const struct segmf_data *mf, size_t p)
{
	return (mf->mf_map[p].m_state == SEGMF_LOADED ||
	    mf->mf_map[p].m_state == SEGMF_ZERO);
}

/* True when page p is a mapped grant (given back through its handle). */
static bool
segmf_granted(const struct segmf_data *mf, size_t p)
{
	return (mf->mf_map[p].m_type == SEGMF_MAP_GREF &&
	    mf->mf_map[p].m_state == SEGMF_LOADED);
}

/*
 * Unload the pages of [p, p + n) widened to whole units that hold a host
 * page -- every one, or with grants_only the mapped grants only (the
 * caller has checked none of them is pinned): they become UNLOADED.  A
 * run of mapped grants goes back through the grant handle, the rest
 * through hat_unload.  Returns 0 or the errno of a call that failed;
 * pages unloaded before it stay unloaded, which is consistent.  A grant
 * run whose unmap failed is UNLOADED too (the handle may have released
 * part of it; a fault maps over what is left).
 */
static int
segmf_unload_pages(struct seg *seg, size_t p, size_t n, bool grants_only)
{
	struct segmf_data *mf = segmf_data(seg);
	size_t i, j, end;
	bool granted;
	int err = 0;

	segmf_widen(mf, btop(seg->s_size), &p, &n);
	end = p + n;
	for (i = p; i < end; i = j) {
		granted = segmf_granted(mf, i);
		if (!segmf_held(mf, i) || (grants_only && !granted)) {
			j = i + 1;
			continue;
		}
		for (j = i; j < end && segmf_held(mf, j) &&
		    segmf_granted(mf, j) == granted; j++)
			assert(mf->mf_map[j].m_softlock == 0);
		if (granted) {
			assert(mf->mf_grants != NULL);
			if (mf->mf_grants->mg_ops->gs_unmap(
			    mf->mf_grants->mg_handle, seg->s_base + ptob(i),
			    j - i) < 0)
				err = errno != 0 ? errno : EIO;
		} else if ((err = hat_unload(seg->s_base + ptob(i),
		    ptob(j - i))) != 0) {
			return (err);
		}
		for (; i < j; i++) {
			mf->mf_map[i].m_state = SEGMF_UNLOADED;
			mf->mf_map[i].m_flags &= (uint8_t)~SEGMF_F_UNIT;
		}
		if (err != 0)
			return (err);
	}
	return (0);
}

static int
segmf_unload(struct seg *seg, size_t p, size_t n)
{
	return (segmf_unload_pages(seg, p, n, false));
}

/*
 * Record the results in mf_errs of a batch call that mapped pages
 * [p, p + n) at addr: LOADED, or the errno with a zero page over it
 * (SEGMF_HOLES_ZERO, not for a dead domain) or not (BAD).  A run of
 * successes is one unit, or with own_units (grants) each page is one.
 */
static void
segmf_record(struct seg *seg, size_t p, size_t n, bool own_units)
{
	struct segmf_data *mf = segmf_data(seg);
	caddr_t addr = seg->s_base + ptob(p);
	size_t i, j;

	for (i = 0; i < n; i = j) {
		int e = mf->mf_errs[i];
		bool zero;

		if (e == 0) {
			struct segmf_map *m = &mf->mf_map[p + i];

			m->m_state = SEGMF_LOADED;
			m->m_err = 0;
			/* A run of this call's successes is one unit. */
			if (own_units || i == 0 || mf->mf_errs[i - 1] != 0)
				m->m_flags |= SEGMF_F_UNIT;
			else
				m->m_flags &= (uint8_t)~SEGMF_F_UNIT;
			j = i + 1;
			continue;
		}
		/* A run of failed pages: one zero load covers it. */
		for (j = i; j < n && mf->mf_errs[j] != 0 &&
		    (mf->mf_errs[j] == ESRCH) == (e == ESRCH); j++) {
			e = mf->mf_errs[j];
			mf->mf_map[p + j].m_err = (uint8_t)(e > 255 ? EIO : e);
		}
		zero = (mf->mf_flags & SEGMF_HOLES_ZERO) && e != ESRCH &&
		    hat_load_zero(addr + ptob(i), ptob(j - i), PROT_READ) == 0;
		for (; i < j; i++)
			mf->mf_map[p + i].m_state = zero ? SEGMF_ZERO :
			    SEGMF_BAD;
	}
}

/* A batch call of pages [p, p + n) failed as a whole: reserved now. */
static void
segmf_record_failure(struct segmf_data *mf, size_t p, size_t n)
{
	size_t i;

	for (i = p; i < p + n; i++)
		if (mf->mf_map[i].m_state == SEGMF_ZERO)
			mf->mf_map[i].m_state = SEGMF_BAD;
}

/*
 * Map pages [p, p + n) (n <= mf_kpages: FRAME pages, none LOADED or
 * pinned, all with protection prot != PROT_NONE) in one source call, and
 * record each one's state: LOADED, or its errno with a zero page over it
 * (SEGMF_HOLES_ZERO, not for a dead domain) or not (BAD).  Returns 0, or
 * an errno when the call failed as a whole (the pages are then reserved:
 * BAD pages stay BAD, others UNLOADED).  Caller holds s_lock.
 */
static int
segmf_load_run(struct seg *seg, size_t p, size_t n, unsigned prot)
{
	struct segmf_data *mf = segmf_data(seg);
	caddr_t addr = seg->s_base + ptob(p);
	size_t i;
	ssize_t r;

	assert(n > 0 && n <= mf->mf_kpages && prot != PROT_NONE);
	assert(p + n == btop(seg->s_size) || !segmf_continues(mf, p + n));
	for (i = 0; i < n; i++)
		mf->mf_gfns[i] = mf->mf_map[p + i].m_gfn;
	mf->mf_fills++;
	r = mf->mf_src_ops->fs_map(mf->mf_src, mf->mf_gfns, n, addr, prot,
	    mf->mf_errs);
	if (r < 0) {
		int err = errno != 0 ? errno : EIO;

		segmf_record_failure(mf, p, n);
		mf->mf_errors += n;
		return (err);
	}
	mf->mf_frames += n - (size_t)r;
	mf->mf_errors += (size_t)r;
	segmf_record(seg, p, n, false);
	return (0);
}

/*
 * The same for GREF pages [p, p + n), through the grant handle: one
 * gs_map call, each grant mapped a unit of its own.  Zero pages standing
 * in for failed grants are unloaded first (gs_map maps over a
 * reservation).  Caller holds s_lock.
 */
static int
segmf_load_grants(struct seg *seg, size_t p, size_t n, unsigned prot)
{
	struct segmf_data *mf = segmf_data(seg);
	caddr_t addr = seg->s_base + ptob(p);
	struct segmf_grants *mg = mf->mf_grants;
	size_t i;
	ssize_t r;
	int err;

	assert(n > 0 && n <= mf->mf_kpages && prot != PROT_NONE);
	assert(mg != NULL);
	for (i = 0; i < n; i++) {
		assert(mf->mf_map[p + i].m_type == SEGMF_MAP_GREF &&
		    mf->mf_map[p + i].m_state != SEGMF_LOADED);
		mf->mf_refs[i] = (uint32_t)mf->mf_map[p + i].m_gfn;
		if (mf->mf_map[p + i].m_state == SEGMF_ZERO) {
			if ((err = hat_unload(addr + ptob(i), PAGESIZE)) != 0)
				return (err);
			mf->mf_map[p + i].m_state = SEGMF_BAD;
		}
	}
	mf->mf_gref_maps++;
	errno = 0;
	r = mg->mg_ops->gs_map(mg->mg_handle, mf->mf_refs, n, addr, prot,
	    mf->mf_errs);
	if (r < 0) {
		err = errno != 0 ? errno : EIO;
		mf->mf_gref_errors += n;
		return (err);
	}
	mf->mf_gref_mapped += n - (size_t)r;
	mf->mf_gref_errors += (size_t)r;
	segmf_record(seg, p, n, true);
	return (0);
}

/* True when page p is one segmf_fill maps (retry: failed ones too). */
static bool
segmf_fillable(const struct segmf_data *mf, size_t p, bool retry)
{
	const struct segmf_map *m = &mf->mf_map[p];

	if (m->m_type == SEGMF_MAP_EMPTY ||
	    segprot_at(&mf->mf_prot, p) == PROT_NONE)
		return (false);
	switch (m->m_state) {
	case SEGMF_UNLOADED:
		return (true);
	case SEGMF_BAD:
		return (retry);
	case SEGMF_ZERO:
		return (retry && m->m_softlock == 0);
	default:
		return (false);
	}
}

/*
 * Map the fillable pages of [p, p + n), a batch call per run of such
 * pages of one type (frames or grants) with one protection, at most
 * mf_kpages long.  Returns 0 or the errno of a call that failed as a
 * whole.  Caller holds s_lock.
 */
static int
segmf_fill(struct seg *seg, size_t p, size_t n, bool retry)
{
	struct segmf_data *mf = segmf_data(seg);
	size_t i, j, end = p + n;
	unsigned prot;
	uint8_t type;
	int err;

	for (i = p; i < end; i = j) {
		if (!segmf_fillable(mf, i, retry)) {
			j = i + 1;
			continue;
		}
		prot = segprot_at(&mf->mf_prot, i);
		type = mf->mf_map[i].m_type;
		for (j = i + 1; j < end && j - i < mf->mf_kpages &&
		    segmf_fillable(mf, j, retry) &&
		    mf->mf_map[j].m_type == type &&
		    segprot_at(&mf->mf_prot, j) == prot; j++)
			;
		err = type == SEGMF_MAP_GREF ?
		    segmf_load_grants(seg, i, j - i, prot) :
		    segmf_load_run(seg, i, j - i, prot);
		if (err != 0)
			return (err);
	}
	return (0);
}

/* What segmf_prefault reports for page p (see seg_mf.h). */
static int
segmf_result(const struct segmf_data *mf, size_t p)
{
	const struct segmf_map *m = &mf->mf_map[p];

	if (m->m_type == SEGMF_MAP_EMPTY)
		return (EFAULT);
	if (segprot_at(&mf->mf_prot, p) == PROT_NONE)
		return (EACCES);
	switch (m->m_state) {
	case SEGMF_LOADED:
		return (0);
	case SEGMF_ZERO:
	case SEGMF_BAD:
		return (m->m_err != 0 ? m->m_err : EIO);
	default:
		return (EIO);
	}
}

/*
 * Prefault pages [p, p + n) and report (see segmf_prefault).  Returns the
 * number of pages with a non-zero result, or -1 with errno.  Caller holds
 * s_lock.
 */
static ssize_t
segmf_prefault_pages(struct seg *seg, size_t p, size_t n, int *errs)
{
	struct segmf_data *mf = segmf_data(seg);
	size_t i, failed = 0;
	int err;

	if ((err = segmf_fill(seg, p, n, true)) != 0) {
		errno = err;
		return (-1);
	}
	for (i = 0; i < n; i++) {
		int e = segmf_result(mf, p + i);

		if (errs != NULL)
			errs[i] = e;
		failed += e != 0;
	}
	return ((ssize_t)failed);
}

/* 0 when prot is a protection seg_mf pages may have, else EINVAL. */
static int
segmf_prot_ok(unsigned prot, bool none_ok)
{
	if (prot == PROT_READ || prot == (PROT_READ | PROT_WRITE))
		return (0);
	return (prot == PROT_NONE && none_ok ? 0 : EINVAL);
}

int
segmf_create(struct seg *seg, void *create_args)
{
	const struct segmf_crargs *a = create_args;
	const struct segmf_source_ops *ops;
	const struct segmf_grant_ops *gops;
	size_t npages = btop(seg->s_size), i;
	struct segmf_data *mf;
	unsigned maxprot;
	uint32_t domid;
	void *src;
	int err;

	seg_ops_register(&segmf_ops);
	if (a == NULL || (a->pm != NULL) == (a->src_ops != NULL))
		return (EINVAL);
	if (PAGESIZE != SEGMF_FRAME_SIZE)
		return (ENOTSUP);
	gops = a->grant_ops;
	if (a->pm != NULL) {
#ifdef HAVE_XEN
		ops = &segmf_xen_source;
		src = a->pm;
		if (gops == NULL)
			gops = &segmf_xen_grants;
#else
		return (ENOTSUP);
#endif
	} else {
		ops = a->src_ops;
		src = a->src;
		if (ops->fs_map == NULL || ops->fs_domid == NULL ||
		    ops->fs_hold == NULL || ops->fs_rele == NULL)
			return (EINVAL);
	}
	if (gops != NULL && (gops->gs_open == NULL || gops->gs_map == NULL ||
	    gops->gs_unmap == NULL || gops->gs_explain == NULL ||
	    gops->gs_close == NULL))
		return (EINVAL);
	maxprot = a->maxprot != 0 ? a->maxprot : a->prot;
	if (a->kluster == 0 || a->kluster > SEGMF_KLUSTER_MAX ||
	    (a->flags & ~(SEGMF_PREFAULT | SEGMF_HOLES_ZERO |
	    SEGMF_ALLOW_DOM0)) != 0 ||
	    segmf_prot_ok(a->prot, true) != 0 ||
	    segmf_prot_ok(maxprot, false) != 0 || (a->prot & ~maxprot) != 0)
		return (EINVAL);
	switch (a->frames) {
	case SEGMF_FRAMES_EMPTY:
		break;
	case SEGMF_FRAMES_RANGE:
		if (a->first_gfn + npages < a->first_gfn)
			return (EINVAL);
		break;
	case SEGMF_FRAMES_LIST:
		if (a->gfns == NULL)
			return (EINVAL);
		break;
	default:
		return (EINVAL);
	}
	/* The domain, once: never DOMID_SELF, dom0 only when asked. */
	domid = ops->fs_domid(src);
	if (domid >= SEGMF_DOMID_FIRST_RESERVED ||
	    (domid == 0 && !(a->flags & SEGMF_ALLOW_DOM0)))
		return (EACCES);

	if ((mf = segmf_data_alloc(npages, a->kluster)) == NULL)
		return (ENOMEM);
	segprot_init(&mf->mf_prot, a->prot, maxprot);
	mf->mf_src_ops = ops;
	mf->mf_src = src;
	ops->fs_hold(src);
	mf->mf_grant_ops = gops;
	mf->mf_domid = domid;
	mf->mf_flags = a->flags;
	for (i = 0; a->frames != SEGMF_FRAMES_EMPTY && i < npages; i++) {
		mf->mf_map[i].m_type = SEGMF_MAP_FRAME;
		mf->mf_map[i].m_gfn = a->frames == SEGMF_FRAMES_RANGE ?
		    a->first_gfn + i : a->gfns[i];
	}
	seg->s_data = mf;
	if (a->flags & SEGMF_PREFAULT) {
		ssize_t r;

		(void) pthread_mutex_lock(&seg->s_lock);
		r = segmf_prefault_pages(seg, 0, npages, a->errs);
		err = errno;
		(void) pthread_mutex_unlock(&seg->s_lock);
		if (r < 0) {
			/* Leave nothing behind: the range reserved again. */
			hat_unload_nofail(seg->s_base, seg->s_size);
			seg->s_data = NULL;
			segmf_data_free(mf);
			return (err);
		}
	}
	seg_attach(seg, &segmf_ops, mf);
	return (0);
}

/*
 * After an unmap the host pages are gone (segprot_unmap); as_free frees
 * without unmapping, so grants still mapped go back through their handle
 * here (best effort: the window is released next anyway).
 */
static void
segmf_free(struct seg *seg)
{
	struct segmf_data *mf = segmf_data(seg);
	size_t i, j, npages = btop(seg->s_size);

	for (i = 0; mf->mf_grants != NULL && i < npages; i = j) {
		for (j = i; j < npages && segmf_granted(mf, j); j++)
			;
		if (j > i)
			(void) mf->mf_grants->mg_ops->gs_unmap(
			    mf->mf_grants->mg_handle, seg->s_base + ptob(i),
			    j - i);
		else
			j = i + 1;
	}
	segmf_data_free(mf);
	seg->s_data = NULL;
}

/* The first len bytes are unmapped: the rest moves down. */
static void
segmf_trim_head(struct seg *seg, size_t len)
{
	struct segmf_data *mf = segmf_data(seg);
	size_t gone = btop(len), left = btop(seg->s_size - len);

	memmove(mf->mf_map, mf->mf_map + gone,
	    left * sizeof (struct segmf_map));
	segprot_trim_head(&mf->mf_prot, gone, left);
}

static const struct segprot_unmap_ops segmf_unmap_ops = {
	.su_ops = &segmf_ops,
	.su_clone = segmf_data_clone,
	.su_free = segmf_data_free,
	.su_trim_head = segmf_trim_head,
};

/*
 * Whole, head or tail trim, or split (segprot_unmap); EBUSY when a page
 * of the range, or of a unit it cuts, is pinned.  Grants of the range go
 * back through their handle first.
 */
static int
segmf_unmap(struct seg *seg, caddr_t addr, size_t len)
{
	struct segmf_data *mf = segmf_data(seg);
	size_t first = segmf_page(seg, addr), n = btop(len);
	size_t wp = first, wn = n;
	int err;

	assert(IS_P2ALIGNED(addr, PAGESIZE) && IS_P2ALIGNED(len, PAGESIZE));
	if (segmf_pinned(seg, first, n))
		return (EBUSY);
	/* Units the range cuts go whole first (privcmd cannot split). */
	segmf_widen(mf, btop(seg->s_size), &wp, &wn);
	if ((wp != first || wn != n) && (err = segmf_unload(seg, wp, wn)) != 0)
		return (err);
	if (mf->mf_grants != NULL &&
	    (err = segmf_unload_pages(seg, first, n, true)) != 0)
		return (err);
	assert(!segmf_continues(mf, first) && (first + n ==
	    btop(seg->s_size) || !segmf_continues(mf, first + n)));
	return (segprot_unmap(seg, addr, len, &segmf_unmap_ops));
}

/* The fault code of page p, its kluster filled, for an access rw. */
static faultcode_t
segmf_page_fc(const struct segmf_data *mf, size_t p, enum seg_rw rw)
{
	const struct segmf_map *m = &mf->mf_map[p];

	if (m->m_type == SEGMF_MAP_EMPTY)
		return (FC_NOMAP);
	if (segprot_at(&mf->mf_prot, p) == PROT_NONE)
		return (0);		/* S_OTHER: nothing touches it */
	switch (m->m_state) {
	case SEGMF_LOADED:
		return (0);
	case SEGMF_ZERO:
		/* Zeros stand in for reading only. */
		return (rw == S_WRITE ? FC_MAKE_ERR(m->m_err) : 0);
	case SEGMF_BAD:
		return (FC_MAKE_ERR(m->m_err != 0 ? m->m_err : EIO));
	default:
		return (FC_MAKE_ERR(EIO));
	}
}

/*
 * Fill every kluster the range touches where a page of the range is not
 * mapped yet (the whole kluster, one batch call per run; frames that
 * failed before are not retried), then check each page of the range;
 * F_SOFTLOCK pins the range only when every page of it is good.
 */
static faultcode_t
segmf_fault(struct seg *seg, caddr_t addr, size_t len, enum fault_type type,
    enum seg_rw rw)
{
	struct segmf_data *mf = segmf_data(seg);
	size_t first = segmf_page(seg, addr), end = first + btop(len);
	size_t npages = btop(seg->s_size), k, p;
	faultcode_t fc = 0;
	int err;

	assert(addr >= seg->s_base &&
	    addr + len <= seg->s_base + seg->s_size);
	(void) pthread_mutex_lock(&seg->s_lock);
	if (type == F_SOFTUNLOCK) {
		for (p = first; p < end; p++) {
			assert(mf->mf_map[p].m_softlock > 0);
			mf->mf_map[p].m_softlock--;
		}
		goto out;
	}
	if (!segprot_allows(seg, &mf->mf_prot, addr, len,
	    segprot_needed(rw))) {
		fc = FC_PROT;
		goto out;
	}
	for (k = first / mf->mf_kpages; k * mf->mf_kpages < end; k++) {
		size_t kstart = k * mf->mf_kpages;
		size_t kend = kstart + mf->mf_kpages < npages ?
		    kstart + mf->mf_kpages : npages;

		/* Warm: nothing the access needs is missing. */
		for (p = kstart > first ? kstart : first;
		    p < (kend < end ? kend : end) &&
		    !segmf_fillable(mf, p, false); p++)
			;
		if (p == (kend < end ? kend : end))
			continue;
		if ((err = segmf_fill(seg, kstart, kend - kstart,
		    false)) != 0) {
			fc = FC_MAKE_ERR(err);
			goto out;
		}
	}
	for (p = first; p < end; p++) {
		if ((fc = segmf_page_fc(mf, p, rw)) != 0)
			goto out;
	}
	if (type == F_SOFTLOCK) {
		for (p = first; p < end; p++)
			mf->mf_map[p].m_softlock++;
	}
out:
	(void) pthread_mutex_unlock(&seg->s_lock);
	return (fc);
}

static faultcode_t
segmf_faulta(struct seg *seg, caddr_t addr)
{
	return (segmf_fault(seg, (caddr_t)P2ALIGN(addr, PAGESIZE), PAGESIZE,
	    F_INVAL, S_READ));
}

/*
 * Within maxprot.  Pages whose protection changes are unloaded, to be
 * faulted in again with the new one; a pinned page among them refuses
 * the change (EBUSY) before anything changes.  A grant that failed is
 * tried again with the new protection (EACCES for writing a read-only
 * grant says nothing of reading it).
 */
static int
segmf_setprot(struct seg *seg, caddr_t addr, size_t len, unsigned prot)
{
	struct segmf_data *mf = segmf_data(seg);
	size_t first = segmf_page(seg, addr), n = btop(len), p, q;
	int err;

	if ((prot & ~PROT_ALL) != 0)
		return (EINVAL);
	if ((prot & ~mf->mf_prot.pr_maxprot) != 0)
		return (EACCES);
	for (p = first; p < first + n; p = q) {
		if (segprot_at(&mf->mf_prot, p) == prot) {
			q = p + 1;
			continue;
		}
		for (q = p; q < first + n &&
		    segprot_at(&mf->mf_prot, q) != prot; q++)
			;
		if (segmf_pinned(seg, p, q - p))
			return (EBUSY);
	}
	for (p = first; p < first + n; p = q) {
		if (segprot_at(&mf->mf_prot, p) == prot) {
			q = p + 1;
			continue;
		}
		for (q = p; q < first + n &&
		    segprot_at(&mf->mf_prot, q) != prot; q++)
			;
		if ((err = segmf_unload(seg, p, q - p)) != 0)
			return (err);
		for (; p < q; p++) {
			struct segmf_map *m = &mf->mf_map[p];

			if (m->m_type == SEGMF_MAP_GREF &&
			    m->m_state == SEGMF_BAD) {
				m->m_state = SEGMF_UNLOADED;
				m->m_err = 0;
			}
		}
	}
	return (segprot_record(seg, &mf->mf_prot, addr, len, prot));
}

static int
segmf_checkprot(struct seg *seg, caddr_t addr, size_t len, unsigned prot)
{
	return (segprot_check(seg, &segmf_data(seg)->mf_prot, addr, len,
	    prot));
}

static int
segmf_getprot(struct seg *seg, caddr_t addr, size_t len, unsigned *protv)
{
	segprot_get(seg, &segmf_data(seg)->mf_prot, addr, len, protv);
	return (0);
}

/* Same kluster and the same protection: one batch call. */
static int
segmf_kluster(struct seg *seg, caddr_t addr, ssize_t delta)
{
	struct segmf_data *mf = segmf_data(seg);

	if (segprot_kluster(seg, &mf->mf_prot, addr, delta) != 0)
		return (-1);
	return (segmf_page(seg, addr) / mf->mf_kpages ==
	    segmf_page(seg, addr + delta) / mf->mf_kpages ? 0 : -1);
}

/* A foreign frame is written in place: nothing to write back. */
static int
segmf_sync(struct seg *seg, caddr_t addr, size_t len, int flags)
{
	(void) seg, (void) addr, (void) len, (void) flags;
	return (0);
}

/* From the per-page map: 1 only for a page mapped to its frame now. */
static int
segmf_incore(struct seg *seg, caddr_t addr, size_t len, unsigned char *vec)
{
	struct segmf_data *mf = segmf_data(seg);
	size_t first = segmf_page(seg, addr), i;

	(void) pthread_mutex_lock(&seg->s_lock);
	for (i = 0; i < btop(len); i++)
		vec[i] = mf->mf_map[first + i].m_state == SEGMF_LOADED;
	(void) pthread_mutex_unlock(&seg->s_lock);
	return (0);
}

/* The guest physical address shown at addr; UINT64_MAX for no frame. */
static uint64_t
segmf_getoffset(struct seg *seg, caddr_t addr)
{
	const struct segmf_map *m = &segmf_data(seg)->mf_map[
	    segmf_page(seg, addr)];

	if (m->m_type != SEGMF_MAP_FRAME)
		return (UINT64_MAX);
	return (m->m_gfn * SEGMF_FRAME_SIZE + ((uintptr_t)addr & PAGEOFFSET));
}

static int
segmf_gettype(struct seg *seg, caddr_t addr)
{
	(void) seg, (void) addr;
	return (MAP_SHARED);
}

static int
segmf_advise(struct seg *seg, caddr_t addr, size_t len, int behav)
{
	if (behav != MADV_WILLNEED)
		return (ENOTSUP);
	return (fc_to_errno(segmf_fault(seg, addr, len, F_INVAL, S_READ)));
}

/* Counts of the page states; caller holds s_lock. */
static void
segmf_count(const struct seg *seg, struct segmf_stats *st)
{
	const struct segmf_data *mf = segmf_data(seg);
	size_t p;

	memset(st, 0, sizeof (*st));
	st->ms_pages = btop(seg->s_size);
	for (p = 0; p < st->ms_pages; p++) {
		const struct segmf_map *m = &mf->mf_map[p];

		bool failed = m->m_state == SEGMF_ZERO ||
		    m->m_state == SEGMF_BAD;

		st->ms_resident += m->m_state == SEGMF_LOADED;
		st->ms_zero += m->m_state == SEGMF_ZERO;
		st->ms_failed += failed;
		st->ms_pinned += m->m_softlock != 0;
		if (m->m_type != SEGMF_MAP_GREF)
			continue;
		st->ms_grefs++;
		st->ms_gref_resident += m->m_state == SEGMF_LOADED;
		st->ms_gref_failed += failed;
	}
	st->ms_fills = mf->mf_fills;
	st->ms_frames = mf->mf_frames;
	st->ms_errors = mf->mf_errors;
	st->ms_kluster = mf->mf_kpages;
	st->ms_gref_maps = mf->mf_gref_maps;
	st->ms_gref_mapped = mf->mf_gref_mapped;
	st->ms_gref_errors = mf->mf_gref_errors;
}

static void
segmf_dump(struct seg *seg, char *buf, size_t len)
{
	struct segmf_data *mf = segmf_data(seg);
	struct segmf_stats st;
	char src[96] = "", grants[64] = "";

	if (mf->mf_src_ops->fs_describe != NULL)
		mf->mf_src_ops->fs_describe(mf->mf_src, src, sizeof (src));
	else
		(void) snprintf(src, sizeof (src), "%s domain %" PRIu32,
		    mf->mf_src_ops->fs_name, mf->mf_domid);
	(void) pthread_mutex_lock(&seg->s_lock);
	segmf_count(seg, &st);
	(void) pthread_mutex_unlock(&seg->s_lock);
	if (st.ms_grefs != 0)
		(void) snprintf(grants, sizeof (grants), " (%zu grants, %zu "
		    "mapped)", st.ms_grefs, st.ms_gref_resident);
	(void) snprintf(buf, len, "frames of %s: %zu/%zu mapped%s, %zu "
	    "failed, kluster %zu, %s%s (max %s), holes %s", src,
	    st.ms_resident, st.ms_pages, grants, st.ms_failed, st.ms_kluster,
	    segmf_prot_name(mf->mf_prot.pr_prot),
	    mf->mf_prot.pr_vprot != NULL ? " per page" : "",
	    segmf_prot_name(mf->mf_prot.pr_maxprot),
	    (mf->mf_flags & SEGMF_HOLES_ZERO) ? "read as zeros" : "fail");
}

static int
segmf_capable(struct seg *seg, segcapability_t cap)
{
	(void) seg;
	/* Faults ask Xen, so they may wait: not NOMINFLT. */
	return (cap == S_CAPABILITY_PARTIAL_UNMAP);
}

/*
 * The copy shows the same frames of the same domain and faults them in
 * on its own; pins and failures belong to the original.  A segment with
 * a GREF page is refused (ENOTSUP): a grant mapping belongs to the
 * process that made it.  The copy opens its own grant handle if it ever
 * needs one.
 */
static int
segmf_dup(struct seg *seg, struct seg *newseg)
{
	const struct segmf_data *mf = segmf_data(seg);
	struct segmf_data *nmf;
	size_t p;

	(void) pthread_mutex_lock(&seg->s_lock);
	for (p = 0; p < btop(seg->s_size); p++) {
		if (mf->mf_map[p].m_type == SEGMF_MAP_GREF) {
			(void) pthread_mutex_unlock(&seg->s_lock);
			return (ENOTSUP);
		}
	}
	nmf = segmf_data_clone(seg, 0, btop(seg->s_size));
	(void) pthread_mutex_unlock(&seg->s_lock);
	if (nmf == NULL)
		return (errno);
	segmf_grants_rele(nmf->mf_grants);
	nmf->mf_grants = NULL;
	for (p = 0; p < btop(seg->s_size); p++) {
		nmf->mf_map[p].m_state = SEGMF_UNLOADED;
		nmf->mf_map[p].m_err = 0;
		nmf->mf_map[p].m_softlock = 0;
		nmf->mf_map[p].m_flags &= (uint8_t)~SEGMF_F_UNIT;
	}
	seg_attach(newseg, &segmf_ops, nmf);
	return (0);
}

static struct seg_ops segmf_ops = {
	.name = "segmf_ops",
	.dup = segmf_dup,
	.unmap = segmf_unmap,
	.free = segmf_free,
	.fault = segmf_fault,
	.faulta = segmf_faulta,
	.setprot = segmf_setprot,
	.checkprot = segmf_checkprot,
	.kluster = segmf_kluster,
	.sync = segmf_sync,
	.incore = segmf_incore,
	/* lockop: ENOTSUP by default (pins are F_SOFTLOCK). */
	.getprot = segmf_getprot,
	.getoffset = segmf_getoffset,
	.gettype = segmf_gettype,
	.advise = segmf_advise,
	.dump = segmf_dump,
	/* pagelock: ENOTSUP by default. */
	.capable = segmf_capable,
};

/*
 * The seg_mf segment holding [addr, addr + len) (len 0: holding addr),
 * with the address-space lock held in mode (AS_READER, or AS_WRITER for
 * a call that changes protections).  NULL with errno EINVAL.
 */
static struct seg *
segmf_enter(struct as *as, const void *addr, size_t len, int mode)
{
	struct seg *seg;

	if (as == NULL || !IS_P2ALIGNED(len, PAGESIZE) ||
	    (len != 0 && !IS_P2ALIGNED(addr, PAGESIZE))) {
		errno = EINVAL;
		return (NULL);
	}
	as_enter(as, mode);
	seg = as_segat(as, addr);
	if (seg == NULL || seg->s_ops != &segmf_ops ||
	    len > seg->s_size - (size_t)((caddr_t)addr - seg->s_base)) {
		as_exit(as);
		errno = EINVAL;
		return (NULL);
	}
	return (seg);
}

ssize_t
segmf_prefault(struct as *as, void *addr, size_t len, int *errs)
{
	struct seg *seg;
	ssize_t r;
	int err;

	if (len == 0) {
		errno = EINVAL;
		return (-1);
	}
	if ((seg = segmf_enter(as, addr, len, AS_READER)) == NULL)
		return (-1);
	(void) pthread_mutex_lock(&seg->s_lock);
	r = segmf_prefault_pages(seg, segmf_page(seg, addr), btop(len), errs);
	err = errno;
	(void) pthread_mutex_unlock(&seg->s_lock);
	as_exit(as);
	errno = err;
	return (r);
}

/* segmf_add_gfns and segmf_add_gfn_range. */
static ssize_t
segmf_add(struct as *as, void *addr, const uint64_t *gfns, uint64_t first,
    size_t count, int *errs)
{
	struct segmf_data *mf;
	struct seg *seg;
	size_t p, i;
	ssize_t r = 0;
	int err = 0;

	if (count == 0 || count > SIZE_MAX / PAGESIZE ||
	    (gfns == NULL && first + count < first)) {
		errno = EINVAL;
		return (-1);
	}
	if ((seg = segmf_enter(as, addr, ptob(count),
	    AS_READER)) == NULL)
		return (-1);
	mf = segmf_data(seg);
	p = segmf_page(seg, addr);
	(void) pthread_mutex_lock(&seg->s_lock);
	if (segmf_pinned(seg, p, count)) {
		err = EBUSY;
		goto out;
	}
	if ((err = segmf_unload(seg, p, count)) != 0)
		goto out;
	for (i = 0; i < count; i++) {
		struct segmf_map *m = &mf->mf_map[p + i];

		m->m_type = SEGMF_MAP_FRAME;
		m->m_gfn = gfns != NULL ? gfns[i] : first + i;
		m->m_state = SEGMF_UNLOADED;
		m->m_err = 0;
	}
	if (errs != NULL && (r = segmf_prefault_pages(seg, p, count,
	    errs)) < 0)
		err = errno;
out:
	(void) pthread_mutex_unlock(&seg->s_lock);
	as_exit(as);
	if (err != 0) {
		errno = err;
		return (-1);
	}
	return (r);
}

ssize_t
segmf_add_gfns(struct as *as, void *addr, const uint64_t *gfns, size_t count,
    int *errs)
{
	if (gfns == NULL) {
		errno = EINVAL;
		return (-1);
	}
	return (segmf_add(as, addr, gfns, 0, count, errs));
}

ssize_t
segmf_add_gfn_range(struct as *as, void *addr, uint64_t first, size_t count,
    int *errs)
{
	return (segmf_add(as, addr, NULL, first, count, errs));
}

/*
 * After segmf_add_grefs mapped [p, p + count) with r of them failed: err
 * gets the sentence for the first failure, and how many more failed.
 */
static void
segmf_grefs_explain(const struct segmf_data *mf, size_t p, size_t count,
    ssize_t r, struct xen_err *err)
{
	const struct segmf_grants *mg = mf->mf_grants;
	char more[96];
	size_t i;
	int e = 0;

	if (err == NULL)
		return;
	for (i = 0; i < count && (e = segmf_result(mf, p + i)) == 0; i++)
		;
	if (i == count) {
		xen_err_clear(err);
		return;
	}
	mg->mg_ops->gs_explain(mg->mg_handle,
	    (uint32_t)mf->mf_map[p + i].m_gfn, e, err);
	err->xe_errno = e;
	if (r > 1) {
		(void) snprintf(more, sizeof (more), " (%zd of the %zu "
		    "references failed; errs[] says which)", r, count);
		if (strlen(err->xe_msg) + strlen(more) < sizeof (err->xe_msg))
			(void) strcat(err->xe_msg, more);
	}
}

ssize_t
segmf_add_grefs(struct as *as, void *addr, const uint32_t *refs,
    size_t count, int flags, int *errs, struct xen_err *err)
{
	struct segmf_data *mf;
	struct seg *seg;
	unsigned prot;
	size_t p, i;
	ssize_t r = 0;
	int e = 0;

	if (refs == NULL || count == 0 || count > SIZE_MAX / PAGESIZE ||
	    (flags & ~SEGMF_GREF_WRITE) != 0)
		return (xen_err_set(err, EINVAL, "segmf_add_grefs: %s",
		    refs == NULL ? "no references" : count == 0 ?
		    "no pages" : count > SIZE_MAX / PAGESIZE ?
		    "too many pages" : "unknown flags"));
	if ((seg = segmf_enter(as, addr, ptob(count),
	    AS_WRITER)) == NULL)
		return (xen_err_set(err, EINVAL, "segmf_add_grefs: %zu pages "
		    "at %p are not within one seg_mf segment", count, addr));
	mf = segmf_data(seg);
	p = segmf_page(seg, addr);
	prot = PROT_READ | ((flags & SEGMF_GREF_WRITE) ? PROT_WRITE : 0);
	(void) pthread_mutex_lock(&seg->s_lock);
	if (mf->mf_grant_ops == NULL) {
		(void) segmf_grants_get(mf, err);	/* says ENOTSUP */
		e = ENOTSUP;
		goto out;
	}
	if ((prot & ~mf->mf_prot.pr_maxprot) != 0) {
		(void) xen_err_set(err, EACCES, "cannot map grants of domain %"
		    PRIu32 " writable at %p: the segment is read-only at most "
		    "(maxprot)", mf->mf_domid, addr);
		e = EACCES;
		goto out;
	}
	if (segmf_pinned(seg, p, count)) {
		(void) xen_err_set(err, EBUSY, "cannot map grants of domain %"
		    PRIu32 " at %p: a page there (or of the frames mapped "
		    "with it) is pinned (F_SOFTLOCK)", mf->mf_domid, addr);
		e = EBUSY;
		goto out;
	}
	if (segmf_grants_get(mf, err) == NULL) {
		e = errno;
		goto out;
	}
	/*
	 * What the pages showed goes first; then the new protection
	 * (segprot_record takes s_lock itself; the address-space lock held
	 * as writer keeps everyone else out meanwhile) and type.
	 */
	if ((e = segmf_unload(seg, p, count)) == 0) {
		(void) pthread_mutex_unlock(&seg->s_lock);
		e = segprot_record(seg, &mf->mf_prot, addr, ptob(count), prot);
		(void) pthread_mutex_lock(&seg->s_lock);
	}
	if (e != 0) {
		(void) xen_err_set(err, e, "cannot map grants of domain %"
		    PRIu32 " at %p: changing what the pages show: %s",
		    mf->mf_domid, addr, strerror(e));
		goto out;
	}
	for (i = 0; i < count; i++) {
		struct segmf_map *m = &mf->mf_map[p + i];

		m->m_type = SEGMF_MAP_GREF;
		m->m_gfn = refs[i];
		m->m_state = SEGMF_UNLOADED;
		m->m_err = 0;
	}
	if ((r = segmf_prefault_pages(seg, p, count, errs)) < 0) {
		e = errno;
		(void) xen_err_set(err, e, "mapping %zu grants of domain %"
		    PRIu32 " at %p failed as a whole: %s; a fault tries them "
		    "again", count, mf->mf_domid, addr, strerror(e));
		goto out;
	}
	segmf_grefs_explain(mf, p, count, r, err);
out:
	(void) pthread_mutex_unlock(&seg->s_lock);
	as_exit(as);
	if (e != 0) {
		errno = e;
		return (-1);
	}
	return (r);
}

/* One sentence for a frame that failed (the frame source said errnum). */
static void
segmf_frame_explain(const struct segmf_data *mf, uint64_t gfn, int errnum,
    struct xen_err *err)
{
	const char *hint;

	switch (errnum) {
	case ENXIO:
		hint = "no memory behind it (a hole, or past the end of the "
		    "guest's memory)";
		break;
	case ENOENT:
		hint = "it is paged out: segmf_prefault tries it again";
		break;
	case ESRCH:
		hint = "the domain is dying or gone";
		break;
	default:
		hint = "Xen's log (xl dmesg) may say why";
		break;
	}
	(void) xen_err_set(err, errnum, "frame 0x%" PRIx64 " of %s domain %"
	    PRIu32 " could not be mapped: %s: %s", gfn,
	    mf->mf_src_ops->fs_name, mf->mf_domid, strerror(errnum), hint);
}

int
segmf_explain(struct as *as, const void *addr, struct xen_err *err)
{
	const struct segmf_data *mf;
	const struct segmf_map *m;
	struct seg *seg;
	size_t p;
	int e = 0;

	if ((seg = segmf_enter(as, addr, 0, AS_READER)) == NULL)
		return (xen_err_set(err, EINVAL, "segmf_explain: %p is not in "
		    "a seg_mf segment", addr));
	mf = segmf_data(seg);
	p = segmf_page(seg, addr);
	m = &mf->mf_map[p];
	(void) pthread_mutex_lock(&seg->s_lock);
	if (m->m_type == SEGMF_MAP_EMPTY) {
		e = EFAULT;
		(void) xen_err_set(err, e, "page %p shows nothing: no frame or "
		    "grant was assigned to it (segmf_add_gfns, "
		    "segmf_add_grefs)", addr);
	} else if (segprot_at(&mf->mf_prot, p) == PROT_NONE) {
		e = EACCES;
		(void) xen_err_set(err, e, "page %p is PROT_NONE: nothing is "
		    "mapped there until setprot allows access", addr);
	} else if (m->m_state == SEGMF_ZERO || m->m_state == SEGMF_BAD) {
		e = m->m_err != 0 ? m->m_err : EIO;
		if (m->m_type == SEGMF_MAP_GREF) {
			mf->mf_grants->mg_ops->gs_explain(
			    mf->mf_grants->mg_handle, (uint32_t)m->m_gfn, e,
			    err);
			if (err != NULL)
				err->xe_errno = e;
		} else {
			segmf_frame_explain(mf, m->m_gfn, e, err);
		}
	} else {
		xen_err_clear(err);
	}
	(void) pthread_mutex_unlock(&seg->s_lock);
	as_exit(as);
	return (e);
}

int
segmf_stats(struct as *as, const void *addr, struct segmf_stats *st)
{
	struct seg *seg;

	if (st == NULL) {
		errno = EINVAL;
		return (-1);
	}
	if ((seg = segmf_enter(as, addr, 0, AS_READER)) == NULL)
		return (-1);
	(void) pthread_mutex_lock(&seg->s_lock);
	segmf_count(seg, st);
	(void) pthread_mutex_unlock(&seg->s_lock);
	as_exit(as);
	return (0);
}
