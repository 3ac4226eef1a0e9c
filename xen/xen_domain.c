/*
 * xen_domain.c - find Xen domains and report on them (see xen_domain.h).
 *
 * The only place that calls xc_domain_getinfo(): Xen 4.18 replaced it with
 * xc_domain_getinfo_single(), so porting means changing xen__getinfo().
 * Which domain a spec names is decided by the rules in xen_resolve.c; this
 * file gathers the facts they need from xenstore, the hypervisor and
 * libvirt.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xen/xen_impl.h"
#include "xen/xen_libvirt.h"
#include "xen/xen_resolve.h"

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
	return xen__open(true, err);
}

struct xen_handle *
xen__open(bool with_xenstore, struct xen_err *err)
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
	if (!with_xenstore) {
		xh->xh_xs_errno = ENOTCONN;
		return xh;
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


const char *
xen_domain_state_name(enum xen_domain_state state)
{
	switch (state) {
	case XEN_DOMAIN_DYING:
		return "dying";
	case XEN_DOMAIN_CRASHED:
		return "crashed";
	case XEN_DOMAIN_SHUTDOWN:
		return "shutdown";
	case XEN_DOMAIN_PAUSED:
		return "paused";
	case XEN_DOMAIN_RUNNING:
		return "running";
	case XEN_DOMAIN_BLOCKED:
		return "blocked";
	}
	return "unknown";
}

char *
xen_domain_state_flags(const struct xen_domain_info *info, char buf[7])
{
	if (info == NULL) {
		snprintf(buf, 7, "------");
		return buf;
	}
	buf[0] = info->di_running ? 'r' : '-';
	buf[1] = info->di_blocked ? 'b' : '-';
	buf[2] = info->di_paused ? 'p' : '-';
	buf[3] = info->di_shutdown ? 's' : '-';
	buf[4] = info->di_crashed ? 'c' : '-';
	buf[5] = info->di_dying ? 'd' : '-';
	buf[6] = '\0';
	return buf;
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
 * Read /local/domain/<domid>/<leaf> into buf.  Returns 0, or -1 with errno
 * (ENOENT: no such entry; other: xenstore unreachable).
 */
static int
xen__xs_read(struct xen_handle *xh, uint32_t domid, const char *leaf,
    char *buf, size_t len)
{
	char path[64];
	unsigned int n;
	char *val;

	if (xh->xh_xs == NULL) {
		errno = xh->xh_xs_errno;
		return -1;
	}
	snprintf(path, sizeof(path), "/local/domain/%" PRIu32 "/%s", domid,
	    leaf);
	val = xs_read(xh->xh_xs, XBT_NULL, path, &n);
	if (val == NULL)
		return -1;
	snprintf(buf, len, "%.*s", (int)n, val);
	free(val);
	return 0;
}

/*
 * Does xenstore's entry for domid belong to the domain with this UUID?
 * The toolstack writes /local/domain/<id>/vm as "/vm/<uuid>".  An entry
 * without a vm path in that form cannot be checked and is taken as
 * belonging.
 */
static bool
xen__xs_entry_matches(struct xen_handle *xh, uint32_t domid,
    const char *uuid)
{
	char vm[128];

	if (xen__xs_read(xh, domid, "vm", vm, sizeof(vm)) < 0)
		return true;
	if (strncmp(vm, "/vm/", 4) != 0 ||
	    strlen(vm + 4) != XEN_DOMAIN_UUID_LEN)
		return true;
	return strcasecmp(vm + 4, uuid) == 0;
}

static void
xen__state_derive(struct xen_domain_info *di)
{
	if (di->di_dying)
		di->di_state = XEN_DOMAIN_DYING;
	else if (di->di_crashed)
		di->di_state = XEN_DOMAIN_CRASHED;
	else if (di->di_shutdown)
		di->di_state = XEN_DOMAIN_SHUTDOWN;
	else if (di->di_paused)
		di->di_state = XEN_DOMAIN_PAUSED;
	else if (di->di_running)
		di->di_state = XEN_DOMAIN_RUNNING;
	else
		di->di_state = XEN_DOMAIN_BLOCKED;
}

/*
 * The one call of xc_domain_getinfo() (Xen 4.17).  For 4.18 and later use
 * xc_domain_getinfo_single() and xc_domaininfo_t's fields here.  Fills
 * the hypervisor's view only (no name).
 */
int
xen__getinfo(struct xen_handle *xh, uint32_t domid,
    struct xen_domain_info *di, struct xen_err *err)
{
	xc_dominfo_t info;
	xen_pfn_t gpfn;
	char tail[300];
	int rc, e;

	rc = xc_domain_getinfo(xh->xh_xc, domid, 1, &info);
	if (rc < 0 && errno == ESRCH) {
		/* No domain at or above domid: the hypervisor's "not found". */
		xen__logger_tail(&xh->xh_log, tail, sizeof(tail));
		rc = 0;
	}
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
	di->di_cpu_ns = info.cpu_time;
	di->di_vcpus = info.max_vcpu_id + 1;
	di->di_online_vcpus = info.nr_online_vcpus;
	di->di_running = info.running;
	di->di_blocked = info.blocked;
	di->di_paused = info.paused;
	di->di_shutdown = info.shutdown;
	di->di_crashed = info.crashed;
	di->di_dying = info.dying;
	di->di_shutdown_reason = info.shutdown ? info.shutdown_reason : 0;
	xen__state_derive(di);

	if (xc_domain_maximum_gpfn(xh->xh_xc, domid, &gpfn) < 0) {
		e = errno;
		if (di->di_dying) {
			xen__logger_tail(&xh->xh_log, tail, sizeof(tail));
			return 0;	/* its memory is going: nothing to say */
		}
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
	if (!xen__xs_entry_matches(xh, domid, info->di_uuid))
		info->di_xs_stale = true;
	else if (xen__xs_read(xh, domid, "name", info->di_name,
	    sizeof(info->di_name)) < 0)
		info->di_name[0] = '\0';
	xen_err_clear(err);
	return 0;
}

/*
 * Walk the hypervisor's domains in ascending domid order, XEN__LIST_CHUNK
 * at a time, calling fn on each.  fn returns 0 to go on, 1 to stop, -1
 * on failure (with err filled).
 */
static int
xen__walk_domains(struct xen_handle *xh,
    int (*fn)(const xc_domaininfo_t *, void *, struct xen_err *), void *arg,
    struct xen_err *err)
{
	xc_domaininfo_t chunk[XEN__LIST_CHUNK];
	uint32_t next = 0;
	char tail[300];
	int rc, i, e, r;

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
			r = fn(&chunk[i], arg, err);
			if (r != 0)
				return r < 0 ? -1 : 0;
		}
		if (rc < XEN__LIST_CHUNK)
			return 0;
		next = (uint32_t)chunk[rc - 1].domain + 1;
	}
}

struct xen__list_arg {
	uint32_t	*la_ids;
	size_t		la_max;
	size_t		la_count;
};

static int
xen__list_one(const xc_domaininfo_t *d, void *arg, struct xen_err *err)
{
	struct xen__list_arg *la = arg;

	(void)err;
	if (la->la_count < la->la_max)
		la->la_ids[la->la_count] = d->domain;
	la->la_count++;
	return 0;
}

int
xen_domain_list(struct xen_handle *xh, uint32_t *ids, size_t max,
    size_t *countp, struct xen_err *err)
{
	struct xen__list_arg la = { ids, max, 0 };

	if (xh == NULL || countp == NULL || (ids == NULL && max > 0))
		return xen_err_set(err, EINVAL, "xen_domain_list: bad argument");
	if (xen__walk_domains(xh, xen__list_one, &la, err) < 0)
		return -1;
	*countp = la.la_count;
	return 0;
}

int
xen_domain_list_info(struct xen_handle *xh, struct xen_domain_info *infos,
    size_t max, size_t *countp, struct xen_err *err)
{
	struct xen_domain_info di;
	uint32_t *ids = NULL, *grown;
	size_t cap = XEN__LIST_CHUNK, n = 0, i, got = 0;
	int tries, e;

	if (xh == NULL || countp == NULL || (infos == NULL && max > 0))
		return xen_err_set(err, EINVAL, "xen_domain_list_info: bad "
		    "argument");
	/* Domains come and go: list again when more appeared meanwhile. */
	for (tries = 0; tries < 8; tries++) {
		grown = realloc(ids, cap * sizeof(*ids));
		if (grown == NULL) {
			free(ids);
			return xen_err_set(err, ENOMEM, "listing domains: out "
			    "of memory");
		}
		ids = grown;
		if (xen_domain_list(xh, ids, cap, &n, err) < 0) {
			e = errno;
			free(ids);
			errno = e;
			return -1;
		}
		if (n <= cap)
			break;
		cap = n + XEN__LIST_CHUNK;
	}
	if (n > cap)
		n = cap;
	for (i = 0; i < n; i++) {
		if (xen_domain_info(xh, ids[i], got < max ? &infos[got] : &di,
		    err) < 0) {
			if (errno == ENOENT)
				continue;	/* gone since the listing */
			e = errno;
			free(ids);
			errno = e;
			return -1;
		}
		got++;
	}
	free(ids);
	*countp = got;
	xen_err_clear(err);
	return 0;
}

/*
 * The hypervisor's word on domid as a resolution candidate, to *statep.
 * -1 only when the hypervisor cannot be asked.
 */
static int
xen__cand_state_of(struct xen_handle *xh, uint32_t domid,
    enum xen__cand_state *statep, struct xen_err *err)
{
	struct xen_domain_info di;

	if (xen__getinfo(xh, domid, &di, err) < 0) {
		if (errno != ENOENT)
			return -1;
		*statep = XEN__CAND_GONE;
	} else if (!xen__xs_entry_matches(xh, domid, di.di_uuid)) {
		*statep = XEN__CAND_REUSED;
	} else {
		*statep = di.di_dying ? XEN__CAND_DYING : XEN__CAND_LIVE;
	}
	return 0;
}

#define XEN__MAX_CANDS	64

/*
 * The domains xenstore names spec, each with the hypervisor's word on it,
 * to c[] (up to XEN__MAX_CANDS), their number to *np.
 */
static int
xen__xs_candidates(struct xen_handle *xh, const char *spec,
    struct xen__cand *c, size_t *np, struct xen_err *err)
{
	char name[XEN_DOMAIN_NAME_MAX];
	unsigned int n, i;
	size_t found = 0;
	char **dirs;
	uint32_t id;
	char *end;
	unsigned long v;
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
	for (i = 0; i < n && found < XEN__MAX_CANDS; i++) {
		errno = 0;
		v = strtoul(dirs[i], &end, 10);
		if (errno != 0 || *end != '\0' || end == dirs[i] ||
		    v >= XEN_DOMID_INVALID)
			continue;
		id = (uint32_t)v;
		if (xen__xs_read(xh, id, "name", name, sizeof(name)) < 0)
			continue;
		if (strcmp(name, spec) != 0)
			continue;
		c[found].c_domid = id;
		if (xen__cand_state_of(xh, id, &c[found].c_state, err) < 0) {
			e = errno;
			free(dirs);
			errno = e;
			return -1;
		}
		found++;
	}
	free(dirs);
	*np = found;
	return 0;
}

struct xen__uuid_arg {
	const char		*ua_uuid;
	struct xen__cand	*ua_c;
	size_t			ua_n;
};

static int
xen__uuid_one(const xc_domaininfo_t *d, void *arg, struct xen_err *err)
{
	struct xen__uuid_arg *ua = arg;
	char uuid[XEN_DOMAIN_UUID_LEN + 1];

	(void)err;
	xen__uuid_format(d->handle, uuid);
	if (strcmp(uuid, ua->ua_uuid) != 0)
		return 0;
	ua->ua_c[ua->ua_n].c_domid = d->domain;
	ua->ua_c[ua->ua_n].c_state = (d->flags & XEN_DOMINF_dying) ?
	    XEN__CAND_DYING : XEN__CAND_LIVE;
	ua->ua_n++;
	return ua->ua_n < XEN__MAX_CANDS ? 0 : 1;
}

/* Resolve through xenstore and the hypervisor only. */
static int
xen__resolve_xen(struct xen_handle *xh, const char *spec,
    enum xen__spec_kind kind, uint32_t id, const char *uuid,
    unsigned int flags, uint32_t *domidp, struct xen_err *err)
{
	struct xen__cand c[XEN__MAX_CANDS];
	struct xen__uuid_arg ua;
	struct xen_domain_info di;
	size_t n = 0, i;

	switch (kind) {
	case XEN__SPEC_ID:
		if (xen__getinfo(xh, id, &di, err) < 0)
			return -1;
		c[0].c_domid = id;
		c[0].c_state = di.di_dying ? XEN__CAND_DYING : XEN__CAND_LIVE;
		if (xen__cand_pick(spec, kind, c, 1, flags, domidp, err) < 0)
			return -1;
		/* A name that looks like this id names another domain? */
		if (xh->xh_xs == NULL ||
		    xen__xs_candidates(xh, spec, c, &n, NULL) < 0)
			return 0;
		for (i = 0; i < n; i++)
			if (c[i].c_domid != id && c[i].c_state == XEN__CAND_LIVE)
				return xen_err_set(err, ENOTUNIQ, "\"%s\" is the "
				    "id of domain %" PRIu32 " and the name of "
				    "domain %" PRIu32 ": ambiguous; give the "
				    "UUID", spec, id, c[i].c_domid);
		return 0;
	case XEN__SPEC_UUID:
		ua.ua_uuid = uuid;
		ua.ua_c = c;
		ua.ua_n = 0;
		if (xen__walk_domains(xh, xen__uuid_one, &ua, err) < 0)
			return -1;
		return xen__cand_pick(spec, kind, c, ua.ua_n, flags, domidp,
		    err);
	case XEN__SPEC_NAME:
		if (xen__xs_candidates(xh, spec, c, &n, err) < 0)
			return -1;
		return xen__cand_pick(spec, kind, c, n, flags, domidp, err);
	}
	return xen_err_set(err, EINVAL, "resolving \"%s\": unknown kind", spec);
}

int
xen_domain_resolve_opts(struct xen_handle *xh, const char *spec,
    const struct xen_resolve_opts *opts, uint32_t *domidp,
    struct xen_err *err)
{
	const unsigned int known = XEN_RESOLVE_NO_LIBVIRT |
	    XEN_RESOLVE_ALLOW_DYING;
	char uuid[XEN_DOMAIN_UUID_LEN + 1] = "";
	struct xen_libvirt_domain lv;
	struct xen_domain_info di;
	struct xen__hv_view hv;
	struct xen_err xerr, lverr;
	enum xen__spec_kind kind;
	const char *lv_uri = NULL;
	unsigned int flags = 0;
	uint32_t id = 0, xdomid = XEN_DOMID_INVALID;
	int xrc, lvrc;

	if (xh == NULL || spec == NULL || domidp == NULL)
		return xen_err_set(err, EINVAL, "xen_domain_resolve: NULL "
		    "argument");
	if (opts != NULL) {
		if (opts->ro_size < sizeof(struct xen_resolve_opts))
			return xen_err_set(err, EINVAL, "xen_domain_resolve: "
			    "options of size %zu, expected at least %zu (set "
			    "ro_size)", opts->ro_size,
			    sizeof(struct xen_resolve_opts));
		if (opts->ro_flags & ~known)
			return xen_err_set(err, EINVAL, "xen_domain_resolve: "
			    "unknown flags 0x%x", opts->ro_flags & ~known);
		flags = opts->ro_flags;
		lv_uri = opts->ro_libvirt_uri;
	}
	if (xen__spec_parse(spec, &kind, &id, uuid, err) < 0)
		return -1;

	xen_err_clear(&xerr);
	xrc = xen__resolve_xen(xh, spec, kind, id, uuid, flags, &xdomid,
	    &xerr);
	if ((flags & XEN_RESOLVE_NO_LIBVIRT) || !xen_libvirt_available()) {
		if (xrc < 0)
			return xen_err_set(err, xerr.xe_errno, "%s",
			    xen_err_msg(&xerr));
		*domidp = xdomid;
		xen_err_clear(err);
		return 0;
	}

	xen_err_clear(&lverr);
	memset(&hv, 0, sizeof(hv));
	lvrc = xen_libvirt_lookup(lv_uri, spec, &lv, &lverr);
	if (lvrc == 0 && xen__getinfo(xh, lv.lv_id, &di, NULL) == 0) {
		hv.hv_exists = true;
		hv.hv_dying = di.di_dying;
		memcpy(hv.hv_uuid, di.di_uuid, sizeof(hv.hv_uuid));
	}
	if (xen__merge_libvirt(spec, xen_libvirt_uri(lv_uri),
	    xen_libvirt_uri_explicit(lv_uri), xrc, xdomid, &xerr, lvrc, &lv,
	    &lverr, &hv, flags, domidp, err) < 0)
		return -1;
	xen_err_clear(err);
	return 0;
}

int
xen_domain_resolve(struct xen_handle *xh, const char *spec, uint32_t *domidp,
    struct xen_err *err)
{
	return xen_domain_resolve_opts(xh, spec, NULL, domidp, err);
}

int
xen__pausable(struct xen_handle *xh, uint32_t domid, const char *uuid,
    struct xen_domain_info *di, struct xen_err *err)
{
	if (domid == 0)
		return xen_err_set(err, EINVAL, "refusing to pause dom0");
	if (xen__getinfo(xh, domid, di, err) < 0)
		return -1;
	if (uuid != NULL && strcmp(di->di_uuid, uuid) != 0)
		return xen_err_set(err, ESTALE, "not pausing domain %" PRIu32
		    ": it is now another domain (UUID %s, was %s)", domid,
		    di->di_uuid, uuid);
	if (di->di_dying)
		return xen_err_set(err, ESRCH, "not pausing domain %" PRIu32
		    ": it is dying (being destroyed)", domid);
	return 0;
}

int
xen__pause(struct xen_handle *xh, uint32_t domid, const char *uuid,
    struct xen_err *err)
{
	struct xen_domain_info di;
	char tail[300];
	int e;

	if (xen__pausable(xh, domid, uuid, &di, err) < 0)
		return -1;
	if (xc_domain_pause(xh->xh_xc, domid) < 0) {
		e = errno;
		return xen_err_set(err, e, "pausing domain %" PRIu32 ": %s%s",
		    domid, strerror(e), xen__logger_tail(&xh->xh_log, tail,
		    sizeof(tail)));
	}
	return 0;
}

int
xen_domain_pause(struct xen_handle *xh, uint32_t domid, struct xen_err *err)
{
	if (xh == NULL)
		return xen_err_set(err, EINVAL, "xen_domain_pause: NULL handle");
	return xen__pause(xh, domid, NULL, err);
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
		return xen_err_set(err, e, "unpausing domain %" PRIu32 ": %s%s%s",
		    domid, strerror(e), e == EINVAL ? " (it was not paused)" :
		    "", xen__logger_tail(&xh->xh_log, tail, sizeof(tail)));
	}
	return 0;
}
