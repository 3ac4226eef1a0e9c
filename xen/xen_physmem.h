/*
 * xen_physmem.h - read a live Xen domain's memory by guest frame number.
 *
 * A struct xen_physmem binds one domain.  It owns a libxenforeignmemory
 * handle restricted to that domain (xenforeignmemory_restrict), so even a
 * bug elsewhere in the process cannot map another domain through it.
 * Reads map frames in batches (up to XEN_PHYSMEM_BATCH per privcmd call),
 * copy them into the caller's buffer and unmap them at once: the caller
 * never holds a foreign mapping (see the seg_mf driver for that).
 *
 * Frame numbers are guest pfns.  For PV domains they are translated to
 * machine frames through the guest's p2m table, read once at open (and
 * again by xen_physmem_refresh()); PVH and HVM frames are passed to Xen as
 * gfns.  Pages are 4 KiB (XEN_PAGE_SIZE).
 *
 * Errors: -1 with errno set and the struct xen_err filled.  Batch reads
 * report per page (errs[]) and return how many pages failed; the first
 * failure is described in the struct xen_err.
 *
 * Non-goals: writing guest memory, grant references, keeping mappings.
 * This header includes no Xen header.
 */
#ifndef PORTHOLE_XEN_PHYSMEM_H
#define PORTHOLE_XEN_PHYSMEM_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "xen/xen_domain.h"
#include "xen/xen_err.h"

#define XEN_PAGE_SHIFT		12
#define XEN_PAGE_SIZE		(1u << XEN_PAGE_SHIFT)
#define XEN_PHYSMEM_BATCH	1024

struct xen_physmem;

/*
 * Bind domain domid for reading.  Refuses dom0 (EINVAL).  Fails with
 * EACCES when privcmd may not be opened, ENOENT when the domain does not
 * exist.  xh must stay open until xen_physmem_close().
 */
struct xen_physmem *xen_physmem_open(struct xen_handle *xh, uint32_t domid,
    struct xen_err *err);
void xen_physmem_close(struct xen_physmem *pm);

/* The bound domain's type, as found at open. */
enum xen_domain_type xen_physmem_type(const struct xen_physmem *pm);

/*
 * One past the highest pfn that may hold memory: the p2m size for PV, the
 * highest gpfn + 1 for PVH/HVM (which also covers holes).
 */
uint64_t xen_physmem_pfn_limit(const struct xen_physmem *pm);

/*
 * Re-read the PV p2m table (after the guest ballooned or was migrated).
 * A no-op for PVH and HVM domains.
 */
int xen_physmem_refresh(struct xen_physmem *pm, struct xen_err *err);

/*
 * Read count pages, pfns[i] into buf + i * XEN_PAGE_SIZE.  errs[i] becomes
 * 0, or a positive errno for a page that could not be read (its bytes in
 * buf are zero):
 *	ENXIO	no frame behind this pfn (hole, beyond the p2m, invalid or
 *		foreign p2m entry)
 *	ENOENT	paged out, and still paged out after bounded retries
 *	other	as reported by Xen for that frame (EFAULT, EINVAL, EPERM)
 * Returns the number of pages that failed (0 = all read), or -1 with errno
 * when the call as a whole failed (then errs[] and buf are undefined).
 */
ssize_t xen_physmem_read_pages(struct xen_physmem *pm, const uint64_t *pfns,
    size_t count, void *buf, int *errs, struct xen_err *err);

/*
 * Read len bytes at guest physical address gpa.  All or nothing: returns 0,
 * or -1 with errno of the first page that failed (described in err).
 */
int xen_physmem_read(struct xen_physmem *pm, uint64_t gpa, void *buf,
    size_t len, struct xen_err *err);

#endif /* PORTHOLE_XEN_PHYSMEM_H */
