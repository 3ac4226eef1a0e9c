/*
 * xen_libvirt.c - look a domain up in libvirt (see xen_libvirt.h).
 *
 * One read-only connection per lookup, closed before returning: lookups
 * are rare (once per command), and a connection kept open would outlive a
 * restarted libvirtd.  Built without libvirt, the same calls exist and
 * fail with ENOTSUP.
 *
 * libvirt is loaded on first use (dlopen of LIBVIRT_SONAME), not linked:
 * it pulls some fifty shared libraries, which every porthole command
 * would otherwise load at start, image or domain, libvirt daemon or not
 * (about 0.15 s of each command in the test bed's dom0).  And a lookup
 * at the default URI, which no one asked for, first checks that a daemon
 * could answer (its read-only socket exists): where none runs, libvirt is
 * not loaded at all and the lookup fails as a refused connection would.
 * A URI given by the caller or $PORTHOLE_LIBVIRT_URI is always tried.
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
#include <dlfcn.h>
#include <pthread.h>
#include <unistd.h>

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

/* The libvirt calls a lookup makes, from the library loaded on first use. */
#define	XEN__LV_CALLS(X) \
	X(virInitialize) X(virSetErrorFunc) X(virGetLastError) \
	X(virResetLastError) X(virConnectOpenReadOnly) X(virConnectClose) \
	X(virDomainLookupByID) X(virDomainLookupByUUIDString) \
	X(virDomainLookupByName) X(virDomainFree) X(virDomainGetName) \
	X(virDomainGetUUIDString) X(virDomainIsActive) X(virDomainGetState) \
	X(virDomainGetID)

static struct {
#define	XEN__LV_FIELD(f)	__typeof__(f) *f;
	XEN__LV_CALLS(XEN__LV_FIELD)
#undef XEN__LV_FIELD
} lv;

static pthread_once_t xen__libvirt_once = PTHREAD_ONCE_INIT;
static char xen__libvirt_load_why[256];	/* empty: loaded */
static int xen__libvirt_init_rc;

/*
 * The sockets a read-only connection to the default URI goes through: the
 * monolithic libvirtd's (or virtproxyd's), and the modular Xen daemon's.
 */
static const char *const xen__libvirt_sockets[] = {
	LIBVIRT_RUNSTATEDIR "/libvirt/libvirt-sock-ro",
	LIBVIRT_RUNSTATEDIR "/libvirt/virtxend-sock-ro",
};

/* libvirt's default handler prints every error on stderr: keep quiet. */
static void
xen__libvirt_silent(void *data, virErrorPtr error)
{
	(void)data;
	(void)error;
}

static void
xen__libvirt_load(void)
{
	void *h;
	const char *missing = NULL;

	h = dlopen(LIBVIRT_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (h == NULL) {
		snprintf(xen__libvirt_load_why, sizeof(xen__libvirt_load_why),
		    "%s", dlerror());
		return;
	}
#define	XEN__LV_LOAD(f) \
	if (missing == NULL && \
	    (lv.f = (__typeof__(f) *)dlsym(h, #f)) == NULL) \
		missing = #f;
	XEN__LV_CALLS(XEN__LV_LOAD)
#undef XEN__LV_LOAD
	if (missing != NULL) {
		snprintf(xen__libvirt_load_why, sizeof(xen__libvirt_load_why),
		    "%s has no %s (too old?)", LIBVIRT_SONAME, missing);
		(void)dlclose(h);
		return;
	}
	/* Kept loaded: libvirt keeps threads and handlers of its own. */
	xen__libvirt_init_rc = lv.virInitialize();
	lv.virSetErrorFunc(NULL, xen__libvirt_silent);
}

bool
xen_libvirt_available(void)
{
	return true;
}

/* Could a libvirt daemon answer at the default URI? */
static bool
xen__libvirt_daemon_here(void)
{
	size_t i;

	for (i = 0; i < sizeof(xen__libvirt_sockets) /
	    sizeof(xen__libvirt_sockets[0]); i++)
		if (access(xen__libvirt_sockets[i], F_OK) == 0)
			return true;
	return false;
}

/* libvirt's last error in this thread, or what. */
static const char *
xen__libvirt_why(const char *what)
{
	virErrorPtr e = lv.virGetLastError();

	return e != NULL && e->message != NULL ? e->message : what;
}

static bool
xen__libvirt_no_domain(void)
{
	virErrorPtr e = lv.virGetLastError();

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
	name = lv.virDomainGetName(d);
	if (name == NULL || lv.virDomainGetUUIDString(d, dom->lv_uuid) < 0)
		return xen_err_set(err, EIO, "libvirt (%s): describing \"%s\": "
		    "%s", uri, spec, xen__libvirt_why("no name or UUID"));
	snprintf(dom->lv_name, sizeof(dom->lv_name), "%s", name);
	active = lv.virDomainIsActive(d);
	if (active < 0)
		return xen_err_set(err, EIO, "libvirt (%s): is \"%s\" running? "
		    "%s", uri, spec, xen__libvirt_why("no answer"));
	if (lv.virDomainGetState(d, &state, &reason, 0) < 0)
		state = VIR_DOMAIN_NOSTATE;
	snprintf(dom->lv_state, sizeof(dom->lv_state), "%s",
	    xen__libvirt_state_name(state));
	if (!active)
		return xen_err_set(err, ESRCH, "libvirt (%s) has domain \"%s\" "
		    "(UUID %s), but it is %s, not running (virsh start %s)",
		    uri, dom->lv_name, dom->lv_uuid, dom->lv_state,
		    dom->lv_name);
	id = lv.virDomainGetID(d);
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
	if (!xen_libvirt_uri_explicit(uri) && !xen__libvirt_daemon_here())
		return xen_err_set(err, ECONNREFUSED, "connecting to libvirt at "
		    "%s (read-only): no libvirt daemon here (neither %s nor %s "
		    "exists; is libvirtd running? set %s or give another URI)",
		    XEN_LIBVIRT_DEFAULT_URI, xen__libvirt_sockets[0],
		    xen__libvirt_sockets[1], XEN_LIBVIRT_URI_ENV);
	uri = xen_libvirt_uri(uri);
	if (pthread_once(&xen__libvirt_once, xen__libvirt_load) != 0)
		return xen_err_set(err, ENOTSUP, "looking up \"%s\" in libvirt: "
		    "cannot load it", spec);
	if (xen__libvirt_load_why[0] != '\0')
		return xen_err_set(err, ENOTSUP, "looking up \"%s\" in libvirt: "
		    "cannot load %s: %s (install the libvirt0 package)", spec,
		    LIBVIRT_SONAME, xen__libvirt_load_why);
	if (xen__libvirt_init_rc < 0)
		return xen_err_set(err, ECONNREFUSED, "libvirt failed to "
		    "initialise: %s", xen__libvirt_why("virInitialize"));

	conn = lv.virConnectOpenReadOnly(uri);
	if (conn == NULL)
		return xen_err_set(err, ECONNREFUSED, "connecting to libvirt at "
		    "%s (read-only): %s (is libvirtd running? set %s or give "
		    "another URI)", uri, xen__libvirt_why("refused"),
		    XEN_LIBVIRT_URI_ENV);

	switch (kind) {
	case XEN__SPEC_ID:
		d = lv.virDomainLookupByID(conn, (int)id);
		break;
	case XEN__SPEC_UUID:
		d = lv.virDomainLookupByUUIDString(conn, uuid);
		break;
	case XEN__SPEC_NAME:
		d = lv.virDomainLookupByName(conn, spec);
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
		other = lv.virDomainLookupByName(conn, spec);
		if (other != NULL) {
			char ouuid[VIR_UUID_STRING_BUFLEN];

			if (lv.virDomainGetUUIDString(other, ouuid) == 0 &&
			    strcmp(ouuid, dom->lv_uuid) != 0) {
				xen_err_set(err, ENOTUNIQ, "libvirt (%s): \"%s\" "
				    "is the id of domain \"%s\" and the name of "
				    "another domain (UUID %s): ambiguous; give "
				    "the UUID", uri, spec, dom->lv_name, ouuid);
				e = errno;
				lv.virDomainFree(other);
				goto out;
			}
			lv.virDomainFree(other);
		}
		lv.virResetLastError();
	}
	rc = 0;
out:
	if (d != NULL)
		lv.virDomainFree(d);
	lv.virConnectClose(conn);
	if (rc < 0)
		errno = e;
	return rc;
}

#endif /* HAVE_LIBVIRT */
