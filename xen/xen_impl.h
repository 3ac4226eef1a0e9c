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

/*
 * xen_open(), optionally without connecting to xenstore (the pause
 * guardian needs the hypervisor only).
 */
struct xen_handle *xen__open(bool with_xenstore, struct xen_err *err);

/*
 * The hypervisor's view of domid into *di: everything but di_name and
 * di_xs_stale.  ENOENT when there is no such domain.
 */
int xen__getinfo(struct xen_handle *xh, uint32_t domid,
    struct xen_domain_info *di, struct xen_err *err);

/*
 * The rules for pausing, shared by xen_domain_pause() and the pause
 * guard: dom0 is refused (EINVAL), a domain that does not exist (ENOENT)
 * or is dying (ESRCH) too, and so is one whose UUID is no longer uuid
 * (ESTALE; uuid NULL: any).  xen__pausable() checks and leaves the
 * domain's description in *di; xen__pause() checks and pauses.
 */
int xen__pausable(struct xen_handle *xh, uint32_t domid, const char *uuid,
    struct xen_domain_info *di, struct xen_err *err);
int xen__pause(struct xen_handle *xh, uint32_t domid, const char *uuid,
    struct xen_err *err);

/*
 * Fill the registers from one of Xen's three vCPU context layouts
 * (xen_vcpu.c).  The caller zeroes *r and sets vr_vcpu and vr_online.
 */
struct hvm_hw_cpu;
struct xen_vcpu_regs;
void xen__vcpu_from_pv64(const vcpu_guest_context_x86_64_t *c,
    struct xen_vcpu_regs *r);
void xen__vcpu_from_pv32(const vcpu_guest_context_x86_32_t *c,
    struct xen_vcpu_regs *r);
void xen__vcpu_from_hvm(const struct hvm_hw_cpu *c, struct xen_vcpu_regs *r);

#endif /* PORTHOLE_XEN_IMPL_H */
