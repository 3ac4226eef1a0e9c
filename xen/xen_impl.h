/*
 * xen_impl.h - private layout shared by the files of xen/.
 *
 * Includes the Xen headers; never include it outside xen/ (and seg_mf/).
 */
#ifndef PORTHOLE_XEN_IMPL_H
#define PORTHOLE_XEN_IMPL_H

#include <xenctrl.h>
#include <xenstore.h>
#include <xentoollog.h>

#include "xen/xen_domain.h"

/*
 * A logger for the Xen libraries that prints nothing and keeps the last
 * message, so that our own error reports can quote it.  xl_vtable must stay
 * the first member: the libraries only know the vtable.
 */
struct xen__logger {
	xentoollog_logger	xl_vtable;
	char			xl_last[256];
};

/*
 * A connection to the hypervisor and to xenstore.
 *
 * xh_xc	libxenctrl handle (privcmd); never NULL once open
 * xh_xs	xenstore connection; NULL when xenstore is unreachable (domain
 *		names and UUID lookups through xenstore then fail, ids work)
 * xh_xs_errno	why xh_xs is NULL
 */
struct xen_handle {
	xc_interface		*xh_xc;
	struct xs_handle	*xh_xs;
	int			xh_xs_errno;
	struct xen__logger	xh_log;
};

void xen__logger_init(struct xen__logger *log);

/* " (libxenctrl: <last message>)" or "" when the library said nothing. */
const char *xen__logger_tail(struct xen__logger *log, char *buf, size_t len);

/* A hint for errno values from opening or using privcmd. */
const char *xen__privcmd_hint(int errnum);

#endif /* PORTHOLE_XEN_IMPL_H */
