/*
 * xen_domain.h - find Xen domains and report on them.
 *
 * A struct xen_handle is one connection to the hypervisor (libxenctrl over
 * /dev/xen/privcmd) and to xenstore.  Through it a domain given as a name,
 * a numeric id or a UUID is resolved to its domid, listed, described,
 * paused and unpaused.  Only dom0 (or a suitably privileged domain) can
 * open one.
 *
 * Resolving never picks a domain silently: the hypervisor is the
 * authority on which domids exist, xenstore on names, and libvirt (when
 * built in, see xen_libvirt.h) is asked as a second source and
 * cross-checked.  An unknown spec, a name several domains carry, a dying
 * domain, a xenstore entry left by a destroyed domain or a domid reused
 * under another UUID, and libvirt disagreeing with Xen are all errors
 * that say which it is.
 *
 * Errors: -1 (or NULL) with errno set, and the struct xen_err filled when
 * the caller passed one.  Nothing is printed.
 *
 * Non-goals: creating or destroying domains (that is the toolstack's job).
 * This header includes no Xen header.
 */
#ifndef PORTHOLE_XEN_DOMAIN_H
#define PORTHOLE_XEN_DOMAIN_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "xen/xen_err.h"

/* Not every libc has it; the message says what is ambiguous anyway. */
#ifndef ENOTUNIQ
#define ENOTUNIQ	EEXIST
#endif

struct xen_handle;

enum xen_domain_type {
	XEN_DOMAIN_PV = 1,	/* paravirtualised: memory addressed by mfn */
	XEN_DOMAIN_PVH,		/* HVM container without device model */
	XEN_DOMAIN_HVM		/* fully virtualised */
};

/*
 * What a domain is doing, most important first: a dying domain may also
 * be shut down and paused, and is reported as dying.
 */
enum xen_domain_state {
	XEN_DOMAIN_DYING = 1,	/* being destroyed; its memory is going */
	XEN_DOMAIN_CRASHED,	/* crashed, kept for inspection */
	XEN_DOMAIN_SHUTDOWN,	/* shut down (not crashed), not destroyed yet */
	XEN_DOMAIN_PAUSED,	/* paused by the toolstack (or by porthole) */
	XEN_DOMAIN_RUNNING,	/* running on a CPU now */
	XEN_DOMAIN_BLOCKED	/* runnable, waiting for an event */
};

#define XEN_DOMAIN_NAME_MAX	128
#define XEN_DOMAIN_UUID_LEN	36
#define XEN_DOMID_INVALID	UINT32_MAX

/*
 * What xen_domain_info() reports.  Pages are 4 KiB frames.
 *
 * di_name	from xenstore /local/domain/<id>/name, "" when absent or
 *		when di_xs_stale
 * di_uuid	the domain handle as 8-4-4-4-12 lowercase hex
 * di_state	see enum xen_domain_state; di_shutdown_reason is Xen's
 *		SHUTDOWN_* code (0 poweroff, 1 reboot, 2 suspend, 3 crash,
 *		4 watchdog, 5 soft reset) when di_shutdown
 * di_running, di_blocked, di_paused, di_shutdown, di_crashed, di_dying
 *		the flags behind di_state, as `xl list` shows them
 * di_xs_stale	xenstore's entry for this domid names another domain (its
 *		vm path carries another UUID): a reused domid whose old
 *		entry was never removed; di_name is then left empty
 * di_tot_pages	frames currently allocated to the domain
 * di_max_kib	the domain's memory limit
 * di_max_gpfn	highest guest frame number in use (for PVH/HVM this
 *		includes special pages far above the RAM size); 0 when
 *		the hypervisor no longer says (a dying domain)
 * di_vcpus	max vcpu id + 1; di_online_vcpus of them are up
 * di_cpu_ns	CPU time the domain has used
 */
struct xen_domain_info {
	uint32_t		di_domid;
	enum xen_domain_type	di_type;
	enum xen_domain_state	di_state;
	char			di_name[XEN_DOMAIN_NAME_MAX];
	char			di_uuid[XEN_DOMAIN_UUID_LEN + 1];
	uint64_t		di_tot_pages;
	uint64_t		di_max_kib;
	uint64_t		di_max_gpfn;
	uint64_t		di_cpu_ns;
	unsigned int		di_vcpus;
	unsigned int		di_online_vcpus;
	unsigned int		di_shutdown_reason;
	bool			di_running;
	bool			di_blocked;
	bool			di_paused;
	bool			di_shutdown;
	bool			di_crashed;
	bool			di_dying;
	bool			di_xs_stale;
};

/*
 * How xen_domain_resolve_opts() may resolve.  Starts with its size, so
 * new fields need no new call: set ro_size = sizeof (struct
 * xen_resolve_opts) and zero what you do not use.
 *
 * ro_libvirt_uri	libvirt connection to ask (NULL: $PORTHOLE_LIBVIRT_URI,
 *			else xen:///system).  Given here or in the
 *			environment, a failing connection is an error;
 *			defaulted, it only means libvirt is not asked.
 * ro_flags		XEN_RESOLVE_*
 */
struct xen_resolve_opts {
	size_t		ro_size;
	const char	*ro_libvirt_uri;
	unsigned int	ro_flags;
};

#define XEN_RESOLVE_NO_LIBVIRT	0x1u	/* xenstore and hypervisor only */
#define XEN_RESOLVE_ALLOW_DYING	0x2u	/* a dying domain may be named */

/*
 * Connect to the hypervisor and xenstore.  Fails with EACCES when the
 * caller may not open privcmd (run as root in dom0) and ENOENT when there
 * is no privcmd at all (not a Xen dom0).  A missing xenstore is not fatal:
 * lookups by name then fail with the reason.
 */
struct xen_handle *xen_open(struct xen_err *err);
void xen_close(struct xen_handle *xh);

/*
 * Resolve spec to a domid.  spec is a decimal id (all digits), a UUID
 * (8-4-4-4-12 hex) or a name.  Errors:
 *	ENOENT		no such domain
 *	ENOTUNIQ	several domains carry the name (or the UUID), a live
 *			one shares it with a dying one, or an id is also
 *			another domain's name
 *	ESRCH		the domain is dying (see XEN_RESOLVE_ALLOW_DYING), or
 *			libvirt has it but shut off
 *	ESTALE		only a leftover xenstore entry carries the name, or
 *			libvirt and Xen disagree (an id reused, another
 *			UUID, another domid)
 *	ERANGE, EINVAL	a malformed spec
 * opts may be NULL (the defaults); EINVAL when its ro_size is smaller
 * than the first version's or its flags unknown.
 */
int xen_domain_resolve_opts(struct xen_handle *xh, const char *spec,
    const struct xen_resolve_opts *opts, uint32_t *domidp,
    struct xen_err *err);

/* xen_domain_resolve_opts() with the default options. */
int xen_domain_resolve(struct xen_handle *xh, const char *spec,
    uint32_t *domidp, struct xen_err *err);

/* Describe domain domid.  ENOENT when it does not exist. */
int xen_domain_info(struct xen_handle *xh, uint32_t domid,
    struct xen_domain_info *info, struct xen_err *err);

/*
 * List existing domains in ascending domid order: up to max ids go to
 * ids[], the total number found to *countp (may exceed max).
 */
int xen_domain_list(struct xen_handle *xh, uint32_t *ids, size_t max,
    size_t *countp, struct xen_err *err);

/*
 * xen_domain_list() and xen_domain_info() of each: up to max descriptions
 * to infos[] in ascending domid order, the number of domains described to
 * *countp (may exceed max).  A domain that disappears in between is left
 * out.
 */
int xen_domain_list_info(struct xen_handle *xh, struct xen_domain_info *infos,
    size_t max, size_t *countp, struct xen_err *err);

/*
 * Pause and unpause (Xen counts pauses: pair them).  These are the bare
 * hypercalls: a process that dies between the two leaves the guest
 * paused.  Use a pause guard (xen_pause.h) instead, which unpauses on
 * every exit path.  dom0 and dying domains are refused.
 */
int xen_domain_pause(struct xen_handle *xh, uint32_t domid,
    struct xen_err *err);
int xen_domain_unpause(struct xen_handle *xh, uint32_t domid,
    struct xen_err *err);

/* "pv", "pvh", "hvm" or "unknown". */
const char *xen_domain_type_name(enum xen_domain_type type);

/*
 * "running", "blocked", "paused", "shutdown", "crashed", "dying" or
 * "unknown".
 */
const char *xen_domain_state_name(enum xen_domain_state state);

/*
 * The six state flags `xl list` prints ("r-----", "--p---", ...: running,
 * blocked, paused, shutdown, crashed, dying) into buf; returns buf.
 */
char *xen_domain_state_flags(const struct xen_domain_info *info,
    char buf[7]);

#endif /* PORTHOLE_XEN_DOMAIN_H */
