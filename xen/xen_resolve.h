/*
 * xen_resolve.h - the rules that turn a user's NAME|ID|UUID into exactly
 * one domain, private to xen/.
 *
 * xen_domain.c gathers what xenstore, the hypervisor and libvirt say; the
 * functions here decide, from those facts alone, which domain is meant or
 * why none can be: an unknown spec, an ambiguous one, a stale one (a dying
 * domain, a xenstore entry left behind by a destroyed domain, a reused
 * domid, libvirt and Xen disagreeing).  They call nothing outside this
 * file, so the unit tests can drive every rule without Xen.
 *
 * Each returns 0, or -1 with errno set and the struct xen_err filled with
 * the sentence the user sees.  This header includes no Xen header.
 */
#ifndef PORTHOLE_XEN_RESOLVE_H
#define PORTHOLE_XEN_RESOLVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "xen/xen_domain.h"
#include "xen/xen_err.h"
#include "xen/xen_libvirt.h"

enum xen__spec_kind {
	XEN__SPEC_ID = 1,	/* all digits: a domain id */
	XEN__SPEC_UUID,		/* 8-4-4-4-12 hex digits */
	XEN__SPEC_NAME		/* anything else */
};

/*
 * Classify spec.  For an id, *idp receives it (ERANGE when it does not
 * fit below XEN_DOMID_INVALID); for a UUID, uuid (when not NULL) receives
 * it in lowercase.  EINVAL for NULL or "".
 */
int xen__spec_parse(const char *spec, enum xen__spec_kind *kindp,
    uint32_t *idp, char uuid[XEN_DOMAIN_UUID_LEN + 1], struct xen_err *err);

/*
 * A domain a spec may stand for, as the hypervisor sees the domid that
 * xenstore (or a UUID scan) offered:
 *	LIVE	exists and is not being destroyed
 *	DYING	exists and is being destroyed
 *	GONE	xenstore names it, the hypervisor has no such domid (an
 *		entry a crashed toolstack left behind)
 *	REUSED	xenstore's entry belongs to another UUID than the domain now
 *		carrying the domid
 */
enum xen__cand_state {
	XEN__CAND_LIVE = 1,
	XEN__CAND_DYING,
	XEN__CAND_GONE,
	XEN__CAND_REUSED
};

struct xen__cand {
	uint32_t		c_domid;
	enum xen__cand_state	c_state;
};

/*
 * Pick the one domain spec (of the given kind) names among the n
 * candidates found for it.  Exactly one LIVE candidate wins, whatever GONE
 * or REUSED entries carry the same name (they name no domain that
 * exists).  Several LIVE ones, or LIVE beside DYING ones, are ambiguous
 * (ENOTUNIQ).  DYING alone fails with ESRCH unless flags hold
 * XEN_RESOLVE_ALLOW_DYING and there is one.  Only GONE or REUSED entries:
 * ESTALE.  None: ENOENT.
 */
int xen__cand_pick(const char *spec, enum xen__spec_kind kind,
    const struct xen__cand *c, size_t n, unsigned int flags, uint32_t *domidp,
    struct xen_err *err);

/* What the hypervisor says of the domid libvirt gave. */
struct xen__hv_view {
	bool	hv_exists;
	bool	hv_dying;
	char	hv_uuid[XEN_DOMAIN_UUID_LEN + 1];
};

/*
 * Combine the Xen side's answer (xen_rc, xen_domid, xen_err: the result of
 * resolving through xenstore and the hypervisor) with libvirt's (lv_rc,
 * lv, lv_err: xen_libvirt_lookup() at uri) and with the hypervisor's view
 * of the domid libvirt named (hv, used when lv_rc == 0).
 *
 * libvirt not knowing the domain, or not built in, leaves the Xen answer
 * as it is.  A libvirt connection that fails is an error only when the
 * URI was given explicitly (explicit_uri); otherwise the Xen answer
 * stands.  A libvirt answer must name a domid the hypervisor has, alive,
 * with libvirt's UUID, and the same domid xenstore gave (ESTALE
 * otherwise); a domain libvirt has shut off while Xen runs one under that
 * name is ESTALE too.  A more specific Xen error (ambiguous, stale, dying)
 * is never overruled by libvirt.
 */
int xen__merge_libvirt(const char *spec, const char *uri, bool explicit_uri,
    int xen_rc, uint32_t xen_domid, const struct xen_err *xen_err,
    int lv_rc, const struct xen_libvirt_domain *lv,
    const struct xen_err *lv_err, const struct xen__hv_view *hv,
    unsigned int flags, uint32_t *domidp, struct xen_err *err);

#endif /* PORTHOLE_XEN_RESOLVE_H */
