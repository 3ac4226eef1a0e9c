/*
 * seg_prot.h -- per-page protections and partial unmap, shared by the
 * segment drivers (seg_vn, seg_nf, seg_dev, seg_spt, seg_kp, seg_mf).
 *
 * See vm/seg_prot.c for the invariants.
 */
#ifndef PORTHOLE_VM_SEG_PROT_H
#define PORTHOLE_VM_SEG_PROT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>	/* caddr_t, ssize_t */

#include "vm/seg.h"

/*
 * The protections of a segment's pages: one value for all of them until a
 * setprot covers only part of the segment, then one value per page.
 */
struct seg_prot {
	unsigned	pr_prot;	/* all pages, when pr_vprot is NULL */
	unsigned	pr_maxprot;	/* ceiling for segprot_set */
	unsigned char	*pr_vprot;	/* one per page, or NULL */
};

/* Uniform protection prot, with ceiling maxprot. */
void	segprot_init(struct seg_prot *sp, unsigned prot, unsigned maxprot);
/* Release the per-page array (sp may then be initialised again). */
void	segprot_fini(struct seg_prot *sp);
/*
 * Switch to one value per page for a segment of npages pages, each
 * starting as the uniform value.  Returns 0 or ENOMEM.
 */
int	segprot_make_per_page(struct seg_prot *sp, size_t npages);
/*
 * sp for the pages [first, first + npages) of src's segment: the uniform
 * value, the ceiling and a copy of that part of the per-page array.
 * Returns 0 or ENOMEM, with dst holding nothing to free on failure.
 */
int	segprot_clone_range(struct seg_prot *dst, const struct seg_prot *src,
	    size_t first, size_t npages);

/* The protection of page number page of the segment. */
unsigned segprot_at(const struct seg_prot *sp, size_t page);
/* The PROT_* bit an access of kind rw needs (0 for S_OTHER). */
unsigned segprot_needed(enum seg_rw rw);
/* True when every page of [addr, addr + len) of seg allows need. */
bool	segprot_allows(const struct seg *seg, const struct seg_prot *sp,
	    caddr_t addr, size_t len, unsigned need);

/*
 * Ops shared by the drivers, with the seg_ops conventions.
 *
 * segprot_set: EACCES when prot exceeds the ceiling (checking prot for
 * bits outside PROT_ALL is the caller's); otherwise the host protection
 * changes (hat_chgprot) and then sp, under seg->s_lock.  Nothing changes
 * on failure.
 */
int	segprot_set(struct seg *seg, struct seg_prot *sp, caddr_t addr,
	    size_t len, unsigned prot);
/*
 * The bookkeeping of segprot_set without the host change, for a driver
 * that changes its host pages itself (seg_mf reloads foreign frames
 * instead of changing their protection).  EACCES above the ceiling,
 * ENOMEM; nothing changes on failure.
 */
int	segprot_record(struct seg *seg, struct seg_prot *sp, caddr_t addr,
	    size_t len, unsigned prot);
/* 0 when every page of the range allows prot, else EACCES. */
int	segprot_check(const struct seg *seg, const struct seg_prot *sp,
	    caddr_t addr, size_t len, unsigned prot);
/* One protection per page of the range into protv. */
void	segprot_get(const struct seg *seg, const struct seg_prot *sp,
	    caddr_t addr, size_t len, unsigned *protv);
/* 0 when addr + delta is in seg with the protection of addr, else -1. */
int	segprot_kluster(const struct seg *seg, const struct seg_prot *sp,
	    caddr_t addr, ssize_t delta);
/*
 * Give the host pages of [addr, addr + len) of seg the protections of sp,
 * where they have loaded now: only the pages that differ are changed.
 * Returns 0 or the errno of the first change that failed.
 */
int	segprot_apply(const struct seg *seg, const struct seg_prot *sp,
	    caddr_t addr, size_t len, unsigned loaded);

/* The first gone pages of the segment are unmapped; left pages remain. */
void	segprot_trim_head(struct seg_prot *sp, size_t gone, size_t left);

/*
 * A driver's part in segprot_unmap: how to make and drop the private
 * data of the new segment of a split, and how to follow a head trim.
 */
struct segprot_unmap_ops {
	/* The driver, bound to the new segment of a split. */
	const struct seg_ops	*su_ops;
	/*
	 * New private data for the pages [first, first + npages) of seg.
	 * Returns NULL with errno set.
	 */
	void	*(*su_clone)(const struct seg *seg, size_t first,
		    size_t npages);
	/* Release what su_clone returned, never attached to a segment. */
	void	(*su_free)(void *data);
	/*
	 * The first len bytes of seg are unmapped: shift the private state
	 * (offsets, protections).  Called before s_base and s_size move.
	 */
	void	(*su_trim_head)(struct seg *seg, size_t len);
};

/*
 * Unmap [addr, addr + len) of seg, which the caller has checked it may
 * (pins, alignment): free the whole segment, trim its head or tail, or
 * split it so that [base, addr) stays and [addr + len, end) becomes a new
 * segment.  Everything that can fail happens before host pages are
 * unloaded, so a failure leaves seg and the host as they were.  Returns
 * 0 or an errno.
 */
int	segprot_unmap(struct seg *seg, caddr_t addr, size_t len,
	    const struct segprot_unmap_ops *ops);

#endif /* PORTHOLE_VM_SEG_PROT_H */
