/*
 * seg_mf.h -- seg_mf, the machine-frame segment driver: frames of a live
 * Xen domain mapped into an address space's window.  Internal for now;
 * the public API arrives with the guest/ layer.
 *
 * A segment is bound to one domain once, at create, through a struct
 * xen_physmem (xen/xen_physmem.h; the segment holds a reference until it
 * is freed) or, in tests, through another frame source with the same
 * contract (struct segmf_source_ops).  dom0 is refused (EACCES) unless the
 * caller passes SEGMF_ALLOW_DOM0; DOMID_SELF and the other special domains
 * always are.
 *
 * Each page has an entry in a per-page map, as in illumos seg_mf:
 *	EMPTY	no frame assigned yet (segmf_add_gfns assigns one); a fault
 *		fails with FC_NOMAP (EFAULT)
 *	FRAME	a guest frame number (a pfn for PV guests, a gfn otherwise),
 *		mapped or not yet
 *	GREF	a grant reference the domain offers dom0 (segmf_add_grefs),
 *		mapped or not yet, through the segment's grant handle
 * Frames come from a range (page i shows first + i) or a list (page i
 * shows gfns[i]): a list is a virtual view, for instance the pages of one
 * guest process mapped contiguously as one flat buffer.
 *
 * Filling: by demand faults through as_fault (and as_read/as_write, which
 * fault with F_SOFTLOCK), a kluster at a time: the segment is cut into
 * klusters of `kluster` pages (1..SEGMF_KLUSTER_MAX) from its first page,
 * and a fault maps every not-yet-mapped frame of each kluster it touches
 * in one batch call (one privcmd MMAPBATCH_V2).  Or by prefault: every
 * frame at create (SEGMF_PREFAULT) or of a range later (segmf_prefault),
 * in batches of the same size, with the per-page errors returned up front
 * in the caller's array.  Mappings stay until the pages are unmapped, or
 * their protection or frame changes: nothing is evicted.
 *
 * Holes and bad frames are per page: a frame the source could not map
 * keeps its errno and a fault on it fails with FC_MAKE_ERR(errno) (ENXIO
 * for a hole, ENOENT paged out, EINVAL/EPERM/EFAULT as Xen says); with
 * SEGMF_HOLES_ZERO it reads as a read-only zero page instead (a write
 * still fails with the frame's errno).  A demand fault does not retry a
 * frame that failed; segmf_prefault does.  A domain that dies while
 * mapped: pages mapped stay valid memory until unmapped; later faults
 * fail with ESRCH (never zeros).
 *
 * Protections: read-only unless write is asked for (prot and the ceiling
 * maxprot are PROT_READ or PROT_READ | PROT_WRITE; prot may be PROT_NONE).
 * setprot stays within maxprot.  A page whose protection changes is
 * unmapped and faulted in again with the new one: foreign frames are
 * never mprotect()ed (in a PV dom0 Xen refuses to revalidate a foreign
 * PTE that dom0 changes in its own name).
 *
 * Units: Linux's privcmd refuses to split a mapping, so the frames one
 * batch call mapped side by side stay together: a partial unmap, setprot
 * or segmf_add_* that cuts through such a unit unmaps all of it (its
 * other pages fault in again when next touched; incore shows it).
 *
 * Pins: F_SOFTLOCK pins each page of its range (F_SOFTUNLOCK drops one
 * pin); a pinned page is never unmapped, remapped to another frame or
 * reloaded: as_unmap, setprot and segmf_add_* refuse with EBUSY when a
 * page they would unload -- in their range, or in a unit it cuts -- is
 * pinned.
 *
 * Grants: segmf_add_grefs maps references of the segment's domain at
 * its pages through a grant source (the gntdev one over xen/xen_grant.h
 * for a segment over a struct xen_physmem; struct segmf_grant_ops for
 * others), whose handle the segment opens on first use and keeps, shared
 * with the pieces a split makes, until the last of them is freed.  A
 * GREF page behaves as a FRAME page in every op, with these differences:
 * its protection is set by segmf_add_grefs (read-only unless
 * SEGMF_GREF_WRITE); each grant page stands alone (gntdev unmaps any
 * subrange, so a cut never widens to its neighbours); a grant that
 * failed for one protection is tried again after setprot changes it;
 * segmf_explain gives the grant source's sentence for a failed one; a
 * segment holding a GREF page cannot be duplicated (as_dup: ENOTSUP;
 * gntdev mappings are not inherited across fork either).
 *
 * incore: 1 for a page mapped to its frame or grant now; 0 for a page
 * not mapped yet, a failed frame or grant, or a zero page standing in.
 *
 * Calls return -1 with errno, except segmf_create, which as a create
 * function returns 0 or a positive errno for as_map.  The calls that take
 * an address space take its lock themselves (as reader; segmf_add_grefs,
 * which changes protections, as writer); addr must lie in one seg_mf
 * segment (EINVAL otherwise).
 *
 * Non-goals: evicting mappings (the window is the cache: unmap what you
 * no longer need), pagelock (pin with F_SOFTLOCK), executable mappings.
 * This header includes no Xen header.
 */
#ifndef PORTHOLE_SEG_MF_H
#define PORTHOLE_SEG_MF_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <porthole/as.h>

struct xen_err;		/* xen/xen_err.h (no Xen header) */
struct xen_physmem;

#define	SEGMF_KLUSTER_MAX	1024	/* frames per batch call, at most */

/* segmf_crargs.flags */
#define	SEGMF_PREFAULT		0x1	/* map every frame at create */
#define	SEGMF_HOLES_ZERO	0x2	/* failed frames read as zeros */
#define	SEGMF_ALLOW_DOM0	0x4	/* dom0's frames may be mapped */

/* What the pages show at create. */
enum segmf_frames {
	SEGMF_FRAMES_EMPTY,	/* nothing yet: segmf_add_gfns */
	SEGMF_FRAMES_RANGE,	/* page i: first_gfn + i */
	SEGMF_FRAMES_LIST	/* page i: gfns[i] */
};

/*
 * A frame source: where a segment's frames come from.  segmf_create uses
 * the one over a struct xen_physmem when crargs.pm is set; tests supply
 * their own.
 *
 * fs_map	map count frames, gfns[i] at addr + i pages, with prot
 *		(PROT_READ, or PROT_READ | PROT_WRITE), replacing what the
 *		range held.  errs[i] gets 0 or a positive errno (ENXIO: no
 *		frame; ESRCH: the domain is dying or gone).  A page that
 *		failed is left a PROT_NONE reservation.  Returns the number
 *		that failed, or -1 with errno when the call failed as a whole
 *		(every page of the range is then a PROT_NONE reservation).
 * fs_domid	the domain the frames belong to
 * fs_hold, fs_rele	references: a segment holds one while it lives
 * fs_describe	one line, e.g. "xen domain 5 (pv)"
 */
struct segmf_source_ops {
	const char	*fs_name;
	ssize_t		(*fs_map)(void *src, const uint64_t *gfns,
			    size_t count, void *addr, unsigned prot,
			    int *errs);
	uint32_t	(*fs_domid)(void *src);
	void		(*fs_hold)(void *src);
	void		(*fs_rele)(void *src);
	void		(*fs_describe)(void *src, char *buf, size_t len);
};

/* The frame source over a struct xen_physmem (built with Xen only). */
extern const struct segmf_source_ops segmf_xen_source;

/*
 * A grant source: how a segment maps the grant references its domain
 * offers.  segmf_create uses the one over xen/xen_grant.h (gntdev) when
 * crargs.pm is set; tests supply their own.
 *
 * gs_open	a handle for the grants domain domid offers; NULL with errno
 *		and err (may be NULL) filled: what failed, what to try
 * gs_map	map count references, refs[i] at addr + i pages, readable,
 *		and writable when prot has PROT_WRITE, over the range's
 *		PROT_NONE reservation.  errs[i] gets 0 or a positive errno
 *		(EACCES: the grant is read-only and PROT_WRITE was asked;
 *		ENOENT: not offered to us; ERANGE: beyond the grant table;
 *		ESRCH: no such domain; EAGAIN: paged out; EIO: other); a
 *		page that failed is left reserved.  Returns the number that
 *		failed, or -1 with errno when the call failed as a whole
 *		(every page of the range is then reserved again).
 * gs_unmap	unmap count pages at addr that gs_map mapped (any subrange
 *		of one or several calls; failed pages may be included) and
 *		put the reservation back; 0, or -1 with errno when the host
 *		refused to replace a page
 * gs_explain	into err, the sentence for errs[i] == errnum of a gs_map of
 *		reference ref: what failed, on which domain and reference,
 *		what to try
 * gs_close	close the handle; pages still mapped stay mapped
 */
struct segmf_grant_ops {
	const char	*gs_name;
	void		*(*gs_open)(uint32_t domid, struct xen_err *err);
	ssize_t		(*gs_map)(void *gh, const uint32_t *refs,
			    size_t count, void *addr, unsigned prot,
			    int *errs);
	int		(*gs_unmap)(void *gh, void *addr, size_t count);
	void		(*gs_explain)(void *gh, uint32_t ref, int errnum,
			    struct xen_err *err);
	void		(*gs_close)(void *gh);
};

/* The grant source over xen/xen_grant.h (built with Xen only). */
extern const struct segmf_grant_ops segmf_xen_grants;

/*
 * segmf_create arguments.  Exactly one of pm and src_ops.
 *
 * kluster	frames per batch call, 1..SEGMF_KLUSTER_MAX
 * prot		PROT_NONE, PROT_READ or PROT_READ | PROT_WRITE
 * maxprot	the ceiling for setprot: PROT_READ or PROT_READ |
 *		PROT_WRITE; 0 means prot
 * errs		with SEGMF_PREFAULT: one result per page (see
 *		segmf_prefault); may be NULL
 * grant_ops	where segmf_add_grefs maps grants from.  NULL: through
 *		gntdev (segmf_xen_grants) with pm; with src_ops, nowhere
 *		(segmf_add_grefs then fails with ENOTSUP)
 */
struct segmf_crargs {
	struct xen_physmem		*pm;
	const struct segmf_source_ops	*src_ops;
	void				*src;
	const struct segmf_grant_ops	*grant_ops;
	enum segmf_frames		frames;
	uint64_t			first_gfn;	/* RANGE */
	const uint64_t			*gfns;		/* LIST: one per page */
	size_t				kluster;
	unsigned			prot;
	unsigned			maxprot;
	int				flags;		/* SEGMF_* */
	int				*errs;
};

/*
 * Counters of one segment (a split's new segment starts at zero).
 *
 * ms_pages	pages in the segment
 * ms_resident	pages mapped to their frame or grant now
 * ms_zero	pages where a zero page stands in for a failed frame or
 *		grant
 * ms_failed	pages whose frame or grant failed (with or without a zero
 *		page)
 * ms_pinned	pages with at least one F_SOFTLOCK pin
 * ms_fills	batch calls to the frame source (demand and prefault)
 * ms_frames	frames those calls mapped
 * ms_errors	frames those calls failed
 * ms_kluster	frames (or grants) per batch call
 * Grants, counted apart (GREF pages are in the page counts above too):
 * ms_grefs	GREF pages
 * ms_gref_resident	GREF pages mapped to their grant now
 * ms_gref_failed	GREF pages whose grant failed
 * ms_gref_maps	batch calls to the grant source
 * ms_gref_mapped	references those calls mapped
 * ms_gref_errors	references those calls failed
 */
struct segmf_stats {
	size_t		ms_pages;
	size_t		ms_resident;
	size_t		ms_zero;
	size_t		ms_failed;
	size_t		ms_pinned;
	uint64_t	ms_fills;
	uint64_t	ms_frames;
	uint64_t	ms_errors;
	size_t		ms_kluster;
	size_t		ms_grefs;
	size_t		ms_gref_resident;
	size_t		ms_gref_failed;
	uint64_t	ms_gref_maps;
	uint64_t	ms_gref_mapped;
	uint64_t	ms_gref_errors;
};

/*
 * Create function for as_map.  Errors: EINVAL (no or two sources, kluster
 * outside 1..SEGMF_KLUSTER_MAX, bad prot, maxprot, flags or frames, a
 * range of gfns that wraps), EACCES (dom0 without SEGMF_ALLOW_DOM0, or a
 * special domain), ENOTSUP (host pages are not 4 KiB; a xen_physmem in a
 * build without Xen), ENOMEM, and with SEGMF_PREFAULT the error of a batch
 * call that failed as a whole (then nothing is left behind).
 */
int	segmf_create(struct seg *seg, void *create_args);

/*
 * Map every frame of [addr, addr + len) that is not mapped yet, has
 * failed before, or has a zero page standing in for it (unless pinned),
 * in batches of the segment's kluster.  errs (may be NULL) gets one
 * result per page: 0 mapped, the frame's errno (even when a zero page
 * stands in), EFAULT for an EMPTY page, EACCES for a PROT_NONE page.
 * Returns how many pages have a non-zero result, or -1 with errno:
 * EINVAL (alignment, not one seg_mf segment), or the error of a batch
 * call that failed as a whole (pages mapped before it stay mapped).
 */
ssize_t	segmf_prefault(struct as *as, void *addr, size_t len, int *errs);

/*
 * Assign frames to count pages from addr: gfns[i] (segmf_add_gfns) or
 * first + i (segmf_add_gfn_range).  What the pages showed before is
 * unmapped.  With errs, the pages are prefaulted and errs filled as by
 * segmf_prefault, and the number of failed pages returned; without, they
 * fill on demand and 0 is returned.  -1 with errno: EINVAL, EBUSY (a page
 * is pinned), or as segmf_prefault.
 */
ssize_t	segmf_add_gfns(struct as *as, void *addr, const uint64_t *gfns,
	    size_t count, int *errs);
ssize_t	segmf_add_gfn_range(struct as *as, void *addr, uint64_t first,
	    size_t count, int *errs);

/* segmf_add_grefs flags */
#define	SEGMF_GREF_WRITE	0x1	/* map the grants writable */

/*
 * Map count grant references of the segment's domain, refs[i] at page
 * addr + i pages, through the segment's grant handle (opened on the
 * first call).  The pages' protection becomes PROT_READ, or PROT_READ |
 * PROT_WRITE with SEGMF_GREF_WRITE; what they showed before (frames,
 * grants, zero pages) is unmapped first.
 *
 * errs (may be NULL) gets one result per page: 0 mapped, or the
 * reference's errno (gs_map in struct segmf_grant_ops: EACCES for a
 * grant the guest offered read-only, asked for writing).  A page that
 * failed keeps its errno: a fault on it fails with it (or, with
 * SEGMF_HOLES_ZERO, reads zeros unless the domain is gone), and
 * segmf_prefault tries it again.  err (may be NULL) gets the sentence
 * for the first reference that failed (the grant source's, e.g.
 * xen_grant_explain's) and how many more failed, or why the call failed;
 * it is cleared when everything mapped.
 *
 * Returns the number of references that failed, or -1 with errno:
 * EINVAL (no refs, count 0, unknown flags, not within one seg_mf
 * segment), EACCES (SEGMF_GREF_WRITE and the segment's maxprot has no
 * PROT_WRITE), ENOTSUP (the segment has no grant source), EBUSY (a page,
 * or a unit of frames the range cuts, is pinned), the error of opening
 * the grant handle (ENOENT: no gntdev in dom0), ENOMEM, or the error of
 * a map call that failed as a whole (the pages are then GREF pages not
 * mapped yet: a fault tries them again).
 */
ssize_t	segmf_add_grefs(struct as *as, void *addr, const uint32_t *refs,
	    size_t count, int flags, int *errs, struct xen_err *err);

/*
 * Why the page at addr of a seg_mf segment does not show its frame or
 * grant, in one sentence into err (may be NULL): for a grant, the grant
 * source's (xen_grant_explain's); for a frame, what the frame source
 * said of it.  Returns the page's errno (EFAULT for an EMPTY page,
 * EACCES for a PROT_NONE one, the frame's or grant's errno for one that
 * failed, even when a zero page stands in), 0 when the page is mapped or
 * not tried yet (err cleared), or -1 with EINVAL when addr is not in a
 * seg_mf segment.
 */
int	segmf_explain(struct as *as, const void *addr, struct xen_err *err);

/* The counters of the seg_mf segment holding addr; -1/EINVAL if none. */
int	segmf_stats(struct as *as, const void *addr, struct segmf_stats *st);

#endif /* PORTHOLE_SEG_MF_H */
