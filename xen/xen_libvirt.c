/*
 * xen_libvirt.c - look a domain up in libvirt (see xen_libvirt.h).
 *
 * One read-only connection per lookup, closed before returning: lookups
 * are rare (once per command), and a connection kept open would outlive a
 * restarted libvirtd.  Built without libvirt, the same calls exist and
 * fail with ENOTSUP.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xen/xen_libvirt.h"
#include "xen/xen_resolve.h"

#ifdef HAVE_LIBVIRT
#include <pthread.h>

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#endif

const char *
xen_libvirt_uri(const char *uri)
{
	const char *env;

	if (uri != NULL)
		return uri;
	env = getenv(XEN_LIBVIRT_URI_ENV);
	if (env != NULL && *env != '\0')
		return env;
	return XEN_LIBVIRT_DEFAULT_URI;
}

bool
xen_libvirt_uri_explicit(const char *uri)
{
	const char *env;

	if (uri != NULL)
		return true;
	env = getenv(XEN_LIBVIRT_URI_ENV);
	return env != NULL && *env != '\0';
}

#ifndef HAVE_LIBVIRT

bool
xen_libvirt_available(void)
{
	return false;
}

int
xen_libvirt_lookup(const char *uri, const char *spec,
    struct xen_libvirt_domain *dom, struct xen_err *err)
{
	(void)uri;
	if (spec == NULL || dom == NULL)
		return xen_err_set(err, EINVAL, "xen_libvirt_lookup: NULL "
		    "argument");
	return xen_err_set(err, ENOTSUP, "looking up \"%s\" in libvirt: "
	    "porthole was built without libvirt (install libvirt-dev and "
	    "configure --with-libvirt)", spec);
}

#else /* HAVE_LIBVIRT */

static pthread_once_t xen__libvirt_once = PTHREAD_ONCE_INIT;
static int xen__libvirt_init_rc;

/* libvirt's default handler prints every error on stderr: keep quiet. */
static void
xen__libvirt_silent(void *data, virErrorPtr error)
{
	(void)data;
	(void)error;
}

static void
xen__libvirt_init(void)
{
	xen__libvirt_init_rc = virInitialize();
	virSetErrorFunc(NULL, xen__libvirt_silent);
}

bool
xen_libvirt_available(void)
{
	return true;
}

/* libvirt's last error in this thread, or what. */
static const char *
xen__libvirt_why(const char *what)
{
	virErrorPtr e = virGetLastError();

	return e != NULL && e->message != NULL ? e->message : what;
}

static bool
xen__libvirt_no_domain(void)
{
	virErrorPtr e = virGetLastError();

	return e == NULL || e->code == VIR_ERR_NO_DOMAIN;
}

static const char *
xen__libvirt_state_name(int state)
{
	switch (state) {
	case VIR_DOMAIN_RUNNING:
		return "running";
	case VIR_DOMAIN_BLOCKED:
		return "blocked";
	case VIR_DOMAIN_PAUSED:
		return "paused";
	case VIR_DOMAIN_SHUTDOWN:
		return "shutdown";
	case VIR_DOMAIN_SHUTOFF:
		return "shut off";
	case VIR_DOMAIN_CRASHED:
		return "crashed";
	case VIR_DOMAIN_PMSUSPENDED:
		return "pmsuspended";
	default:
		return "unknown";
	}
}

/*
 * Fill dom from d; -1 with err when libvirt cannot say, or (ESRCH) when
 * the domain is not running.
 */
static int
xen__libvirt_describe(virDomainPtr d, const char *uri, const char *spec,
    struct xen_libvirt_domain *dom, struct xen_err *err)
{
	const char *name;
	unsigned int id;
	int active, state, reason;

	memset(dom, 0, sizeof(*dom));
	name = virDomainGetName(d);
	if (name == NULL || virDomainGetUUIDString(d, dom->lv_uuid) < 0)
		return xen_err_set(err, EIO, "libvirt (%s): describing \"%s\": "
		    "%s", uri, spec, xen__libvirt_why("no name or UUID"));
	snprintf(dom->lv_name, sizeof(dom->lv_name), "%s", name);
	active = virDomainIsActive(d);
	if (active < 0)
		return xen_err_set(err, EIO, "libvirt (%s): is \"%s\" running? "
		    "%s", uri, spec, xen__libvirt_why("no answer"));
	if (virDomainGetState(d, &state, &reason, 0) < 0)
		state = VIR_DOMAIN_NOSTATE;
	snprintf(dom->lv_state, sizeof(dom->lv_state), "%s",
	    xen__libvirt_state_name(state));
	if (!active)
		return xen_err_set(err, ESRCH, "libvirt (%s) has domain \"%s\" "
		    "(UUID %s), but it is %s, not running (virsh start %s)",
		    uri, dom->lv_name, dom->lv_uuid, dom->lv_state,
		    dom->lv_name);
	id = virDomainGetID(d);
	if (id == (unsigned int)-1 || id >= XEN_DOMID_INVALID)
		return xen_err_set(err, EIO, "libvirt (%s) says \"%s\" runs, "
		    "but gives it no domain id", uri, dom->lv_name);
	dom->lv_id = (uint32_t)id;
	return 0;
}

int
xen_libvirt_lookup(const char *uri, const char *spec,
    struct xen_libvirt_domain *dom, struct xen_err *err)
{
	char uuid[XEN_DOMAIN_UUID_LEN + 1];
	enum xen__spec_kind kind;
	virConnectPtr conn;
	virDomainPtr d = NULL, other;
	uint32_t id = 0;
	int rc = -1, e = 0;

	if (spec == NULL || dom == NULL)
		return xen_err_set(err, EINVAL, "xen_libvirt_lookup: NULL "
		    "argument");
	if (xen__spec_parse(spec, &kind, &id, uuid, err) < 0)
		return -1;
	uri = xen_libvirt_uri(uri);
	if (pthread_once(&xen__libvirt_once, xen__libvirt_init) != 0 ||
	    xen__libvirt_init_rc < 0)
		return xen_err_set(err, ECONNREFUSED, "libvirt failed to "
		    "initialise: %s", xen__libvirt_why("virInitialize"));

	conn = virConnectOpenReadOnly(uri);
	if (conn == NULL)
		return xen_err_set(err, ECONNREFUSED, "connecting to libvirt at "
		    "%s (read-only): %s (is libvirtd running? set %s or give "
		    "another URI)", uri, xen__libvirt_why("refused"),
		    XEN_LIBVIRT_URI_ENV);

	switch (kind) {
	case XEN__SPEC_ID:
		d = virDomainLookupByID(conn, (int)id);
		break;
	case XEN__SPEC_UUID:
		d = virDomainLookupByUUIDString(conn, uuid);
		break;
	case XEN__SPEC_NAME:
		d = virDomainLookupByName(conn, spec);
		break;
	}
	if (d == NULL) {
		if (xen__libvirt_no_domain())
			xen_err_set(err, ENOENT, "libvirt (%s) has no running "
			    "domain %s \"%s\" (virsh list --all shows its "
			    "domains)", uri, kind == XEN__SPEC_NAME ? "named" :
			    kind == XEN__SPEC_ID ? "with id" : "with UUID",
			    spec);
		else
			xen_err_set(err, EIO, "libvirt (%s): looking up \"%s\": "
			    "%s", uri, spec, xen__libvirt_why("failed"));
		e = errno;
		goto out;
	}
	if (xen__libvirt_describe(d, uri, spec, dom, err) < 0) {
		e = errno;
		goto out;
	}

	/* An id must not also be the name of another domain. */
	if (kind == XEN__SPEC_ID) {
		other = virDomainLookupByName(conn, spec);
		if (other != NULL) {
			char ouuid[VIR_UUID_STRING_BUFLEN];

			if (virDomainGetUUIDString(other, ouuid) == 0 &&
			    strcmp(ouuid, dom->lv_uuid) != 0) {
				xen_err_set(err, ENOTUNIQ, "libvirt (%s): \"%s\" "
				    "is the id of domain \"%s\" and the name of "
				    "another domain (UUID %s): ambiguous; give "
				    "the UUID", uri, spec, dom->lv_name, ouuid);
				e = errno;
				virDomainFree(other);
				goto out;
			}
			virDomainFree(other);
		}
		virResetLastError();
	}
	rc = 0;
out:
	if (d != NULL)
		virDomainFree(d);
	virConnectClose(conn);
	if (rc < 0)
		errno = e;
	return rc;
}

#endif /* HAVE_LIBVIRT */
