/*
 * xen_physmem.h - map and read a live Xen domain's memory by guest frame
 * number.
 *
 * A struct xen_physmem binds one domain.  It owns a libxenforeignmemory
 * handle restricted to that domain (xenforeignmemory_restrict), so even a
 * bug elsewhere in the process cannot map another domain through it, and
 * its own connection to the hypervisor, so it needs nothing of the caller
 * once open.  It is reference counted: a segment or provider that maps
 * through it takes a reference (xen_physmem_hold), and xen_physmem_close
 * drops one; the last drop releases it.
 *
 * Two ways in, sharing one mapping core:
 *	map	place a batch of frames at a fixed, page-aligned address inside
 *		a PROT_NONE reservation the caller owns (the seg_mf driver and
 *		the live physical-memory provider do), with per-frame errors
 *		(privcmd MMAPBATCH_V2 semantics); the caller keeps the mapping
 *		and unmaps it by putting its reservation back over it (an
 *		mmap(PROT_NONE, MAP_FIXED) such as hat_unload: a foreign
 *		mapping needs nothing else), a whole run at a time (see
 *		xen_physmem_map_at);
 *	read	copy frames into a buffer: they are mapped in batches into a
 *		reservation of the binding's own, copied and unmapped at once,
 *		so the caller never holds a foreign mapping.
 * Batches are up to XEN_PHYSMEM_BATCH frames per privcmd call.  Paged-out
 * frames (ENOENT) are retried with bounded backoff.
 *
 * Frame numbers are guest pfns.  For PV domains they are translated to
 * machine frames through the guest's p2m table, read at open (a guest that
 * balloons or migrates afterwards needs a new binding); PVH and HVM frames
 * are passed to Xen as gfns.
 * Pages are 4 KiB (XEN_PAGE_SIZE).
 *
 * A domain that dies while bound: mappings already made stay valid memory
 * until the caller unmaps them (Xen keeps the frames while they are
 * mapped); later maps and reads fail per frame with ESRCH, without a
 * crash.  Once seen dead, a binding stays dead (domids are not reused
 * while it lives, and a new domain under the same id is not this one).
 *
 * Threads: every call may be made from several threads; they serialise on
 * one lock per binding.
 *
 * Errors: -1 with errno set and the struct xen_err filled.  Batch calls
 * report per frame (errs[]) and return how many failed; the first failure
 * is described in the struct xen_err.
 *
 * Non-goals: grant references (xen_grant.h), auto-translated (PVH) dom0:
 * there privcmd keeps per-mapping state that partial unmaps of a batch do
 * not keep consistent; porthole runs in a PV dom0.  This header includes
 * no Xen header.
 */
#ifndef PORTHOLE_XEN_PHYSMEM_H
#define PORTHOLE_XEN_PHYSMEM_H

#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "xen/xen_domain.h"
#include "xen/xen_err.h"

#define XEN_PAGE_SHIFT		12
#define XEN_PAGE_SIZE		(1u << XEN_PAGE_SHIFT)
#define XEN_PHYSMEM_BATCH	1024

/* xen_physmem_open_flags flags. */
#define XEN_PHYSMEM_ALLOW_DOM0	0x1	/* dom0 may be bound (never DOMID_SELF) */

struct xen_physmem;

/*
 * What a binding has done since open (for benchmarks and tests).
 *
 * ps_calls	privcmd map calls (one per batch, more for p2m holes inside
 *		a batch and for retries)
 * ps_frames	frames mapped
 * ps_errors	frames that failed after retries
 * ps_retries	retry rounds for paged-out frames
 * ps_probed	frames probed by xen_physmem_present (PVH/HVM)
 */
struct xen_physmem_stats {
	uint64_t	ps_calls;
	uint64_t	ps_frames;
	uint64_t	ps_errors;
	uint64_t	ps_retries;
	uint64_t	ps_probed;
};

/*
 * Bind domain domid.  Refuses dom0 (EINVAL) unless flags has
 * XEN_PHYSMEM_ALLOW_DOM0, and DOMID_SELF and the other special domains
 * always (EINVAL).  Fails with EACCES when privcmd may not be opened,
 * ENOENT when the domain does not exist, and for a PV domain whose kernel
 * has not run yet (created paused) with the error of reading its p2m: a
 * PV guest publishes its p2m table itself.  xh is used during the call
 * only.
 */
struct xen_physmem *xen_physmem_open(struct xen_handle *xh, uint32_t domid,
    struct xen_err *err);
struct xen_physmem *xen_physmem_open_flags(struct xen_handle *xh,
    uint32_t domid, int flags, struct xen_err *err);
/* Take another reference. */
void xen_physmem_hold(struct xen_physmem *pm);
/* Drop a reference (the opener's, or one taken by xen_physmem_hold). */
void xen_physmem_close(struct xen_physmem *pm);

uint32_t xen_physmem_domid(const struct xen_physmem *pm);
/* The bound domain's type, as found at open. */
enum xen_domain_type xen_physmem_type(const struct xen_physmem *pm);

/*
 * One past the highest pfn that may hold memory: the p2m size for PV, the
 * highest gpfn + 1 for PVH/HVM (which also covers holes).
 */
uint64_t xen_physmem_pfn_limit(const struct xen_physmem *pm);

void xen_physmem_stats(struct xen_physmem *pm, struct xen_physmem_stats *st);

/*
 * A PV guest's page tables hold machine frames: the p2m read at open
 * (whether there is one: a PV domain), and the machine frame behind pfn
 * (false when the p2m names none).  For PVH/HVM there is no p2m here.
 */
bool xen_physmem_has_p2m(const struct xen_physmem *pm);
bool xen_physmem_pfn_to_mfn(const struct xen_physmem *pm, uint64_t pfn,
    uint64_t *mfnp);

/*
 * Map count frames, pfns[i] at addr + i * XEN_PAGE_SIZE, with prot
 * (PROT_READ, or PROT_READ | PROT_WRITE).  addr is page aligned and the
 * range a PROT_NONE reservation the caller owns.  errs[i] becomes 0, or a
 * positive errno for a frame that could not be mapped:
 *	ENXIO	no frame behind this pfn (hole, beyond the p2m, invalid or
 *		foreign p2m entry; for PVH/HVM: Xen has no page at the gfn)
 *	ENOENT	paged out, and still paged out after bounded retries
 *	ESRCH	the domain is dying or gone
 *	other	as reported by Xen for that frame (EFAULT, EINVAL, EPERM)
 * A page that failed is left a PROT_NONE reservation, never a page that
 * would raise SIGBUS.  Returns the number of frames that failed (0 = all
 * mapped), or -1 with errno when the call as a whole failed: then every
 * page of the range is a PROT_NONE reservation again and errs[] is
 * undefined.
 *
 * Unmapping: Linux's privcmd refuses to split a mapping, so the frames
 * mapped side by side by one call -- each maximal run of consecutive
 * pages with errs 0 -- must be unmapped together (a munmap or MAP_FIXED
 * mmap over part of such a run fails with ENOMEM).  Several whole runs
 * may go at once.
 *
 * If the reservation cannot be put back over a failed page (the host is
 * out of memory for mappings, vm.max_map_count), the process aborts: the
 * caller's window would otherwise have a hole or a SIGBUS trap.
 */
ssize_t xen_physmem_map_at(struct xen_physmem *pm, const uint64_t *pfns,
    size_t count, void *addr, int prot, int *errs, struct xen_err *err);
/* The same for the frames first, first + 1, ..., first + count - 1. */
ssize_t xen_physmem_map_range_at(struct xen_physmem *pm, uint64_t first,
    size_t count, void *addr, int prot, int *errs, struct xen_err *err);

/*
 * Whether pfn has a frame behind it: 1 yes, 0 no (a hole, or beyond the
 * limit), -1 with errno when the question could not be asked.  *runp (may
 * be NULL) receives a pfn after pfn up to which the answer holds: every
 * pfn in [pfn, *runp) answers the same, and *runp may too.
 *
 * PV: from the p2m table (an entry that names no frame of the guest is a
 * hole).  PVH/HVM: Xen offers dom0 no memory map of a guest (the e820 the
 * toolstack set is the guest's own business), so frames are probed by
 * mapping them, XEN_PHYSMEM_BATCH at a time into the binding's own
 * reservation: present means Xen mapped the gfn.  Probe results are kept;
 * an answer looks ahead at most XEN_PHYSMEM_PROBE_AHEAD frames.
 */
#define XEN_PHYSMEM_PROBE_AHEAD	((uint64_t)XEN_PHYSMEM_BATCH * 64)
int xen_physmem_present(struct xen_physmem *pm, uint64_t pfn, uint64_t *runp,
    struct xen_err *err);

/*
 * Read count pages, pfns[i] into buf + i * XEN_PAGE_SIZE.  errs[i] as for
 * xen_physmem_map_at; the bytes of a page that failed are zero.  Returns
 * the number of pages that failed (0 = all read), or -1 with errno when
 * the call as a whole failed (then errs[] and buf are undefined).
 */
ssize_t xen_physmem_read_pages(struct xen_physmem *pm, const uint64_t *pfns,
    size_t count, void *buf, int *errs, struct xen_err *err);

#endif /* PORTHOLE_XEN_PHYSMEM_H */
