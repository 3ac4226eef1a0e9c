/*
 * xen_domain.c - find Xen domains and report on them (see xen_domain.h).
 *
 * The only place that calls xc_domain_getinfo(): Xen 4.18 replaced it with
 * xc_domain_getinfo_single(), so porting means changing xen__getinfo().
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xen/xen_impl.h"

#ifndef ENOTUNIQ
#define ENOTUNIQ	EEXIST
#endif

#define XEN__LIST_CHUNK	64

static void
xen__logger_vmessage(struct xentoollog_logger *logger,
    xentoollog_level level, int errnoval, const char *context,
    const char *format, va_list al)
{
	struct xen__logger *log = (struct xen__logger *)logger;
	size_t n;

	(void)errnoval;
	if (level < XTL_WARN)
		return;
	n = (size_t)snprintf(log->xl_last, sizeof(log->xl_last), "%s: ",
	    context != NULL ? context : "xen");
	if (n >= sizeof(log->xl_last))
		return;
	vsnprintf(log->xl_last + n, sizeof(log->xl_last) - n, format, al);
}

static void
xen__logger_progress(struct xentoollog_logger *logger, const char *context,
    const char *doing_what, int percent, unsigned long done,
    unsigned long total)
{
	(void)logger;
	(void)context;
	(void)doing_what;
	(void)percent;
	(void)done;
	(void)total;
}

static void
xen__logger_destroy(struct xentoollog_logger *logger)
{
	(void)logger;
}

void
xen__logger_init(struct xen__logger *log)
{
	memset(log, 0, sizeof(*log));
	log->xl_vtable.vmessage = xen__logger_vmessage;
	log->xl_vtable.progress = xen__logger_progress;
	log->xl_vtable.destroy = xen__logger_destroy;
}

const char *
xen__logger_tail(struct xen__logger *log, char *buf, size_t len)
{
	if (log->xl_last[0] == '\0') {
		buf[0] = '\0';
		return buf;
	}
	snprintf(buf, len, " (%s)", log->xl_last);
	log->xl_last[0] = '\0';
	return buf;
}

const char *
xen__privcmd_hint(int errnum)
{
	switch (errnum) {
	case EACCES:
	case EPERM:
		return "run as root in dom0";
	case ENOENT:
	case ENODEV:
	case ENXIO:
		return "not a Xen dom0, or the xen-privcmd module is not "
		    "loaded (modprobe xen-privcmd; mount -t xenfs xenfs "
		    "/proc/xen)";
	default:
		return "check that this is a Xen dom0 with privcmd available";
	}
}

struct xen_handle *
xen_open(struct xen_err *err)
{
	struct xen_handle *xh;
	char tail[300];
	int e;

	xh = calloc(1, sizeof(*xh));
	if (xh == NULL) {
		xen_err_set(err, ENOMEM, "out of memory opening Xen handle");
		return NULL;
	}
	xen__logger_init(&xh->xh_log);
	errno = 0;
	xh->xh_xc = xc_interface_open(&xh->xh_log.xl_vtable,
	    &xh->xh_log.xl_vtable, 0);
	if (xh->xh_xc == NULL) {
		e = errno != 0 ? errno : EACCES;
		if (strstr(xh->xh_log.xl_last, "ermission") != NULL)
			e = EACCES;
		xen_err_set(err, e, "opening /dev/xen/privcmd (libxenctrl): "
		    "%s: %s%s", strerror(e), xen__privcmd_hint(e),
		    xen__logger_tail(&xh->xh_log, tail, sizeof(tail)));
		free(xh);
		errno = e;
		return NULL;
	}
	errno = 0;
	xh->xh_xs = xs_open(0);
	if (xh->xh_xs == NULL)
		xh->xh_xs_errno = errno != 0 ? errno : ECONNREFUSED;
	return xh;
}

void
xen_close(struct xen_handle *xh)
{
	int e = errno;

	if (xh == NULL)
		return;
	if (xh->xh_xs != NULL)
		xs_close(xh->xh_xs);
	xc_interface_close(xh->xh_xc);
	free(xh);
	errno = e;
}

const char *
xen_domain_type_name(enum xen_domain_type type)
{
	switch (type) {
	case XEN_DOMAIN_PV:
		return "pv";
	case XEN_DOMAIN_PVH:
		return "pvh";
	case XEN_DOMAIN_HVM:
		return "hvm";
	}
	return "unknown";
}

static void
xen__uuid_format(const uint8_t h[16], char out[XEN_DOMAIN_UUID_LEN + 1])
{
	snprintf(out, XEN_DOMAIN_UUID_LEN + 1,
	    "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
	    "%02x%02x%02x%02x%02x%02x",
	    h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7], h[8], h[9],
	    h[10], h[11], h[12], h[13], h[14], h[15]);
}

/*
 * Read /local/domain/<domid>/name into buf.  Returns 0, or -1 with errno
 * (ENOENT: no name; other: xenstore unreachable).
 */
static int
xen__xs_name(struct xen_handle *xh, uint32_t domid, char *buf, size_t len)
{
	char path[64];
	unsigned int n;
	char *val;

	if (xh->xh_xs == NULL) {
		errno = xh->xh_xs_errno;
		return -1;
	}
	snprintf(path, sizeof(path), "/local/domain/%" PRIu32 "/name", domid);
	val = xs_read(xh->xh_xs, XBT_NULL, path, &n);
	if (val == NULL)
		return -1;
	snprintf(buf, len, "%.*s", (int)n, val);
	free(val);
	return 0;
}

/*
 * The one call of xc_domain_getinfo() (Xen 4.17).  For 4.18 and later use
 * xc_domain_getinfo_single() and xc_domaininfo_t's fields here.
 */
static int
xen__getinfo(struct xen_handle *xh, uint32_t domid,
    struct xen_domain_info *di, struct xen_err *err)
{
	xc_dominfo_t info;
	xen_pfn_t gpfn;
	char tail[300];
	int rc, e;

	rc = xc_domain_getinfo(xh->xh_xc, domid, 1, &info);
	if (rc < 0) {
		e = errno;
		return xen_err_set(err, e, "getting information on domain "
		    "%" PRIu32 ": %s%s", domid, strerror(e),
		    xen__logger_tail(&xh->xh_log, tail, sizeof(tail)));
	}
	if (rc != 1 || info.domid != domid)
		return xen_err_set(err, ENOENT, "no domain with id %" PRIu32
		    " (xl list shows the existing ones)", domid);

	memset(di, 0, sizeof(*di));
	di->di_domid = domid;
	if (!info.hvm)
		di->di_type = XEN_DOMAIN_PV;
	else if (info.arch_config.emulation_flags & XEN_X86_EMU_PIC)
		di->di_type = XEN_DOMAIN_HVM;
	else
		di->di_type = XEN_DOMAIN_PVH;
	xen__uuid_format(info.handle, di->di_uuid);
	di->di_tot_pages = info.nr_pages;
	di->di_max_kib = info.max_memkb;
	di->di_vcpus = info.max_vcpu_id + 1;
	di->di_online_vcpus = info.nr_online_vcpus;
	di->di_paused = info.paused;
	di->di_shutdown = info.shutdown;
	di->di_dying = info.dying;

	if (xc_domain_maximum_gpfn(xh->xh_xc, domid, &gpfn) < 0) {
		e = errno;
		return xen_err_set(err, e, "getting the highest gpfn of domain "
		    "%" PRIu32 ": %s%s", domid, strerror(e),
		    xen__logger_tail(&xh->xh_log, tail, sizeof(tail)));
	}
	di->di_max_gpfn = gpfn;
	return 0;
}

int
xen_domain_info(struct xen_handle *xh, uint32_t domid,
    struct xen_domain_info *info, struct xen_err *err)
{
	if (xh == NULL || info == NULL)
		return xen_err_set(err, EINVAL, "xen_domain_info: NULL argument");
	if (xen__getinfo(xh, domid, info, err) < 0)
		return -1;
	if (xen__xs_name(xh, domid, info->di_name, sizeof(info->di_name)) < 0)
		info->di_name[0] = '\0';
	xen_err_clear(err);
	return 0;
}

int
xen_domain_list(struct xen_handle *xh, uint32_t *ids, size_t max,
    size_t *countp, struct xen_err *err)
{
	xc_domaininfo_t chunk[XEN__LIST_CHUNK];
	uint32_t next = 0;
	size_t count = 0;
	char tail[300];
	int rc, i, e;

	if (xh == NULL || countp == NULL || (ids == NULL && max > 0))
		return xen_err_set(err, EINVAL, "xen_domain_list: bad argument");
	for (;;) {
		rc = xc_domain_getinfolist(xh->xh_xc, next, XEN__LIST_CHUNK,
		    chunk);
		if (rc < 0) {
			e = errno;
			return xen_err_set(err, e, "listing domains: %s%s",
			    strerror(e), xen__logger_tail(&xh->xh_log, tail,
			    sizeof(tail)));
		}
		for (i = 0; i < rc; i++) {
			if (count < max)
				ids[count] = chunk[i].domain;
			count++;
		}
		if (rc < XEN__LIST_CHUNK)
			break;
		next = (uint32_t)chunk[rc - 1].domain + 1;
	}
	*countp = count;
	return 0;
}

static bool
xen__all_digits(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

static bool
xen__looks_like_uuid(const char *s)
{
	size_t i;

	if (strlen(s) != XEN_DOMAIN_UUID_LEN)
		return false;
	for (i = 0; i < XEN_DOMAIN_UUID_LEN; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return false;
		} else if (!isxdigit((unsigned char)s[i])) {
			return false;
		}
	}
	return true;
}

static int
xen__resolve_uuid(struct xen_handle *xh, const char *spec, uint32_t *domidp,
    struct xen_err *err)
{
	uint32_t ids[1024];
	struct xen_domain_info di;
	char want[XEN_DOMAIN_UUID_LEN + 1];
	size_t n, i;

	for (i = 0; i <= XEN_DOMAIN_UUID_LEN; i++)
		want[i] = (char)tolower((unsigned char)spec[i]);
	if (xen_domain_list(xh, ids, 1024, &n, err) < 0)
		return -1;
	if (n > 1024)
		n = 1024;
	for (i = 0; i < n; i++) {
		if (xen__getinfo(xh, ids[i], &di, NULL) < 0)
			continue;
		if (strcmp(di.di_uuid, want) == 0) {
			*domidp = ids[i];
			return 0;
		}
	}
	return xen_err_set(err, ENOENT, "no domain with UUID %s", spec);
}

static int
xen__resolve_name(struct xen_handle *xh, const char *spec, uint32_t *domidp,
    struct xen_err *err)
{
	char **dirs;
	char name[XEN_DOMAIN_NAME_MAX];
	unsigned int n, i;
	uint32_t found = XEN_DOMID_INVALID, id;
	unsigned int nfound = 0;
	char *end;
	int e;

	if (xh->xh_xs == NULL) {
		e = xh->xh_xs_errno;
		return xen_err_set(err, e, "looking up domain \"%s\": cannot "
		    "connect to xenstore: %s: is xenstored running? (a numeric "
		    "domain id works without it)", spec, strerror(e));
	}
	dirs = xs_directory(xh->xh_xs, XBT_NULL, "/local/domain", &n);
	if (dirs == NULL) {
		e = errno;
		return xen_err_set(err, e, "looking up domain \"%s\": reading "
		    "xenstore /local/domain: %s", spec, strerror(e));
	}
	for (i = 0; i < n; i++) {
		errno = 0;
		id = (uint32_t)strtoul(dirs[i], &end, 10);
		if (errno != 0 || *end != '\0' || end == dirs[i])
			continue;
		if (xen__xs_name(xh, id, name, sizeof(name)) < 0)
			continue;
		if (strcmp(name, spec) != 0)
			continue;
		if (nfound == 0 || id < found)
			found = id;
		nfound++;
	}
	free(dirs);
	if (nfound == 0)
		return xen_err_set(err, ENOENT, "no domain named \"%s\" "
		    "(xl list shows the existing ones)", spec);
	if (nfound > 1)
		return xen_err_set(err, ENOTUNIQ, "%u domains are named \"%s\" "
		    "(the lowest id is %" PRIu32 "): give a domain id or UUID "
		    "instead", nfound, spec, found);
	*domidp = found;
	return 0;
}

int
xen_domain_resolve(struct xen_handle *xh, const char *spec, uint32_t *domidp,
    struct xen_err *err)
{
	struct xen_domain_info di;
	unsigned long long v;
	char *end;

	if (xh == NULL || spec == NULL || domidp == NULL)
		return xen_err_set(err, EINVAL, "xen_domain_resolve: NULL "
		    "argument");
	if (*spec == '\0')
		return xen_err_set(err, EINVAL, "empty domain name");

	if (xen__all_digits(spec)) {
		errno = 0;
		v = strtoull(spec, &end, 10);
		if (errno != 0 || v >= XEN_DOMID_INVALID)
			return xen_err_set(err, ERANGE, "domain id %s is out of "
			    "range", spec);
		if (xen__getinfo(xh, (uint32_t)v, &di, err) < 0)
			return -1;
		*domidp = (uint32_t)v;
		xen_err_clear(err);
		return 0;
	}
	if (xen__looks_like_uuid(spec)) {
		if (xen__resolve_uuid(xh, spec, domidp, err) < 0)
			return -1;
		xen_err_clear(err);
		return 0;
	}
	if (xen__resolve_name(xh, spec, domidp, err) < 0)
		return -1;
	xen_err_clear(err);
	return 0;
}

int
xen_domain_pause(struct xen_handle *xh, uint32_t domid, struct xen_err *err)
{
	char tail[300];
	int e;

	if (xh == NULL)
		return xen_err_set(err, EINVAL, "xen_domain_pause: NULL handle");
	if (domid == 0)
		return xen_err_set(err, EINVAL, "refusing to pause dom0");
	if (xc_domain_pause(xh->xh_xc, domid) < 0) {
		e = errno;
		return xen_err_set(err, e, "pausing domain %" PRIu32 ": %s%s",
		    domid, strerror(e), xen__logger_tail(&xh->xh_log, tail,
		    sizeof(tail)));
	}
	return 0;
}

int
xen_domain_unpause(struct xen_handle *xh, uint32_t domid, struct xen_err *err)
{
	char tail[300];
	int e;

	if (xh == NULL)
		return xen_err_set(err, EINVAL, "xen_domain_unpause: NULL "
		    "handle");
	if (xc_domain_unpause(xh->xh_xc, domid) < 0) {
		e = errno;
		return xen_err_set(err, e, "unpausing domain %" PRIu32 ": %s%s",
		    domid, strerror(e), xen__logger_tail(&xh->xh_log, tail,
		    sizeof(tail)));
	}
	return 0;
}
