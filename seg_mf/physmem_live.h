/*
 * physmem_live.h -- the live physical-memory provider: a running Xen
 * domain's memory behind the vm/physmem.h ops, so that seg_kpm and
 * seg_map (and physwin over them) read a live guest exactly as they read
 * a raw image.
 *
 * It lives in seg_mf/ because it bridges vm/ and xen/ (vm/ includes no
 * Xen header and knows providers only by their ops).  Frames are guest
 * pfns; the physical address space is xen_physmem_pfn_limit() frames.
 *	map	xen_physmem_map_range_at at the window's pages (one privcmd
 *		batch per kluster or slot); a frame with nothing behind it is
 *		ENXIO (a hole: zeros where the segment asks for them), a dead
 *		domain ESRCH (never zeros)
 *	unmap	the reservation put back (hat_unload_nofail)
 *	present	xen_physmem_present: the p2m for PV; for PVH/HVM, which Xen
 *		gives dom0 no memory map of, what mapping the frames found
 *		(probed a batch at a time and remembered)
 *
 * Non-goals: write-back caching (writes go straight to the guest where a
 * segment asks for PROT_WRITE), following a guest that balloons (bind it
 * again and make a new window).
 */
#ifndef PORTHOLE_SEG_MF_PHYSMEM_LIVE_H
#define PORTHOLE_SEG_MF_PHYSMEM_LIVE_H

#include <porthole/physmem.h>

struct xen_physmem;

/*
 * A provider over xp, which it holds (xen_physmem_hold) until the last
 * reference to the provider is dropped.  NULL with errno: EINVAL, ENOMEM.
 */
struct physmem	*physmem_live_open(struct xen_physmem *xp);

#endif /* PORTHOLE_SEG_MF_PHYSMEM_LIVE_H */
