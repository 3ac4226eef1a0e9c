/*
 * seg_prot.c -- per-page protections and partial unmap, shared by the
 * segment drivers (see vm/seg_prot.h).
 *
 * Purpose: every driver that lets setprot cover part of a segment keeps
 * the same state -- one protection for the whole segment, and a per-page
 * array made the first time a setprot covers only part of it -- and
 * every driver that can be trimmed or split unmaps the same way.  Both
 * live here once; the drivers keep only what is theirs (the ceiling,
 * the checks of prot bits, pins, offsets, descriptors).
 *
 * Invariants of a struct seg_prot:
 *	pr_vprot is NULL, and every page has pr_prot; or pr_vprot has one
 *	byte per page of the segment and pr_prot is only the value the
 *	array started from;
 *	every protection stored is within pr_maxprot (segprot_set refuses
 *	more with EACCES);
 *	the stored protections are those of the host pages: segprot_set
 *	changes the host first (hat_chgprot) and commits sp only when that
 *	succeeded, and allocates the array before, so that a failure
 *	changes nothing.
 *
 * Locking: changes are made under seg->s_lock, so a fault (which runs
 * with the address-space lock held as reader) never sees a half-made
 * array; readers take no lock, as the array pointer is set once it is
 * complete.  The caller holds the address-space lock as writer for
 * segprot_set, segprot_trim_head and segprot_unmap.
 *
 * segprot_unmap: whole, head or tail trim, or split.  In every case the
 * private data of a new segment and the segment itself are allocated
 * before the host pages are unloaded; after hat_unload succeeds nothing
 * can fail.
 *
 * Functions return 0 or a positive errno.
 */
#include "config.h"

#include <assert.h>
#include <errno.h>
#include <string.h>

#include "vm/as.h"
#include "vm/hat.h"
#include "vm/seg.h"
#include "vm/seg_prot.h"
#include "vm/vm_alloc.h"

static inline size_t
segprot_page(const struct seg *seg, caddr_t addr)
{
	return (btop((size_t)(addr - seg->s_base)));
}

void
segprot_init(struct seg_prot *sp, unsigned prot, unsigned maxprot)
{
	sp->pr_prot = prot;
	sp->pr_maxprot = maxprot;
	sp->pr_vprot = NULL;
}

void
segprot_fini(struct seg_prot *sp)
{
	vm_free(sp->pr_vprot);
	sp->pr_vprot = NULL;
}

/* A per-page array of npages pages, each with the uniform value. */
static unsigned char *
segprot_alloc_pages(const struct seg_prot *sp, size_t npages)
{
	unsigned char *vprot;

	if ((vprot = vm_zalloc(npages)) == NULL)
		return (NULL);
	memset(vprot, (int)sp->pr_prot, npages);
	return (vprot);
}

int
segprot_make_per_page(struct seg_prot *sp, size_t npages)
{
	if (sp->pr_vprot != NULL)
		return (0);
	if ((sp->pr_vprot = segprot_alloc_pages(sp, npages)) == NULL)
		return (ENOMEM);
	return (0);
}

int
segprot_clone_range(struct seg_prot *dst, const struct seg_prot *src,
    size_t first, size_t npages)
{
	segprot_init(dst, src->pr_prot, src->pr_maxprot);
	if (src->pr_vprot == NULL)
		return (0);
	if ((dst->pr_vprot = vm_zalloc(npages)) == NULL)
		return (ENOMEM);
	memcpy(dst->pr_vprot, src->pr_vprot + first, npages);
	return (0);
}

unsigned
segprot_at(const struct seg_prot *sp, size_t page)
{
	return (sp->pr_vprot != NULL ? sp->pr_vprot[page] : sp->pr_prot);
}

unsigned
segprot_needed(enum seg_rw rw)
{
	switch (rw) {
	case S_READ:
		return (PROT_READ);
	case S_WRITE:
		return (PROT_WRITE);
	case S_EXEC:
		return (PROT_EXEC);
	case S_OTHER:
		break;
	}
	return (0);
}

bool
segprot_allows(const struct seg *seg, const struct seg_prot *sp,
    caddr_t addr, size_t len, unsigned need)
{
	size_t p, first = segprot_page(seg, addr), n = btop(len);

	for (p = first; p < first + n; p++) {
		if ((segprot_at(sp, p) & need) != need)
			return (false);
		if (sp->pr_vprot == NULL)
			break;	/* uniform: one page says it all */
	}
	return (true);
}

/*
 * Check prot against the ceiling and make the per-page array a partial
 * change needs, before anything changes.  Returns 0 with *vprotp the
 * array to commit (NULL for a whole-segment change), or an errno.
 */
static int
segprot_prepare(const struct seg *seg, const struct seg_prot *sp,
    caddr_t addr, size_t len, unsigned prot, unsigned char **vprotp)
{
	bool whole = (addr == seg->s_base && len == seg->s_size);

	if ((prot & ~sp->pr_maxprot) != 0)
		return (EACCES);
	*vprotp = NULL;
	if (whole)
		return (0);
	if ((*vprotp = sp->pr_vprot) == NULL &&
	    (*vprotp = segprot_alloc_pages(sp, btop(seg->s_size))) == NULL)
		return (ENOMEM);
	return (0);
}

/* Store prot for the range (what segprot_prepare made room for). */
static void
segprot_commit(struct seg *seg, struct seg_prot *sp, caddr_t addr,
    size_t len, unsigned prot, unsigned char *vprot)
{
	(void) pthread_mutex_lock(&seg->s_lock);
	if (vprot == NULL) {
		vm_free(sp->pr_vprot);
		sp->pr_vprot = NULL;
		sp->pr_prot = prot;
	} else {
		memset(vprot + segprot_page(seg, addr), (int)prot, btop(len));
		sp->pr_vprot = vprot;
	}
	(void) pthread_mutex_unlock(&seg->s_lock);
}

int
segprot_set(struct seg *seg, struct seg_prot *sp, caddr_t addr, size_t len,
    unsigned prot)
{
	unsigned char *vprot;
	int err;

	/* Allocate before touching the host, so a failure changes nothing. */
	if ((err = segprot_prepare(seg, sp, addr, len, prot, &vprot)) != 0)
		return (err);
	if ((err = hat_chgprot(addr, len, prot)) != 0) {
		if (vprot != sp->pr_vprot)
			vm_free(vprot);
		return (err);
	}
	segprot_commit(seg, sp, addr, len, prot, vprot);
	return (0);
}

int
segprot_record(struct seg *seg, struct seg_prot *sp, caddr_t addr,
    size_t len, unsigned prot)
{
	unsigned char *vprot;
	int err;

	if ((err = segprot_prepare(seg, sp, addr, len, prot, &vprot)) != 0)
		return (err);
	segprot_commit(seg, sp, addr, len, prot, vprot);
	return (0);
}

int
segprot_check(const struct seg *seg, const struct seg_prot *sp,
    caddr_t addr, size_t len, unsigned prot)
{
	return (segprot_allows(seg, sp, addr, len, prot) ? 0 : EACCES);
}

void
segprot_get(const struct seg *seg, const struct seg_prot *sp, caddr_t addr,
    size_t len, unsigned *protv)
{
	size_t i, first = segprot_page(seg, addr);

	for (i = 0; i < btop(len); i++)
		protv[i] = segprot_at(sp, first + i);
}

int
segprot_kluster(const struct seg *seg, const struct seg_prot *sp,
    caddr_t addr, ssize_t delta)
{
	caddr_t target = addr + delta;

	if (target < seg->s_base || target >= seg->s_base + seg->s_size)
		return (-1);
	return (segprot_at(sp, segprot_page(seg, addr)) ==
	    segprot_at(sp, segprot_page(seg, target)) ? 0 : -1);
}

int
segprot_apply(const struct seg *seg, const struct seg_prot *sp,
    caddr_t addr, size_t len, unsigned loaded)
{
	size_t p, first = segprot_page(seg, addr);
	int err;

	if (sp->pr_vprot == NULL) {
		if (sp->pr_prot == loaded)
			return (0);
		return (hat_chgprot(addr, len, sp->pr_prot));
	}
	for (p = first; p < first + btop(len); p++) {
		if (sp->pr_vprot[p] != loaded &&
		    (err = hat_chgprot(seg->s_base + ptob(p), PAGESIZE,
		    sp->pr_vprot[p])) != 0)
			return (err);
	}
	return (0);
}

void
segprot_trim_head(struct seg_prot *sp, size_t gone, size_t left)
{
	if (sp->pr_vprot != NULL)
		memmove(sp->pr_vprot, sp->pr_vprot + gone, left);
}

int
segprot_unmap(struct seg *seg, caddr_t addr, size_t len,
    const struct segprot_unmap_ops *ops)
{
	caddr_t end = addr + len, segend = seg->s_base + seg->s_size;
	struct seg *nseg;
	void *ndata;
	int err;

	assert(addr >= seg->s_base && end <= segend && len > 0);
	if (addr == seg->s_base && end == segend) {
		if ((err = hat_unload(addr, len)) != 0)
			return (err);
		seg_free(seg);
		return (0);
	}
	if (addr == seg->s_base || end == segend) {
		if ((err = hat_unload(addr, len)) != 0)
			return (err);
		if (addr == seg->s_base) {
			/* Head trim: the base moves up, order is kept. */
			ops->su_trim_head(seg, len);
			seg->s_base = end;
		}
		seg->s_size -= len;
		as_segtree_changed(seg->s_as);
		return (0);
	}

	/* Split: [base, addr) stays, [end, segend) becomes a new segment. */
	if ((ndata = ops->su_clone(seg, segprot_page(seg, end),
	    btop((size_t)(segend - end)))) == NULL)
		return (errno);
	if ((nseg = seg_alloc(seg->s_as, end, (size_t)(segend - end))) ==
	    NULL) {
		ops->su_free(ndata);
		return (ENOMEM);
	}
	if ((err = hat_unload(addr, len)) != 0) {
		seg_discard(nseg);
		ops->su_free(ndata);
		return (err);
	}
	seg_attach(nseg, ops->su_ops, ndata);
	seg->s_size = (size_t)(addr - seg->s_base);
	return (0);
}
