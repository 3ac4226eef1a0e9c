/*
 * xen_physmem.c - read a live Xen domain's memory by guest frame number
 * (see xen_physmem.h).
 *
 * Lock-free and not thread-safe: one struct xen_physmem per thread.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "xen/xen_impl.h"		/* xenctrl.h before xenguest.h */
#include "xen/xen_physmem.h"

#include <xenforeignmemory.h>
#include <xenguest.h>

/* Paged-out frames: retry this often, sleeping 1, 2, 4, ... ms between. */
#define XEN__PAGED_RETRIES	8

/* PV p2m entries with these bits set name no frame of the guest's own. */
#define XEN__P2M64_BAD_BITS	((UINT64_C(1) << 62) | (UINT64_C(1) << 63))
#define XEN__P2M32_BAD_BITS	(UINT32_C(1) << 31)

/*
 * pm_xh	the connection this binding was made through (not owned)
 * pm_fmem	foreign-memory handle restricted to pm_domid
 * pm_minfo	PV only (pm_have_p2m): the mapped p2m table
 * pm_limit	see xen_physmem_pfn_limit()
 * pm_frames, pm_merr, pm_index	scratch for one batch (XEN_PHYSMEM_BATCH)
 */
struct xen_physmem {
	struct xen_handle		*pm_xh;
	uint32_t			pm_domid;
	enum xen_domain_type		pm_type;
	xenforeignmemory_handle		*pm_fmem;
	struct xen__logger		pm_log;
	struct xc_domain_meminfo	pm_minfo;
	bool				pm_have_p2m;
	uint64_t			pm_limit;
	xen_pfn_t			*pm_frames;
	int				*pm_merr;
	size_t				*pm_index;
};

static int
xen__p2m_load(struct xen_physmem *pm, struct xen_err *err)
{
	char tail[300];
	int e;

	memset(&pm->pm_minfo, 0, sizeof(pm->pm_minfo));
	if (xc_map_domain_meminfo(pm->pm_xh->xh_xc, pm->pm_domid,
	    &pm->pm_minfo) < 0) {
		e = errno != 0 ? errno : EIO;
		return xen_err_set(err, e, "reading the p2m table of PV domain "
		    "%" PRIu32 " (xc_map_domain_meminfo): %s%s", pm->pm_domid,
		    strerror(e), xen__logger_tail(&pm->pm_xh->xh_log, tail,
		    sizeof(tail)));
	}
	if (pm->pm_minfo.guest_width != 8 && pm->pm_minfo.guest_width != 4) {
		xc_unmap_domain_meminfo(pm->pm_xh->xh_xc, &pm->pm_minfo);
		return xen_err_set(err, ENOTSUP, "PV domain %" PRIu32 " has "
		    "guest width %u: only 32- and 64-bit guests are supported",
		    pm->pm_domid, pm->pm_minfo.guest_width);
	}
	pm->pm_have_p2m = true;
	pm->pm_limit = pm->pm_minfo.p2m_size;
	return 0;
}

static void
xen__p2m_unload(struct xen_physmem *pm)
{
	if (!pm->pm_have_p2m)
		return;
	xc_unmap_domain_meminfo(pm->pm_xh->xh_xc, &pm->pm_minfo);
	pm->pm_have_p2m = false;
}

/*
 * The frame to hand to Xen for pfn: the mfn for PV, the gfn otherwise.
 * Returns false when pfn has no frame.
 */
static bool
xen__frame_of(const struct xen_physmem *pm, uint64_t pfn, xen_pfn_t *framep)
{
	if (pfn >= pm->pm_limit)
		return false;
	if (!pm->pm_have_p2m) {
		*framep = (xen_pfn_t)pfn;
		return true;
	}
	if (pm->pm_minfo.guest_width == 8) {
		uint64_t m = ((const uint64_t *)pm->pm_minfo.p2m_table)[pfn];

		if (m == UINT64_MAX || (m & XEN__P2M64_BAD_BITS) != 0)
			return false;
		*framep = (xen_pfn_t)m;
	} else {
		uint32_t m = ((const uint32_t *)pm->pm_minfo.p2m_table)[pfn];

		if (m == UINT32_MAX || (m & XEN__P2M32_BAD_BITS) != 0)
			return false;
		*framep = (xen_pfn_t)m;
	}
	return true;
}

struct xen_physmem *
xen_physmem_open(struct xen_handle *xh, uint32_t domid, struct xen_err *err)
{
	struct xen_physmem *pm;
	struct xen_domain_info di;
	char tail[300];
	int e;

	if (xh == NULL) {
		xen_err_set(err, EINVAL, "xen_physmem_open: NULL handle");
		return NULL;
	}
	if (domid == 0 || domid >= 0x7ff0) {
		xen_err_set(err, EINVAL, "refusing to read the memory of "
		    "domain %" PRIu32 ": dom0 and special domains are not "
		    "supported", domid);
		return NULL;
	}
	pm = calloc(1, sizeof(*pm));
	if (pm == NULL) {
		xen_err_set(err, ENOMEM, "out of memory binding domain %"
		    PRIu32, domid);
		return NULL;
	}
	pm->pm_xh = xh;
	pm->pm_domid = domid;
	xen__logger_init(&pm->pm_log);

	if (xen_domain_info(xh, domid, &di, err) < 0)
		goto fail_free;
	pm->pm_type = di.di_type;

	pm->pm_frames = calloc(XEN_PHYSMEM_BATCH, sizeof(*pm->pm_frames));
	pm->pm_merr = calloc(XEN_PHYSMEM_BATCH, sizeof(*pm->pm_merr));
	pm->pm_index = calloc(XEN_PHYSMEM_BATCH, sizeof(*pm->pm_index));
	if (pm->pm_frames == NULL || pm->pm_merr == NULL ||
	    pm->pm_index == NULL) {
		xen_err_set(err, ENOMEM, "out of memory binding domain %"
		    PRIu32, domid);
		goto fail_scratch;
	}

	errno = 0;
	pm->pm_fmem = xenforeignmemory_open(&pm->pm_log.xl_vtable, 0);
	if (pm->pm_fmem == NULL) {
		e = errno != 0 ? errno : EACCES;
		xen_err_set(err, e, "opening /dev/xen/privcmd "
		    "(libxenforeignmemory) for domain %" PRIu32 ": %s: %s%s",
		    domid, strerror(e), xen__privcmd_hint(e),
		    xen__logger_tail(&pm->pm_log, tail, sizeof(tail)));
		goto fail_scratch;
	}
	if (xenforeignmemory_restrict(pm->pm_fmem, (domid_t)domid) < 0) {
		e = errno;
		xen_err_set(err, e, "restricting the privcmd handle to domain "
		    "%" PRIu32 ": %s: the dom0 kernel needs "
		    "IOCTL_PRIVCMD_RESTRICT (Linux 4.8 or later)", domid,
		    strerror(e));
		goto fail_fmem;
	}

	if (pm->pm_type == XEN_DOMAIN_PV) {
		if (xen__p2m_load(pm, err) < 0)
			goto fail_fmem;
	} else {
		pm->pm_limit = di.di_max_gpfn + 1;
	}
	xen_err_clear(err);
	return pm;

fail_fmem:
	e = errno;
	xenforeignmemory_close(pm->pm_fmem);
	errno = e;
fail_scratch:
	free(pm->pm_index);
	free(pm->pm_merr);
	free(pm->pm_frames);
fail_free:
	e = errno;
	free(pm);
	errno = e;
	return NULL;
}

void
xen_physmem_close(struct xen_physmem *pm)
{
	int e = errno;

	if (pm == NULL)
		return;
	xen__p2m_unload(pm);
	xenforeignmemory_close(pm->pm_fmem);
	free(pm->pm_index);
	free(pm->pm_merr);
	free(pm->pm_frames);
	free(pm);
	errno = e;
}

enum xen_domain_type
xen_physmem_type(const struct xen_physmem *pm)
{
	return pm->pm_type;
}

uint64_t
xen_physmem_pfn_limit(const struct xen_physmem *pm)
{
	return pm->pm_limit;
}

int
xen_physmem_refresh(struct xen_physmem *pm, struct xen_err *err)
{
	if (pm == NULL)
		return xen_err_set(err, EINVAL, "xen_physmem_refresh: NULL");
	if (pm->pm_type != XEN_DOMAIN_PV)
		return 0;
	xen__p2m_unload(pm);
	return xen__p2m_load(pm, err);
}

static void
xen__sleep_ms(unsigned int ms)
{
	struct timespec ts = {
		.tv_sec = ms / 1000,
		.tv_nsec = (long)(ms % 1000) * 1000000L,
	};

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/*
 * Map the nmap frames in pm_frames[] (pages pm_index[] of the request),
 * copy the good ones to buf and record per-page errors.  Frames still
 * paged out are moved to the front of pm_frames/pm_index and their number
 * returned in *npagedp.  Returns 0, or -1 when the map call failed.
 */
static int
xen__map_copy(struct xen_physmem *pm, size_t nmap, unsigned char *buf,
    int *errs, size_t *npagedp, struct xen_err *err)
{
	unsigned char *addr;
	size_t k, npaged = 0;
	char tail[300];
	int e, me;

	addr = xenforeignmemory_map(pm->pm_fmem, pm->pm_domid, PROT_READ,
	    nmap, pm->pm_frames, pm->pm_merr);
	if (addr == NULL) {
		e = errno != 0 ? errno : EIO;
		return xen_err_set(err, e, "mapping %zu frames of domain %"
		    PRIu32 " from frame 0x%" PRIx64 ": %s%s%s", nmap,
		    pm->pm_domid, (uint64_t)pm->pm_frames[0], strerror(e),
		    e == EPERM || e == EACCES ?
		    ": Xen refused (is this dom0, and the domain alive?)" : "",
		    xen__logger_tail(&pm->pm_log, tail, sizeof(tail)));
	}
	for (k = 0; k < nmap; k++) {
		size_t i = pm->pm_index[k];

		me = pm->pm_merr[k] < 0 ? -pm->pm_merr[k] : pm->pm_merr[k];
		if (me == 0) {
			memcpy(buf + i * XEN_PAGE_SIZE,
			    addr + k * XEN_PAGE_SIZE, XEN_PAGE_SIZE);
			errs[i] = 0;
		} else if (me == ENOENT) {
			pm->pm_frames[npaged] = pm->pm_frames[k];
			pm->pm_index[npaged] = i;
			npaged++;
			errs[i] = ENOENT;
		} else {
			errs[i] = me;
		}
	}
	e = errno;
	xenforeignmemory_unmap(pm->pm_fmem, addr, nmap);
	errno = e;
	*npagedp = npaged;
	return 0;
}

ssize_t
xen_physmem_read_pages(struct xen_physmem *pm, const uint64_t *pfns,
    size_t count, void *buf, int *errs, struct xen_err *err)
{
	unsigned char *out = buf;
	size_t base, n, i, nmap, npaged, nfailed = 0;
	unsigned int round, delay;
	xen_pfn_t frame;
	bool described = false;

	if (pm == NULL || (count > 0 && (pfns == NULL || buf == NULL ||
	    errs == NULL)))
		return xen_err_set(err, EINVAL, "xen_physmem_read_pages: bad "
		    "argument");
	xen_err_clear(err);

	for (base = 0; base < count; base += n) {
		n = count - base;
		if (n > XEN_PHYSMEM_BATCH)
			n = XEN_PHYSMEM_BATCH;
		nmap = 0;
		for (i = base; i < base + n; i++) {
			if (!xen__frame_of(pm, pfns[i], &frame)) {
				errs[i] = ENXIO;
				continue;
			}
			pm->pm_frames[nmap] = frame;
			pm->pm_index[nmap] = i;
			nmap++;
		}
		if (nmap == 0)
			continue;
		if (xen__map_copy(pm, nmap, out, errs, &npaged, err) < 0)
			return -1;
		for (round = 0, delay = 1; npaged > 0 &&
		    round < XEN__PAGED_RETRIES; round++, delay *= 2) {
			xen__sleep_ms(delay);
			if (xen__map_copy(pm, npaged, out, errs, &npaged,
			    err) < 0)
				return -1;
		}
	}

	for (i = 0; i < count; i++) {
		if (errs[i] == 0)
			continue;
		memset(out + i * XEN_PAGE_SIZE, 0, XEN_PAGE_SIZE);
		nfailed++;
		if (described)
			continue;
		described = true;
		if (errs[i] == ENXIO)
			xen_err_set(err, ENXIO, "domain %" PRIu32 " has no "
			    "frame behind pfn 0x%" PRIx64 "%s", pm->pm_domid,
			    pfns[i], pfns[i] >= pm->pm_limit ?
			    " (beyond its memory)" : " (hole or invalid p2m "
			    "entry)");
		else if (errs[i] == ENOENT)
			xen_err_set(err, ENOENT, "pfn 0x%" PRIx64 " of domain %"
			    PRIu32 " stayed paged out after %d retries: try "
			    "again later", pfns[i], pm->pm_domid,
			    XEN__PAGED_RETRIES);
		else
			xen_err_set(err, errs[i], "reading pfn 0x%" PRIx64
			    " of domain %" PRIu32 ": %s", pfns[i],
			    pm->pm_domid, strerror(errs[i]));
	}
	return (ssize_t)nfailed;
}

#define XEN__READ_CHUNK	64

int
xen_physmem_read(struct xen_physmem *pm, uint64_t gpa, void *buf, size_t len,
    struct xen_err *err)
{
	uint64_t pfns[XEN__READ_CHUNK];
	int errs[XEN__READ_CHUNK];
	unsigned char *bounce, *out = buf;
	uint64_t first, pfn, off;
	size_t n, i, take;
	ssize_t failed;
	int e;

	if (pm == NULL || (len > 0 && buf == NULL))
		return xen_err_set(err, EINVAL, "xen_physmem_read: bad "
		    "argument");
	if (len == 0)
		return 0;
	if (gpa + len < gpa)
		return xen_err_set(err, EINVAL, "xen_physmem_read: range "
		    "0x%" PRIx64 "+%zu wraps", gpa, len);
	bounce = malloc((size_t)XEN__READ_CHUNK * XEN_PAGE_SIZE);
	if (bounce == NULL)
		return xen_err_set(err, ENOMEM, "out of memory reading domain "
		    "%" PRIu32, pm->pm_domid);

	first = gpa >> XEN_PAGE_SHIFT;
	off = gpa & (XEN_PAGE_SIZE - 1);
	pfn = first;
	while (len > 0) {
		n = (size_t)((off + len + XEN_PAGE_SIZE - 1) >> XEN_PAGE_SHIFT);
		if (n > XEN__READ_CHUNK)
			n = XEN__READ_CHUNK;
		for (i = 0; i < n; i++)
			pfns[i] = pfn + i;
		failed = xen_physmem_read_pages(pm, pfns, n, bounce, errs, err);
		if (failed != 0) {
			e = failed < 0 ? errno : err != NULL &&
			    err->xe_errno != 0 ? err->xe_errno : EIO;
			free(bounce);
			errno = e;
			return -1;
		}
		take = n * XEN_PAGE_SIZE - (size_t)off;
		if (take > len)
			take = len;
		memcpy(out, bounce + off, take);
		out += take;
		len -= take;
		pfn += n;
		off = 0;
	}
	free(bounce);
	return 0;
}
