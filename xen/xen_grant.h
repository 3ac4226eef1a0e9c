/*
 * xen_grant.h - map grant references another domain offers to dom0.
 *
 * A struct xen_grant is a grant-mapping handle (the kernel's gntdev
 * device, used directly: see xen_grant.c for why not libxengnttab) bound
 * to one granting domain.  Grants are placed at a fixed, page-aligned
 * address the caller owns (a PROT_NONE reservation inside an address
 * space's window), so a segment driver can put them where its segment is;
 * unmapping puts a PROT_NONE reservation back over the range, never
 * leaving a hole.  Any subrange of a call's pages can be unmapped later,
 * in any order.
 *
 * Errors: -1 with errno set and the struct xen_err filled (what failed,
 * on which domain and grant reference, and what to try).  Batch calls
 * report per reference in errs[]; xen_grant_explain() turns one of those
 * into the same kind of sentence.
 *
 * Threads: a handle holds no state besides its device descriptor, so
 * several threads may map and unmap through one handle at once (on
 * different pages).
 *
 * Non-goals: offering grants (granting our own pages to another domain),
 * grant copy as a data path, unmap notifications.  Pages mapped here are
 * not inherited by a child after fork() (gntdev marks them VM_DONTCOPY on
 * a PV dom0), so the child's copy of the range has holes there.
 * This header includes no Xen header.
 */
#ifndef PORTHOLE_XEN_GRANT_H
#define PORTHOLE_XEN_GRANT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "xen/xen_err.h"

/* Grant references name pages of this size (also the host page size). */
#define XEN_GRANT_PAGE_SIZE	4096u

struct xen_grant;

/*
 * Open a grant handle for references granted by domain domid.  ENOENT
 * when there is no grant device (gntdev module not loaded: try
 * `modprobe xen-gntdev`), EACCES when it may not be opened, EINVAL for a
 * reserved domain id (DOMID_FIRST_RESERVED and above), ENOTSUP when the
 * host page size is not XEN_GRANT_PAGE_SIZE.
 */
struct xen_grant *xen_grant_open(uint32_t domid, struct xen_err *err);

/*
 * The same through another device node (gntdev under a different path,
 * or a stand-in for tests on hosts without Xen).
 */
struct xen_grant *xen_grant_open_device(const char *path, uint32_t domid,
    struct xen_err *err);

/*
 * Close the handle.  Never touches the address space (the caller may
 * already have given the range away): pages still mapped stay mapped, and
 * their grants are released when those pages are unmapped or the process
 * exits.
 */
void xen_grant_close(struct xen_grant *gt);

/*
 * Map count grant references, refs[i] at addr + i * XEN_GRANT_PAGE_SIZE,
 * readable, and writable when prot has PROT_WRITE (the grant must then be
 * writable); prot may hold only PROT_READ and PROT_WRITE.  addr must be
 * page aligned and its range reserved by the caller.
 *
 * errs[i] becomes 0 or a positive errno for a reference that could not be
 * mapped (its page is left reserved, PROT_NONE):
 *	ENOENT	the domain offers no grant with that reference to us (never
 *		granted, revoked, or granted to another domain)
 *	ERANGE	the reference lies beyond the domain's grant table
 *	EACCES	the grant is read-only and PROT_WRITE was asked for
 *	EAGAIN	the granted page is paged out (the kernel already retried)
 *	ESRCH	the granting domain does not exist
 *	EIO	Xen refused for another reason (its log says why)
 * Returns the number of references that failed (err then describes the
 * first of them and says how many more failed), or -1 with errno when the
 * call as a whole failed (EINVAL arguments, ENOMEM out of memory or of
 * mapping slots, EBUSY another thread's mapping took a page of the range
 * while it was briefly unreserved; then nothing is mapped by this call and
 * the range is reserved, except that EBUSY leaves that page to whoever
 * took it).
 */
ssize_t xen_grant_map_at(struct xen_grant *gt, const uint32_t *refs,
    size_t count, void *addr, int prot, int *errs, struct xen_err *err);

/*
 * Unmap count pages at addr that xen_grant_map_at() mapped (any subrange
 * of one or several calls' ranges; pages whose reference failed may be
 * included) and put the PROT_NONE reservation back.  Never leaves a hole;
 * returns -1 only when the host refused to replace a page (it then still
 * maps its grant; err says which).
 */
int xen_grant_unmap_at(struct xen_grant *gt, void *addr, size_t count,
    struct xen_err *err);

/*
 * The sentence for errs[i] == errnum of a xen_grant_map_at() call on
 * reference ref through gt: what failed, on which domain and reference,
 * and what to try.  Sets err->xe_errno to errnum.
 */
void xen_grant_explain(const struct xen_grant *gt, uint32_t ref, int errnum,
    struct xen_err *err);

#endif /* PORTHOLE_XEN_GRANT_H */
