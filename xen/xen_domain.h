/*
 * xen_domain.h - find Xen domains and report on them.
 *
 * A struct xen_handle is one connection to the hypervisor (libxenctrl over
 * /dev/xen/privcmd) and to xenstore.  Through it a domain given as a name,
 * a numeric id or a UUID is resolved to its domid, described, paused and
 * unpaused.  Only dom0 (or a suitably privileged domain) can open one.
 *
 * Errors: -1 (or NULL) with errno set, and the struct xen_err filled when
 * the caller passed one.  Nothing is printed.
 *
 * Non-goals: creating or destroying domains (that is the toolstack's job).
 * This header includes no Xen header.
 */
#ifndef PORTHOLE_XEN_DOMAIN_H
#define PORTHOLE_XEN_DOMAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "xen/xen_err.h"

struct xen_handle;

enum xen_domain_type {
	XEN_DOMAIN_PV = 1,	/* paravirtualised: memory addressed by mfn */
	XEN_DOMAIN_PVH,		/* HVM container without device model */
	XEN_DOMAIN_HVM		/* fully virtualised */
};

#define XEN_DOMAIN_NAME_MAX	128
#define XEN_DOMAIN_UUID_LEN	36
#define XEN_DOMID_INVALID	UINT32_MAX

/*
 * What xen_domain_info() reports.  Pages are 4 KiB frames.
 *
 * di_name	from xenstore /local/domain/<id>/name, "" when absent
 * di_uuid	the domain handle as 8-4-4-4-12 lowercase hex
 * di_tot_pages	frames currently allocated to the domain
 * di_max_kib	the domain's memory limit
 * di_max_gpfn	highest guest frame number in use (for PVH/HVM this
 *		includes special pages far above the RAM size)
 * di_vcpus	max vcpu id + 1; di_online_vcpus of them are up
 */
struct xen_domain_info {
	uint32_t		di_domid;
	enum xen_domain_type	di_type;
	char			di_name[XEN_DOMAIN_NAME_MAX];
	char			di_uuid[XEN_DOMAIN_UUID_LEN + 1];
	uint64_t		di_tot_pages;
	uint64_t		di_max_kib;
	uint64_t		di_max_gpfn;
	unsigned int		di_vcpus;
	unsigned int		di_online_vcpus;
	bool			di_paused;
	bool			di_shutdown;
	bool			di_dying;
};

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
 * (8-4-4-4-12 hex) or a name.  An id or UUID must name an existing domain.
 * A name that several domains carry is refused with ENOTUNIQ; an unknown
 * one fails with ENOENT.
 */
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

/* Pause and unpause (Xen counts pauses: pair them). */
int xen_domain_pause(struct xen_handle *xh, uint32_t domid,
    struct xen_err *err);
int xen_domain_unpause(struct xen_handle *xh, uint32_t domid,
    struct xen_err *err);

/* "pv", "pvh", "hvm" or "unknown". */
const char *xen_domain_type_name(enum xen_domain_type type);

#endif /* PORTHOLE_XEN_DOMAIN_H */
