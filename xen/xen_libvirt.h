/*
 * xen_libvirt.h - look a domain up in libvirt, as a second source beside
 * xenstore.
 *
 * Where libvirt manages the Xen host, its domain names are the ones users
 * know.  This file asks libvirt, over a read-only connection, which domain a
 * name, id or UUID stands for and whether it runs.  It does not trust the
 * answer: xen_domain_resolve() cross-checks it against the hypervisor
 * (same domid alive, same UUID).  The connection URI is the caller's, else
 * $PORTHOLE_LIBVIRT_URI, else the local Xen driver (xen:///system).
 *
 * Built without libvirt (configure --without-libvirt, or libvirt-dev
 * missing), every lookup fails with ENOTSUP and says how to build it in.
 * Needs no Xen: the file can be tested against libvirt's test driver
 * (test:///default, or test:///ABSOLUTE/PATH.xml).
 *
 * Errors: -1 with errno set and the struct xen_err filled.
 *	ENOENT		libvirt knows no such domain
 *	ESRCH		libvirt knows it, but it is not running (shut off)
 *	ENOTUNIQ	spec is a domain id and also another domain's name
 *	ECONNREFUSED	the connection could not be opened (libvirt's reason
 *			is quoted)
 *	EIO		libvirt failed a query on an open connection
 *	ENOTSUP		porthole was built without libvirt
 *
 * Threads: lookups may run in several threads at once (each opens its own
 * connection).  The first lookup initialises libvirt and installs a silent
 * process-wide libvirt error handler (virSetErrorFunc), so that libvirt
 * prints nothing on stderr; its messages reach the caller through the
 * struct xen_err instead.
 *
 * Non-goals: changing anything through libvirt (the connection is
 * read-only), listing inactive domains, keeping a connection open across
 * lookups.  This header includes neither a Xen nor a libvirt header.
 */
#ifndef PORTHOLE_XEN_LIBVIRT_H
#define PORTHOLE_XEN_LIBVIRT_H

#include <stdbool.h>
#include <stdint.h>

#include "xen/xen_domain.h"
#include "xen/xen_err.h"

#define XEN_LIBVIRT_DEFAULT_URI	"xen:///system"
#define XEN_LIBVIRT_URI_ENV	"PORTHOLE_LIBVIRT_URI"
#define XEN_LIBVIRT_STATE_MAX	16

/*
 * What libvirt says about a running domain.
 *
 * lv_id	the domain id libvirt reports (the Xen domid for the Xen
 *		driver)
 * lv_name	its libvirt name
 * lv_uuid	8-4-4-4-12 lowercase hex
 * lv_state	"running", "blocked", "paused", "shutdown", "crashed",
 *		"pmsuspended" or "unknown" (libvirt's state of the domain)
 */
struct xen_libvirt_domain {
	uint32_t	lv_id;
	char		lv_name[XEN_DOMAIN_NAME_MAX];
	char		lv_uuid[XEN_DOMAIN_UUID_LEN + 1];
	char		lv_state[XEN_LIBVIRT_STATE_MAX];
};

/* True when porthole was built with libvirt. */
bool xen_libvirt_available(void);

/*
 * The URI a lookup with this uri argument connects to: uri itself when
 * not NULL, else $PORTHOLE_LIBVIRT_URI when set and not empty, else
 * XEN_LIBVIRT_DEFAULT_URI.  The result stays valid until the environment
 * changes.
 */
const char *xen_libvirt_uri(const char *uri);

/*
 * True when uri, or the environment, names a libvirt connection
 * explicitly (uri != NULL or $PORTHOLE_LIBVIRT_URI set): a caller then
 * treats a failing connection as an error rather than as "no libvirt
 * here".
 */
bool xen_libvirt_uri_explicit(const char *uri);

/*
 * Ask libvirt (read-only connection to xen_libvirt_uri(uri)) for the
 * running domain spec names: a decimal id (all digits), a UUID
 * (8-4-4-4-12 hex, any case) or a name.  An id that is also another
 * domain's name is refused (ENOTUNIQ).  On success *dom describes it.
 */
int xen_libvirt_lookup(const char *uri, const char *spec,
    struct xen_libvirt_domain *dom, struct xen_err *err);

#endif /* PORTHOLE_XEN_LIBVIRT_H */
