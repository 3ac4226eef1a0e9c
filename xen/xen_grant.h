/*
 * xen_grant.h - map grant references another domain offers to dom0.
 *
 * A struct xen_grant is a grant-mapping handle (the kernel's gntdev
 * device, as libxengnttab uses it) bound to one granting domain.  Grants
 * are placed at a fixed, page-aligned address the caller owns (a
 * PROT_NONE reservation inside an address space's window), so a segment
 * driver can put them where its segment is; unmapping puts a PROT_NONE
 * reservation back over the range, never leaving a hole.
 *
 * Errors: -1 with errno set and the struct xen_err filled (what failed,
 * on which domain and grant reference, and what to try).  Batch calls
 * report per reference in errs[].
 *
 * Non-goals: offering grants (granting our own pages to another domain),
 * grant copy.  This header includes no Xen header.
 */
#ifndef PORTHOLE_XEN_GRANT_H
#define PORTHOLE_XEN_GRANT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "xen/xen_err.h"

struct xen_grant;

/*
 * Open a grant handle for references granted by domain domid.  ENOENT
 * when there is no grant device (gntdev module not loaded: try
 * `modprobe xen-gntdev`), EACCES when it may not be opened.
 */
struct xen_grant *xen_grant_open(uint32_t domid, struct xen_err *err);
void xen_grant_close(struct xen_grant *gt);

/*
 * Map count grant references, refs[i] at addr + i * 4096, readable, and
 * writable when prot has PROT_WRITE (the grant must then be writable).
 * addr must be page aligned and its range reserved by the caller.  errs[i]
 * becomes 0 or a positive errno for a reference that could not be mapped
 * (its page is left reserved, PROT_NONE).  Returns the number of
 * references that failed, or -1 with errno when the call as a whole
 * failed (then nothing is mapped and the range is reserved).
 */
ssize_t xen_grant_map_at(struct xen_grant *gt, const uint32_t *refs,
    size_t count, void *addr, int prot, int *errs, struct xen_err *err);

/*
 * Unmap count pages at addr that xen_grant_map_at() mapped (any subrange
 * of one call's range) and put the PROT_NONE reservation back.  Never
 * leaves a hole; returns -1 only when the grants could not be released
 * (the reservation is back either way).
 */
int xen_grant_unmap_at(struct xen_grant *gt, void *addr, size_t count,
    struct xen_err *err);

#endif /* PORTHOLE_XEN_GRANT_H */
