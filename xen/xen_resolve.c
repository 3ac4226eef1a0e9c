/*
 * xen_resolve.c - the rules that turn a user's NAME|ID|UUID into exactly
 * one domain (see xen_resolve.h).  Pure C: no Xen or libvirt call, so it
 * is built and tested on every host.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xen/xen_resolve.h"

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

int
xen__spec_parse(const char *spec, enum xen__spec_kind *kindp, uint32_t *idp,
    char uuid[XEN_DOMAIN_UUID_LEN + 1], struct xen_err *err)
{
	unsigned long long v;
	size_t i;
	char *end;

	if (spec == NULL || kindp == NULL)
		return xen_err_set(err, EINVAL, "resolving a domain: NULL "
		    "argument");
	if (*spec == '\0')
		return xen_err_set(err, EINVAL, "empty domain name: give a "
		    "name, a domain id or a UUID");
	if (xen__all_digits(spec)) {
		errno = 0;
		v = strtoull(spec, &end, 10);
		if (errno != 0 || *end != '\0' || v >= XEN_DOMID_INVALID)
			return xen_err_set(err, ERANGE, "domain id %s is out "
			    "of range", spec);
		if (idp != NULL)
			*idp = (uint32_t)v;
		*kindp = XEN__SPEC_ID;
		return 0;
	}
	if (xen__looks_like_uuid(spec)) {
		if (uuid != NULL) {
			for (i = 0; i < XEN_DOMAIN_UUID_LEN; i++)
				uuid[i] = (char)tolower((unsigned char)spec[i]);
			uuid[XEN_DOMAIN_UUID_LEN] = '\0';
		}
		*kindp = XEN__SPEC_UUID;
		return 0;
	}
	*kindp = XEN__SPEC_NAME;
	return 0;
}

/* "named \"x\"" / "with UUID x" / "with id x", for messages. */
static const char *
xen__spec_words(enum xen__spec_kind kind)
{
	switch (kind) {
	case XEN__SPEC_ID:
		return "with id";
	case XEN__SPEC_UUID:
		return "with UUID";
	case XEN__SPEC_NAME:
		break;
	}
	return "named";
}

int
xen__cand_pick(const char *spec, enum xen__spec_kind kind,
    const struct xen__cand *c, size_t n, unsigned int flags, uint32_t *domidp,
    struct xen_err *err)
{
	size_t i, nlive = 0, ndying = 0, ngone = 0, nreused = 0;
	uint32_t live = XEN_DOMID_INVALID, live2 = XEN_DOMID_INVALID;
	uint32_t dying = XEN_DOMID_INVALID, stale = XEN_DOMID_INVALID;
	const char *words = xen__spec_words(kind);

	if (spec == NULL || (c == NULL && n > 0) || domidp == NULL)
		return xen_err_set(err, EINVAL, "resolving a domain: NULL "
		    "argument");
	for (i = 0; i < n; i++) {
		switch (c[i].c_state) {
		case XEN__CAND_LIVE:
			if (nlive == 0)
				live = c[i].c_domid;
			else if (nlive == 1)
				live2 = c[i].c_domid;
			nlive++;
			break;
		case XEN__CAND_DYING:
			if (ndying++ == 0)
				dying = c[i].c_domid;
			break;
		case XEN__CAND_GONE:
			if (ngone++ == 0 && nreused == 0)
				stale = c[i].c_domid;
			break;
		case XEN__CAND_REUSED:
			if (nreused++ == 0 && ngone == 0)
				stale = c[i].c_domid;
			break;
		}
	}
	if (nlive > 1)
		return xen_err_set(err, ENOTUNIQ, "%zu running domains are %s "
		    "\"%s\" (ids %" PRIu32 ", %" PRIu32 "%s): the name is "
		    "ambiguous; give a domain id instead", nlive, words, spec,
		    live, live2, nlive > 2 ? ", ..." : "");
	if (nlive == 1 && ndying > 0)
		return xen_err_set(err, ENOTUNIQ, "domain %" PRIu32 " is %s "
		    "\"%s\", and so is domain %" PRIu32 ", which is dying "
		    "(being destroyed): the name is ambiguous; give a domain "
		    "id instead", live, words, spec, dying);
	if (nlive == 1) {
		*domidp = live;
		return 0;
	}
	if (ndying > 0) {
		if ((flags & XEN_RESOLVE_ALLOW_DYING) && ndying == 1) {
			*domidp = dying;
			return 0;
		}
		if (ndying > 1)
			return xen_err_set(err, ENOTUNIQ, "%zu dying domains "
			    "are %s \"%s\" (the first is %" PRIu32 "): give a "
			    "domain id instead", ndying, words, spec, dying);
		return xen_err_set(err, ESRCH, "domain %" PRIu32 " %s \"%s\" "
		    "is dying (being destroyed): its memory is going away; "
		    "the name names no running domain", dying, words, spec);
	}
	if (ngone + nreused > 0) {
		if (ngone > 0 && nreused == 0)
			return xen_err_set(err, ESTALE, "xenstore has domain "
			    "%" PRIu32 " %s \"%s\", but the hypervisor has no "
			    "domain %" PRIu32 ": a stale xenstore entry (left "
			    "by a toolstack that did not clean up; xl list "
			    "shows the real domains)", stale, words, spec,
			    stale);
		return xen_err_set(err, ESTALE, "xenstore has domain %" PRIu32
		    " %s \"%s\", but domain %" PRIu32 " is now another domain "
		    "(another UUID): a stale xenstore entry of a reused domain "
		    "id", stale, words, spec, stale);
	}
	if (kind == XEN__SPEC_NAME)
		return xen_err_set(err, ENOENT, "no domain named \"%s\" "
		    "(xl list shows the existing ones)", spec);
	return xen_err_set(err, ENOENT, "no domain %s %s (xl list shows the "
	    "existing ones)", words, spec);
}

/* Copy a recorded error into err and errno; returns -1. */
static int
xen__err_copy(struct xen_err *err, const struct xen_err *from, int fallback)
{
	int e = from != NULL && from->xe_errno != 0 ? from->xe_errno :
	    fallback;

	return xen_err_set(err, e, "%s", from != NULL ? xen_err_msg(from) :
	    strerror(e));
}

int
xen__merge_libvirt(const char *spec, const char *uri, bool explicit_uri,
    int xen_rc, uint32_t xen_domid, const struct xen_err *xen_err,
    int lv_rc, const struct xen_libvirt_domain *lv,
    const struct xen_err *lv_err, const struct xen__hv_view *hv,
    unsigned int flags, uint32_t *domidp, struct xen_err *err)
{
	int xen_errno = xen_rc == 0 ? 0 : (xen_err != NULL &&
	    xen_err->xe_errno != 0 ? xen_err->xe_errno : ENOENT);
	int lv_errno = lv_rc == 0 ? 0 : (lv_err != NULL &&
	    lv_err->xe_errno != 0 ? lv_err->xe_errno : EIO);

	if (spec == NULL || uri == NULL || domidp == NULL ||
	    (lv_rc == 0 && (lv == NULL || hv == NULL)))
		return xen_err_set(err, EINVAL, "resolving a domain: NULL "
		    "argument");

	if (lv_rc != 0) {
		switch (lv_errno) {
		case ENOENT:
		case ENOTSUP:
			break;		/* libvirt has nothing to add */
		case ENOTUNIQ:
			return xen__err_copy(err, lv_err, lv_errno);
		case ESRCH:
			if (xen_rc == 0)
				return xen_err_set(err, ESTALE, "libvirt (%s) "
				    "has \"%s\" shut off, but Xen runs domain "
				    "%" PRIu32 " under it (started outside "
				    "libvirt?): the two disagree; give the "
				    "domain id to use Xen's", uri, spec,
				    xen_domid);
			if (xen_errno == ENOENT)
				return xen__err_copy(err, lv_err, lv_errno);
			break;
		default:
			if (explicit_uri)
				return xen__err_copy(err, lv_err, lv_errno);
			break;		/* no libvirt here: Xen decides */
		}
		if (xen_rc != 0)
			return xen__err_copy(err, xen_err, xen_errno);
		*domidp = xen_domid;
		return 0;
	}

	/* libvirt names a running domain: Xen must agree. */
	if (!hv->hv_exists)
		return xen_err_set(err, ESTALE, "libvirt (%s) says \"%s\" is "
		    "domain %" PRIu32 ", but the hypervisor has no domain %"
		    PRIu32 ": libvirt's view is stale", uri, spec, lv->lv_id,
		    lv->lv_id);
	if (strcmp(hv->hv_uuid, lv->lv_uuid) != 0)
		return xen_err_set(err, ESTALE, "libvirt (%s) says \"%s\" is "
		    "domain %" PRIu32 " with UUID %s, but Xen's domain %" PRIu32
		    " has UUID %s: the id was reused; libvirt's view is stale",
		    uri, spec, lv->lv_id, lv->lv_uuid, lv->lv_id, hv->hv_uuid);
	if (hv->hv_dying && !(flags & XEN_RESOLVE_ALLOW_DYING))
		return xen_err_set(err, ESRCH, "domain %" PRIu32 " (\"%s\" in "
		    "libvirt) is dying (being destroyed): its memory is going "
		    "away", lv->lv_id, lv->lv_name);
	if (xen_rc == 0 && xen_domid != lv->lv_id)
		return xen_err_set(err, ESTALE, "xenstore says \"%s\" is domain "
		    "%" PRIu32 ", libvirt (%s) says domain %" PRIu32 ": the "
		    "sources disagree; give the domain id", spec, xen_domid,
		    uri, lv->lv_id);
	if (xen_rc != 0 && xen_errno != ENOENT)
		return xen__err_copy(err, xen_err, xen_errno);
	*domidp = lv->lv_id;
	return 0;
}
