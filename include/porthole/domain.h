/*
 * porthole/domain.h -- the Xen domains of this host, for listing: what
 * `porthole list` prints, and what a program shows before it opens one
 * with guest_open("xen:NAME").
 *
 * Only dom0 (or a domain with the same privilege) can list.  The facts
 * come from the hypervisor (ids, UUIDs, memory, vCPUs, state) and from
 * xenstore (names); a domain that goes away while the list is made is
 * left out.
 *
 * Errors: -1 with errno, and errbuf (may be NULL) filled with one
 * sentence: ENOTSUP (this build has no Xen support), EACCES/EPERM (not
 * root in dom0), ENOENT (no /dev/xen/privcmd: not a Xen dom0), or the
 * hypervisor's error.  The library never prints.
 *
 * Non-goals: creating, destroying or changing domains (the toolstack's
 * job); resolving a name (guest_open does that, and refuses ambiguous or
 * stale names).
 */
#ifndef PORTHOLE_DOMAIN_H
#define PORTHOLE_DOMAIN_H

#include <stddef.h>
#include <stdint.h>

#include <porthole/export.h>

#ifdef __cplusplus
extern "C" {
#endif

enum porthole_domain_type {
	PORTHOLE_DOMAIN_PV = 1,		/* paravirtualised */
	PORTHOLE_DOMAIN_PVH,		/* HVM container, no device model */
	PORTHOLE_DOMAIN_HVM		/* fully virtualised */
};

/* What a domain is doing, the most important first (a dying one may
   also be paused, and is reported as dying). */
enum porthole_domain_state {
	PORTHOLE_DOMAIN_DYING = 1,
	PORTHOLE_DOMAIN_CRASHED,
	PORTHOLE_DOMAIN_SHUTDOWN,
	PORTHOLE_DOMAIN_PAUSED,
	PORTHOLE_DOMAIN_RUNNING,
	PORTHOLE_DOMAIN_BLOCKED
};

#define	PORTHOLE_DOMAIN_NAME_MAX	128

/*
 * One domain.  The library may add fields at the end in later releases:
 * read it through the pointer the callback gets, never copy it whole
 * into a struct of your own build.
 *
 *	pd_name		from xenstore; "" when it has none (or a stale one)
 *	pd_uuid		8-4-4-4-12 lowercase hex
 *	pd_flags	the six state flags `xl list` prints ("-b----")
 *	pd_mem_kib	memory the domain has now (its pages, 4 KiB each)
 *	pd_max_kib	its memory limit
 *	pd_vcpus	vCPUs (highest id + 1); pd_online_vcpus of them up
 *	pd_cpu_ns	CPU time used
 */
struct porthole_domain {
	uint32_t			pd_domid;
	enum porthole_domain_type	pd_type;
	enum porthole_domain_state	pd_state;
	char				pd_name[PORTHOLE_DOMAIN_NAME_MAX];
	char				pd_uuid[37];
	char				pd_flags[7];
	uint64_t			pd_mem_kib;
	uint64_t			pd_max_kib;
	unsigned			pd_vcpus;
	unsigned			pd_online_vcpus;
	uint64_t			pd_cpu_ns;
};

/*
 * Call cb for each domain (dom0 included), in ascending id order.  cb
 * returns 0 to go on, anything else to stop: that value is returned.
 * Otherwise 0, or -1 with errno (see above).
 */
PH_EXPORT int porthole_domains(
    int (*cb)(const struct porthole_domain *dom, void *arg), void *arg,
    char *errbuf, size_t errlen);

/* "pv", "pvh", "hvm" ("unknown" for anything else). */
PH_EXPORT const char *porthole_domain_type_name(
    enum porthole_domain_type type);
/* "running", "blocked", "paused", "shutdown", "crashed", "dying". */
PH_EXPORT const char *porthole_domain_state_name(
    enum porthole_domain_state state);

#ifdef __cplusplus
}
#endif

#endif /* PORTHOLE_DOMAIN_H */
