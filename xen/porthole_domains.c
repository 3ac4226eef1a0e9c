/*
 * porthole_domains.c - the public domain list (<porthole/domain.h>) over
 * xen_domain_list_info: one connection, every domain described, each
 * handed to the caller as a struct porthole_domain.
 *
 * Always built: without Xen in the build the list fails with ENOTSUP and
 * a sentence saying why, so the command and library users get the same
 * answer everywhere.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <porthole/domain.h>

#ifdef HAVE_XEN
#include "xen/xen_domain.h"
#include "xen/xen_err.h"

_Static_assert((int)PORTHOLE_DOMAIN_PV == (int)XEN_DOMAIN_PV &&
    (int)PORTHOLE_DOMAIN_PVH == (int)XEN_DOMAIN_PVH &&
    (int)PORTHOLE_DOMAIN_HVM == (int)XEN_DOMAIN_HVM,
    "public and Xen-layer domain types agree");
_Static_assert((int)PORTHOLE_DOMAIN_DYING == (int)XEN_DOMAIN_DYING &&
    (int)PORTHOLE_DOMAIN_CRASHED == (int)XEN_DOMAIN_CRASHED &&
    (int)PORTHOLE_DOMAIN_SHUTDOWN == (int)XEN_DOMAIN_SHUTDOWN &&
    (int)PORTHOLE_DOMAIN_PAUSED == (int)XEN_DOMAIN_PAUSED &&
    (int)PORTHOLE_DOMAIN_RUNNING == (int)XEN_DOMAIN_RUNNING &&
    (int)PORTHOLE_DOMAIN_BLOCKED == (int)XEN_DOMAIN_BLOCKED,
    "public and Xen-layer domain states agree");
_Static_assert(PORTHOLE_DOMAIN_NAME_MAX == XEN_DOMAIN_NAME_MAX,
    "public and Xen-layer name sizes agree");
#endif

static void
domains_errf(char *errbuf, size_t errlen, const char *msg)
{
	if (errbuf != NULL && errlen > 0)
		snprintf(errbuf, errlen, "%s", msg);
}

/* The argument checks every build makes: 0, or -1/EINVAL (said). */
static int
domains_args(int (*cb)(const struct porthole_domain *, void *),
    char *errbuf, size_t errlen)
{
	domains_errf(errbuf, errlen, "");
	if (cb == NULL) {
		domains_errf(errbuf, errlen, "porthole_domains: no callback");
		errno = EINVAL;
		return -1;
	}
	return 0;
}

#ifdef HAVE_XEN

static void
domains_fill(struct porthole_domain *d, const struct xen_domain_info *di)
{
	char flags[7];

	memset(d, 0, sizeof(*d));
	d->pd_domid = di->di_domid;
	d->pd_type = (enum porthole_domain_type)di->di_type;
	d->pd_state = (enum porthole_domain_state)di->di_state;
	snprintf(d->pd_name, sizeof(d->pd_name), "%s", di->di_name);
	snprintf(d->pd_uuid, sizeof(d->pd_uuid), "%s", di->di_uuid);
	snprintf(d->pd_flags, sizeof(d->pd_flags), "%s",
	    xen_domain_state_flags(di, flags));
	d->pd_mem_kib = di->di_tot_pages * 4;
	d->pd_max_kib = di->di_max_kib;
	d->pd_vcpus = di->di_vcpus;
	d->pd_online_vcpus = di->di_online_vcpus;
	d->pd_cpu_ns = di->di_cpu_ns;
}

int
porthole_domains(int (*cb)(const struct porthole_domain *, void *),
    void *arg, char *errbuf, size_t errlen)
{
	struct xen_domain_info *infos = NULL, *grown;
	struct porthole_domain d;
	struct xen_handle *xh;
	struct xen_err xe;
	size_t cap = 32, n = 0, i;
	int rc = 0, e;

	if (domains_args(cb, errbuf, errlen) != 0)
		return -1;
	xen_err_clear(&xe);
	if ((xh = xen_open(&xe)) == NULL)
		goto fail;
	/* Domains come and go: grow until the list fits. */
	for (;;) {
		grown = realloc(infos, cap * sizeof(*infos));
		if (grown == NULL) {
			xen_err_set(&xe, ENOMEM, "listing domains: out of "
			    "memory");
			goto fail;
		}
		infos = grown;
		if (xen_domain_list_info(xh, infos, cap, &n, &xe) < 0)
			goto fail;
		if (n <= cap)
			break;
		cap = n + 32;
	}
	for (i = 0; i < n && rc == 0; i++) {
		domains_fill(&d, &infos[i]);
		rc = cb(&d, arg);
	}
	free(infos);
	xen_close(xh);
	return rc;
fail:
	e = xe.xe_errno != 0 ? xe.xe_errno : errno != 0 ? errno : EIO;
	domains_errf(errbuf, errlen, xen_err_msg(&xe));
	free(infos);
	if (xh != NULL)
		xen_close(xh);
	errno = e;
	return -1;
}

#else /* !HAVE_XEN */

int
porthole_domains(int (*cb)(const struct porthole_domain *, void *),
    void *arg, char *errbuf, size_t errlen)
{
	(void)arg;
	if (domains_args(cb, errbuf, errlen) != 0)
		return -1;
	domains_errf(errbuf, errlen, "listing domains: this porthole was "
	    "built without Xen support (configure found no libxen-dev); it "
	    "can open memory images only");
	errno = ENOTSUP;
	return -1;
}

#endif /* HAVE_XEN */

const char *
porthole_domain_type_name(enum porthole_domain_type type)
{
	switch (type) {
	case PORTHOLE_DOMAIN_PV:
		return "pv";
	case PORTHOLE_DOMAIN_PVH:
		return "pvh";
	case PORTHOLE_DOMAIN_HVM:
		return "hvm";
	}
	return "unknown";
}

const char *
porthole_domain_state_name(enum porthole_domain_state state)
{
	switch (state) {
	case PORTHOLE_DOMAIN_DYING:
		return "dying";
	case PORTHOLE_DOMAIN_CRASHED:
		return "crashed";
	case PORTHOLE_DOMAIN_SHUTDOWN:
		return "shutdown";
	case PORTHOLE_DOMAIN_PAUSED:
		return "paused";
	case PORTHOLE_DOMAIN_RUNNING:
		return "running";
	case PORTHOLE_DOMAIN_BLOCKED:
		return "blocked";
	}
	return "unknown";
}
